import { expect, test, vi } from 'vitest';
import { Rng } from '../../src/core/rng.js';

/**
 * The work split of `spdInverses` on two threads: a matrix whose work (n³) exceeds an even share of
 * what is left (remaining / T) and whose order reaches the split driver's minimum runs first on its
 * own, its GEMMs split across the threads; the others run at once, one whole inverse per thread, as
 * the panels of one 'spdInverse' call. Every schedule gives the same bits, so only the split itself
 * shows which rule ran: the test records the orders handed out as panels.
 *
 * The pool module is replaced by one that records, in a fresh module graph (a setup file may have
 * loaded the real one already), and everything under test is imported from that graph.
 */
async function recordingModules() {
  const handedOut: number[][] = [];
  vi.resetModules();
  vi.doMock('../../src/linalg/parallel/pool.js', async (importOriginal) => {
    const pool = await importOriginal<typeof import('../../src/linalg/parallel/pool.js')>();
    return {
      ...pool,
      runKernelPanels: (rt: Parameters<typeof pool.runKernelPanels>[0], fn: string, panels: readonly (readonly number[])[]) => {
        if (fn === 'spdInverse') handedOut.push(panels.map((p) => p[1]));
        pool.runKernelPanels(rt, fn, panels);
      },
    };
  });
  const kernels = await import('../../src/linalg/kernels/cholesky.js');
  const cholesky = await import('../../src/linalg/cholesky.js');
  const { Matrix } = await import('../../src/linalg/matrix.js');
  const { onTwoThreads } = await import('./two-threads.js');
  vi.doUnmock('../../src/linalg/parallel/pool.js');
  return { handedOut, kernels, cholesky, Matrix, onTwoThreads };
}

function spd(rng: Rng, n: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) a[i * n + j] = a[j * n + i] = 0.1 * rng.normal();
    a[i * n + i] = 2 + n * 0.1;
  }
  return a;
}

type Modules = Awaited<ReturnType<typeof recordingModules>>;

/** The orders handed out together as one panel call per spdInverses call ([] when every inverse ran alone). */
function panelOrders({ handedOut, kernels }: Modules, orders: number[], splitMin: number): number[] {
  const rng = new Rng(orders.join('-'));
  const before = kernels.setSplitCholeskyMin(splitMin);
  try {
    handedOut.length = 0;
    const out = kernels.spdInverses(
      orders.map((n) => spd(rng, n)),
      orders,
    );
    for (let i = 0; i < orders.length; i++) expect(out[i]).toBeInstanceOf(Float64Array);
    expect(handedOut.length).toBeLessThanOrEqual(1);
    return handedOut.length === 0 ? [] : [...handedOut[0]].sort((x, y) => y - x);
  } finally {
    kernels.setSplitCholeskyMin(before);
  }
}

test('spdInverses on two threads: a matrix above an even share of the work runs alone first, the rest at once', async () => {
  const m = await recordingModules();
  await m.onTwoThreads(() => {
    // 100³ exceeds (100³ + 3·30³)/2: it runs alone; 30 is below the split minimum, so the three run at once
    expect(panelOrders(m, [30, 100, 30, 30], 40)).toEqual([30, 30, 30]);
    // no order exceeds half the total: all three at once
    expect(panelOrders(m, [50, 50, 50], 40)).toEqual([50, 50, 50]);
    // 100 alone; then 60³ = 216000 exceeds half of what is left (224000 / 2): alone too; 20 is then the last
    expect(panelOrders(m, [20, 60, 100], 40)).toEqual([]);
    // an even share exactly (12³ = 6³ + 8³ + 10³: half the total) is not above it: all four at once
    expect(panelOrders(m, [6, 8, 10, 12], 6)).toEqual([12, 10, 8, 6]);
    // the split minimum is inclusive: 40 at a minimum of 40 runs alone, and 10 is then the last
    expect(panelOrders(m, [10, 40], 40)).toEqual([]);
    expect(panelOrders(m, [10, 40], 41)).toEqual([40, 10]);
    // an order 0 is no work and no panel
    expect(panelOrders(m, [0, 20, 20], 40)).toEqual([20, 20]);
  });
});

test('choleskyInverses hands the matrices of the blocked orders over together, the smaller ones are inverted on the spot', async () => {
  const m = await recordingModules();
  const { Matrix, handedOut } = m;
  await m.onTwoThreads(() => {
    const rng = new Rng('cholesky-inverses-together');
    const b = m.cholesky.CHOLESKY_BLOCKED_MIN;
    const orders = [b - 1, b, b + 1, b + 2];
    handedOut.length = 0;
    const out = m.cholesky.choleskyInverses(orders.map((n) => new Matrix(n, n, spd(rng, n))));
    for (const inv of out) expect(inv).toBeInstanceOf(Matrix);
    expect(handedOut).toEqual([[b + 2, b + 1, b]]);
  });
});
