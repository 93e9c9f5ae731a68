/**
 * The finite-difference bias bounds of the negative-Hessian Monte Carlo
 * Fisher, measured for tightness: the bound is the size of the Richardson
 * correction, whose leading term is known from the difference formula's
 * order. For the gamma (shape-rate) the Hessian of log p does not depend on
 * x, so every draw has the same correction and the bound is that correction:
 *  - second differences of log p at steps h and h/2 (estimators.ts, and
 *    negative-hessian-monte-carlo.ts with 'log-density'): D(h) = f'' +
 *    h²/12 f'''' + O(h⁴), so |D(h/2) − D(h)|/3 = h²/48 |f''''|; for the mixed
 *    entry, (log(b + h) − log(b − h))/(2h) has error h²/6 · 2/b³, and the
 *    correction is h²/(12 b³);
 *  - central first differences of the analytic score (with 'score'): error
 *    h²/6 g''', correction h²/24 |g'''| with g''' = ∂⁴ log p.
 * The steps are the estimators' own: 0.4% of the coordinate for second
 * differences of log p, 0.1% for first differences of the score. The bound
 * must equal the leading term to within 10% (the next terms are O(h²)
 * smaller), and the estimate must lie within it.
 */
import { describe, expect, test } from 'vitest';
import { familyMonteCarloFisher, monteCarloNegHessian } from '../../src/families/estimators.js';
import { familyFisherMatrix, parsePoint } from '../../src/families/json-points.js';
import { monteCarloNegativeHessian } from '../../src/families/negative-hessian-monte-carlo.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import { zForFalseAlarm } from '../../src/numeric/index.js';

const ALPHA = 2.5;
const BETA = 1.5;
const pt = parsePoint('gamma', 'shape-rate', { alpha: ALPHA, beta: BETA }, {}, 'spec');
const F = familyFisherMatrix(pt.inst, pt.p, pt.theta, pt.fixed);

/** ψ⁽³⁾(x) = 6 Σ_k 1/(x + k)⁴, with the integral of the tail. */
function tetragamma(x: number): number {
  const N = 100_000;
  let s = 0;
  for (let k = N - 1; k >= 0; k--) s += 1 / (x + k) ** 4;
  return 6 * (s + 1 / (3 * (x + N - 0.5) ** 3));
}

/** The leading terms of the Richardson corrections at relative step r: [αα, αβ, ββ]. */
function leading(r: number, secondDifferences: boolean): [number, number, number] {
  const ha = r * ALPHA;
  const hb = r * BETA;
  const c = secondDifferences ? 48 : 24;
  // ∂⁴ log p: -ψ⁽³⁾(α) in α, -6α/β⁴ in β; the mixed entry: first differences of log β (or of the score α/β) in β
  return [(ha * ha * tetragamma(ALPHA)) / c, (hb * hb) / (12 * BETA ** 3), (hb * hb * 6 * ALPHA) / (c * BETA ** 4)];
}

function expectTightAndSound(label: string, value: Matrix, stdError: Matrix, bias: Matrix, expected: [number, number, number]): void {
  const z = zForFalseAlarm(1e-6, 3);
  const entries: [number, number][] = [
    [0, 0],
    [0, 1],
    [1, 1],
  ];
  entries.forEach(([i, j], k) => {
    const b = bias.get(i, j);
    expect(bias.get(j, i), `${label} bias symmetric at ${i},${j}`).toBe(b);
    expect(b / expected[k], `${label}: bias bound ${b} at ${i},${j} against its leading term ${expected[k]}`).toBeGreaterThan(0.9);
    expect(b / expected[k], `${label}: bias bound ${b} at ${i},${j} against its leading term ${expected[k]}`).toBeLessThan(1.1);
    expect(Math.abs(value.get(i, j) - F.get(i, j)), `${label} estimate at ${i},${j}`).toBeLessThanOrEqual(z * stdError.get(i, j) + 2 * b);
  });
}

