import { afterEach, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { availableGemmBackends, gemm, gemmBackend, gemmRuntime, setGemmBackend } from '../../src/linalg/kernels/gemm.js';
import { withWorkspace } from '../../src/linalg/kernels/workspace.js';

const initial = gemmBackend();
afterEach(() => {
  setGemmBackend(initial);
});

test('a workspace lives in the memory of the backend in use: the WebAssembly runtime when there is one, else JavaScript', () => {
  // the eigensolver's products then run on the same kernels as the GEMMs the backend was chosen for
  const rt = gemmRuntime();
  withWorkspace((ws) => {
    expect(ws.runtime).toBe(rt);
    if (rt) expect(ws.heap().buffer).toBe(rt.memory.buffer);
  });
  setGemmBackend('js');
  withWorkspace((ws) => {
    expect(ws.runtime).toBeNull();
  });
});

test('gemm with alpha = 0 reads neither A nor B (BLAS): C = beta C even when A holds NaN, on every backend', () => {
  for (const backend of availableGemmBackends()) {
    setGemmBackend(backend);
    const m = 5;
    const n = 7;
    const k = 6;
    const A = new Float64Array(m * k).fill(Number.NaN);
    const B = new Float64Array(k * n).fill(Number.POSITIVE_INFINITY);
    const C = Float64Array.from({ length: m * n }, (_, i) => i - 10);
    gemm(false, false, m, n, k, 0, A, 0, k, B, 0, n, 0.5, C, 0, n);
    expect(Array.from(C), backend).toEqual(Array.from({ length: m * n }, (_, i) => 0.5 * (i - 10)));
  }
});

test('gemm writes only its m x n block of C: the entries between rows (ldc > n) keep their bits, -0 included', () => {
  const rng = new Rng('gemm-block');
  for (const backend of availableGemmBackends()) {
    setGemmBackend(backend);
    for (const [m, n, k] of [
      [5, 6, 3],
      [9, 13, 7],
      [2, 1, 4],
    ]) {
      const ldc = n + 5;
      const A = Float64Array.from({ length: m * k }, () => rng.normal());
      const B = Float64Array.from({ length: k * n }, () => rng.normal());
      const C = new Float64Array(m * ldc).fill(-0);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) C[i * ldc + j] = rng.normal();
      gemm(false, false, m, n, k, 1.5, A, 0, k, B, 0, n, 1, C, 0, ldc);
      for (let i = 0; i < m; i++) {
        for (let j = n; j < ldc; j++) expect(Object.is(C[i * ldc + j], -0), `${backend} ${m}x${n}x${k} (${i}, ${j})`).toBe(true);
      }
    }
  }
});
