import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import {
  acceptedMedianRange,
  binomial,
  exceedancePmf,
  medianOrderStatistics,
  peerMedianTest,
  quantile,
  signTest,
} from '../../src/experiments/rank-statistics.js';

/** P(J_k = j) by listing every order of m X's and n Y's (all equally likely under H0): an independent check of the formula. */
function enumeratedExceedance(m: number, n: number, k: number): number[] {
  const counts = new Array<number>(n + 1).fill(0);
  let total = 0;
  for (let mask = 0; mask < 2 ** (m + n); mask++) {
    let ys = 0;
    for (let b = 0; b < m + n; b++) ys += (mask >> b) & 1;
    if (ys !== n) continue;
    total++;
    // bit b set = the b-th smallest value is a Y; find the k-th X, count the Y above it
    let xs = 0;
    let above = 0;
    for (let b = 0; b < m + n; b++) {
      if ((mask >> b) & 1) above += xs >= k ? 1 : 0;
      else xs++;
    }
    counts[above]++;
  }
  return counts.map((c) => c / total);
}

describe('exceedance law of the own values above a peer order statistic', () => {
  test('matches the enumeration of all orders (m = 6, n = 5, every k)', () => {
    for (let k = 1; k <= 6; k++) {
      const exact = exceedancePmf(6, 5, k);
      const listed = enumeratedExceedance(6, 5, k);
      exact.forEach((p, j) => expect(Math.abs(p - listed[j])).toBeLessThan(1e-15));
    }
  });

  test('sensitivity: the formula with k in place of k - 1 disagrees with the enumeration', () => {
    const listed = enumeratedExceedance(6, 5, 3);
    const wrong = Array.from({ length: 6 }, (_, j) => (binomial(3 + 5 - j, 5 - j) * binomial(6 - 3 + j, j)) / binomial(11, 5));
    expect(Math.max(...wrong.map((p, j) => Math.abs(p - listed[j])))).toBeGreaterThan(0.01);
  });

  test('binomial coefficients are exact integers up to n = 40', () => {
    expect(binomial(40, 20)).toBe(137846528820);
    expect(binomial(20, 10)).toBe(184756);
    expect(binomial(5, 7)).toBe(0);
  });

  test('median order statistics of s solved runs', () => {
    expect(medianOrderStatistics(20)).toEqual({ lo: 10, hi: 11 });
    expect(medianOrderStatistics(19)).toEqual({ lo: 10, hi: 10 });
  });
});

describe('type-7 quantiles (numpy.percentile default)', () => {
  test('values worked by hand', () => {
    expect(quantile([4, 1, 3, 2], 0.25)).toBe(1.75);
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([7], 0.75)).toBe(7);
    // 20 values 1..20: h = 19 · 0.75 = 14.25 → 15.25
    expect(
      quantile(
        Array.from({ length: 20 }, (_, i) => i + 1),
        0.75,
      ),
    ).toBe(15.25);
  });
});

describe('the peer-median test', () => {
  const m = 20;
  const n = 20;
  const order = medianOrderStatistics(m);

  test('its false-alarm rate at α = 0.05 is at most α, exactly, where the sign test exceeds it', () => {
    // Under H0 the number above the sample median lies between J_11 and J_10; the exact test rejects
    // only counts whose conservative p is < α, so its size is at most the J law's mass on those counts.
    const rejects = (count: number): boolean =>
      peerMedianTest(
        Array.from({ length: n }, (_, i) => (i < count ? 2 : 0)),
        1,
        m,
        order,
      ).p < 0.05;
    const signRejects = (count: number): boolean => signTest(count, n - count) < 0.05;
    const lawLo = exceedancePmf(m, n, order.lo);
    const lawHi = exceedancePmf(m, n, order.hi);
    const size = (rule: (c: number) => boolean, law: number[]): number => law.reduce((s, p, c) => s + (rule(c) ? p : 0), 0);
    for (const law of [lawLo, lawHi]) {
      expect(size(rejects, law)).toBeLessThanOrEqual(0.05);
      // the sign test takes the peer median as exact and rejects far more often than it claims
      expect(size(signRejects, law)).toBeGreaterThan(0.1);
    }
  });

  test('simulated: same distribution rarely rejects; a shift by 2 standard deviations is found', () => {
    const rng = new Rng('peer-median-test');
    let falseAlarms = 0;
    let detections = 0;
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      const peer = Array.from({ length: m }, () => rng.normal());
      const median = quantile(peer, 0.5);
      const same = Array.from({ length: n }, () => rng.normal());
      const shifted = same.map((v) => v + 2);
      if (peerMedianTest(same, median, m, order).p < 0.05) falseAlarms++;
      if (peerMedianTest(shifted, median, m, order).p < 0.05) detections++;
    }
    // size <= 0.05: 400 trials, 3 binomial standard errors above 0.05 is 0.083
    expect(falseAlarms / trials).toBeLessThan(0.083);
    expect(detections / trials).toBeGreaterThan(0.9);
  });

  test('ties with the median count against the tested tail; +Infinity (unsolved) counts above', () => {
    const r = peerMedianTest([5, 5, 6, Infinity, 1], 5, m, order);
    expect(r.above).toBe(2);
    expect(r.atOrAbove).toBe(4);
  });

  test('resolution: with 20 own runs at level 0.05/18, only a peer median outside [min, max] of the own runs is rejected', () => {
    const own = Array.from({ length: n }, (_, i) => 100 + 7 * i);
    expect(acceptedMedianRange(own, m, order, 0.05 / 18)).toEqual([100, 233]);
    expect(peerMedianTest(own, 99, m, order).p).toBeLessThan(0.05 / 18);
    // a looser level accepts a narrower range
    const loose = acceptedMedianRange(own, m, order, 0.2)!;
    expect(loose[0]).toBeGreaterThan(100);
    expect(loose[1]).toBeLessThan(233);
  });
});
