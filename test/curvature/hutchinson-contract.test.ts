/** Hutchinson's estimator: its refusals by path and message, and the smallest size. */
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { hutchinsonDiagonal, hutchinsonDiagonalOperator } from '../../src/curvature/hutchinson.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { denseOperator } from '../../src/linalg/operators.js';
import { thrownLine } from '../natgrad-error.js';

describe('Hutchinson refusals', () => {
  const identity = (v: Float64Array) => Float64Array.from(v);

  test('n must be a positive integer', () => {
    expect(thrownLine(() => hutchinsonDiagonal(identity, 0, 2, new Rng(1)))).toBe('n: must be a positive integer, got 0');
    expect(thrownLine(() => hutchinsonDiagonal(identity, 1.5, 2, new Rng(1)))).toBe('n: must be a positive integer, got 1.5');
    expect(thrownLine(() => hutchinsonDiagonal(identity, -2, 2, new Rng(1)))).toBe('n: must be a positive integer, got -2');
  });

  test('n = 1: the estimate of a 1 x 1 matrix is exact, with zero standard error', () => {
    const est = hutchinsonDiagonal((v) => v.map((x) => 2.5 * x), 1, 3, new Rng(2));
    expect(Array.from(est.value)).toEqual([2.5]);
    expect(Array.from(est.stdError)).toEqual([0]);
  });

  test('the operator must be square', () => {
    expect(thrownLine(() => hutchinsonDiagonalOperator(denseOperator(Matrix.zeros(2, 3)), 2, new Rng(1)))).toBe('operator: must be square, got 2 x 3');
  });
});
