/**
 * The field walk of `check` on its own: the acceptance rule of an exact field,
 * of a float32-bounded field and of a Monte Carlo field at their boundaries,
 * the contract's field paths, the fields whose shape differs from the
 * result's, and where the standard error of a Monte Carlo field is found.
 */
import { describe, expect, test } from 'vitest';
import { zForFalseAlarm } from '../../src/numeric/statistics.js';
import { DEFAULT_FALSE_ALARM, compareResult, fieldPath, standardErrorIn, statisticalSummary } from '../../src/oracle/compare.js';
import { hasNumber, type NumericField, shapeText, tensorOf } from '../../src/oracle/tensor.js';

const t = (v: number | number[] | number[][]): NumericField => tensorOf(v) as NumericField;

describe('a Monte Carlo field', () => {
  test('z is the Bonferroni value over the entries with a positive standard error only', () => {
    const e = t([1, 2, 3]);
    const s = statisticalSummary(e, e, t([0, 0.1, 0.2]), { rtol: 0, atol: 0 }, 1e-3);
    expect(s.z).toBe(zForFalseAlarm(1e-3, 2));
    expect(s.ok).toBe(true);
  });

  test('a field without random entries uses one comparison', () => {
    const e = t([1, 2]);
    expect(statisticalSummary(e, e, t([0, 0]), { rtol: 0, atol: 0 }, 1e-3).z).toBe(zForFalseAlarm(1e-3, 1));
  });

  test('an entry passes within atol + z SE and fails beyond it', () => {
    const e = t([1, 5]);
    const se = t([0.5, 0.5]);
    const z = zForFalseAlarm(DEFAULT_FALSE_ALARM, 2);
    const tol = { rtol: 0, atol: 0.01 };
    expect(statisticalSummary(t([1, 5 + 0.01 + 0.99 * z * 0.5]), e, se, tol, DEFAULT_FALSE_ALARM).ok).toBe(true);
    expect(statisticalSummary(t([1, 5 + 0.01 + 1.01 * z * 0.5]), e, se, tol, DEFAULT_FALSE_ALARM).ok).toBe(false);
  });

  test('an entry with SE 0 is held to atol + extra + rtol |e|, the boundary included', () => {
    // bound 0.25 + 0.25 + 0.5 * 2 = 1.5, exactly representable
    const tol = { rtol: 0.5, atol: 0.25 };
    const e = t([2]);
    const se = t([0]);
    expect(statisticalSummary(t([3.5]), e, se, tol, 1e-6, 0.25).ok).toBe(true);
    expect(statisticalSummary(t([3.5 + 2 ** -50]), e, se, tol, 1e-6, 0.25).ok).toBe(false);
    expect(statisticalSummary(t([0.5]), e, se, tol, 1e-6, 0.25).ok).toBe(true);
  });
});

describe('a float32-bounded field: |c - e| <= atol + max(rtol |e|, bound)', () => {
  const compare = (c: number, e: number, rtol: number, atol: number, bound: number) =>
    compareResult({ loss: e }, { loss: c }, null, { tol: { rtol, atol }, float32: () => bound })[0];

  test('the relative term dominates: the boundary passes, one ulp past it fails', () => {
    // atol 0.5 + max(0.5 * 4, 1) = 2.5
    expect(compare(6.5, 4, 0.5, 0.5, 1).ok).toBe(true);
    expect(compare(6.5 + 2 ** -50, 4, 0.5, 0.5, 1).ok).toBe(false);
  });

  test('the float32 bound dominates', () => {
    // 0 + max(0.1 * 4, 1) = 1
    expect(compare(5, 4, 0.1, 0, 1).ok).toBe(true);
    expect(compare(3, 4, 0.1, 0, 1).ok).toBe(true);
    expect(compare(5.01, 4, 0.1, 0, 1).ok).toBe(false);
  });

  test('the errors are reported as for an exact field', () => {
    const r = compare(5, 4, 0.1, 0, 1);
    expect([r.maxAbsErr, r.maxRelErr, r.z, r.shapeOk]).toEqual([1, 0.25, null, true]);
  });
});