describe('bias bounds of the negative-Hessian Monte Carlo Fisher, measured', () => {
  test('estimators (second differences of log p at 0.4%): the bound is h²/48 |∂⁴ log p| (h²/(12β³) mixed), and holds', () => {
    const { negHessian, negHessianBias } = monteCarloNegHessian(pt, 200, 3);
    expectTightAndSound('monteCarloNegHessian', negHessian.value, negHessian.stdError, negHessianBias, leading(4e-3, true));
    const both = familyMonteCarloFisher(pt, 200, 3);
    expect(Array.from(both.negHessianBias!.data)).toEqual(Array.from(negHessianBias.data));
  });
  test("negative-hessian-monte-carlo, 'log-density': the same bound (the rounding term is 1e-3 of it here)", () => {
    const { negHessian, negHessianBias } = monteCarloNegativeHessian(pt, 200, 3, { derivatives: 'log-density' });
    expectTightAndSound('log-density', negHessian.value, negHessian.stdError, negHessianBias, leading(4e-3, true));
  });
  test("negative-hessian-monte-carlo, 'score' (first differences of the analytic score at 0.1%): the bound is h²/24 |∂⁴ log p|", () => {
    const { negHessian, negHessianBias } = monteCarloNegativeHessian(pt, 200, 3, { derivatives: 'score' });
    expectTightAndSound('score', negHessian.value, negHessian.stdError, negHessianBias, leading(1e-3, false));
  });
});

describe('the Bartlett controls add to the bias bound', () => {
  test('student-t: on the same draws, the bound with the Bartlett controls is the bound without them plus a positive share (their means are off zero by the Hessian bias)', () => {
    const t = parsePoint('student-t', 'location-scale', { mu: 0.5, sigma: 1.3 }, { nu: 7 }, 'spec');
    const without = monteCarloNegativeHessian(t, 400, 3, {}).negHessianBias;
    const withBartlett = monteCarloNegativeHessian(t, 400, 3, { bartlett: true }).negHessianBias;
    let grew = 0;
    for (let k = 0; k < 4; k++) {
      expect(withBartlett.data[k], `entry ${k}`).toBeGreaterThanOrEqual(without.data[k]);
      if (withBartlett.data[k] > without.data[k] * (1 + 1e-12)) grew++;
    }
    expect(grew).toBeGreaterThan(0);
    // and stays a finite-difference bias: far below the Fisher's own scale
    const Ft = familyFisherMatrix(t.inst, t.p, t.theta, t.fixed);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 2; j++) expect(withBartlett.get(i, j) / Math.sqrt(Ft.get(i, i) * Ft.get(j, j)), `entry ${i},${j}`).toBeLessThan(1e-3);
  });
  // The normal's ∇² log p is affine in its score (-1/sigma², -2 g_mu / sigma, -3 g_sigma / sigma - 2/sigma² in mean-std), so
  // the regression puts no weight on the Bartlett controls (their coefficients are the noise of the differences: the share
  // measured at 3e-7 of the bound at most), while the score controls carry weights of 1 and 1.5: a share read from the
  // score's coefficients would add half the bound or more
  test('normal: where the Hessian is affine in the score, the Bartlett controls add nothing to the bound', () => {
    const nm = parsePoint('normal', 'mean-std', { mu: 1, sigma: 2 }, {}, 'spec');
    for (const derivatives of ['log-density', 'score'] as const) {
      const without = monteCarloNegativeHessian(nm, 400, 3, { derivatives }).negHessianBias;
      const withBartlett = monteCarloNegativeHessian(nm, 400, 3, { derivatives, bartlett: true }).negHessianBias;
      for (let k = 0; k < 4; k++) {
        expect(withBartlett.data[k], `${derivatives}, entry ${k}`).toBeGreaterThanOrEqual(without.data[k]);
        expect(withBartlett.data[k] / without.data[k], `${derivatives}, entry ${k}`).toBeLessThan(1 + 1e-4);
      }
    }
  });
});
