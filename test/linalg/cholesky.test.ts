import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { Cholesky, isPositiveDefinite } from '../../src/linalg/cholesky.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { matmul, matmulNT, matvec } from '../../src/linalg/ops.js';
import { dim, EPS, gamma, normInf, spdArb, vecArb, vecMaxAbs } from './arbitraries.js';

/** |L| |L|ᵀ, the quantity in Higham's componentwise backward-error bound. */
function absLLt(L: Matrix): Matrix {
  const a = new Matrix(L.rows, L.cols);
  for (let i = 0; i < L.data.length; i++) a.data[i] = Math.abs(L.data[i]);
  return matmulNT(a, a);
}

const spdWithRhs = dim(8).chain((n) => fc.tuple(spdArb(n), vecArb(n)));

describe('Cholesky', () => {
  test('L is lower triangular with positive diagonal and L Lᵀ = A componentwise within gamma_{n+1} |L||Lᵀ| (Higham Thm 10.3)', () => {
    fc.assert(
      fc.property(spdWithRhs, ([{ a, n }]) => {
        const { L } = new Cholesky(a);
        const llt = matmulNT(L, L);
        const bound = absLLt(L);
        // one gamma for the factorization, one for recomputing L Lᵀ here
        const g = 2 * gamma(n + 1);
        for (let i = 0; i < n; i++) {
          if (!(L.get(i, i) > 0)) return false;
          for (let j = i + 1; j < n; j++) if (L.get(i, j) !== 0) return false;
          for (let j = 0; j < n; j++) if (!(Math.abs(llt.get(i, j) - a.get(i, j)) <= g * bound.get(i, j))) return false;
        }
        return true;
      }),
      { seed: 201, numRuns: 200 },
    );
  });

  test('solve has a small normwise residual: ||b - A x|| <= gamma_{3n+1} || |L||Lᵀ| || ||x|| (Higham Thm 10.4)', () => {
    fc.assert(
      fc.property(spdWithRhs, ([{ a, n }, b]) => {
        const chol = new Cholesky(a);
        const x = chol.solve(b);
        const ax = matvec(a, x);
        let res = 0;
        for (let i = 0; i < n; i++) res = Math.max(res, Math.abs(b[i] - ax[i]));
        // plus gamma_n ||A|| ||x|| for computing A x in the check itself
        const tol = (gamma(3 * n + 1) * normInf(absLLt(chol.L)) + gamma(n) * normInf(a)) * vecMaxAbs(x) * 2;
        return res <= tol;
      }),
      { seed: 202, numRuns: 200 },
    );
  });

  test('solveMatrix, inverse and logDet agree with solve and with the determinant', () => {
    fc.assert(
      fc.property(
        dim(7).chain((n) => spdArb(n)),
        ({ a, n, condBound }) => {
          const chol = new Cholesky(a);
          const inv = chol.inverse();
          // inverse is exactly symmetric, and A A⁻¹ = I to cond(A) n eps
          for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(inv.get(i, j)).toBe(inv.get(j, i));
          const prod = matmul(a, inv);
          const tol = 8 * (n + 1) * EPS * condBound;
          for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(Math.abs(prod.get(i, j) - (i === j ? 1 : 0))).toBeLessThanOrEqual(tol);
          const id = Matrix.identity(n);
          const X = chol.solveMatrix(id);
          for (let i = 0; i < n * n; i++) expect(Math.abs(X.data[i] - inv.data[i])).toBeLessThanOrEqual(tol / 0.5);
          // log det = sum of log pivots; check against the product of L's diagonal squared
          let det = 1;
          for (let i = 0; i < n; i++) det *= chol.L.get(i, i) ** 2;
          expect(Math.abs(chol.logDet() - Math.log(det))).toBeLessThanOrEqual(4 * (n + 1) * EPS * Math.max(1, Math.abs(Math.log(det))));
        },
      ),
      { seed: 203, numRuns: 100 },
    );
  });

  test('known factorization and log-determinant', () => {
    const a = Matrix.from([
      [4, 2],
      [2, 5],
    ]);
    const chol = new Cholesky(a);
    expect(chol.L.toArray()).toEqual([
      [2, 0],
      [1, 2],
    ]);
    expect(chol.logDet()).toBeCloseTo(Math.log(16), 14);
    expect(Array.from(chol.solve(Float64Array.from([6, 7])))).toEqual([1, 1]);
    const empty = new Cholesky(new Matrix(0, 0));
    expect(empty.solve(new Float64Array(0)).length).toBe(0);
    expect(empty.logDet()).toBe(0);
  });

  test('non-positive-definite input throws a NatgradError naming the pivot', () => {
    const indefinite = Matrix.from([
      [1, 2],
      [2, 1],
    ]);
    expect(() => new Cholesky(indefinite)).toThrow(NatgradError);
    expect(() => new Cholesky(indefinite)).toThrow(/not positive definite: pivot 1/);
    expect(() => new Cholesky(Matrix.from([[0]]))).toThrow(/pivot 0 .* is 0/);
    expect(
      () =>
        new Cholesky(
          Matrix.from([
            [1, 2],
            [0, 1],
          ]),
        ),
    ).toThrow(/not symmetric: entry \(1, 0\) = 0 but \(0, 1\) = 2/);
    expect(() => new Cholesky(new Matrix(2, 3))).toThrow(/square matrix, got 2 x 3/);
    expect(() => new Cholesky(Matrix.from([[NaN]]))).toThrow(/not finite/);
  });

  test('isPositiveDefinite separates L Lᵀ + eps I from the same matrix shifted by - (lambda_max + 1) I', () => {
    fc.assert(
      fc.property(
        dim(6, 1).chain((n) => spdArb(n)),
        ({ a, n, lambdaMaxBound }) => {
          expect(isPositiveDefinite(a)).toBe(true);
          const shifted = a.clone();
          for (let i = 0; i < n; i++) shifted.data[i * n + i] -= lambdaMaxBound + 1;
          expect(isPositiveDefinite(shifted)).toBe(false);
        },
      ),
      { seed: 204, numRuns: 100 },
    );
    expect(isPositiveDefinite(new Matrix(2, 3))).toBe(false);
  });
});

test('the error carries the JSON path it was given', () => {
  try {
    new Cholesky(Matrix.from([[-1]]), 'spec.fisher');
    expect.unreachable();
  } catch (e) {
    expect(e).toBeInstanceOf(NatgradError);
    expect((e as NatgradError).path).toBe('spec.fisher');
  }
});
