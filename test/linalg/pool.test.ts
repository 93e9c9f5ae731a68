import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { kfacPreconditioner, kfacPreconditioners } from '../../src/curvature/kfac.js';
import { Cholesky, choleskyInverses } from '../../src/linalg/cholesky.js';
import { setSplitCholeskyMin } from '../../src/linalg/kernels/cholesky.js';
import { eigSymmetric } from '../../src/linalg/eigen-symmetric.js';
import { type ArenaProduct, gemmInArena, gemmRuntime, gemmsInArena, setParallelGemmMinFlops } from '../../src/linalg/kernels/gemm.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { linalgThreads, linalgWorkerJobCount, runKernelPanels, setLinalgThreads, startLinalgPool, wakeKernelWorkers } from '../../src/linalg/parallel/pool.js';

import { countingPanels, onTwoThreads } from './two-threads.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('linalg worker pool', () => {
  test('the thread count is validated: an integer from 1 to 8', () => {
    const before = linalgThreads();
    expect(() => setLinalgThreads(0)).toThrow(NatgradError);
    expect(() => setLinalgThreads(1.5)).toThrow(/threads/);
    expect(() => setLinalgThreads(9)).toThrow(/threads/);
    expect(linalgThreads()).toBe(before);
  });

  test("a process that used the pool exits by itself, without a shutdown call (the workers are unref'd)", () => {
    const script = `
      import { gemm } from './src/linalg/kernels/gemm.js';
      import { setLinalgThreads, startLinalgPool, linalgWorkerJobCount } from './src/linalg/parallel/pool.js';
      import { gemmRuntime } from './src/linalg/kernels/gemm.js';
      setLinalgThreads(2);
      await startLinalgPool(gemmRuntime());
      const n = 300, A = new Float64Array(n * n).fill(1), C = new Float64Array(n * n);
      // a worker that wakes after the caller has claimed every panel does none: repeat until it has done one
      for (let r = 0; r < 200 && linalgWorkerJobCount() === 0; r++) gemm(false, false, n, n, n, 1, A, 0, n, A, 0, n, 0, C, 0, n);
      console.log(JSON.stringify({ c: C[0], jobs: linalgWorkerJobCount() }));
    `;
    // generous limit: a hang would run until the timeout, a normal exit takes about a second
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out.c).toBe(300);
    expect(out.jobs).toBeGreaterThan(0);
  });

  test('every panel runs exactly once, whichever thread claims it, including when the caller runs out of panels before the worker wakes', async () => {
    await onTwoThreads((rt) => {
      const jobsBefore = linalgWorkerJobCount();
      const P = 24;
      const { panels, counts, release } = countingPanels(rt, P);
      // at least 300 rounds, and more (a bounded number) until the worker has claimed a panel: on a
      // machine with more busy threads than cores it may not be scheduled during a short run
      let rounds = 0;
      while (rounds < 300 || (linalgWorkerJobCount() === jobsBefore && rounds < 100_000)) {
        runKernelPanels(rt, 'gemm', rounds % 3 === 0 ? panels.slice(0, 2) : panels);
        rounds++;
      }
      const seen = counts();
      release();
      expect(seen.slice(0, 2)).toEqual([rounds, rounds]);
      expect(seen.slice(2)).toEqual(new Array(P - 2).fill(rounds - Math.ceil(rounds / 3)));
      expect(linalgWorkerJobCount()).toBeGreaterThan(jobsBefore);
    });
  });

  test('a wake without a job runs nothing: every panel of the jobs around it runs exactly once', async () => {
    await onTwoThreads(async (rt) => {
      const { panels, counts, release } = countingPanels(rt, 4);
      const rounds = 200;
      for (let r = 0; r < rounds; r++) {
        // woken while asleep, while spinning and twice in a row, with a job between some of the wakes
        wakeKernelWorkers(rt);
        if (r % 2 === 0) wakeKernelWorkers(rt);
        if (r % 3 !== 0) runKernelPanels(rt, 'gemm', panels);
        if (r % 50 === 0) await new Promise((done) => setTimeout(done, 5));
      }
      const seen = counts();
      release();
      expect(seen).toEqual(new Array(4).fill(rounds - Math.ceil(rounds / 3)));
    });
  });

  test('independent products handed to the threads whole (gemmsInArena) equal each one alone on one thread, bit for bit, and the worker ran some', async () => {
    await onTwoThreads((rt) => {
      const rng = new Rng(91);
      const mark = rt.mark();
      try {
        // strips of a lower-triangle product as the inverse from the factor makes them, and rectangular ones of every transpose
        const n = 97;
        const at = (count: number) => {
          const a = rt.alloc(count);
          const H = rt.heap();
          for (let i = 0; i < count; i++) H[a / 8 + i] = rng.normal();
          return a;
        };
        const w = at(n * n);
        const c = at(n * n);
        const products: ArenaProduct[] = [];
        for (let r0 = 0; r0 < n; r0 += 24) {
          const rb = Math.min(24, n - r0);
          products.push([true, false, rb, r0 + rb, n - r0, 1, w + 8 * (r0 * n + r0), n, w + 8 * r0 * n, n, 0, c + 8 * r0 * n, n, r0]);
        }
        for (const [ta, tb, m, nn, k] of [
          [false, false, 33, 41, 29],
          [true, true, 40, 17, 55],
          [false, true, 8, 64, 3],
        ] as const) {
          const a = at(m * k);
          const b = at(k * nn);
          const cc = at(m * nn);
          products.push([ta, tb, m, nn, k, -0.75, a, ta ? m : k, b, tb ? k : nn, 0.5, cc, nn, 1 << 29]);
        }
        const outputs = products.map((p) => ({ at: p[11] / 8, size: p[2] * p[12] }));
        const read = () => outputs.map(({ at, size }) => rt.heap().slice(at, at + size));
        const start = read();
        const restore = () => outputs.forEach(({ at }, i) => rt.heap().set(start[i], at));
        setLinalgThreads(1);
        for (const p of products) gemmInArena(rt, ...p);
        const one = read();
        setLinalgThreads(2);
        const jobsBefore = linalgWorkerJobCount();
        for (let r = 0; r === 0 || (linalgWorkerJobCount() === jobsBefore && r < 50); r++) {
          restore();
          gemmsInArena(rt, products);
          const two = read();
          two.forEach((t, i) => expect(t.every((v, j) => Object.is(v, one[i][j]))).toBe(true));
        }
        expect(linalgWorkerJobCount()).toBeGreaterThan(jobsBefore);
      } finally {
        rt.release(mark);
      }
    });
  });

  test('the eigendecomposition and the Cholesky inverse on two threads (the JavaScript driver, every product split) are bit for bit those on one (the WebAssembly driver)', async () => {
    const rt = gemmRuntime();
    if (!rt?.shared) return;
    const threads = setLinalgThreads(2);
    const minFlops = setParallelGemmMinFlops(0);
    const splitMin = setSplitCholeskyMin(0);
    try {
      await startLinalgPool(rt);
      const rng = new Rng(77);
      const n = 150;
      const X = Float64Array.from({ length: n * n }, () => rng.normal());
      const S = new Matrix(n, n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let q = 0; q < n; q++) S.data[i * n + j] += X[i * n + q] * X[j * n + q];
      for (let i = 0; i < n; i++) S.data[i * n + i] += n;
      const at = (T: number) => {
        setLinalgThreads(T);
        const e = eigSymmetric(S);
        return { values: e.values, vectors: e.vectors.data, inverse: new Cholesky(S).inverse().data };
      };
      const one = at(1);
      const jobsBefore = linalgWorkerJobCount();
      // repeated (a bounded number of times) until the worker has run a panel: with more busy threads
      // than cores it may not be scheduled during one decomposition
      for (let r = 0; r === 0 || (linalgWorkerJobCount() === jobsBefore && r < 50); r++) {
        const two = at(2);
        for (const key of ['values', 'vectors', 'inverse'] as const) expect(two[key].every((v, i) => Object.is(v, one[key][i]))).toBe(true);
      }
      expect(linalgWorkerJobCount()).toBeGreaterThan(jobsBefore);
    } finally {
      setSplitCholeskyMin(splitMin);
      setParallelGemmMinFlops(minFlops);
      setLinalgThreads(threads);
    }
  });

  test('independent Cholesky inverses on two threads: each bit for bit the one-thread inverse, failures the same errors, whole inverses run by the worker', async () => {
    const rt = gemmRuntime();
    if (!rt?.shared) return;
    const threads = setLinalgThreads(2);
    // the order 300 below is to run first, alone, with its GEMMs split: put the split order under it
    const splitMin = setSplitCholeskyMin(256);
    try {
      await startLinalgPool(rt);
      const rng = new Rng(78);
      const spd = (n: number) => {
        const X = Float64Array.from({ length: n * (n + 2) }, () => rng.normal());
        const S = new Matrix(n, n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let q = 0; q < n + 2; q++) S.data[i * n + j] += X[i * (n + 2) + q] * X[j * (n + 2) + q];
        for (let i = 0; i < n; i++) S.data[i * n + i] += 1e-3;
        return S;
      };
      // one above the split order (its GEMMs split across both threads), the rest whole inverses claimed by either thread
      const ms = [300, 150, 1, 97, 64, 49, 130, 10, 65].map(spd);
      const indefinite = spd(80);
      indefinite.data[61 * 80 + 61] = -1;
      const asymmetric = spd(70);
      asymmetric.data[5] += 1;
      ms.push(indefinite, asymmetric);
      setLinalgThreads(1);
      const one = ms.map((m) => {
        try {
          return new Cholesky(m, 'm').inverse();
        } catch (e) {
          return e as Error;
        }
      });
      setLinalgThreads(2);
      const jobsBefore = linalgWorkerJobCount();
      // another inverse of the same order first, so that no result of an earlier call is left where this one's goes
      const decoy = [spd(300), spd(20)];
      for (let r = 0; r === 0 || (linalgWorkerJobCount() === jobsBefore && r < 50); r++) {
        choleskyInverses(decoy);
        const two = choleskyInverses(
          ms,
          ms.map(() => 'm'),
        );
        two.forEach((got, i) => {
          const want = one[i];
          if (want instanceof Error) {
            expect(got).toBeInstanceOf(NatgradError);
            expect((got as Error).message).toBe(want.message);
          } else {
            expect(got).toBeInstanceOf(Matrix);
            expect((got as Matrix).data.every((v, k) => Object.is(v, want.data[k]))).toBe(true);
          }
        });
      }
      expect(one[9]).toBeInstanceOf(NatgradError);
      expect((one[9] as Error).message).toMatch(/pivot 61/);
      expect(linalgWorkerJobCount()).toBeGreaterThan(jobsBefore);
      // the big one only factored in the first round fails: its pivot is reported as on one thread, the others inverted
      const bigIndefinite = spd(300);
      bigIndefinite.data[211 * 300 + 211] = -1;
      const small = spd(90);
      choleskyInverses(decoy);
      const got = choleskyInverses([small, bigIndefinite], ['s', 'b']);
      expect(got[1]).toBeInstanceOf(NatgradError);
      expect((got[1] as Error).message).toMatch(/^b: matrix is not positive definite: pivot 211 /);
      setLinalgThreads(1);
      expect((got[1] as Error).message).toBe((choleskyInverses([bigIndefinite], ['b'])[0] as Error).message);
      const smallOne = new Cholesky(small).inverse();
      expect((got[0] as Matrix).data.every((v, k) => Object.is(v, smallOne.data[k]))).toBe(true);
    } finally {
      setSplitCholeskyMin(splitMin);
      setLinalgThreads(threads);
    }
  });

  test("K-FAC's preconditioners of several blocks at once on two threads equal each block's alone on one thread, bit for bit, the spectral fallback included", async () => {
    const rt = gemmRuntime();
    if (!rt?.shared) return;
    const threads = setLinalgThreads(2);
    try {
      await startLinalgPool(rt);
      const rng = new Rng(79);
      const psd = (n: number, scale: (i: number) => number = () => 1) => {
        const X = Float64Array.from({ length: n * (n + 1) }, () => rng.normal());
        const S = new Matrix(n, n);
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++)
            for (let q = 0; q <= n; q++) S.data[i * n + j] += (X[i * (n + 1) + q] * X[j * (n + 1) + q] * scale(i) * scale(j)) / (n + 1);
        return S;
      };
      // the last block's A spans 1 to 1e-30: with λ = 1e-30 its damped inverse is not provably regular, so it takes the eigendecompositions
      const blocks = [
        [70, 300],
        [64, 65],
        [10, 49],
        [5, 3],
        [20, 60],
      ].map(([g, a], b) => ({ G: psd(g), A: b === 4 ? psd(a, (i) => 10 ** (-i / 4)) : psd(a) }));
      const lambda = (b: number) => (b === 4 ? 1e-30 : 1e-2);
      setLinalgThreads(1);
      const one = blocks.map((f, b) => kfacPreconditioner(f, lambda(b), 'pi-factored'));
      setLinalgThreads(2);
      const together = [...kfacPreconditioners(blocks.slice(0, 4), 1e-2, 'pi-factored'), ...kfacPreconditioners(blocks.slice(4), 1e-30, 'pi-factored')];
      expect(one.map((p) => p.method)).toEqual(['cholesky', 'cholesky', 'cholesky', 'cholesky', 'eigen']);
      blocks.forEach((f, b) => {
        const grad = new Matrix(
          f.G.rows,
          f.A.rows,
          Float64Array.from({ length: f.G.rows * f.A.rows }, () => rng.normal()),
        );
        expect(together[b].method).toBe(one[b].method);
        const want = one[b].apply(grad).data;
        expect(together[b].apply(grad).data.every((v, k) => Object.is(v, want[k]))).toBe(true);
      });
    } finally {
      setLinalgThreads(threads);
    }
  });
});
