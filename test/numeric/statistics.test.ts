import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { vec } from '../../src/core/vec.js';
import { Matrix } from '../../src/linalg/matrix.js';
import {
  ksUniform,
  kolmogorovSurvival,
  normalCdf,
  normalPdf,
  normalQuantile,
  normalSurvival,
  withinStdError,
  zForFalseAlarm,
} from '../../src/numeric/statistics.js';
import { Rng } from '../../src/core/rng.js';
import { thrownError } from '../natgrad-error.js';

// Reference values: mpmath 1.3, ncdf(x) at 40 digits and -sqrt(2) erfinv(1 - 2p) at 700 digits.
const CDF: readonly (readonly [number, number])[] = [
  [-37.5, 4.605353009581955e-308],
  [-30, 4.906713927148187e-198],
  [-20, 2.7536241186062337e-89],
  [-10, 7.619853024160525e-24],
  [-5, 2.866515718791939e-7],
  [-3, 0.0013498980316300946],
  [-2, 0.02275013194817921],
  [-1.5, 0.06680720126885807],
  [-1.49, 0.06811211796672545],
  [-1, 0.15865525393145705],
  [-0.1, 0.460172162722971],
  [0, 0.5],
  [0.7, 0.758036347776927],
  [1.49, 0.9318878820332746],
  [1.51, 0.9344782879110834],
  [3, 0.9986501019683699],
];
const QUANTILE: readonly (readonly [number, number])[] = [
  [1e-300, -37.0470962993612],
  [1e-100, -21.273453560965326],
  [1e-20, -9.262340089798407],
  [1e-10, -6.361340902404057],
  [5e-7, -4.89163847569859],
  [0.001, -3.0902323061678136],
  [0.02, -2.053748910631823],
  [0.02425, -1.972961051311885],
  [0.1, -1.2815515655446004],
  [0.3, -0.5244005127080408],
  [0.4999, -0.00025066283008800747],
  [0.6, 0.2533471031357997],
  [0.975, 1.9599639845400538],
  [0.9999999999, 6.361340889697422],
];

describe('normal distribution', () => {
  test.each(CDF)('Phi(%s) to 1e-14 relative', (x, want) => {
    expect(Math.abs(normalCdf(x) - want)).toBeLessThanOrEqual(1e-14 * want);
    expect(Math.abs(normalSurvival(-x) - want)).toBeLessThanOrEqual(1e-14 * want);
  });

  // Halley's step converges cubically from Acklam's 1.15e-9, so the result is limited by
  // the few-ulp accuracy of Phi: 2e-15 relative.
  test.each(QUANTILE)('Phi^-1(%s) to 2e-15 relative', (p, want) => {
    expect(Math.abs(normalQuantile(p) - want)).toBeLessThanOrEqual(2e-15 * Math.abs(want));
  });

  // Phi has relative condition number x phi(x) / Phi(x) ~ 1 + x^2 in the lower tail, so rounding x
  // (half an ulp) moves Phi(x) by up to about (1 + x^2) eps relative; allow 4 times that.
  test('quantile and distribution function invert each other on random p', () => {
    const roundTrip = (p: number): boolean => {
      const x = normalQuantile(p);
      return Math.abs(normalCdf(x) - p) <= 4 * Number.EPSILON * (1 + x * x) * p;
    };
    fc.assert(
      fc.property(fc.double({ min: -300, max: Math.log10(0.5), noNaN: true }), (u) => roundTrip(10 ** u)),
      { seed: 11, numRuns: 300 },
    );
    // sensitivity: the round trip notices a quantile off by one part in 1e9
    const off = (p: number): boolean => {
      const x = normalQuantile(p) * (1 + 1e-9);
      return Math.abs(normalCdf(x) - p) <= 4 * Number.EPSILON * (1 + x * x) * p;
    };
    expect(
      fc.check(
        fc.property(fc.double({ min: -300, max: -1, noNaN: true }), (u) => off(10 ** u)),
        { seed: 11, numRuns: 50 },
      ).failed,
    ).toBe(true);
  });

  test('density, ends and bad input', () => {
    expect(normalPdf(0)).toBeCloseTo(0.3989422804014327, 16);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(0.5)).toBe(0);
    expect(() => normalQuantile(1.5)).toThrow(NatgradError);
    expect(() => normalQuantile(NaN)).toThrow(NatgradError);
  });
});

// The density at the binary values of x, from decimal.js at 50 digits. Far in the tail a plain
// exp(-x*x/2) is off by about x^2 ulp (2.6e-14 at these x); the split exponent keeps a few ulp.
const PDF_TAIL: readonly (readonly [number, number])[] = [
  [30.7, 8.7459490160240639e-206],
  [37.3, 3.0628462906956675e-303],
];

