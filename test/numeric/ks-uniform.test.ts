/**
 * The Kolmogorov–Smirnov test of uniformity: the statistic on samples where
 * either side of the empirical distribution's jumps is the supremum, Stephens'
 * scaling of the statistic, the closed interval [0, 1], and the refusals by name.
 */
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { ksUniform, ksUniformUpper, kolmogorovSurvival, smirnovUpperSurvival } from '../../src/numeric/statistics.js';
import { thrownLine } from '../natgrad-error.js';

/** D = sup |F_n(u) − u| from its definition, on the sorted sample. */
function statistic(values: number[]): number {
  const u = [...values].sort((a, b) => a - b);
  const n = u.length;
  return Math.max(...u.map((x, i) => Math.max((i + 1) / n - x, x - i / n)));
}

describe('ksUniform', () => {
  test('the statistic where F_n lies above the diagonal, and where it lies below', () => {
    // all mass near 0: F_n jumps to 1 by 0.05, D = 1 - 0.05
    expect(ksUniform([0.01, 0.02, 0.03, 0.04, 0.05]).statistic).toBeCloseTo(0.95, 14);
    // all mass near 1: F_n is 0 until 0.95, D = 0.95
    expect(ksUniform([0.95, 0.96, 0.97, 0.98, 0.99]).statistic).toBeCloseTo(0.95, 14);
    // unsorted input, with a largest gap in the middle
    const xs = [0.9, 0.05, 0.3, 0.35, 0.8, 0.85];
    expect(ksUniform(xs).statistic).toBeCloseTo(statistic(xs), 14);
    expect(ksUniform(xs).n).toBe(6);
  });

  test('values are sorted as numbers (1e-7 is the smallest)', () => {
    const xs = [0.5, 1e-7, 0.25, 0.75, 0.125];
    expect(ksUniform(xs).statistic).toBeCloseTo(statistic(xs), 14);
  });

  test("the p-value is Q((√n + 0.12 + 0.11/√n) D), Stephens' small-sample form", () => {
    for (const xs of [
      [0.01, 0.2, 0.4, 0.45, 0.5, 0.52, 0.6],
      [0.1, 0.15, 0.2, 0.3, 0.35, 0.9, 0.95, 0.97, 0.99],
    ]) {
      const n = xs.length;
      const r = ksUniform(xs);
      expect(r.pValue).toBeCloseTo(kolmogorovSurvival((Math.sqrt(n) + 0.12 + 0.11 / Math.sqrt(n)) * r.statistic), 14);
      expect(r.pValue).toBeGreaterThan(0);
      expect(r.pValue).toBeLessThan(1);
    }
  });

  test('the interval is closed: 0 and 1 are accepted', () => {
    expect(ksUniform([0, 0.25, 0.5, 0.75, 1]).statistic).toBeCloseTo(0.2, 14);
  });

  test('refusals name the values and say what is allowed', () => {
    expect(thrownLine(() => ksUniform([0.1, 0.2, 0.3, 0.4]))).toBe('values: the Kolmogorov–Smirnov test needs at least 5 values, got 4');
    expect(thrownLine(() => ksUniform([0.1, 0.2, 0.3, 0.4, 1.5]))).toBe('values[4]: values in [0, 1] are required, got 1.5');
    expect(thrownLine(() => ksUniform([0.1, -0.2, 0.3, 0.4, 0.5]))).toBe('values[1]: values in [0, 1] are required, got -0.2');
    expect(thrownLine(() => ksUniform([2, 0.2, 0.3, 0.4, 0.5]))).toBe('values[0]: values in [0, 1] are required, got 2');
    // a NaN in the middle: sorting does not move it to an end, so only a check of every entry sees it
    expect(thrownLine(() => ksUniform([0.1, 0.2, Number.NaN, 0.4, 0.5]))).toBe('values[2]: values in [0, 1] are required, got NaN');
  });
});

