import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { sumSeries } from '../../src/numeric/exact-sum.js';
import { lgamma, logChoose } from '../../src/symbolic/special.js';

const poissonPmf =
  (lambda: number) =>
  (k: number): number =>
    Math.exp(k * Math.log(lambda) - lambda - lgamma(k + 1));
/** Geometric on {0, 1, ...}: P(k) = p (1 - p)^k. */
const geometricPmf =
  (p: number) =>
  (k: number): number =>
    p * Math.pow(1 - p, k);
/** Negative binomial: number of failures before the r-th success, success probability q. */
const negBinPmf =
  (r: number, q: number) =>
  (k: number): number =>
    Math.exp(lgamma(k + r) - lgamma(r) - lgamma(k + 1) + r * Math.log(q) + k * Math.log1p(-q));

/**
 * The terms themselves are computed as exp(sum of log-terms of total size M), accurate
 * to about M eps relative; sumSeries bounds the summation and the tail, not the terms,
 * so comparisons with closed forms allow termRtol = 4 M eps (M taken where the mass is).
 */
const termRtol = (logMagnitude: number): number => 4 * Number.EPSILON * (10 + logMagnitude);
const TERM_RTOL = termRtol(20);
function expectSum(r: { value: number; error: number }, want: number, rtol = TERM_RTOL): void {
  expect(Math.abs(r.value - want), `value ${r.value}, want ${want}, error ${r.error}`).toBeLessThanOrEqual(r.error + rtol * Math.abs(want));
}

describe('moments over infinite supports', () => {
  test('Poisson: mass, mean, second moment, Fisher information 1/lambda', () => {
    fc.assert(
      fc.property(fc.double({ min: Math.log(0.05), max: Math.log(300), noNaN: true }).map(Math.exp), (lambda) => {
        const pmf = poissonPmf(lambda);
        const k = lambda + 5 * Math.sqrt(lambda) + 5;
        const rtol = termRtol(k * Math.abs(Math.log(lambda)) + lambda + lgamma(k + 1));
        expectSum(sumSeries(pmf), 1, rtol);
        expectSum(
          sumSeries((k) => k * pmf(k)),
          lambda,
          rtol,
        );
        expectSum(
          sumSeries((k) => k * k * pmf(k)),
          lambda + lambda * lambda,
          rtol,
        );
        expectSum(
          sumSeries((k) => (k / lambda - 1) ** 2 * pmf(k)),
          1 / lambda,
          rtol,
        );
      }),
      { seed: 51, numRuns: 30 },
    );
  });

  test('geometric: mass, mean, variance', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 0.99, noNaN: true }), (p) => {
        const pmf = geometricPmf(p);
        const mean = (1 - p) / p;
        expectSum(sumSeries(pmf), 1);
        expectSum(
          sumSeries((k) => k * pmf(k)),
          mean,
        );
        expectSum(
          sumSeries((k) => (k - mean) ** 2 * pmf(k)),
          (1 - p) / (p * p),
        );
      }),
      { seed: 52, numRuns: 30 },
    );
  });

  test('negative binomial, shapes below 1 (ratios increasing towards 1 - q) and above', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.1, max: 20, noNaN: true }), fc.double({ min: 0.05, max: 0.95, noNaN: true }), (r, q) => {
        const pmf = negBinPmf(r, q);
        const mean = (r * (1 - q)) / q;
        const k = mean + 5 * Math.sqrt(mean / q) + 5;
        const rtol = termRtol(lgamma(k + r) + Math.abs(lgamma(r)) + lgamma(k + 1) + r * Math.abs(Math.log(q)) + k * Math.abs(Math.log1p(-q)));
        expectSum(sumSeries(pmf), 1, rtol);
        expectSum(
          sumSeries((k) => k * pmf(k)),
          mean,
          rtol,
        );
        expectSum(
          sumSeries((k) => (k - mean) ** 2 * pmf(k)),
          (r * (1 - q)) / (q * q),
          rtol,
        );
        // Fisher information for q: score r/q - k/(1 - q), F = r / (q^2 (1 - q))
        expectSum(
          sumSeries((k) => (r / q - k / (1 - q)) ** 2 * pmf(k)),
          r / (q * q * (1 - q)),
          rtol,
        );
      }),
      { seed: 53, numRuns: 30 },
    );
  });

  test('pinned: the dip of (k - mean)^2 p(k) next to k = mean does not stop the sum early', () => {
    const p = 0.01;
    const mean = (1 - p) / p;
    expectSum(
      sumSeries((k) => (k - mean) ** 2 * geometricPmf(p)(k)),
      (1 - p) / (p * p),
    );
  });

  test('sensitivity: a mean off by one part in 1e10 is rejected', () => {
    const pmf = poissonPmf(3.7);
    const r = sumSeries((k) => k * pmf(k));
    expect(Math.abs(r.value - 3.7 * (1 + 1e-10))).toBeGreaterThan(r.error + TERM_RTOL * 3.7);
  });
});