describe('far tails', () => {
  test.each(PDF_TAIL)('phi(%s) to 1e-15 relative', (x, want) => {
    expect(Math.abs(normalPdf(x) - want)).toBeLessThanOrEqual(1e-15 * want);
    expect(Math.abs(normalPdf(-x) - want)).toBeLessThanOrEqual(1e-15 * want);
  });
  test('Phi(40) is 1 and Phi(-40) underflows to 0 without a NaN; NaN stays NaN', () => {
    expect(normalCdf(40)).toBe(1);
    expect(normalCdf(-40)).toBe(0);
    expect(normalSurvival(40)).toBe(0);
    expect(normalCdf(NaN)).toBeNaN();
  });
});

describe('zForFalseAlarm', () => {
  test('z(1e-6) = 4.891638... and the Bonferroni split', () => {
    expect(zForFalseAlarm(1e-6)).toBeCloseTo(4.89163847569859, 13);
    expect(zForFalseAlarm(1e-6, 10)).toBe(-normalQuantile(5e-8));
    expect(zForFalseAlarm(0.05)).toBeCloseTo(1.959963984540054, 13);
    // two-sided: P(|Z| > z) = alpha / comparisons
    expect(2 * normalCdf(-zForFalseAlarm(1e-3, 4))).toBeCloseTo(2.5e-4, 17);
  });
  test('rejects rates outside (0, 1) and non-integer counts', () => {
    expect(() => zForFalseAlarm(0)).toThrow(NatgradError);
    expect(() => zForFalseAlarm(1)).toThrow(NatgradError);
    expect(() => zForFalseAlarm(0.01, 0)).toThrow(NatgradError);
    expect(() => zForFalseAlarm(0.01, 2.5)).toThrow(NatgradError);
  });
});

describe('withinStdError', () => {
  const est = Matrix.from([
    [1.0, 0.2],
    [0.2, 2.1],
  ]);
  const se = Matrix.from([
    [0.01, 0.05],
    [0.05, 0.02],
  ]);
  test('accepts estimates within z standard errors and names the worst entry', () => {
    const r = withinStdError(
      est,
      se,
      Matrix.from([
        [1.02, 0.25],
        [0.25, 2.0],
      ]),
      5,
    );
    expect(r.ok).toBe(true);
    expect(r.worst.index).toBe(3);
    expect(r.worst.zScore).toBeCloseTo(5, 12);
  });
  test('rejects an entry beyond z standard errors', () => {
    const r = withinStdError(
      est,
      se,
      Matrix.from([
        [1.06, 0.2],
        [0.2, 2.1],
      ]),
      5,
    );
    expect(r.ok).toBe(false);
    expect(r.worst.index).toBe(0);
    expect(r.worst.zScore).toBeCloseTo(6, 12);
  });
  test('entries with zero standard error get the floor 1e-12 max|expected| and no more', () => {
    const e = vec([1, 100]);
    const s = vec([0, 0]);
    expect(withinStdError(vec([1 + 5e-11, 100]), s, e, 4).ok).toBe(true);
    const r = withinStdError(vec([1 + 2e-10, 100]), s, e, 4);
    expect(r.ok).toBe(false);
    expect(r.worst).toEqual({ index: 0, zScore: Infinity });
  });
  test('a scalar expected value, NaN and shape errors', () => {
    expect(withinStdError(vec([0.1, -0.1]), vec([0.05, 0.05]), 0, 3).ok).toBe(true);
    expect(withinStdError(vec([NaN, 0]), vec([1, 1]), 0, 3).ok).toBe(false);
    expect(() => withinStdError(vec([1, 2]), vec([1]), 0, 3)).toThrow(NatgradError);
    expect(() => withinStdError(vec([1]), vec([1]), vec([1, 2]), 3)).toThrow(NatgradError);
    expect(() => withinStdError(vec([1]), vec([1]), 1, 0)).toThrow(NatgradError);
  });
});

