/**
 * sumSeries on short series whose sums, term counts and error bounds are known
 * exactly: the stopping rules of the ratio test at their boundaries, the
 * compensated sum, Higham's rounding bound, and every refusal by name. Each
 * series has at most a few hundred terms, so the file runs in milliseconds.
 */
import { describe, expect, test } from 'vitest';
import { sumSeries } from '../../src/numeric/exact-sum.js';

const EPS = Number.EPSILON;
/** Higham's bound for compensated summation of n terms with sum |term| = abs. */
const rounding = (n: number, abs: number): number => (2 * EPS + n * EPS * EPS) * abs;

describe('finite supports', () => {
  test('the defaults: start 0, the terms up to end inclusive, the rounding bound only', () => {
    const r = sumSeries((k) => k - 2, { end: 4 });
    expect(r).toEqual({ value: 0, error: rounding(5, 6), terms: 5 });
  });

  test('a single term (start = end) is summed, with no tail', () => {
    expect(sumSeries(() => 7, { start: 2, end: 2 })).toEqual({ value: 7, error: rounding(1, 7), terms: 1 });
  });

  test('a support of exactly maxTerms terms is summed to its end, without the ratio test', () => {
    // The ratio test alone would stop a halving series after about 50 terms.
    const r = sumSeries((k) => 0.5 ** k, { end: 99, maxTerms: 100 });
    expect(r.terms).toBe(100);
    expect(r.error).toBe(rounding(100, r.value));
  });

  test('a finite support longer than maxTerms stops at maxTerms and says the tail is unknown', () => {
    expect(sumSeries(() => 1, { end: 20, maxTerms: 5 })).toEqual({ value: 5, error: Infinity, terms: 5 });
  });

  test('an empty range (end before start) is 0, exactly', () => {
    expect(sumSeries((k) => k, { start: 5, end: 4 })).toEqual({ value: 0, error: 0, terms: 0 });
  });

  test('maxTerms 1 takes one term', () => {
    expect(sumSeries((k) => k + 1, { maxTerms: 1 })).toEqual({ value: 1, error: Infinity, terms: 1 });
  });

  test('a support of maxTerms terms from a nonzero start is summed to its end', () => {
    const r = sumSeries((k) => 0.5 ** k, { start: 5, end: 50, maxTerms: 46, rtol: 1e-3 });
    expect(r.terms).toBe(46);
    expect(r.error).toBe(rounding(46, r.value));
  });

  test('a support one term longer than maxTerms uses the ratio test, which may stop early', () => {
    expect(sumSeries((k) => 0.5 ** k, { end: 100, maxTerms: 100, rtol: 1e-3 }).terms).toBe(10);
  });

  test('compensated summation keeps the small terms on both sides of a large one', () => {
    const tiny = 2 ** -60;
    const xs = [tiny, 1, tiny, tiny, -1];
    const r = sumSeries((k) => xs[k], { end: xs.length - 1 });
    expect(r.value).toBe(3 * tiny);
    expect(r.error).toBe(rounding(5, 2 + 3 * tiny));
  });
});

