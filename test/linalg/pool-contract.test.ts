import { expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { choleskyInverses } from '../../src/linalg/cholesky.js';
import { gemmRuntime } from '../../src/linalg/kernels/gemm.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { linalgWorkerJobCount, runKernelPanels, setLinalgThreads, startLinalgPool } from '../../src/linalg/parallel/pool.js';
import { FULL } from '../../src/linalg/kernels/wasm/gemm-module.js';

test('inverses run on two threads report a failure at the first pivot (index 0) as an error, not as an inverse', async () => {
  const rt = gemmRuntime();
  if (!rt?.shared) return;
  const threads = setLinalgThreads(2);
  try {
    await startLinalgPool(rt);
    const rng = new Rng(5);
    const spd = (n: number) => {
      const a = new Matrix(n, n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) a.data[i * n + j] = a.data[j * n + i] = 0.01 * rng.normal();
        a.data[i * n + i] += 2;
      }
      return a;
    };
    const bad = spd(60);
    bad.data[0] = -2;
    const out = choleskyInverses([spd(60), bad, spd(50)], ['a', 'b', 'c']);
    expect(out[0]).toBeInstanceOf(Matrix);
    expect(out[2]).toBeInstanceOf(Matrix);
    expect(out[1]).toBeInstanceOf(NatgradError);
    expect((out[1] as NatgradError).path).toBe('b');
    expect((out[1] as NatgradError).message).toMatch(/pivot 0 of the Cholesky factorization is -2 /);
  } finally {
    setLinalgThreads(threads);
  }
});

test('the worker job count rises by the panels the workers ran: never by more than the panels handed out', async () => {
  const rt = gemmRuntime();
  if (!rt?.shared) return;
  const threads = setLinalgThreads(2);
  try {
    await startLinalgPool(rt);
    const before = linalgWorkerJobCount();
    const P = 16;
    const R = 50;
    const mark = rt.mark();
    const one = rt.alloc(2);
    const c = rt.alloc(P);
    rt.heap()[one / 8] = 1;
    rt.heap().fill(0, c / 8, c / 8 + P);
    const panels = Array.from({ length: P }, (_, p) => [1, 1, 1, 1, 1, one, 8, 8, one, 8, 8, c + 8 * p, 8, FULL]);
    for (let r = 0; r < R; r++) runKernelPanels(rt, 'gemm', panels);
    const counts = Array.from(rt.heap().subarray(c / 8, c / 8 + P));
    rt.release(mark);
    expect(counts).toEqual(new Array(P).fill(R));
    expect(linalgWorkerJobCount() - before).toBeLessThanOrEqual(R * P);
  } finally {
    setLinalgThreads(threads);
  }
});
