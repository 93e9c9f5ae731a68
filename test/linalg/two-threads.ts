import { gemmRuntime } from '../../src/linalg/kernels/gemm.js';
import type { KernelRuntime } from '../../src/linalg/kernels/wasm/runtime.js';
import { FULL } from '../../src/linalg/kernels/wasm/gemm-module.js';
import { setLinalgThreads, startLinalgPool } from '../../src/linalg/parallel/pool.js';

/**
 * Runs `body` with the linalg pool started at two threads, then restores the
 * thread count. Without WebAssembly shared memory nothing can run on a
 * worker, so there is nothing to test and `body` is not run.
 */
export async function onTwoThreads(body: (rt: KernelRuntime) => void | Promise<void>): Promise<void> {
  const rt = gemmRuntime();
  if (!rt?.shared) return;
  const threads = setLinalgThreads(2);
  try {
    await startLinalgPool(rt);
    await body(rt);
  } finally {
    setLinalgThreads(threads);
  }
}

/**
 * `count` GEMM panels in the kernel's arena, panel p adding 1 x 1 to its own
 * counter C[p] (beta = 1): a panel run twice or skipped leaves its count off
 * by one. The counters start at zero (the arena is not cleared between uses);
 * `counts()` reads them and `release()` frees the arena.
 */
export function countingPanels(rt: KernelRuntime, count: number) {
  const mark = rt.mark();
  const one = rt.alloc(2);
  const c = rt.alloc(count);
  rt.heap()[one / 8] = 1;
  rt.heap().fill(0, c / 8, c / 8 + count);
  const panels = Array.from({ length: count }, (_, p) => [1, 1, 1, 1, 1, one, 8, 8, one, 8, 8, c + 8 * p, 8, FULL]);
  return {
    panels,
    counts: (): number[] => Array.from(rt.heap().subarray(c / 8, c / 8 + count)),
    release: (): void => rt.release(mark),
  };
}
