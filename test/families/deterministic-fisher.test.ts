/**
 * The deterministic Fisher estimates (exact sums over discrete supports,
 * quadrature over 1-d continuous ones) against the closed forms, one family
 * per kind of support and a non-identity parameterization for the chain
 * rule; the score's mean is zero within its bound; a score taken at another
 * point gives another matrix; a family on the unit interval with a
 * log-density written from both ends is integrated through that form.
 */
import { describe, expect, test } from 'vitest';
import { familyFisherMatrix, parsePoint } from '../../src/families/json-points.js';
import { deterministicFisher, type FisherPoint } from '../../src/families/estimators.js';
import type { FamilyInstance } from '../../src/families/types.js';

/**
 * Log-density calls of a two-parameter quadrature Fisher (5 integrals): 49,733
 * measured for the Laplace below (each node's score is a Ridders extrapolation,
 * computed once for all integrals); twice that leaves room for other rules and
 * still fails when each integral recomputes the scores (134,905) or a kink is left inside a piece.
 */
const CALLS_BOUND = 100_000;

const at = (family: string, p: string, params: Record<string, unknown>, fixed: Record<string, number> = {}): FisherPoint =>
  parsePoint(family, p, params, fixed, 'spec');

/**
 * The estimate agrees with the closed form within its own error bound plus
 * the scores' finite-difference error: Ridders' extrapolation gives the score
 * to ~1e-10 relative, so a product of two is within a few 1e-10 of |F|; 1e-8
 * leaves a margin of 30.
 */
function expectClosedForm(pt: FisherPoint, method: 'exact-sum' | 'quadrature'): void {
  const r = deterministicFisher(pt)!;
  expect(r.fisher.method).toBe(method);
  const F = familyFisherMatrix(pt.inst, pt.p, pt.theta, pt.fixed);
  const n = F.rows;
  expect([r.fisher.value.rows, r.fisher.value.cols]).toEqual([n, n]);
  const scale = Math.max(...Array.from(F.data, Math.abs));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const tol = r.fisher.error.get(i, j) + 1e-8 * scale;
      expect(Math.abs(r.fisher.value.get(i, j) - F.get(i, j)), `F[${i}][${j}]`).toBeLessThanOrEqual(tol);
      expect(r.fisher.error.get(i, j)).toBeLessThan(1e-6 * scale);
    }
    expect(Math.abs(r.scoreMean.value[i]), `E[s][${i}]`).toBeLessThanOrEqual(r.scoreMean.error[i] + 1e-8 * Math.sqrt(scale));
  }
}

describe('deterministic Fisher: exact sums', () => {
  test('categorical (one-hot outcomes)', () => expectClosedForm(at('categorical', 'mean', { p: [0.2, 0.3] }), 'exact-sum'));
  test('bernoulli mean', () => expectClosedForm(at('bernoulli', 'mean', { p: 0.3 }), 'exact-sum'));
  test('bernoulli natural (a count support with a finite end, the chain rule)', () => expectClosedForm(at('bernoulli', 'natural', { eta: -0.4 }), 'exact-sum'));
  test('binomial (the end from the fixed n)', () => expectClosedForm(at('binomial', 'mean', { p: 0.35 }, { n: 12 }), 'exact-sum'));
  test('poisson (an infinite series)', () => expectClosedForm(at('poisson', 'rate', { lambda: 3.5 }), 'exact-sum'));
  test('poisson at lambda = 0.01: the difference steps of a positive parameter stay inside its domain', () =>
    expectClosedForm(at('poisson', 'rate', { lambda: 0.01 }), 'exact-sum'));
});

describe('deterministic Fisher: quadrature', () => {
  test('normal mean-std over the real line', () => expectClosedForm(at('normal', 'mean-std', { mu: 0.3, sigma: 1.7 }), 'quadrature'));
  test('gamma shape-scale over the positives (the chain rule)', () => expectClosedForm(at('gamma', 'shape-scale', { k: 3, theta: 0.7 }), 'quadrature'));
  test('beta over the unit interval', () => expectClosedForm(at('beta', 'standard', { a: 2.5, b: 3.5 }), 'quadrature'));
  test('beta at shapes 0.05 and 0.4: the difference steps of the score stay inside the positive shapes', () =>
    expectClosedForm(at('beta', 'standard', { a: 0.05, b: 0.4 }), 'quadrature'));
  test('laplace: the kink at mu is a breakpoint, and no step crosses it', () =>
    expectClosedForm(at('laplace', 'location-scale', { mu: -0.5, b: 1.2 }), 'quadrature'));
});

describe('deterministic Fisher: the rest', () => {
  test('vector supports have no deterministic route', () => {
    expect(deterministicFisher(at('dirichlet', 'standard', { alpha: [2, 3, 4] }))).toBeNull();
  });

  test('the score taken at another point (sigma 1% larger) moves the matrix and the score mean off', () => {
    const pt = at('normal', 'mean-std', { mu: 0.3, sigma: 1.7 });
    const r = deterministicFisher(pt, Float64Array.from([0.3, 1.7 * 1.01]))!;
    const F = familyFisherMatrix(pt.inst, pt.p, pt.theta, pt.fixed);
    expect(Math.abs(r.fisher.value.get(1, 1) - F.get(1, 1))).toBeGreaterThan(1e-3 * F.get(1, 1));
    expect(Math.abs(r.scoreMean.value[1])).toBeGreaterThan(1e-3);
  });

  test("laplace, the score taken at mu + delta: its mean is the closed form, with the score's kink cut out of the quadrature too", () => {
    const [mu, b, delta] = [-0.5, 1.2, 0.3];
    const pt = at('laplace', 'location-scale', { mu, b });
    let calls = 0;
    const counted = { ...pt, inst: { ...pt.inst, logpdf: (...args: Parameters<FamilyInstance['logpdf']>) => (calls++, pt.inst.logpdf(...args)) } };
    const r = deterministicFisher(counted, Float64Array.from([mu + delta, b]))!;
    // score in mu: sign(x - mu')/b, in b: -1/b + |x - mu'|/b^2, under x ~ Laplace(mu, b); E|x - mu'| = delta + b e^{-delta/b}
    const expected = [(Math.exp(-delta / b) - 1) / b, -1 / b + (delta + b * Math.exp(-delta / b)) / b ** 2];
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(r.scoreMean.value[i] - expected[i]), `E[s][${i}]`).toBeLessThanOrEqual(r.scoreMean.error[i] + 1e-9);
      expect(r.scoreMean.error[i]).toBeLessThan(1e-9);
    }
    expect(calls).toBeLessThan(CALLS_BOUND);
  });

  test('a unit-interval family with a log-density from both ends is integrated through it, never through logpdf', () => {
    const pt = at('beta', 'standard', { a: 2.5, b: 3.5 });
    const beta = pt.inst;
    const inst: FamilyInstance = {
      ...beta,
      logpdf: () => {
        throw new Error('logpdf must not be called');
      },
      // log x = log(fromLeft), log(1 - x) = log(toRight): exact near both ends; the normalizer -log B(a, b) read off logpdf at 1/2
      logpdfUnit: (fromLeft, toRight, b) =>
        (b[0] - 1) * Math.log(fromLeft) + (b[1] - 1) * Math.log(toRight) + (beta.logpdf(0.5, b, {}) - (b[0] + b[1] - 2) * Math.log(0.5)),
    };
    const unit = { ...pt, inst };
    expectClosedForm(unit, 'quadrature');
  });
});
