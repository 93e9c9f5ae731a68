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

test('the last root with its other poles far away: the one-pole model is exact to rounding, at most 3 passes', () => {
  // Right of d_o = d_{K−1}, f is 1 + ρ z_o²/(d_o − λ) plus the far poles' terms −ρ z_j²/(g_j + τ) (g_j = d_o − d_j,
  // τ = λ − d_o in (0, ρ|z|²]). The step's model c + b/(δ − η) matches f and f' at τ; it replaces each far term by
  // A − B/τ', off by |A| (τ' − τ)²/(τ' (τ' + g_j)) <= ρ z_j² (ρ|z|²)²/(τ' g_j²). Over f' >= ρ z_o²/τ'² that moves
  // the model's root by at most τ' Σ_j (z_j/z_o)² (ρ|z|²/g_j)² <= τ' 1e-17 for g_j >= 1e10 ρ|z|² and
  // |z_j/z_o| <= 10 (K <= 5): below half an ulp. So, as with two poles, the first step lands on the root:
  // pass 1 evaluates the start, pass 2 meets the stopping test (pass 3: one rounding-sized step more).
  // The root itself: τ = ρ z_o² / (1 − Σ_j ρ z_j²/(g_j + τ)), a contraction by 1e-20 (three steps from
  // ρ z_o² are exact to rounding). The stopping test |f| <= 8 eps (1 + |ψ|) with |ψ| ~ 1, plus the
  // evaluation's rounding of about (K + 3) eps, over τ f'(τ) ~ 1: below 32 eps relative; 64 eps with the
  // reference's own rounding.
  const rng = new Rng(20261208);
  for (let t = 0; t < 1000; t++) {
    const K = 2 + (t % 4);
    const zo = spread(rng, 4);
    const zFar = Array.from({ length: K - 1 }, () => zo * spread(rng, 1));
    const rho = spread(rng, 3);
    const zz = zFar.reduce((s, x) => s + x * x, zo * zo);
    const g = zFar.map(() => rho * zz * 10 ** (10 + 2 * rng.uniform())).sort((a, b) => b - a);
    const dO = rng.normal();
    const d = Float64Array.from([...g.map((gj) => dO - gj), dO]);
    const z = Float64Array.from([...zFar, zo]);
    const passes = passesOf(d, z, rho);
    const where = `case ${t} (seed 20261208): d=${d}, z=${z}, rho=${rho}`;
    if (passes[K - 1] < 2 || passes[K - 1] > 3) throw new Error(`${passes[K - 1]} passes for the last root, ${where}`);
    let tau = rho * zo * zo;
    for (let s = 0; s < 3; s++) tau = (rho * zo * zo) / (1 - zFar.reduce((acc, zj, j) => acc + (rho * zj * zj) / (dO - d[j] + tau), 0));
    const { delta } = secularRoots(d, z, rho);
    // delta[(K − 1) K + K − 1] = d_o − λ = −τ, free of the cancellation in λ − d_o
    const got = -delta[(K - 1) * K + K - 1];
    if (Math.abs(got - tau) > 64 * 2 ** -52 * tau) throw new Error(`τ = ${got}, expected ${tau}, ${where}`);
  }
});

test('a NaN weight cannot keep the solver running: each root ends within the budget of 200 steps', () => {
  // f is NaN everywhere, so no stopping test on f ever holds and the last root's bracket (0, ρ|z|²) = (0, NaN)
  // never shrinks: only the iteration budget ends it (the passes count the 200 steps, plus one).
  const passes = new Uint8Array(3);
  const { lambda } = secularRoots(Float64Array.from([0, 1, 2]), Float64Array.from([1, Number.NaN, 1]), 1, passes);
  expect(Math.max(...passes)).toBeLessThanOrEqual(201);
  expect(passes[2]).toBeGreaterThan(1);
  expect(lambda[2]).toBeNaN();
});

test('the stopping test is inclusive: a start where |f| equals 8 eps (1 + |ψ| + |φ|) exactly stops at once', () => {
  // d = (0, 2), ρ = 1: the start is the midpoint λ = 1, where ψ = −z0² and φ = z1² (d_j − λ = ∓1, exact). These
  // weights (found by searching the doubles near sqrt 2 and 1) put f exactly on the bound, once on either side
  // of zero: the root is taken as the midpoint after one pass.
  const EPS = 2 ** -52;
  for (const [z0, z1] of [
    [1.4142135623730938, 1.0000000000000018],
    [1.4142135623730963, 0.9999999999999982],
  ]) {
    const psi = -(z0 * z0);
    const phi = z1 * z1;
    expect(Math.abs(1 + psi + phi)).toBe(8 * EPS * (1 + Math.abs(psi) + Math.abs(phi)));
    const passes = new Uint8Array(2);
    const { lambda } = secularRoots(Float64Array.from([0, 2]), Float64Array.from([z0, z1]), 1, passes);
    expect(passes[0]).toBe(1);
    expect(lambda[0]).toBe(1);
  }
});
