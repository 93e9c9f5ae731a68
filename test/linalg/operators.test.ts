import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { Cholesky } from '../../src/linalg/cholesky.js';
import type { LinearOperator } from '../../src/linalg/linear-operator.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { add, addScaledIdentity, kron, matmul, matmulNT, matTvec, matvec, maxAbsDiff, transpose, unvecRow, vecCol, vecRow } from '../../src/linalg/ops.js';
import {
  blockDiagonalOperator,
  composeOperators,
  dampedOperator,
  denseOperator,
  diagonalOperator,
  identityOperator,
  inverseDenseSpdOperator,
  kroneckerInverseOperator,
  kroneckerOperator,
  lowRankOperator,
  scaleOperator,
  sumOperators,
  transposeOperator,
} from '../../src/linalg/operators.js';
import { dim, EPS, gamma, matrixArb, spdArb, vecArb, vecDiffMaxAbs, vecMaxAbs } from './arbitraries.js';

/**
 * The shared law of every operator (curvlinops' compare_matmat): matvec and
 * rmatvec equal the products with dense(), checked on random vectors.
 * Entries are O(1) sums of at most `terms` products, hence the gamma bound.
 */
function matchesDense(op: LinearOperator, x: Float64Array, y: Float64Array, terms: number, scaleBound = 1): boolean {
  const d = op.dense();
  if (d.rows !== op.shape[0] || d.cols !== op.shape[1]) return false;
  const tol = 4 * gamma(terms + 2) * scaleBound * Math.max(1, vecMaxAbs(x), vecMaxAbs(y));
  return vecDiffMaxAbs(op.matvec(x), matvec(d, x)) <= tol && vecDiffMaxAbs(op.rmatvec(y), matTvec(d, y)) <= tol;
}

const rect = fc.tuple(dim(6), dim(6)).chain(([m, n]) => fc.tuple(matrixArb(m, n), vecArb(n), vecArb(m)));

describe('operator algebra matches the dense algebra', () => {
  test('denseOperator, scaleOperator, transposeOperator', () => {
    fc.assert(
      fc.property(rect, fc.double({ min: -3, max: 3, noNaN: true }), ([m, x, y], alpha) => {
        const op = denseOperator(m);
        return (
          matchesDense(op, x, y, m.cols + m.rows) &&
          matchesDense(scaleOperator(alpha, op), x, y, m.cols + m.rows, 3) &&
          matchesDense(transposeOperator(op), y, x, m.cols + m.rows) &&
          maxAbsDiff(transposeOperator(op).dense(), transpose(m)) === 0
        );
      }),
      { seed: 601, numRuns: 100 },
    );
  });

  test('sumOperators and composeOperators', () => {
    fc.assert(
      fc.property(
        fc.tuple(dim(5), dim(5), dim(5)).chain(([m, k, n]) => fc.tuple(matrixArb(m, k), matrixArb(m, k), matrixArb(k, n), vecArb(n), vecArb(m), vecArb(k))),
        ([a, b, c, x, y, xk]) => {
          const sum = sumOperators(denseOperator(a), denseOperator(b), scaleOperator(-0.5, denseOperator(a)));
          const comp = composeOperators(denseOperator(a), denseOperator(c));
          expect(maxAbsDiff(comp.dense(), matmul(a, c))).toBe(0);
          return matchesDense(sum, xk, y, 3 * (a.rows + a.cols), 3) && matchesDense(comp, x, y, (a.cols + 1) * (c.cols + c.rows + 1));
        },
      ),
      { seed: 602, numRuns: 100 },
    );
  });

  test('blockDiagonalOperator with rectangular and empty blocks', () => {
    fc.assert(
      fc.property(
        fc
          .array(
            fc.tuple(dim(4), dim(4)).chain(([m, n]) => matrixArb(m, n)),
            { minLength: 0, maxLength: 4 },
          )
          .chain((blocks) => {
            const rows = blocks.reduce((s, b) => s + b.rows, 0);
            const cols = blocks.reduce((s, b) => s + b.cols, 0);
            return fc.tuple(fc.constant(blocks), vecArb(cols), vecArb(rows));
          }),
        ([blocks, x, y]) => {
          const op = blockDiagonalOperator(blocks.map(denseOperator));
          const d = op.dense();
          // off-block entries are zero, blocks sit on the diagonal
          let r = 0;
          let c = 0;
          for (const b of blocks) {
            for (let i = 0; i < b.rows; i++) for (let j = 0; j < b.cols; j++) if (d.get(r + i, c + j) !== b.get(i, j)) return false;
            r += b.rows;
            c += b.cols;
          }
          return matchesDense(op, x, y, 8);
        },
      ),
      { seed: 603, numRuns: 100 },
    );
  });

  test('diagonalOperator and lowRankOperator', () => {
    fc.assert(
      fc.property(
        fc.tuple(dim(6), dim(4)).chain(([n, k]) => fc.tuple(matrixArb(n, k), vecArb(n), vecArb(n))),
        ([U, x, y]) => {
          const low = lowRankOperator(U);
          expect(maxAbsDiff(low.dense(), matmulNT(U, U))).toBe(0);
          const diag = diagonalOperator(x);
          expect(Array.from(diag.matvec(y))).toEqual(Array.from(x).map((v, i) => v * y[i]));
          return matchesDense(low, x, y, 2 * (U.cols + U.rows), Math.max(1, U.cols));
        },
      ),
      { seed: 604, numRuns: 100 },
    );
  });
});

