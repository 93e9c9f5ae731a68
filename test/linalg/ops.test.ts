import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { Matrix } from '../../src/linalg/matrix.js';
import {
  add,
  addScaledIdentity,
  frobeniusNorm,
  isSymmetric,
  kron,
  matmul,
  matmulNT,
  matmulTN,
  matTvec,
  matvec,
  maxAbsDiff,
  norm1,
  normInf,
  outer,
  scale,
  sub,
  symmetrize,
  trace,
  transpose,
  unvecCol,
  unvecRow,
  vecCol,
  vecRow,
} from '../../src/linalg/ops.js';
import { dim, gamma, matrixArb, naiveMatmul, vecArb } from './arbitraries.js';

const triple = fc.tuple(dim(9), dim(9), dim(9));

/** Entrywise |c - ref| <= 2 gamma_k (|a||b|)_ij: both the kernel and the reference carry an inner-product error. */
function withinProductBound(c: Matrix, a: Matrix, b: Matrix): boolean {
  const { c: ref, abs } = naiveMatmul(a, b);
  if (c.rows !== ref.rows || c.cols !== ref.cols) return false;
  const g = 2 * gamma(a.cols);
  for (let i = 0; i < c.data.length; i++) {
    if (!(Math.abs(c.data[i] - ref.data[i]) <= g * abs.data[i])) return false;
  }
  return true;
}

