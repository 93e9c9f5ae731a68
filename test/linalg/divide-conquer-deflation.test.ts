import { expect, test, vi } from 'vitest';
import { Rng } from '../../src/core/rng.js';

/**
 * Deflation is the divide and conquer's saving: each deflated pole is one secular root fewer, and
 * its eigenvector is not recomputed. The test records the order K of each secular equation.
 */
async function recordingModules() {
  const orders: number[] = [];
  // a fresh module graph: a setup file may have loaded the real secular solver already
  vi.resetModules();
  vi.doMock('../../src/linalg/eigen/secular.js', async (importOriginal) => {
    const secular = await importOriginal<typeof import('../../src/linalg/eigen/secular.js')>();
    return {
      ...secular,
      secularRoots: (d: Float64Array, z: Float64Array, rho: number) => {
        orders.push(d.length);
        return secular.secularRoots(d, z, rho);
      },
    };
  });
  const { tridiagonalEigen } = await import('../../src/linalg/eigen/divide-conquer.js');
  const { withWorkspace } = await import('../../src/linalg/kernels/workspace.js');
  vi.doUnmock('../../src/linalg/eigen/secular.js');
  return { orders, tridiagonalEigen, withWorkspace };
}
type Modules = Awaited<ReturnType<typeof recordingModules>>;

const EPS = 2 ** -52;

/** The order of the top merge's secular equation for T = [T1, 1; 1, T2], T2 the mirror of T1 shifted by δ. */
function topOrder({ orders, tridiagonalEigen, withWorkspace }: Modules, n: number, delta: number): number {
  const rng = new Rng('deflation-pairs');
  const half = Float64Array.from({ length: n / 2 }, () => 0.25 * (2 * rng.uniform() - 1));
  const off = Float64Array.from({ length: n / 2 - 1 }, () => 0.1 + 0.1 * rng.uniform());
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  for (let i = 0; i < n / 2; i++) {
    d[i] = half[i];
    d[n - 1 - i] = half[i] + delta;
  }
  for (let i = 0; i < n / 2 - 1; i++) e[i] = e[n - 2 - i] = off[i];
  e[n / 2 - 1] = 1;
  orders.length = 0;
  withWorkspace((ws) => {
    const z = ws.alloc(n * n);
    tridiagonalEigen(ws, d, e, n, z, 'a');
  });
  return orders[orders.length - 1];
}

test('two halves with the same eigenvectors and eigenvalues δ apart: pairs deflate by a rotation exactly when |δ c s| <= tol', async () => {
  const m = await recordingModules();
  // After the tear, the halves' eigenvalues pair up (λ, λ + δ) with mirrored eigenvectors, so the pair's
  // z entries are equal in magnitude and c s = 1/2. The merge deflates a pair when |Δd c s| <= tol =
  // 8 eps max(max|d|, 2|ρ|) (Dongarra and Sorensen); with ρ = 1 and |d| < 2 the tolerance is 16 eps.
  const n = 60;
  const tol = 16 * EPS;
  // δ = 1.5 tol (plus rounding): δ/2 is below tol, every pair deflates, the top merge solves for one of each pair
  expect(topOrder(m, n, 1.5 * tol)).toBe(n / 2);
  // δ = 3 tol: δ/2 is above tol, no pair deflates
  expect(topOrder(m, n, 3 * tol)).toBe(n);
});
