import { afterAll, expect, test, vi } from 'vitest';

/**
 * A backend this process cannot run (kernelRuntime gives null for it, as for the fused kernel on an engine without
 * relaxed SIMD) is refused. The runtime module is replaced by one that has no fused kernel, in a fresh module graph
 * (a setup file may have loaded the real one already), and the GEMM module is imported from that graph.
 */
afterAll(() => {
  // later files sharing this module graph get the real modules back
  vi.resetModules();
});

test('an unavailable GEMM backend is refused: the one in effect stays and is returned (the first available if none was)', async () => {
  vi.resetModules();
  vi.doMock('../../src/linalg/kernels/wasm/runtime.js', async (importOriginal) => {
    const runtime = await importOriginal<typeof import('../../src/linalg/kernels/wasm/runtime.js')>();
    return {
      ...runtime,
      kernelRuntime: (kernel: Parameters<typeof runtime.kernelRuntime>[0]) => (kernel === 'wasm-relaxed-fma' ? null : runtime.kernelRuntime(kernel)),
    };
  });
  const gemm = await import('../../src/linalg/kernels/gemm.js');
  vi.doUnmock('../../src/linalg/kernels/wasm/runtime.js');
  expect(gemm.availableGemmBackends()).toEqual(['wasm-simd', 'js']);
  // no backend chosen yet: the refused one gives way to the first available
  expect(gemm.setGemmBackend('wasm-relaxed-fma')).toBe('wasm-simd');
  expect(gemm.gemmRuntime()?.kernel).toBe('wasm-simd');
  expect(gemm.setGemmBackend('js')).toBe('js');
  // a backend in effect: the refused one leaves it in place
  expect(gemm.setGemmBackend('wasm-relaxed-fma')).toBe('js');
  expect(gemm.gemmBackend()).toBe('js');
  expect(gemm.gemmRuntime()).toBeNull();
});