describe('matrix products', () => {
  test('matmul equals the triple loop within the inner-product error bound', () => {
    fc.assert(
      fc.property(
        triple.chain(([m, k, n]) => fc.tuple(matrixArb(m, k), matrixArb(k, n))),
        ([a, b]) => withinProductBound(matmul(a, b), a, b),
      ),
      { seed: 101, numRuns: 200 },
    );
  });

  test('the bound check fails on a product with one wrong entry', () => {
    const a = Matrix.from([
      [1, 2],
      [3, 4],
    ]);
    const b = Matrix.from([
      [5, 6],
      [7, 8],
    ]);
    const c = matmul(a, b);
    expect(withinProductBound(c, a, b)).toBe(true);
    c.data[3] += 1e-12;
    expect(withinProductBound(c, a, b)).toBe(false);
  });

  test('matmulTN(a, b) = transpose(a) b and matmulNT(a, b) = a transpose(b)', () => {
    fc.assert(
      fc.property(
        triple.chain(([m, k, n]) => fc.tuple(matrixArb(k, m), matrixArb(k, n), matrixArb(n, k))),
        ([a, b, c]) => {
          const at = transpose(a);
          const ct = transpose(c);
          return withinProductBound(matmulTN(a, b), at, b) && withinProductBound(matmulNT(at, c), at, ct);
        },
      ),
      { seed: 102, numRuns: 200 },
    );
  });

  test('matvec and matTvec equal products with a one-column matrix', () => {
    fc.assert(
      fc.property(
        fc.tuple(dim(), dim()).chain(([m, n]) => fc.tuple(matrixArb(m, n), vecArb(n), vecArb(m))),
        ([a, x, y]) => {
          const ax = matvec(a, x);
          const aty = matTvec(a, y);
          return (
            withinProductBound(new Matrix(a.rows, 1, ax), a, new Matrix(a.cols, 1, x)) &&
            withinProductBound(new Matrix(a.cols, 1, aty), transpose(a), new Matrix(a.rows, 1, y))
          );
        },
      ),
      { seed: 103, numRuns: 200 },
    );
  });

  test('empty shapes: (m x 0)(0 x n) is the m x n zero matrix', () => {
    const c = matmul(new Matrix(3, 0), new Matrix(0, 2));
    expect([c.rows, c.cols]).toEqual([3, 2]);
    expect(Array.from(c.data)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(matmul(new Matrix(0, 4), new Matrix(4, 0)).data.length).toBe(0);
  });

  test('outer(x, y) is x yᵀ; trace of outer(x, x) is ||x||²', () => {
    const x = Float64Array.from([1, 2, 3]);
    const o = outer(x, Float64Array.from([4, 5]));
    expect(o.toArray()).toEqual([
      [4, 5],
      [8, 10],
      [12, 15],
    ]);
    expect(trace(outer(x, x))).toBe(14);
  });
});

describe('elementwise and structural operations', () => {
  test('add, sub, scale, addScaledIdentity, transpose, symmetrize', () => {
    const a = Matrix.from([
      [1, 2],
      [3, 4],
    ]);
    const b = Matrix.from([
      [10, 20],
      [30, 40],
    ]);
    expect(add(a, b).toArray()).toEqual([
      [11, 22],
      [33, 44],
    ]);
    expect(sub(b, a).toArray()).toEqual([
      [9, 18],
      [27, 36],
    ]);
    expect(scale(2, a).toArray()).toEqual([
      [2, 4],
      [6, 8],
    ]);
    expect(addScaledIdentity(a, 0.5).toArray()).toEqual([
      [1.5, 2],
      [3, 4.5],
    ]);
    expect(a.toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]); // not mutated
    expect(transpose(Matrix.from([[1, 2, 3]])).toArray()).toEqual([[1], [2], [3]]);
    const s = symmetrize(a);
    expect(s.toArray()).toEqual([
      [1, 2.5],
      [2.5, 4],
    ]);
    expect(isSymmetric(s)).toBe(true);
    expect(isSymmetric(a)).toBe(false);
    expect(isSymmetric(new Matrix(2, 3))).toBe(false);
    expect(frobeniusNorm(Matrix.from([[3, 4]]))).toBe(5);
    expect(frobeniusNorm(Matrix.from([[3e200, 4e200]]))).toBeCloseTo(5e200, -190);
    expect(maxAbsDiff(a, b)).toBe(36);
    expect(
      maxAbsDiff(
        a,
        Matrix.from([
          [1, 2],
          [3, NaN],
        ]),
      ),
    ).toBeNaN();
  });

  test('transpose is an involution and (a b)ᵀ = bᵀ aᵀ exactly for the NT/TN kernels', () => {
    fc.assert(
      fc.property(
        fc.tuple(dim(), dim(), dim()).chain(([m, k, n]) => fc.tuple(matrixArb(m, k), matrixArb(k, n))),
        ([a, b]) => {
          expect(transpose(transpose(a)).data).toEqual(a.data);
          // both sides compute the same dot products in the same order
          expect(transpose(matmulNT(a, transpose(b))).data).toEqual(matmulNT(transpose(b), a).data);
        },
      ),
      { seed: 104, numRuns: 100 },
    );
  });

  test('vecRow/unvecRow and vecCol/unvecCol are inverse pairs and differ from each other', () => {
    const a = Matrix.from([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(Array.from(vecRow(a))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(vecCol(a))).toEqual([1, 4, 2, 5, 3, 6]);
    fc.assert(
      fc.property(
        fc.tuple(dim(), dim()).chain(([m, n]) => matrixArb(m, n)),
        (m) => {
          expect(unvecRow(vecRow(m), m.rows, m.cols).data).toEqual(m.data);
          expect(unvecCol(vecCol(m), m.rows, m.cols).data).toEqual(m.data);
        },
      ),
      { seed: 105, numRuns: 100 },
    );
  });

  test('kron follows the standard definition: block (i, j) is a_ij b', () => {
    const a = Matrix.from([
      [1, 2],
      [3, 4],
    ]);
    const b = Matrix.from([[0, 5, 1]]);
    expect(kron(a, b).toArray()).toEqual([
      [0, 5, 1, 0, 10, 2],
      [0, 15, 3, 0, 20, 4],
    ]);
    expect(kron(new Matrix(0, 2), b).rows).toBe(0);
  });

  test('mixed-product property (a ⊗ b)(c ⊗ d) = (a c) ⊗ (b d)', () => {
    fc.assert(
      fc.property(
        fc
          .tuple(dim(3), dim(3), dim(3), dim(3), dim(3), dim(3))
          .chain(([m, k, n, p, l, q]) => fc.tuple(matrixArb(m, k), matrixArb(p, l), matrixArb(k, n), matrixArb(l, q))),
        ([a, b, c, d]) => {
          const left = matmul(kron(a, b), kron(c, d));
          const right = kron(matmul(a, c), matmul(b, d));
          // entries of both sides are sums of k l products of four [-1, 1] numbers
          return maxAbsDiff(left, right) <= 4 * gamma(a.cols * b.cols + 2) * Math.max(1, a.cols * b.cols);
        },
      ),
      { seed: 106, numRuns: 100 },
    );
  });
});

describe('norms', () => {
  test('the 1-norm is the largest column sum and the infinity norm the largest row sum of |a_ij|', () => {
    const a = Matrix.from([
      [1, -7, 0],
      [-2, 3, 4],
    ]);
    expect(norm1(a)).toBe(10);
    expect(normInf(a)).toBe(9);
    expect(normInf(new Matrix(0, 0))).toBe(0);
  });

  test('the infinity norm equals the 1-norm of the transpose bit for bit', () => {
    fc.assert(
      fc.property(
        fc.tuple(dim(9), dim(9)).chain(([r, c]) => matrixArb(r, c)),
        (a) => Object.is(normInf(a), norm1(transpose(a))),
      ),
      { seed: 18, numRuns: 200 },
    );
  });
});

describe('shape errors', () => {
  test('multiplying mismatched shapes names both shapes', () => {
    expect(() => matmul(new Matrix(3, 4), new Matrix(5, 2))).toThrow(NatgradError);
    expect(() => matmul(new Matrix(3, 4), new Matrix(5, 2))).toThrow(/cannot multiply 3 x 4 by 5 x 2/);
    expect(() => matmulTN(new Matrix(3, 4), new Matrix(5, 2))).toThrow(/transpose of 3 x 4 by 5 x 2/);
    expect(() => matmulNT(new Matrix(3, 4), new Matrix(5, 2))).toThrow(/3 x 4 by the transpose of 5 x 2/);
    expect(() => matvec(new Matrix(3, 4), new Float64Array(3))).toThrow(/cannot multiply 3 x 4 by a vector of length 3/);
    expect(() => matTvec(new Matrix(3, 4), new Float64Array(4))).toThrow(/expected length 3/);
    expect(() => add(new Matrix(2, 2), new Matrix(2, 3))).toThrow(/cannot add 2 x 2 and 2 x 3/);
    expect(() => trace(new Matrix(2, 3))).toThrow(/square/);
    expect(() => unvecRow(new Float64Array(5), 2, 3)).toThrow(/length 5 to 2 x 3/);
  });
});