describe('dampedOperator', () => {
  test('adds lambda I exactly once, however many products are taken (curvlinops PR #156)', () => {
    fc.assert(
      fc.property(
        dim(6, 1).chain((n) => fc.tuple(matrixArb(n, n), vecArb(n))),
        fc.double({ min: 0, max: 2, noNaN: true }),
        ([m, x], lambda) => {
          const base = denseOperator(m);
          const op = dampedOperator(base, lambda);
          const first = op.matvec(x);
          for (let k = 0; k < 3; k++) op.matvec(x);
          expect(op.matvec(x)).toEqual(first);
          expect(base.matvec(x)).toEqual(matvec(m, x)); // the base operator is untouched
          expect(maxAbsDiff(op.dense(), addScaledIdentity(m, lambda))).toBe(0);
          return matchesDense(op, x, x, m.cols + 1, 3);
        },
      ),
      { seed: 605, numRuns: 100 },
    );
  });

  test('a damping applied on every product would be caught by the repeat check', () => {
    let extra = 0;
    const leaky: LinearOperator = {
      shape: [1, 1],
      matvec: (x) => Float64Array.from([x[0] * (1 + (extra += 0.1))]),
      rmatvec: (x) => x,
      dense: () => Matrix.from([[1]]),
    };
    const op = dampedOperator(leaky, 0.1);
    const x = Float64Array.from([1]);
    expect(op.matvec(x)).not.toEqual(op.matvec(x));
  });
});

