/**
 * Shampoo's refusals by path and message, and the edges of its scaling:
 * zero and subnormal gradients, an epsilon just above the resolution of the
 * statistic, and the decimal rounding of the numbers the messages print.
 */
import { describe, expect, test } from 'vitest';
import { shampooPreconditioners, shampooStatistics } from '../../src/curvature/shampoo.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { thrownError, thrownLine } from '../natgrad-error.js';

const EPS = 2 ** -52;

describe('Shampoo refuses bad gradients by path and message', () => {
  test('an empty list', () => {
    expect(thrownLine(() => shampooPreconditioners([], 1))).toBe('spec.gradients: must be a non-empty array of matrices (G_1, ..., G_T)');
    // shampooStatistics has the same default path
    expect(thrownError(() => shampooStatistics([], 1)).path).toBe('spec.gradients');
  });

  test('a gradient of another shape: rows, columns, or not a matrix', () => {
    const first = Matrix.zeros(2, 3);
    expect(thrownLine(() => shampooPreconditioners([first, Matrix.zeros(3, 3)], 1))).toBe(
      'spec.gradients[1]: must be a 2 x 3 matrix (the shape of gradients[0], non-empty), got 3 x 3',
    );
    expect(thrownLine(() => shampooPreconditioners([first, Matrix.zeros(2, 2)], 1))).toBe(
      'spec.gradients[1]: must be a 2 x 3 matrix (the shape of gradients[0], non-empty), got 2 x 2',
    );
    expect(thrownLine(() => shampooPreconditioners([first, 'G' as unknown as Matrix], 1))).toBe(
      'spec.gradients[1]: must be a 2 x 3 matrix (the shape of gradients[0], non-empty), got string',
    );
  });

  test('an empty matrix: no rows or no columns', () => {
    expect(thrownLine(() => shampooPreconditioners([Matrix.zeros(0, 3)], 1))).toBe(
      'spec.gradients[0]: must be a 0 x 3 matrix (the shape of gradients[0], non-empty), got 0 x 3',
    );
    expect(thrownLine(() => shampooPreconditioners([Matrix.zeros(2, 0)], 1))).toBe(
      'spec.gradients[0]: must be a 2 x 0 matrix (the shape of gradients[0], non-empty), got 2 x 0',
    );
  });

  test('a non-finite entry is named by its gradient', () => {
    const bad = Matrix.from([
      [1, Number.NaN],
      [0, 0],
    ]);
    expect(thrownLine(() => shampooPreconditioners([Matrix.zeros(2, 2), bad], 1, 'run'))).toBe(
      'run.gradients[1]: entries must be finite numbers, entry 1 is NaN',
    );
  });
});

