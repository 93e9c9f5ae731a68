import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { Vec } from '../../src/core/vec.js';
import { NatgradError } from '../../src/core/errors.js';
import { columnStatistics, illConditionedRegression, loadBreastCancer, loadDigits, seededPermutation, threeBlobs } from '../../src/data/datasets.js';

// Sums of ~1500 terms of size ~10 in float64 carry rounding of order N·eps·max ≈ 1e-11.
const ROUNDING = 1e-10;

/** The largest |mean| and |std - 1| over the non-constant columns. */
function standardizationError(rows: readonly Vec[]): number {
  const d = rows[0].length;
  let worst = 0;
  for (let j = 0; j < d; j++) {
    let m = 0;
    for (const r of rows) m += r[j];
    m /= rows.length;
    let v = 0;
    for (const r of rows) v += (r[j] - m) ** 2;
    const s = Math.sqrt(v / rows.length);
    worst = Math.max(worst, Math.abs(m));
    if (s > 0) worst = Math.max(worst, Math.abs(s - 1));
  }
  return worst;
}

describe('breast cancer', () => {
  const data = loadBreastCancer({ seed: 3 });
  test('shapes: 569 rows split 455 / 114, 30 features, labels 0 or 1', () => {
    expect(data.trainInputs.length).toBe(455);
    expect(data.testInputs.length).toBe(114);
    expect(data.trainInputs.every((x) => x.length === 30)).toBe(true);
    expect(new Set([...data.trainLabels, ...data.testLabels])).toEqual(new Set([0, 1]));
    // 212 malignant and 357 benign in the UCI set.
    expect([...data.trainLabels, ...data.testLabels].filter((y) => y === 0).length).toBe(212);
  });
  test('training features are standardized with training statistics', () => {
    expect(standardizationError(data.trainInputs)).toBeLessThan(ROUNDING);
    // The test split is transformed with the training statistics, so it is not exactly standardized.
    expect(standardizationError(data.testInputs)).toBeGreaterThan(1e-3);
  });
});

describe('digits', () => {
  test('shapes: 1797 rows split 1438 / 359, 64 pixels, labels 0..9 all present', () => {
    const data = loadDigits();
    expect(data.trainInputs.length).toBe(1438);
    expect(data.testInputs.length).toBe(359);
    expect(data.trainInputs.every((x) => x.length === 64)).toBe(true);
    expect(new Set(data.trainLabels)).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(standardizationError(data.trainInputs)).toBeLessThan(ROUNDING);
  });
  test('unit-interval pixels lie in [0, 1] and reach both ends', () => {
    const data = loadDigits({ features: 'unit-interval' });
    const all = data.trainInputs.flatMap((x) => Array.from(x));
    expect(Math.min(...all)).toBe(0);
    expect(Math.max(...all)).toBe(1);
  });
  test('the standardization check catches unstandardized features (sensitivity)', () => {
    expect(standardizationError(loadDigits({ features: 'unit-interval' }).trainInputs)).toBeGreaterThan(0.1);
  });
  test('a bad features option names the field', () => {
    expect(() => loadDigits({ features: 'raw' as never })).toThrow(/features: must be one of standardized, unit-interval/);
  });
});

describe('seeded split', () => {
  test('the split is a deterministic partition of the rows for every seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 2, max: 300 }), (seed, n) => {
        const p = seededPermutation(n, seed);
        expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
        expect(seededPermutation(n, seed)).toEqual(p);
      }),
      { seed: 41, numRuns: 50 },
    );
  });
  test('the same seed gives the same split, another seed another', () => {
    const a = loadBreastCancer({ seed: 1 });
    const b = loadBreastCancer({ seed: 1 });
    const c = loadBreastCancer({ seed: 2 });
    expect(b.trainInputs).toEqual(a.trainInputs);
    expect(b.testLabels).toEqual(a.testLabels);
    expect(c.trainInputs).not.toEqual(a.trainInputs);
  });
  test('a bad test fraction names the field', () => {
    expect(() => loadBreastCancer({ testFraction: 1 })).toThrow(/testFraction: must be in \(0, 1\)/);
  });
  test('columnStatistics maps a constant column to std 1', () => {
    const { mean, std } = columnStatistics([Float64Array.of(2, 1), Float64Array.of(2, 3)]);
    expect(Array.from(mean)).toEqual([2, 2]);
    expect(Array.from(std)).toEqual([1, 1]);
  });
});

describe('ill-conditioned regression', () => {
  test('its Hessian condition number is of the order of kappa and the set replays', () => {
    const a = illConditionedRegression({ seed: 5, kappa: 1e4 });
    // The sample covariance of 400 rows deviates from the population one by O(sqrt(d/N)) relatively.
    expect(a.conditionNumber).toBeGreaterThan(1e3);
    expect(a.conditionNumber).toBeLessThan(1e5);
    expect(illConditionedRegression({ seed: 5, kappa: 1e4 }).trainTargets).toEqual(a.trainTargets);
    expect(illConditionedRegression({ seed: 5, kappa: 1 }).conditionNumber).toBeLessThan(10);
  });
  test('the stated minimum is the least-squares minimum: the noise level', () => {
    const a = illConditionedRegression({ seed: 5, noise: 0.1 });
    // E[half MSE at the optimum] = σ²(N - d - 1) / (2N) ≈ 0.0047 for σ = 0.1, N = 400, d = 20.
    expect(a.minimumHalfMse).toBeGreaterThan(0.003);
    expect(a.minimumHalfMse).toBeLessThan(0.0065);
  });
});

describe('three Gaussian blobs', () => {
  const data = threeBlobs({ seed: 2 });
  test('150 training and 150 test rows in the plane, labels 0, 1, 2 in turn', () => {
    expect(data.trainInputs).toHaveLength(150);
    expect(data.testInputs).toHaveLength(150);
    expect(data.trainInputs.every((x) => x.length === 2)).toBe(true);
    expect(data.trainLabels.slice(0, 6)).toEqual([0, 1, 2, 0, 1, 2]);
  });
  test('class means lie within 4 standard errors (0.5 / sqrt(50) per coordinate) of the centres on the unit circle', () => {
    const se = 0.5 / Math.sqrt(50);
    [90, 210, 330].forEach((deg, c) => {
      const rows = data.trainInputs.filter((_, n) => data.trainLabels[n] === c);
      const mean = [0, 1].map((j) => rows.reduce((a, r) => a + r[j], 0) / rows.length);
      expect(Math.abs(mean[0] - Math.cos((deg * Math.PI) / 180))).toBeLessThan(4 * se);
      expect(Math.abs(mean[1] - Math.sin((deg * Math.PI) / 180))).toBeLessThan(4 * se);
    });
  });
  test('seeded: the same seed gives the same rows, another seed others', () => {
    expect(threeBlobs({ seed: 2 }).trainInputs[7]).toEqual(data.trainInputs[7]);
    expect(threeBlobs({ seed: 3 }).trainInputs[7]).not.toEqual(data.trainInputs[7]);
  });
  test('bad sizes are refused', () => {
    expect(() => threeBlobs({ samples: 2 })).toThrow(NatgradError);
    expect(() => threeBlobs({ spread: 0 })).toThrow(/spread/);
  });
});