describe('withinStdError: the worst entry, negative standard errors and the floor', () => {
  test('ties keep the first entry; the floor scales with the largest |expected|, negative ones too', () => {
    expect(withinStdError(vec([1.5, 1.5]), vec([0.1, 0.1]), vec([1, 1]), 5).worst.index).toBe(0);
    // max |expected| = 100 from the negative entry: floor 1e-10 covers a 5e-11 difference at the entry 1
    expect(withinStdError(vec([-100, 1 + 5e-11]), vec([0, 0]), vec([-100, 1]), 4).ok).toBe(true);
    // the scalar form has the same floor
    expect(withinStdError(vec([-100 + 5e-11]), vec([0]), -100, 4).ok).toBe(true);
    expect(withinStdError(vec([-100 + 5e-9]), vec([0]), -100, 4).ok).toBe(false);
  });
  test('a negative standard error fails even where the difference is 0, and is the worst entry', () => {
    const r = withinStdError(vec([2, 1]), vec([0.5, -1e-20]), vec([2.4, 1]), 1);
    expect(r.ok).toBe(false);
    expect(r.worst).toEqual({ index: 1, zScore: 0 });
  });
  test('a NaN estimate is the worst entry with a NaN z-score; equal entries with zero error have z-score 0', () => {
    expect(withinStdError(vec([1, NaN]), vec([1e-3, 1]), vec([2, 0]), 3).worst).toEqual({ index: 1, zScore: NaN });
    expect(withinStdError(vec([0, 0]), vec([0, 0]), 0, 3)).toEqual({ ok: true, worst: { index: 0, zScore: 0 } });
    expect(withinStdError(vec([]), vec([]), 0, 3)).toEqual({ ok: true, worst: { index: -1, zScore: 0 } });
  });
  test('where the limit is 0 (zero error, every expected 0), any difference is the worst entry, with z-score Infinity', () => {
    expect(withinStdError(vec([0, 1e-300, 0]), vec([0, 0, 0]), 0, 3)).toEqual({ ok: false, worst: { index: 1, zScore: Infinity } });
  });
  test('the z-score is |difference| / stdError, not the ratio to the limit', () => {
    // limit = 2 * 0.1 + 1e-12 * 3; z-score 0.3 / 0.1 = 3
    const r = withinStdError(vec([3.3]), vec([0.1]), 3, 2);
    expect(r.ok).toBe(false);
    expect(r.worst.zScore).toBeCloseTo(3, 10);
  });
});

describe('errors name the argument and what is allowed', () => {
  const reason = (f: () => unknown): { path: string; reason: string } => {
    const { path, reason } = thrownError(f);
    return { path, reason };
  };
  test('normalQuantile, zForFalseAlarm', () => {
    expect(reason(() => normalQuantile(-0.5))).toEqual({ path: 'p', reason: 'a probability in [0, 1] is required, got -0.5' });
    // refused as given, not after the reflection p -> 1 - p
    expect(reason(() => normalQuantile(1.5))).toEqual({ path: 'p', reason: 'a probability in [0, 1] is required, got 1.5' });
    expect(reason(() => zForFalseAlarm(2))).toEqual({ path: 'alpha', reason: 'a false-alarm rate in (0, 1) is required, got 2' });
    expect(reason(() => zForFalseAlarm(0.1, 0))).toEqual({ path: 'comparisons', reason: 'a positive integer is required, got 0' });
  });
  test('withinStdError', () => {
    expect(reason(() => withinStdError(vec([1]), vec([1]), 0, -1))).toEqual({ path: 'z', reason: 'a positive critical value is required, got -1' });
    expect(reason(() => withinStdError(Matrix.from([[1, 2]]), vec([1]), 0, 3))).toEqual({
      path: 'stdError',
      reason: "shape 1 does not match the estimate's 1 x 2",
    });
    expect(reason(() => withinStdError(vec([1]), vec([1]), Matrix.from([[1], [2]]), 3))).toEqual({
      path: 'expected',
      reason: "shape 2 x 1 does not match the estimate's 1",
    });
  });
});

describe('the Kolmogorov–Smirnov test of uniformity', () => {
  test("Kolmogorov's distribution at its tabulated points", () => {
    // critical values of the limiting distribution: 1.3581 at 5%, 1.6276 at 1%; Q(0.5) = 0.96394
    expect(kolmogorovSurvival(1.3581)).toBeCloseTo(0.05, 4);
    expect(kolmogorovSurvival(1.6276)).toBeCloseTo(0.01, 4);
    expect(kolmogorovSurvival(0.5)).toBeCloseTo(0.96394, 4);
    expect(kolmogorovSurvival(0.1)).toBe(1);
  });

  test('uniform draws pass, squared uniform draws (density 1/(2√u)) fail', () => {
    const rng = new Rng(17);
    const u = Array.from({ length: 2000 }, () => rng.uniform());
    const ok = ksUniform(u);
    expect(ok.pValue).toBeGreaterThan(1e-3);
    expect(ok.statistic).toBeLessThan(0.05);
    const bad = ksUniform(u.map((v) => v * v));
    expect(bad.pValue).toBeLessThan(1e-6);
    // the midpoints of five equal cells are 0.1 from the uniform distribution function everywhere they jump
    expect(ksUniform([0.1, 0.3, 0.5, 0.7, 0.9]).statistic).toBeCloseTo(0.1, 12);
  });

  test('bad input is refused', () => {
    expect(() => ksUniform([0.5, 0.5])).toThrow(/at least 5/);
    expect(() => ksUniform([0.1, 0.2, 0.3, 0.4, 1.5])).toThrow(/\[0, 1\]/);
  });
});
