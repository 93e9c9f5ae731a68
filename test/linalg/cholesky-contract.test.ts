import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { CHOLESKY_BLOCKED_MIN, Cholesky, choleskyInverses } from '../../src/linalg/cholesky.js';
import { choleskyFactor, choleskyInverse, trsmLower, trsmLowerTransposed } from '../../src/linalg/kernels/cholesky.js';
import { Matrix } from '../../src/linalg/matrix.js';

/** A well-conditioned SPD matrix X Xᵀ / n + I with X standard normal (seeded). */
function spd(n: number, seed: number): Matrix {
  const rng = new Rng(seed);
  const x = new Float64Array(n * n);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const a = new Matrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += x[i * n + k] * x[j * n + k];
      a.data[i * n + j] = a.data[j * n + i] = s / n + (i === j ? 1 : 0);
    }
  }
  return a;
}

function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  const rng = new Rng(seed);
  const m = new Matrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.normal();
  return m;
}

/** The textbook row-by-row (Banachiewicz) factor, the unblocked path's arithmetic. */
function banachiewicz(a: Matrix): Float64Array {
  const n = a.rows;
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a.data[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = i === j ? Math.sqrt(s) : s / L[j * n + j];
    }
  }
  return L;
}

const sameBits = (x: Float64Array, y: Float64Array): boolean => x.length === y.length && x.every((v, i) => Object.is(v, y[i]));

describe('Cholesky: the unblocked loops below CHOLESKY_BLOCKED_MIN, the blocked kernels from it on', () => {
  const below = spd(CHOLESKY_BLOCKED_MIN - 1, 11);
  const at = spd(CHOLESKY_BLOCKED_MIN, 12);

  test('the two paths give different bits at these orders (so the tests below can tell them apart)', () => {
    const n = at.rows;
    const blocked = new Float64Array(n * n);
    choleskyFactor(at.data, n, blocked);
    expect(sameBits(blocked, banachiewicz(at))).toBe(false);
    const m = below.rows;
    const blockedBelow = new Float64Array(m * m);
    choleskyFactor(below.data, m, blockedBelow);
    expect(sameBits(blockedBelow, banachiewicz(below))).toBe(false);
  });

  test('the factor is the row-by-row one below the threshold and the blocked kernel from it on, bit for bit', () => {
    expect(sameBits(new Cholesky(below).L.data, banachiewicz(below))).toBe(true);
    const n = at.rows;
    const blocked = new Float64Array(n * n);
    choleskyFactor(at.data, n, blocked);
    expect(sameBits(new Cholesky(at).L.data, blocked)).toBe(true);
  });

  test('solveMatrix and inverse use the blocked triangular solves and inverse from the threshold on, and not below it', () => {
    for (const a of [below, at]) {
      const n = a.rows;
      const chol = new Cholesky(a);
      const B = randomMatrix(n, 3, 13);
      const X = B.clone();
      trsmLower(chol.L.data, n, X.data, 3);
      trsmLowerTransposed(chol.L.data, n, X.data, 3);
      expect(sameBits(chol.solveMatrix(B).data, X.data)).toBe(n >= CHOLESKY_BLOCKED_MIN);
      expect(sameBits(chol.inverse().data, choleskyInverse(chol.L.data, n))).toBe(n >= CHOLESKY_BLOCKED_MIN);
    }
  });

  test('a blocked factorization that fails names its pivot, as the unblocked one does', () => {
    const n = CHOLESKY_BLOCKED_MIN;
    const a = spd(n, 14);
    a.data[30 * n + 30] = -1;
    expect(() => new Cholesky(a, 'spec.factor')).toThrow(
      /matrix is not positive definite: pivot 30 of the Cholesky factorization is -\d.* so the leading 31 x 31 block/,
    );
    try {
      new Cholesky(a, 'spec.factor');
    } catch (e) {
      expect((e as NatgradError).path).toBe('spec.factor');
    }
  });
});

describe('Cholesky: solves and messages', () => {
  test('solveMatrix solves every column, not only those of the identity', () => {
    const a = spd(6, 21);
    const chol = new Cholesky(a);
    const B = randomMatrix(6, 4, 22);
    const X = chol.solveMatrix(B);
    for (let j = 0; j < 4; j++) {
      const col = Float64Array.from({ length: 6 }, (_, i) => B.data[i * 4 + j]);
      const x = chol.solve(col);
      for (let i = 0; i < 6; i++) expect(Math.abs(X.data[i * 4 + j] - x[i])).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(x[i])));
    }
  });

  test('a right-hand side of the wrong length is refused by path and message; the default path is "matrix"', () => {
    const chol = new Cholesky(spd(2, 23));
    try {
      chol.solve(new Float64Array(3));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(NatgradError);
      expect((e as NatgradError).path).toBe('vector');
      expect((e as NatgradError).message).toMatch(/right-hand side has length 3, expected 2/);
    }
    try {
      new Cholesky(Matrix.from([[-2]]));
      expect.unreachable();
    } catch (e) {
      expect((e as NatgradError).path).toBe('matrix');
    }
  });

  test('the pivot message names the leading block one larger than the pivot index', () => {
    const a = Matrix.from([
      [4, 0, 0],
      [0, 1, 2],
      [0, 2, 1],
    ]);
    expect(() => new Cholesky(a)).toThrow(/pivot 2 .* the leading 3 x 3 block has a non-positive eigenvalue/);
  });

  test('the asymmetry message quotes both entries of the first asymmetric pair', () => {
    const a = Matrix.from([
      [1, 0.5, 0.25],
      [0.5, 1, 7],
      [0.25, 3, 1],
    ]);
    expect(() => new Cholesky(a)).toThrow(/not symmetric: entry \(2, 1\) = 3 but \(1, 2\) = 7/);
  });
});

describe('choleskyInverses: every matrix as new Cholesky(m, path).inverse() would give it', () => {
  test('small and blocked orders, bit for bit, failures as errors by path, in the input order', () => {
    const n = CHOLESKY_BLOCKED_MIN;
    const small = spd(n - 1, 31);
    const large = spd(n + 3, 32);
    const badSmall = Matrix.from([
      [1, 2],
      [2, 1],
    ]);
    const badLarge = spd(n, 33);
    badLarge.data[40 * n + 40] = -5;
    const asym = spd(n, 34);
    asym.data[2 * n + 1] += 1;
    const notSquare = new Matrix(2, 3);
    const ms = [small, badLarge, large, badSmall, asym, notSquare];
    const paths = ['f.a', 'f.b', 'f.c', 'f.d', 'f.e', 'f.f'];
    const out = choleskyInverses(ms, paths);
    expect(out.length).toBe(ms.length);
    ms.forEach((m, i) => {
      let expected: Matrix | NatgradError;
      try {
        expected = new Cholesky(m, paths[i]).inverse();
      } catch (e) {
        expected = e as NatgradError;
      }
      const got = out[i];
      if (expected instanceof Matrix) {
        expect(got).toBeInstanceOf(Matrix);
        expect(sameBits((got as Matrix).data, expected.data)).toBe(true);
      } else {
        expect(got).toBeInstanceOf(NatgradError);
        expect((got as NatgradError).path).toBe(paths[i]);
        expect((got as NatgradError).message).toBe(expected.message);
      }
    });
    expect(out.map((r) => r instanceof Matrix)).toEqual([true, false, true, false, false, false]);
    const defaults = choleskyInverses([badSmall, badLarge]);
    expect(defaults.map((e) => (e as NatgradError).path)).toEqual(['matrix', 'matrix']);
    expect(choleskyInverses([])).toEqual([]);
  });
});