describe('field paths', () => {
  test('identifiers join with dots, indices in brackets, other keys quoted', () => {
    expect(fieldPath(null, ['layers', 0, 'G'])).toBe('layers[0].G');
    expect(fieldPath(2, ['matrix'])).toBe('[2].matrix');
    expect(fieldPath(0, [])).toBe('[0]');
    expect(fieldPath(null, ['params', 'a-b'])).toBe('params["a-b"]');
    expect(fieldPath(null, ['params', '1a'])).toBe('params["1a"]');
    expect(fieldPath(null, ['params', 'a b'])).toBe('params["a b"]');
    expect(fieldPath(null, ['$x', '_1'])).toBe('$x._1');
  });
});

describe('the walk', () => {
  test('a bare tolerance compares exact fields', () => {
    const r = compareResult({ loss: 1, params: { mu: 2 } }, { loss: 1 + 1e-3, params: { mu: 2 } }, null, { rtol: 1e-6, atol: 1e-9 });
    expect(r.map((f) => [f.field, f.ok, f.z])).toEqual([
      ['loss', false, null],
      ['params.mu', true, null],
    ]);
  });

  test('a candidate field of another shape is a mismatch with padded errors, at every level', () => {
    const e = { loss: 1, direction: [1, 2], params: { mu: 3 } };
    const r = compareResult(e, { loss: [1], direction: [1, 2, 4], params: 7 }, 1, { rtol: 0, atol: 0 });
    expect(r.map((f) => [f.field, f.ok, f.shapeOk, f.maxAbsErr])).toEqual([
      ['[1].loss', false, false, 1],
      ['[1].direction', false, false, 4],
      ['[1].params', false, false, 7],
    ]);
    expect(r[2].expected).toBe(null);
  });

  test('an array of objects of another length is one mismatching field', () => {
    const e = { layers: [{ G: [[1]] }, { G: [[2]] }] };
    const r = compareResult(e, { layers: [{ G: [[1]] }] }, null, { rtol: 0, atol: 0 });
    expect(r.map((f) => [f.field, f.ok, f.shapeOk, f.expected])).toEqual([['layers', false, false, null]]);
  });

  test('only the fields present in the candidate are compared, in its order', () => {
    const r = compareResult({ a: 1, b: 2, c: 3 }, { c: 3, a: 1 }, null, { rtol: 0, atol: 0 });
    expect(r.map((f) => f.field)).toEqual(['c', 'a']);
  });
});

describe('the standard error beside a Monte Carlo field', () => {
  const result = {
    kind: 'fisher',
    matrix: [[1]],
    diagonal: [1],
    standardError: [[0.5]],
    loss: 2,
    layers: [{ A: [[1]], G: [[3]], standardError: { G: [[0.25]] } }],
  };
  const se = standardErrorIn(result);

  test('matrix and diagonal take standardError; a layer G takes its standardError.G', () => {
    expect(se(['matrix'])).toEqual(t([[0.5]]));
    expect(se(['diagonal'])).toEqual(t([[0.5]]));
    expect(se(['layers', 0, 'G'])).toEqual(t([[0.25]]));
  });

  test('every other key path is exact', () => {
    for (const keys of [['loss'], ['matrix', 0], ['layers', 0, 'A'], ['layers', 0, 'G', 0], ['other', 0, 'G'], ['layers', '0', 'G'], ['layers', 1, 'G']]) {
      expect(se(keys), JSON.stringify(keys)).toBe(null);
    }
  });

  test('a result that is not an object has no standard errors', () => {
    expect(standardErrorIn(null)(['matrix'])).toBe(null);
    expect(standardErrorIn([1])(['layers', 0, 'G'])).toBe(null);
  });
});

describe('shapes and numeric leaves', () => {
  test('a shape in words', () => {
    expect([shapeText([]), shapeText([5]), shapeText([3, 4])]).toEqual(['a number', 'length 5', '3 x 4']);
  });

  test('a null field holds no number', () => {
    expect(hasNumber({ a: null, b: [null, 'x'] })).toBe(false);
    expect(hasNumber({ a: null, b: [null, { c: 1 }] })).toBe(true);
  });
});
