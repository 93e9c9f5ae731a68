/**
 * The stability options' refusals by path, the boundaries of clipping, the
 * stabilized operators' products, and the running averages of matrices and
 * vectors on known numbers.
 */
import { describe, expect, test } from 'vitest';
import { emaMatrix, scaledEigen, stabilize, stabilizedEigenvalues, validateStability } from '../../src/curvature/stability.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { matvec } from '../../src/linalg/ops.js';
import { thrownError, thrownLine } from '../natgrad-error.js';

describe('stability options and eigenvalues', () => {
  test('a bad option is named below the default path `stability`', () => {
    expect(thrownError(() => validateStability({ damping: -1 })).path).toBe('stability.damping');
    expect(thrownError(() => validateStability({ clip: { mode: 'floor', threshold: -1 } })).path).toBe('stability.clip.threshold');
    expect(thrownError(() => validateStability({ clip: { mode: 'drop', threshold: 1 }, rcond: 2 }, 'o')).path).toBe('o.rcond');
  });

  test('a non-finite eigenvalue is refused by its index', () => {
    expect(thrownLine(() => stabilizedEigenvalues([1, Number.POSITIVE_INFINITY]))).toBe('curvature: eigenvalue 1 is not finite (Infinity)');
    expect(thrownLine(() => stabilizedEigenvalues([Number.NaN, 1]))).toBe('curvature: eigenvalue 0 is not finite (NaN)');
  });

  test('drop keeps an eigenvalue equal to the threshold and drops one below it', () => {
    const mu = stabilizedEigenvalues([1e-3, 0.999e-3, 1], { clip: { mode: 'drop', threshold: 1e-3 }, damping: 0.5, rcond: 0 });
    expect(Array.from(mu)).toEqual([1e-3 + 0.5, 0.5, 1.5]);
  });
});

describe('stabilized operators', () => {
  test('curvature and inverse apply V diag(μ) Vᵀ and V diag(1/μ) Vᵀ to a vector as their dense forms do', () => {
    const C = Matrix.from([
      [4, 1, 0],
      [1, 3, 1],
      [0, 1, 2],
    ]);
    const s = stabilize(C, { damping: 0.25 });
    const x = Float64Array.of(1, -2, 0.5);
    for (const op of [s.curvature, s.inverse]) {
      const y = op.matvec(x);
      const expected = matvec(op.dense(), x);
      for (let i = 0; i < 3; i++) expect(Math.abs(y[i] - expected[i])).toBeLessThanOrEqual(1e-14);
      expect(Array.from(op.rmatvec(x))).toEqual(Array.from(y));
    }
    // the curvature is C + 0.25 I, the inverse its inverse
    const cx = s.curvature.matvec(x);
    const exact = matvec(C, x).map((v, i) => v + 0.25 * x[i]);
    for (let i = 0; i < 3; i++) expect(Math.abs(cx[i] - exact[i])).toBeLessThanOrEqual(1e-13);
    const back = s.curvature.matvec(s.inverse.matvec(x));
    for (let i = 0; i < 3; i++) expect(Math.abs(back[i] - x[i])).toBeLessThanOrEqual(1e-13);
  });

  test('a non-finite matrix is refused at the path given (default `matrix`, `curvature` for stabilize), naming the entry as given', () => {
    const M = Matrix.from([
      [Number.POSITIVE_INFINITY, 0],
      [0, 1],
    ]);
    expect(thrownLine(() => scaledEigen(M))).toBe('matrix: matrix is not finite: entry (0, 0) is Infinity');
    expect(thrownError(() => stabilize(M)).path).toBe('curvature');
    expect(thrownError(() => stabilize(M, {}, 'blocks[2]')).path).toBe('blocks[2]');
  });
});

describe('running averages', () => {
  test('emaMatrix refuses matrices of different shapes, rows or columns', () => {
    const a = Matrix.zeros(2, 2);
    expect(thrownLine(() => emaMatrix(a, Matrix.zeros(3, 2), 0.5))).toBe('ema: shapes differ: 2 x 2 and 3 x 2');
    expect(thrownLine(() => emaMatrix(a, Matrix.zeros(2, 3), 0.5))).toBe('ema: shapes differ: 2 x 2 and 2 x 3');
  });
});