describe('the tail bound is honest when the tolerance leaves a real tail', () => {
  // Loose rtol so that the truncated tail is far above round-off: |value - exact| <= error must hold on its own.
  test('geometric series sum r^k = 1/(1 - r)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.05, max: 0.999, noNaN: true }), fc.double({ min: -12, max: -3, noNaN: true }), (ratio, logTol) => {
        const res = sumSeries((k) => Math.pow(ratio, k), { rtol: 10 ** logTol });
        const exact = 1 / (1 - ratio);
        return Math.abs(res.value - exact) <= res.error && res.error <= 10 * 10 ** logTol * exact + 1e-12 * exact;
      }),
      { seed: 54, numRuns: 100 },
    );
  });

  test('negative binomial mass with shape 0.3 (increasing ratios) and a loose tolerance', () => {
    const res = sumSeries(negBinPmf(0.3, 0.02), { rtol: 1e-6 });
    expect(Math.abs(res.value - 1)).toBeLessThanOrEqual(res.error);
    expect(res.error).toBeLessThan(1e-5);
  });

  test('a series whose ratio tends to 1 runs out of terms and says so', () => {
    const res = sumSeries((k) => 1 / (k * k), { start: 1, maxTerms: 10_000 });
    expect(res.terms).toBe(10_000);
    expect(Math.abs(res.value - Math.PI ** 2 / 6)).toBeLessThanOrEqual(res.error);
    expect(res.error).toBeGreaterThan(1e-5);
  });
});

describe('finite supports', () => {
  test('binomial mass and mean, with the compensated-summation bound only', () => {
    for (const [n, p] of [
      [10, 0.3],
      [200, 0.9],
      [1000, 0.01],
    ] as const) {
      const pmf = (k: number): number => Math.exp(logChoose(n, k) + k * Math.log(p) + (n - k) * Math.log1p(-p));
      const mass = sumSeries(pmf, { end: n });
      expect(mass.terms).toBe(n + 1);
      expect(mass.error).toBeLessThanOrEqual(3 * Number.EPSILON);
      expectSum(mass, 1);
      expectSum(
        sumSeries((k) => k * pmf(k), { end: n }),
        n * p,
      );
    }
  });

  test('compensated summation is exact where naive summation is not', () => {
    // 1 + 1e-16 * 1e4 - 1: naive left-to-right summation loses every small term
    const res = sumSeries((k) => (k === 0 ? 1 : k === 10_001 ? -1 : 1e-16), { end: 10_001 });
    expect(Math.abs(res.value - 1e-12)).toBeLessThanOrEqual(res.error + 1e-12 * 1e-4);
  });

  test('start offsets, empty ranges and bad input', () => {
    expect(sumSeries((k) => k, { start: 3, end: 5 }).value).toBe(12);
    expect(sumSeries((k) => k, { start: 5, end: 4 })).toEqual({ value: 0, error: 0, terms: 0 });
    expect(() => sumSeries((k) => k, { start: 0.5 })).toThrow(NatgradError);
    expect(() => sumSeries(() => NaN)).toThrow(NatgradError);
    expect(() => sumSeries((k) => k, { rtol: 0 })).toThrow(NatgradError);
  });
});