describe('infinite supports: the ratio test', () => {
  test('halving terms stop at the first tail bound below rtol sum |term|, with that bound in the error', () => {
    // ratios all 1/2: the tail after term k is 2^-k (r / (1 - r) = 1); 2^-9 <= 1e-3 (2 - 2^-9) first at k = 9
    const r = sumSeries((k) => 0.5 ** k, { rtol: 1e-3 });
    expect(r.terms).toBe(10);
    expect(r.value).toBe(2 - 2 ** -9);
    expect(r.error).toBe(rounding(10, 2 - 2 ** -9) + 2 ** -9);
  });

  test('the first bound comes with the ninth term, and a bound equal to the tolerance is enough', () => {
    expect(sumSeries((k) => 0.5 ** k, { rtol: 1 }).terms).toBe(9);
    // after term 9 the tail bound is 2^-9 and sum |term| = 2 - 2^-9: a tolerance that makes them equal
    const rtol = 2 ** -9 / (2 - 2 ** -9);
    expect(rtol * (2 - 2 ** -9)).toBe(2 ** -9);
    expect(sumSeries((k) => 0.5 ** k, { rtol }).terms).toBe(10);
  });

  test('the window holds the last nine terms: a rate that changes before it is forgotten', () => {
    // two terms at ratio 1/16, then ratio 1/2: the bound is used once the window holds only ratio 1/2
    const t = (k: number): number => (k <= 1 ? 16 ** -k : 16 ** -1 * 0.5 ** (k - 1));
    const r = sumSeries(t, { rtol: 1 });
    expect(r.terms).toBe(10);
  });

  test('the defaults: rtol 1e-15 against sum |term|, signs alternating', () => {
    const r = sumSeries((k) => (-0.5) ** k);
    // tail 2^-k <= 1e-15 * (2 - 2^-k) first at k = 49
    expect(r.terms).toBe(50);
    expect(r.error).toBe(rounding(50, 2 - 2 ** -49) + 2 ** -49);
    expect(Math.abs(r.value - 2 / 3)).toBeLessThanOrEqual(r.error);
  });

  test('ratios rising within the window take the midpoint between the largest and 1', () => {
    // ratios 1/4, 3/8 alternating: rising, spread exactly 1.5 (allowed); r = (1 + 3/8) / 2 = 11/16
    const terms = [1];
    for (let k = 1; k < 40; k++) terms.push(terms[k - 1] * (k % 2 === 1 ? 0.25 : 0.375));
    const r = sumSeries((k) => terms[k], { rtol: 1e-4 });
    const n = r.terms;
    const last = terms[n - 1];
    const abs = terms.slice(0, n).reduce((s, x) => s + x, 0);
    expect(r.error).toBe(rounding(n, abs) + (last * (11 / 16)) / (1 - 11 / 16));
    // the same series stopped one term earlier would not have met the tolerance
    const before = terms.slice(0, n - 1).reduce((s, x) => s + x, 0);
    expect((terms[n - 2] * (11 / 16)) / (1 - 11 / 16)).toBeGreaterThan(1e-4 * before);
  });

  test('ratios that vary by more than a factor 1.5 are not trusted', () => {
    // ratios 1/4 and 1/2 alternating: spread 2, so no tail bound before maxTerms
    const terms = [1];
    for (let k = 1; k < 60; k++) terms.push(terms[k - 1] * (k % 2 === 1 ? 0.25 : 0.5));
    const r = sumSeries((k) => terms[k], { maxTerms: 60, rtol: 1e-3 });
    expect(r.terms).toBe(60);
    expect(r.error).toBe(Infinity);
  });

  test('ratios of 1 or more give no bound', () => {
    expect(sumSeries(() => 1, { maxTerms: 30 }).error).toBe(Infinity);
    expect(sumSeries((k) => 1.01 ** k, { maxTerms: 30 }).error).toBe(Infinity);
  });

  test('terms that underflow to exact zeros end the sum once the window holds only zeros', () => {
    const r = sumSeries((k) => (k < 3 ? 1 : 0));
    // k = 3..11 are nine zeros
    expect(r).toEqual({ value: 3, error: rounding(12, 3), terms: 12 });
  });

  test('zeros between non-zero terms give no bound', () => {
    const r = sumSeries((k) => (k % 2 === 0 ? 0.5 ** k : 0), { maxTerms: 40 });
    expect(r.terms).toBe(40);
    expect(r.error).toBe(Infinity);
  });

  test('leading zeros are not a tail: the mass after them is summed', () => {
    const r = sumSeries((k) => (k < 15 ? 0 : 0.5 ** (k - 15)), { rtol: 1e-3 });
    expect(r.value).toBe(2 - 2 ** -9);
    expect(r.terms).toBe(25);
  });

  test('start shifts the first index of an infinite sum', () => {
    const seen: number[] = [];
    sumSeries(
      (k) => {
        seen.push(k);
        return 0.5 ** k;
      },
      { start: 3, rtol: 1e-2 },
    );
    expect(seen[0]).toBe(3);
    expect(seen.every((k, i) => k === 3 + i)).toBe(true);
  });
});

describe('refusals, by name', () => {
  test.each([
    [{ start: 0.5 }, 'options.start: must be an integer, got 0.5'],
    [{ end: 2.5 }, 'options.end: must be an integer or Infinity, got 2.5'],
    [{ end: -Infinity }, 'options.end: must be an integer or Infinity, got -Infinity'],
    [{ rtol: 0 }, 'options.rtol: must be > 0, got 0'],
    [{ rtol: NaN }, 'options.rtol: must be > 0, got NaN'],
    [{ maxTerms: 0 }, 'options.maxTerms: must be >= 1, got 0'],
    [{ maxTerms: NaN }, 'options.maxTerms: must be >= 1, got NaN'],
  ])('%o', (opts, message) => {
    expect(() => sumSeries((k) => k, opts)).toThrow(message);
  });

  test('a non-finite term, by its index', () => {
    expect(() => sumSeries((k) => (k === 4 ? Infinity : 1), { end: 10 })).toThrow('term: is not finite at k = 4 (got Infinity)');
  });
});