describe('kolmogorovSurvival', () => {
  test('Q(λ) = 2 Σ (−1)^(k−1) exp(−2k²λ²) against the series summed here, and 1 below λ = 0.2', () => {
    const series = (lambda: number): number => {
      let s = 0;
      for (let k = 1; k <= 200; k++) s += (k % 2 === 1 ? 2 : -2) * Math.exp(-2 * k * k * lambda * lambda);
      return s;
    };
    for (const lambda of [0.3, 0.6, 1, 2, 3]) expect(kolmogorovSurvival(lambda)).toBeCloseTo(series(lambda), 14);
    expect(kolmogorovSurvival(0.19)).toBe(1);
    // at 0.2 itself the series is summed: 1 - 5e-13
    expect(kolmogorovSurvival(0.2)).toBeCloseTo(series(0.2), 14);
    expect(kolmogorovSurvival(0.2)).toBeLessThan(1);
    expect(kolmogorovSurvival(0)).toBe(1);
    // far in the tail only the first term counts
    expect(kolmogorovSurvival(5) / (2 * Math.exp(-50))).toBeCloseTo(1, 12);
  });
});

describe('ksUniformUpper (one-sided, for conservative p-values)', () => {
  test('D⁺ = sup (F_n(t) − t) from its definition, and only small values raise it', () => {
    const xs = [0.9, 0.05, 0.3, 0.35, 0.8, 0.85];
    const u = [...xs].sort((a, b) => a - b);
    expect(ksUniformUpper(xs).statistic).toBeCloseTo(Math.max(...u.map((x, i) => (i + 1) / u.length - x)), 14);
    // mass piled at 1 (a union bound clipped there) is no evidence against validity
    const clipped = [0.2, 0.45, 0.7, 1, 1, 1, 1, 1, 1, 1];
    expect(ksUniformUpper(clipped).pValue).toBeGreaterThan(0.5);
    expect(ksUniform(clipped).pValue).toBeLessThan(0.01);
    // mass piled near 0 is
    expect(ksUniformUpper([0.01, 0.02, 0.03, 0.04, 0.05, 0.5, 0.6, 0.7]).pValue).toBeLessThan(0.01);
  });

  test('the exact p-value: n = 1 (P(U ≤ 1 − d) = 1 − d), n = 2 by integration, and the large-n limit exp(−2nd²)', () => {
    for (const d of [0.1, 0.5, 0.9]) expect(smirnovUpperSurvival(1, d)).toBeCloseTo(1 - d, 14);
    // n = 2: P(D⁺ < d) = P(U(1) > 1/2 − d, U(2) > 1 − d) = 2 ∫_{1−d}^{1} (u − 1/2 + d) du = d + d² for d ≤ 1/2,
    // and P(U(2) > 1 − d) = 1 − (1 − d)² above
    const two = (d: number): number => (d <= 0.5 ? 1 - d - d * d : (1 - d) ** 2);
    for (const d of [0.2, 0.4, 0.7]) expect(smirnovUpperSurvival(2, d)).toBeCloseTo(two(d), 14);
    for (const d of [0.02, 0.04]) expect(smirnovUpperSurvival(4000, d) / Math.exp(-2 * 4000 * d * d)).toBeGreaterThan(0.9);
    expect(smirnovUpperSurvival(4000, 0.04) / Math.exp(-2 * 4000 * 0.04 * 0.04)).toBeLessThan(1.1);
    expect(smirnovUpperSurvival(10, 0)).toBe(1);
    expect(smirnovUpperSurvival(10, 1)).toBe(0);
  });

  test('on uniform draws its p-values are uniform (400 samples of 50)', () => {
    const rng = new Rng(7);
    const ps = Array.from({ length: 400 }, () => ksUniformUpper(Array.from({ length: 50 }, () => rng.uniform())).pValue);
    expect(ksUniform(ps).pValue).toBeGreaterThan(1e-3);
  });

  test('refusals', () => {
    expect(thrownLine(() => ksUniformUpper([]))).toBe('values: the one-sided Kolmogorov–Smirnov test needs at least 1 value, got 0');
    expect(thrownLine(() => ksUniformUpper([0.1, Number.NaN]))).toBe('values[1]: values in [0, 1] are required, got NaN');
  });
});
