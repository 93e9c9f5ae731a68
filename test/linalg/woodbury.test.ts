import fc from 'fast-check';
import { expect, test } from 'vitest';
import { Cholesky } from '../../src/linalg/cholesky.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { addScaledIdentity, frobeniusNorm, matmulNT, matvec, maxAbsDiff } from '../../src/linalg/ops.js';
import { lowRankPlusDampingInverse, lowRankPlusDampingSolve } from '../../src/linalg/woodbury.js';
import { dim, EPS, matrixArb, vecArb, vecDiffMaxAbs, vecMaxAbs } from './arbitraries.js';

/** U of shape n x k (k may exceed n or be 0), damping in [0.05, 2]. */
const woodburyCase = fc.tuple(dim(8), dim(6)).chain(([n, k]) => fc.tuple(matrixArb(n, k), vecArb(n), fc.double({ min: 0.05, max: 2, noNaN: true })));

test('Woodbury inverse equals the dense inverse of lambda I + U Uᵀ to cond n eps', () => {
  fc.assert(
    fc.property(woodburyCase, ([U, b, lambda]) => {
      const n = U.rows;
      const dense = addScaledIdentity(matmulNT(U, U), lambda);
      const ref = new Cholesky(dense).inverse();
      const op = lowRankPlusDampingInverse(U, lambda);
      // cond(lambda I + U Uᵀ) <= (lambda + ||U||_F²) / lambda; the Woodbury subtraction loses that factor too
      const cond = (lambda + frobeniusNorm(U) ** 2) / lambda;
      const tol = (32 * (n + U.cols + 1) * EPS * cond) / lambda;
      expect(maxAbsDiff(op.dense(), ref)).toBeLessThanOrEqual(tol);
      const x = lowRankPlusDampingSolve(U, lambda, b);
      expect(vecDiffMaxAbs(x, matvec(ref, b))).toBeLessThanOrEqual(tol * Math.max(vecMaxAbs(b), 1e-300) * Math.max(n, 1));
      // and it really inverts: (lambda I + U Uᵀ) x = b
      return vecDiffMaxAbs(matvec(dense, x), b) <= tol * lambda * cond * Math.max(vecMaxAbs(b), 1e-300) * Math.max(n, 1);
    }),
    { seed: 801, numRuns: 200 },
  );
});

test('the comparison catches a wrong damping (lambda applied twice)', () => {
  const U = Matrix.from([
    [1, 0],
    [1, 1],
    [0, 2],
  ]);
  const ref = new Cholesky(addScaledIdentity(matmulNT(U, U), 0.5)).inverse();
  expect(maxAbsDiff(lowRankPlusDampingInverse(U, 1).dense(), ref)).toBeGreaterThan(0.05);
  expect(maxAbsDiff(lowRankPlusDampingInverse(U, 0.5).dense(), ref)).toBeLessThan(1e-13);
});

test('lambda must be positive', () => {
  expect(() => lowRankPlusDampingInverse(new Matrix(3, 1), 0)).toThrow(/must be a finite number > 0 \(the damping/);
  expect(() => lowRankPlusDampingInverse(new Matrix(3, 1), NaN)).toThrow(/lambda/);
});
