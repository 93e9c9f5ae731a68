/**
 * The negative-Hessian Monte Carlo Fisher with control variates: exact (up to
 * its bias bound) where -∇² log p is affine in the score (exponential
 * families), and, with the Bartlett controls, for the Student t; the two
 * derivative implementations (second differences of the log-density, the
 * Jacobian of the analytic score) agree; a Fisher off by 1% in one entry is
 * outside the tolerance of every entry the estimator reports.
 */
import { describe, expect, test } from 'vitest';
import { familyFisherMatrix, parsePoint } from '../../src/families/json-points.js';
import type { FisherPoint } from '../../src/families/estimators.js';
import { monteCarloNegativeHessian, type NegativeHessianOptions } from '../../src/families/negative-hessian-monte-carlo.js';
import { zForFalseAlarm } from '../../src/numeric/index.js';

const at = (f: string, p: string, params: Record<string, unknown>, fixed: Record<string, number> = {}): FisherPoint => parsePoint(f, p, params, fixed, 'spec');
const fisherOf = (pt: FisherPoint) => familyFisherMatrix(pt.inst, pt.p, pt.theta, pt.fixed);

/** The largest |estimate − F| over z se + 2 bias, and the largest relative standard error, over the entries. */
function compare(pt: FisherPoint, samples: number, seed: number, opts: NegativeHessianOptions) {
  const F = fisherOf(pt);
  const { negHessian: est, negHessianBias: bias } = monteCarloNegativeHessian(pt, samples, seed, opts);
  const n = F.rows;
  const z = zForFalseAlarm(1e-6, (n * (n + 1)) / 2);
  let ratio = 0;
  let relativeSe = 0;
  let relativeBias = 0;
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      const scale = Math.sqrt(F.get(i, i) * F.get(j, j));
      ratio = Math.max(ratio, Math.abs(est.value.get(i, j) - F.get(i, j)) / (z * est.stdError.get(i, j) + 2 * bias.get(i, j) + 1e-8 * scale));
      relativeSe = Math.max(relativeSe, est.stdError.get(i, j) / scale);
      relativeBias = Math.max(relativeBias, bias.get(i, j) / scale);
    }
  return { ratio, relativeSe, relativeBias, est, bias, F };
}

describe('negative-Hessian Monte Carlo Fisher', () => {
  test.each([
    ['gamma', 'shape-rate', { alpha: 2.5, beta: 1.5 }, {}],
    ['normal', 'natural', { eta1: 0.5, eta2: -0.8 }, {}],
    ['beta', 'standard', { a: 2.5, b: 3.5 }, {}],
    ['inverse-gaussian', 'mean-shape', { mu: 1.5, lambda: 4 }, {}],
    ['negative-binomial', 'standard', { p: 0.45 }, { r: 3.5 }],
    // a corner of the arbitraries' cube (|mu| = 2, sigma = 0.3): m2 − m1² = sigma² is 2% of m2, and a chain-rule step
    // of 1% of m2 left the domain
    ['normal', 'expectation', { m1: 2, m2: 4.09 }, {}],
  ] as const)('%s %s (exponential family): exact up to the bias bound with the score alone as control', (f, p, params, fixed) => {
    const r = compare(at(f, p, params, fixed), 300, 5, {});
    expect(r.ratio).toBeLessThanOrEqual(1);
    expect(r.relativeSe).toBeLessThan(1e-7);
    expect(r.relativeBias).toBeLessThan(1e-3);
  });

  test.each([
    [0.95, 0.3, 'log-density'],
    [0.95, 1, 'log-density'],
    [0.95, 1, 'score'],
    [0.05, 3.3, 'log-density'],
  ] as const)(
    'negative binomial at p = %s, r = %s (%s): near the edge of the domain the bias bound is the mean of the draws corrections, tight and still a bound',
    (p, r, derivatives) => {
      const pt = at('negative-binomial', 'standard', { p }, { r });
      const { est, bias, F, relativeBias } = compare(pt, 500, 11, { derivatives });
      // exact up to the finite differences (an exponential family): the error left is theirs, within the bound
      expect(Math.abs(est.value.get(0, 0) - F.get(0, 0))).toBeLessThanOrEqual(bias.get(0, 0));
      // the largest correction of any draw (a draw far in the tail) made this 0.5-2% of F at p = 0.95
      expect(relativeBias).toBeLessThan(5e-4);
    },
  );

  test('student-t: the Bartlett controls make the estimate exact; without them it is a statistical estimate', () => {
    const pt = at('student-t', 'location-scale', { mu: 0.5, sigma: 1.3 }, { nu: 7 });
    const with_ = compare(pt, 2000, 3, { bartlett: true });
    const without = compare(pt, 2000, 3, {});
    expect(with_.ratio).toBeLessThanOrEqual(1);
    expect(without.ratio).toBeLessThanOrEqual(1);
    expect(with_.relativeSe).toBeLessThan(1e-6);
    expect(without.relativeSe).toBeGreaterThan(1e-3);
  });

  test('the Jacobian of the analytic score and the second differences of the log-density agree (dirichlet K = 3, mean-cov normal d = 3)', () => {
    for (const pt of [
      at('dirichlet', 'standard', { alpha: [2, 3, 4] }),
      at('multivariate-normal', 'mean-cov', {
        mu: [0.5, -1, 0.2],
        Sigma: [
          [2, 0.3, 0.1],
          [0.3, 1, -0.2],
          [0.1, -0.2, 1.5],
        ],
      }),
    ]) {
      const a = compare(pt, 200, 9, { derivatives: 'score' });
      const b = compare(pt, 200, 9, { derivatives: 'log-density' });
      expect(a.ratio).toBeLessThanOrEqual(1);
      expect(b.ratio).toBeLessThanOrEqual(1);
      for (let k = 0; k < a.est.value.data.length; k++) {
        expect(Math.abs(a.est.value.data[k] - b.est.value.data[k])).toBeLessThanOrEqual(2 * (a.bias.data[k] + b.bias.data[k]) + 1e-9);
      }
    }
  });

  test('a Fisher off by 1% in one entry is outside the tolerance', () => {
    const pt = at('gamma', 'shape-scale', { k: 3, theta: 0.7 });
    const { est, bias, F } = compare(pt, 300, 5, {});
    const n = F.rows;
    const z = zForFalseAlarm(1e-6, (n * (n + 1)) / 2);
    for (let i = 0; i < n; i++)
      for (let j = i; j < n; j++) {
        const scale = Math.sqrt(F.get(i, i) * F.get(j, j));
        const wrong = F.get(i, j) + 0.01 * scale;
        expect(Math.abs(est.value.get(i, j) - wrong), `entry ${i},${j}`).toBeGreaterThan(z * est.stdError.get(i, j) + 2 * bias.get(i, j) + 1e-8 * scale);
      }
  });

  test('too few samples for the controls are an error', () => {
    const pt = at('student-t', 'location-scale', { mu: 0, sigma: 1 }, { nu: 5 });
    // 2 score controls and 3 Bartlett controls: at least 7 samples
    expect(() => monteCarloNegativeHessian(pt, 6, 1, { bartlett: true })).toThrow(/samples/);
    expect(() => monteCarloNegativeHessian(pt, 7, 1, { bartlett: true })).not.toThrow();
  });
});
