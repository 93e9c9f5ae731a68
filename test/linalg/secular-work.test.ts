import { expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { secularRoots } from '../../src/linalg/eigen/secular.js';

/**
 * The work of the secular solver, in passes (evaluations of f) per root. Its step is the rational
 * interpolation of f by its two nearest poles (the last root: by its one pole) plus a constant; a
 * pass that ends without a step is the stopping test. These bounds follow from the model, not from
 * counts observed: a solver that falls back to Newton's step or to bisection more than it must, or
 * stops later than its test says, does the same roots with more passes.
 */

function passesOf(d: Float64Array, z: Float64Array, rho: number): Uint8Array {
  const passes = new Uint8Array(d.length);
  const { lambda } = secularRoots(d, z, rho, passes);
  // the roots stay in their intervals (closed: a root can round onto its pole), so the counts are of a correct solve
  for (let i = 0; i < d.length; i++) {
    expect(lambda[i]).toBeGreaterThanOrEqual(d[i]);
    if (i + 1 < d.length) expect(lambda[i]).toBeLessThanOrEqual(d[i + 1]);
  }
  return passes;
}

/** A log-uniform positive number over `decades` decades either side of 1. */
function spread(rng: Rng, decades: number): number {
  return 10 ** (decades * (2 * rng.uniform() - 1));
}

test('with two poles the interpolation is exact: the root between them takes at most 3 passes', () => {
  // f(λ) = 1 + rho z0²/(d0 − λ) + rho z1²/(d1 − λ) is its own two-pole model (the constant is 1), so the
  // first step lands on the root up to rounding: pass 1 evaluates the start, pass 2 meets the stopping
  // test, and a pass 3 takes the last rounding-sized step when pass 2 is a few ulps above the test.
  const rng = new Rng(20261207);
  for (let t = 0; t < 3000; t++) {
    const d0 = rng.normal();
    const d = Float64Array.from([d0, d0 + spread(rng, 4)]);
    const z = Float64Array.from([spread(rng, 4), spread(rng, 4)]);
    const rho = spread(rng, 3);
    const passes = passesOf(d, z, rho);
    // and at least 2: f at the start (the interval's midpoint) is not zero for these draws
    if (passes[0] < 2 || passes[0] > 3) throw new Error(`case ${t} (seed 20261207): ${passes[0]} passes for d=${d}, z=${z}, rho=${rho}`);
  }
});

test('many poles: the solver converges quadratically, about 8 passes per root or fewer on average', () => {
  // Quadratic convergence from a start within the root's bracket doubles the correct bits each pass:
  // from 1 bit to 52 takes ceil(log2 52) = 6 steps, and with the first evaluation and the stopping
  // test 8 passes. A root can take more before the quadratic phase starts, so the bound is on the
  // average over each problem's roots (bisection needs about 50 passes a root, Newton's step from
  // the bracket's end often needs more than 8).
  const rng = new Rng(1207);
  for (const K of [3, 8, 30, 100]) {
    for (let t = 0; t < 20; t++) {
      const d = Float64Array.from({ length: K }, () => rng.normal()).sort();
      const z = Float64Array.from({ length: K }, () => rng.normal());
      const rho = spread(rng, 1);
      const passes = passesOf(d, z, rho);
      const mean = passes.reduce((s, p) => s + p, 0) / K;
      expect(mean, `K=${K} case ${t}`).toBeLessThanOrEqual(8);
    }
  }
});