describe('Shampoo refuses a singular statistic at epsilon', () => {
  test('epsilon 0 with a singular left statistic: the message says which statistic and its largest eigenvalue', () => {
    const G = Matrix.from([
      [0, 0],
      [1, 1],
    ]);
    expect(thrownLine(() => shampooPreconditioners([G], 0, 'run'))).toBe(
      'run.epsilon: is 0 and ε I_m + Σ G Gᵀ is singular: ε I_m + Σ G Gᵀ has largest eigenvalue 2.00e0, float64 resolves its eigenvalues only to about 8.88e-16 (2·2^-52 of the largest), and an eigenvalue is within that of zero; its -1/4 power does not exist, epsilon > 0 makes it positive definite',
    );
  });

  test('epsilon 0 with a singular right statistic names Σ Gᵀ G; a mantissa that rounds to 10 is printed as 1.00e1', () => {
    // G Gᵀ = [9.999] is regular, Gᵀ G = diag(9.999, 0) is not
    const G = Matrix.from([[Math.sqrt(9.999), 0]]);
    const reason = thrownError(() => shampooPreconditioners([G], 0)).reason;
    expect(reason).toMatch(
      /^is 0 and ε I_n \+ Σ Gᵀ G is singular: ε I_n \+ Σ Gᵀ G has largest eigenvalue 1\.00e1, float64 resolves its eigenvalues only to about 4\.44e-15 \(2·2\^-52/,
    );
  });

  test('all gradients zero and epsilon 0: the zero statistic is singular (not a NaN from scaling)', () => {
    expect(thrownLine(() => shampooPreconditioners([Matrix.zeros(2, 2), Matrix.zeros(2, 2)], 0))).toBe(
      'spec.epsilon: is 0 and ε I_m + Σ G Gᵀ is singular: ε I_m + Σ G Gᵀ has largest eigenvalue 0, float64 resolves its eigenvalues only to about 0 (2·2^-52 of the largest), and an eigenvalue is within that of zero; its -1/4 power does not exist, epsilon > 0 makes it positive definite',
    );
  });

  test('an epsilon lost in rounding names the Gram sum alone as the singular part', () => {
    const G = Matrix.from([
      [0.5, 0.5, 0.5],
      [0, 0, 0],
    ]);
    const reason = thrownError(() => shampooPreconditioners([G], 2 * EPS)).reason;
    // the left statistic diag(0.75 + ε, ε) is resolved; the right one (3 x 3, rank 1) is not
    expect(reason).toMatch(/^4\.440892098500626e-16 is lost in rounding: ε I_n \+ Σ Gᵀ G has largest eigenvalue 7\.50e-1,/);
    expect(reason).toContain('and Σ Gᵀ G has an eigenvalue below that (it is singular at this resolution)');
    expect(reason).toContain('or with gradients whose Σ Gᵀ G has no eigenvalue below 5.00e-16');
  });
});

describe('Shampoo at the edges of its scaling', () => {
  test('all gradients zero: L = R = ε^(-1/4) I and a zero update', () => {
    const { L, R, update } = shampooPreconditioners([Matrix.zeros(2, 3)], 16);
    expect(Array.from(L.data)).toEqual([0.5, 0, 0, 0.5]);
    expect(Array.from(R.data)).toEqual([0.5, 0, 0, 0, 0.5, 0, 0, 0, 0.5]);
    expect(Array.from(update.data)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  test('subnormal gradients and the smallest epsilon: the statistic is ε I, L = R = ε^(-1/4) I', () => {
    const eps = Number.MIN_VALUE;
    const G = Matrix.from([[1e-310, 2e-310]]);
    const { L, R, update } = shampooPreconditioners([G], eps);
    const expected = eps ** -0.25;
    expect(Math.abs(L.get(0, 0) / expected - 1)).toBeLessThanOrEqual(8 * EPS);
    for (const [i, j] of [
      [0, 0],
      [1, 1],
    ])
      expect(Math.abs(R.get(i, j) / expected - 1)).toBeLessThanOrEqual(8 * EPS);
    expect(R.get(0, 1)).toBe(0);
    // update = G / sqrt(ε), relative to 1e-12 (G's subnormal entries carry about 12 digits)
    expect(Math.abs(update.get(0, 1) / (2e-310 * expected * expected) - 1)).toBeLessThanOrEqual(1e-12);
  });

  test('an epsilon just above the resolution of the statistic is kept: L = diag((x² + ε)^(-1/4), ε^(-1/4))', () => {
    // Σ G Gᵀ = diag(0.6, 0): resolution 2·2^-52·0.6 ≈ 2.7e-16 < ε = 4.4e-16
    const x = Math.sqrt(0.6);
    const eps = 2 * EPS;
    const G = Matrix.from([
      [x, 0],
      [0, 0],
    ]);
    const { L } = shampooPreconditioners([G], eps);
    expect(Math.abs(L.get(1, 1) / eps ** -0.25 - 1)).toBeLessThanOrEqual(8 * EPS);
    expect(Math.abs(L.get(0, 0) / (x * x + eps) ** -0.25 - 1)).toBeLessThanOrEqual(8 * EPS);
  });
});
