import { expect, test, vi } from 'vitest';
import { Rng } from '../../src/core/rng.js';

/**
 * The work split of `spdInverses` on two threads: every matrix is handed out in one 'spdInverse'
 * panel call, one whole matrix per panel; a matrix whose work (n³) exceeds an even share of what is
 * left (remaining / T) and whose order reaches the split driver's minimum is only factored there
 * (its inverse from the factor then runs afterwards with its products split across the threads), the
 * others are factored and inverted in their panel. Every schedule gives the same bits, so only the
 * split itself shows which rule ran: the test records each panel's order and whether it inverts.
 *
 * The pool module is replaced by one that records, in a fresh module graph (a setup file may have
 * loaded the real one already), and everything under test is imported from that graph.
 */
async function recordingModules() {
  const handedOut: number[][] = [];
  const inverts: number[][] = [];
  vi.resetModules();
  vi.doMock('../../src/linalg/parallel/pool.js', async (importOriginal) => {
    const pool = await importOriginal<typeof import('../../src/linalg/parallel/pool.js')>();
    return {
      ...pool,
      runKernelPanels: (rt: Parameters<typeof pool.runKernelPanels>[0], fn: string, panels: readonly (readonly number[])[]) => {
        if (fn === 'spdInverse') {
          handedOut.push(panels.map((p) => p[1]));
          inverts.push(panels.map((p) => p[4]));
        }
        pool.runKernelPanels(rt, fn, panels);
      },
    };
  });
  const kernels = await import('../../src/linalg/kernels/cholesky.js');
  const cholesky = await import('../../src/linalg/cholesky.js');
  const { Matrix } = await import('../../src/linalg/matrix.js');
  const { onTwoThreads } = await import('./two-threads.js');
  vi.doUnmock('../../src/linalg/parallel/pool.js');
  return { handedOut, inverts, kernels, cholesky, Matrix, onTwoThreads };
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

/**
 * The panels of the one panel call of an spdInverses call, largest order first, each as
 * 'n factor' (factored only, inverted afterwards on all threads) or 'n inverse' ([] when no call).
 */
function panelOrders({ handedOut, inverts, kernels }: Modules, orders: number[], splitMin: number): string[] {
  const rng = new Rng(orders.join('-'));
  const before = kernels.setSplitCholeskyMin(splitMin);
  try {
    handedOut.length = 0;
    inverts.length = 0;
    const out = kernels.spdInverses(
      orders.map((n) => spd(rng, n)),
      orders,
    );
    for (let i = 0; i < orders.length; i++) expect(out[i]).toBeInstanceOf(Float64Array);
    expect(handedOut.length).toBeLessThanOrEqual(1);
    if (handedOut.length === 0) return [];
    return handedOut[0]
      .map((n, k) => ({ n, invert: inverts[0][k] }))
      .sort((x, y) => y.n - x.n || x.invert - y.invert)
      .map(({ n, invert }) => `${n} ${invert === 1 ? 'inverse' : 'factor'}`);
  } finally {
    kernels.setSplitCholeskyMin(before);
  }
}

test('spdInverses on two threads: a matrix above an even share of the work is only factored in its panel, the rest are inverted there', async () => {
  const m = await recordingModules();
  await m.onTwoThreads(() => {
    // 100³ exceeds (100³ + 3·30³)/2: factored only; 30 is below the split minimum, so the three are inverted in their panels
    expect(panelOrders(m, [30, 100, 30, 30], 40)).toEqual(['100 factor', '30 inverse', '30 inverse', '30 inverse']);
    // no order exceeds half the total: all three inverted in their panels
    expect(panelOrders(m, [50, 50, 50], 40)).toEqual(['50 inverse', '50 inverse', '50 inverse']);
    // 100 first; then 60³ = 216000 exceeds half of what is left (224000 / 2): factored only too; 20 is below the minimum
    expect(panelOrders(m, [20, 60, 100], 40)).toEqual(['100 factor', '60 factor', '20 inverse']);
    // an even share exactly (12³ = 6³ + 8³ + 10³: half the total) is not above it: all four inverted in their panels
    expect(panelOrders(m, [6, 8, 10, 12], 6)).toEqual(['12 inverse', '10 inverse', '8 inverse', '6 inverse']);
    // the split minimum is inclusive: 40 at a minimum of 40 is factored only, not at 41
    expect(panelOrders(m, [10, 40], 40)).toEqual(['40 factor', '10 inverse']);
    expect(panelOrders(m, [10, 40], 41)).toEqual(['40 inverse', '10 inverse']);
    // an order 0 is no work and no panel
    expect(panelOrders(m, [0, 20, 20], 40)).toEqual(['20 inverse', '20 inverse']);
    // one matrix of work is inverted on the spot, without a panel call
    expect(panelOrders(m, [0, 100], 40)).toEqual([]);
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
