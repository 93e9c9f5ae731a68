/**
 * The low-rank factor's other views and the edges of the top-k eigenpairs:
 * the factor's columns, the default weight 1/N, k = 0 and k below the rank,
 * more factor columns than parameters, a zero and a tiny curvature, and the
 * truncated damped operator against its definition.
 */
import { describe, expect, test } from 'vitest';
import { fisherMatrix } from '../../src/curvature/dense-curvature.js';
import {
  curvatureFactor,
  curvatureFactorColumns,
  eigenpairsOperator,
  factorOperator,
  topEigenpairs,
  truncatedDampedOperators,
} from '../../src/curvature/low-rank.js';
import { eigSymmetric } from '../../src/linalg/eigen-symmetric.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { matmulNT, maxAbs, maxAbsDiff, matvec } from '../../src/linalg/ops.js';
import type { FactoredCurvatureKind } from '../../src/curvature/model-curvature.js';
import { randomProblem } from '../models/fixtures.js';
import { thrownError, thrownLine } from '../natgrad-error.js';

const EPS = 2 ** -52;
const p = randomProblem(1301, { sizes: [2, 3, 2], activations: ['tanh', 'identity'], likelihood: 'categorical', N: 3 });

/** |C q - λ q| for every returned pair, relative to the largest eigenvalue. */
function pairResidual(C: Matrix, pairs: { values: Float64Array; vectors: Matrix }): number {
  let worst = 0;
  for (let i = 0; i < pairs.values.length; i++) {
    const q = Float64Array.from({ length: C.rows }, (_, r) => pairs.vectors.get(r, i));
    const Cq = matvec(C, q);
    for (let r = 0; r < C.rows; r++) worst = Math.max(worst, Math.abs(Cq[r] - pairs.values[i] * q[r]));
  }
  return worst / Math.max(maxAbs(C), Number.MIN_VALUE);
}

describe('the factor', () => {
  test('curvatureFactorColumns are the columns of curvatureFactor’s U, one per back-propagated vector', () => {
    const f = curvatureFactor(p.spec, p.weights, p.inputs, p.targets, 'fisher');
    const cols = curvatureFactorColumns(p.spec, p.weights, p.inputs, p.targets, 'fisher');
    expect(cols.length).toBe(f.U.cols);
    cols.forEach((c, r) => {
      expect(c.length).toBe(f.U.rows);
      for (let i = 0; i < f.U.rows; i++) expect(c[i]).toBe(f.U.get(i, r));
    });
  });

  test('a factor without a weight is the mean: C = U Uᵀ / N', () => {
    const U = Matrix.from([
      [1, 2],
      [3, 4],
    ]);
    expect(factorOperator({ U, N: 4 }).dense().toArray()).toEqual([
      [1.25, 2.75],
      [2.75, 6.25],
    ]);
  });

  test('an unknown kind is refused at `kind`', () => {
    expect(thrownError(() => curvatureFactor(p.spec, p.weights, p.inputs, p.targets, 'hessian' as FactoredCurvatureKind)).path).toBe('kind');
  });
});

describe('top-k eigenpairs', () => {
  const f = curvatureFactor(p.spec, p.weights, p.inputs, p.targets, 'fisher');
  const F = fisherMatrix(p.spec, p.weights, p.inputs);

  test('k = 0 gives no pairs; a negative or fractional k is refused at `rank`', () => {
    const none = topEigenpairs(f, 0);
    expect(none.values.length).toBe(0);
    expect(none.vectors.cols).toBe(0);
    expect(thrownLine(() => topEigenpairs(f, -1))).toBe('rank: must be an integer >= 0, got -1');
    expect(thrownLine(() => topEigenpairs(f, 1.5))).toBe('rank: must be an integer >= 0, got 1.5');
  });

  test('k below the rank gives exactly k pairs, the largest, in descending order', () => {
    const pairs = topEigenpairs(f, 2);
    expect(pairs.values.length).toBe(2);
    expect(pairs.vectors.cols).toBe(2);
    const ref = Array.from(eigSymmetric(F).values).reverse();
    for (let i = 0; i < 2; i++) expect(Math.abs(pairs.values[i] - ref[i])).toBeLessThanOrEqual(1e3 * EPS * ref[0]);
    expect(pairResidual(F, pairs)).toBeLessThanOrEqual(1e3 * EPS);
  });

  test('more factor columns than parameters (R > P): the pairs come from C itself and are eigenpairs of C', () => {
    const q = randomProblem(1302, { sizes: [1, 1], activations: ['identity'], likelihood: 'gaussian', N: 5 });
    const fq = curvatureFactor(q.spec, q.weights, q.inputs, q.targets, 'fisher');
    expect(fq.U.cols).toBeGreaterThan(fq.U.rows);
    const C = fisherMatrix(q.spec, q.weights, q.inputs);
    const pairs = topEigenpairs(fq, 2);
    expect(pairs.values.length).toBe(2);
    expect(pairResidual(C, pairs)).toBeLessThanOrEqual(1e3 * EPS);
    expect(maxAbsDiff(eigenpairsOperator(pairs).dense(), C)).toBeLessThanOrEqual(1e3 * EPS * maxAbs(C));
  });

  test('a zero curvature has no pairs; a tiny one (1e-20) has its pairs', () => {
    expect(topEigenpairs({ U: Matrix.zeros(3, 2), N: 1 }, 2).values.length).toBe(0);
    const tiny = {
      U: new Matrix(
        f.U.rows,
        f.U.cols,
        f.U.data.map((v) => v * 1e-10),
      ),
      N: f.N,
      weight: f.weight,
    };
    const pairs = topEigenpairs(tiny, 2);
    expect(pairs.values.length).toBe(2);
    expect(Math.abs(pairs.values[0] / topEigenpairs(f, 1).values[0] - 1e-20)).toBeLessThanOrEqual(1e-32);
  });

  test('a non-finite factor is refused at `curvature`', () => {
    const U = Matrix.from([[Number.NaN], [1]]);
    expect(thrownError(() => topEigenpairs({ U, N: 1 }, 1)).path).toBe('curvature');
  });

  test('the truncated, damped operator is Q_k Λ_k Q_kᵀ + λ I and its inverse the inverse of that', () => {
    const pairs = topEigenpairs(f, 2);
    const lambda = 0.125;
    const { operator, inverse } = truncatedDampedOperators(pairs, lambda);
    const Q = pairs.vectors;
    const QL = new Matrix(
      Q.rows,
      2,
      Q.data.map((v, i) => v * pairs.values[i % 2]),
    );
    const expected = matmulNT(QL, Q);
    for (let i = 0; i < Q.rows; i++) expected.data[i * Q.rows + i] += lambda;
    const tol = 1e3 * EPS * maxAbs(expected);
    expect(maxAbsDiff(operator.dense(), expected)).toBeLessThanOrEqual(tol);
    // (Q Λ Qᵀ + λ I)⁻¹ = (1/λ)(I - Q diag(λ_i/(λ_i + λ)) Qᵀ)
    const QW = new Matrix(
      Q.rows,
      2,
      Q.data.map((v, i) => v * (pairs.values[i % 2] / (pairs.values[i % 2] + lambda))),
    );
    const inv = matmulNT(QW, Q);
    for (let i = 0; i < inv.data.length; i++) inv.data[i] = -inv.data[i] / lambda;
    for (let i = 0; i < Q.rows; i++) inv.data[i * Q.rows + i] += 1 / lambda;
    expect(maxAbsDiff(inverse.dense(), inv)).toBeLessThanOrEqual(1e3 * EPS * maxAbs(inv));
  });
});