describe('kroneckerOperator (row-major vec)', () => {
  const kronCase = fc.tuple(dim(4), dim(4), dim(4), dim(4)).chain(([m, n, p, q]) => fc.tuple(matrixArb(m, n), matrixArb(p, q), matrixArb(n, q), vecArb(m * p)));

  test('matvec equals kron(a, b) vecRow(X) and equals vecRow(a X bᵀ); rmatvec equals the transpose', () => {
    fc.assert(
      fc.property(kronCase, ([a, b, X, y]) => {
        const op = kroneckerOperator(a, b);
        expect(op.shape).toEqual([a.rows * b.rows, a.cols * b.cols]);
        expect(maxAbsDiff(op.dense(), kron(a, b))).toBe(0);
        const x = vecRow(X);
        const viaDense = matvec(kron(a, b), x);
        const viaFactors = vecRow(matmulNT(matmul(a, X), b));
        const tol = 4 * gamma(a.cols * b.cols + 2);
        return (
          vecDiffMaxAbs(op.matvec(x), viaDense) <= tol &&
          vecDiffMaxAbs(op.matvec(x), viaFactors) <= tol &&
          matchesDense(op, x, y, a.cols * b.cols + a.rows * b.rows)
        );
      }),
      { seed: 606, numRuns: 200 },
    );
  });

  test('the swapped factor order / column-major convention gives a different answer (curvlinops#182)', () => {
    // a = I + R/8 and b = diag(1, 4, 9, ...) + R'/8: entry ((0,1),(0,1)) is a00 b11 >= 3.39 in
    // kron(a, b) but b00 a11 <= 1.27 in kron(b, a), so the swap must show on e_1.
    const sized = (n: number, diag: (i: number) => number) =>
      matrixArb(n, n).map((r) => {
        const m = new Matrix(n, n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m.data[i * n + j] = r.data[i * n + j] / 8 + (i === j ? diag(i) : 0);
        return m;
      });
    fc.assert(
      fc.property(
        dim(4, 2).chain((n) =>
          fc.tuple(
            sized(n, () => 1),
            sized(n, (i) => (i + 1) ** 2),
            matrixArb(n, n),
          ),
        ),
        ([a, b, X]) => {
          const n = a.rows;
          const tol = 4 * gamma(n * n + 2) * 2 * n;
          // the row-major identity for the operator, the column-major identity for the plain kron
          const x = vecRow(X);
          expect(vecDiffMaxAbs(unvecRow(kroneckerOperator(a, b).matvec(x), n, n).data, matmulNT(matmul(a, X), b).data)).toBeLessThanOrEqual(tol);
          expect(vecDiffMaxAbs(matvec(kron(a, b), vecCol(X)), vecCol(matmulNT(matmul(b, X), a)))).toBeLessThanOrEqual(tol);
          const e1 = new Float64Array(n * n);
          e1[1] = 1;
          return vecDiffMaxAbs(kroneckerOperator(a, b).matvec(e1), matvec(kron(b, a), e1)) >= 2;
        },
      ),
      { seed: 607, numRuns: 100 },
    );
  });

  test('wrong vector length is a NatgradError', () => {
    const op = kroneckerOperator(Matrix.identity(2), Matrix.identity(3));
    expect(() => op.matvec(new Float64Array(5))).toThrow(NatgradError);
    expect(() => op.matvec(new Float64Array(5))).toThrow(/length 5, expected 6/);
  });
});

describe('operator inverses', () => {
  test('inverseDenseSpdOperator is (m + lambda I)⁻¹', () => {
    fc.assert(
      fc.property(
        dim(6).chain((n) => fc.tuple(spdArb(n), vecArb(n))),
        fc.double({ min: 0, max: 1, noNaN: true }),
        ([{ a, n, condBound }, x], lambda) => {
          const inv = inverseDenseSpdOperator(a, lambda);
          const back = add(a, Matrix.diagonal(new Float64Array(n).fill(lambda)));
          const y = inv.matvec(x);
          // residual of a backward-stable solve, relative to ||x||; and dense() is the explicit inverse
          const res = vecDiffMaxAbs(matvec(back, y), x);
          return (
            res <= 16 * (n + 1) * EPS * condBound * Math.max(vecMaxAbs(x), Number.MIN_VALUE) && maxAbsDiff(inv.dense(), new Cholesky(back).inverse()) === 0
          );
        },
      ),
      { seed: 608, numRuns: 100 },
    );
    expect(() =>
      inverseDenseSpdOperator(
        Matrix.from([
          [1, 2],
          [2, 1],
        ]),
      ),
    ).toThrow(/not positive definite/);
  });

  test('kroneckerInverseOperator inverts the damped Kronecker product', () => {
    fc.assert(
      fc.property(
        fc.tuple(dim(4), dim(4)).chain(([n, q]) => fc.tuple(spdArb(n), spdArb(q), vecArb(n * q))),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        ([A, B, x], la, lb) => {
          const inv = kroneckerInverseOperator(A.a, B.a, la, lb);
          const forward = kroneckerOperator(addScaledIdentity(A.a, la), addScaledIdentity(B.a, lb));
          const back = forward.matvec(inv.matvec(x));
          const cond = A.condBound * B.condBound;
          return vecDiffMaxAbs(back, x) <= 32 * (A.n + B.n + 1) * EPS * cond * Math.max(vecMaxAbs(x), Number.MIN_VALUE);
        },
      ),
      { seed: 609, numRuns: 100 },
    );
  });
});

describe('shape errors', () => {
  test('mismatched sums, compositions and non-square damping are refused', () => {
    expect(() => sumOperators(identityOperator(2), identityOperator(3))).toThrow(/operators\[1\].*cannot add a 3 x 3 operator to a 2 x 2 one/);
    expect(() => sumOperators()).toThrow(/at least one operator/);
    expect(() => composeOperators(identityOperator(2), identityOperator(3))).toThrow(/inner dimensions 2 and 3 differ/);
    expect(() => dampedOperator(denseOperator(new Matrix(2, 3)), 1)).toThrow(/square operator, got 2 x 3/);
    expect(() => identityOperator(2).matvec(new Float64Array(3))).toThrow(/length 3, expected 2/);
  });
});
