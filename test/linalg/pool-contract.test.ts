import { expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { choleskyInverses } from '../../src/linalg/cholesky.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { linalgWorkerJobCount, runKernelPanels } from '../../src/linalg/parallel/pool.js';
import { countingPanels, onTwoThreads } from './two-threads.js';

test('inverses run on two threads report a failure at the first pivot (index 0) as an error, not as an inverse', async () => {
  await onTwoThreads(() => {
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
  });
});

test('the worker job count rises by the panels the workers ran: never by more than the panels handed out', async () => {
  await onTwoThreads((rt) => {
    const before = linalgWorkerJobCount();
    const P = 16;
    const R = 50;
    const { panels, counts, release } = countingPanels(rt, P);
    for (let r = 0; r < R; r++) runKernelPanels(rt, 'gemm', panels);
    const seen = counts();
    release();
    expect(seen).toEqual(new Array(P).fill(R));
    expect(linalgWorkerJobCount() - before).toBeLessThanOrEqual(R * P);
  });
});
