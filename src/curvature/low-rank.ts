/**
 * Low-rank curvature: every Fisher-type matrix of a conditional model is a
 * sum of outer products, C = c U Uᵀ (c the loss's reduction factor, 1/N for the mean), with one column of U per example
 * (empirical Fisher, Monte Carlo Fisher) or per example and output direction
 * (exact Fisher, GGN). The factor gives C as an O(P R) operator, its top-k
 * eigenpairs through the small R x R Gram matrix, and (C + λ I)⁻¹ by the
 * Woodbury identity with an R x R factorization only.
 *
 * References: N. Le Roux, P.-A. Manzagol and Y. Bengio, "Topmoumoute online
 * natural gradient algorithm", NeurIPS 2007 (low-rank Fisher); J. Martens,
 * "New insights and perspectives on the natural gradient method", JMLR 2020.
 */
import { NatgradError } from '../core/errors.js';
import { requireOneOf } from '../core/validate.js';
import type { Vec } from '../core/vec.js';
import { eigSymmetric } from '../linalg/eigen-symmetric.js';
import type { LinearOperator } from '../linalg/linear-operator.js';
import { Matrix } from '../linalg/matrix.js';
import { matmulNT, matmulTN, matvec, transpose } from '../linalg/ops.js';
import { dampedOperator, lowRankOperator } from '../linalg/operators.js';
import { lowRankPlusDampingInverse } from '../linalg/woodbury.js';
import type { Target } from '../models/likelihoods.js';
import { type LayerWeights, type MlpSpec, mlpProblem } from '../models/mlp.js';
import { FACTORED_CURVATURES, type FactoredCurvatureKind, curvatureFactor as curvatureFactorRows } from './model-curvature.js';

export { FACTORED_CURVATURES, type FactoredCurvatureKind };

/** C = c U Uᵀ: U is P x R (R columns), N the number of examples, c the reduction's factor (1/N, the mean, when absent). */
export interface CurvatureFactor {
  U: Matrix;
  N: number;
  weight?: number;
}

/** The matrix whose columns are the given vectors. */
export function columnsToMatrix(cols: readonly Vec[], rows: number): Matrix {
  const M = new Matrix(rows, cols.length);
  cols.forEach((c, r) => {
    for (let i = 0; i < rows; i++) M.data[i * cols.length + r] = c[i];
  });
  return M;
}

/**
 * The factor U of a curvature, C = c U Uᵀ, each column one back-propagated vector:
 * * fisher: J_nᵀ s_r for the columns s_r of the output Fisher's square root (exact expectation over y);
 * * empirical-fisher: the per-example gradient g_n at the training target;
 * * ggn: J_nᵀ s_r for a square root of the output Hessian at the target.
 * For the canonical likelihoods fisher and ggn coincide.
 */
export function curvatureFactorColumns(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  targets: readonly Target[],
  kind: FactoredCurvatureKind,
): Vec[] {
  const { U } = batchedFactor(spec, weights, inputs, targets, kind);
  return Array.from({ length: U.rows }, (_, r) => U.data.slice(r * U.cols, (r + 1) * U.cols));
}

/** The factor from one batched backward pass of the MLP's Sequential form (rows are the columns of U here). */
function batchedFactor(spec: MlpSpec, weights: readonly LayerWeights[], inputs: readonly Vec[], targets: readonly Target[], kind: FactoredCurvatureKind) {
  requireOneOf(kind, FACTORED_CURVATURES, 'kind');
  const { model, theta, batch } = mlpProblem(spec, weights, inputs, targets);
  return curvatureFactorRows(model, theta, batch, kind);
}

/** The factor of curvatureFactorColumns as a P x R matrix, with N and the reduction's weight c (C = c U Uᵀ). */
export function curvatureFactor(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  targets: readonly Target[],
  kind: FactoredCurvatureKind,
): CurvatureFactor {
  const { U, weight } = batchedFactor(spec, weights, inputs, targets, kind);
  return { U: transpose(U), N: inputs.length, weight };
}

/** U sqrt(c) (c = 1/N unless the factor says), so that C = V Vᵀ. */
export function scaledFactor({ U, N, weight }: CurvatureFactor): Matrix {
  const s = Math.sqrt(weight ?? 1 / N);
  return new Matrix(
    U.rows,
    U.cols,
    U.data.map((v) => v * s),
  );
}

/** C = c U Uᵀ as an operator, O(P R) per product. */
export function factorOperator(factor: CurvatureFactor): LinearOperator {
  return lowRankOperator(scaledFactor(factor));
}

/** (C + λ I)⁻¹ = (c U Uᵀ + λ I)⁻¹ by Woodbury (an R x R Cholesky); λ > 0. */
export function factorDampedInverse(factor: CurvatureFactor, damping: number): LinearOperator {
  return lowRankPlusDampingInverse(scaledFactor(factor), damping);
}

/** The top k eigenpairs of C = V Vᵀ, eigenvalues descending, eigenvectors as the columns of a P x k matrix. */
export interface TopEigenpairs {
  values: Float64Array;
  vectors: Matrix;
}

/**
 * Top-k eigenpairs of C = V Vᵀ (V = U/sqrt(N), P x R). When R <= P they come
 * from the R x R Gram matrix VᵀV = W diag(μ) Wᵀ: C (V w) = μ (V w), so
 * q = V w / sqrt(μ). Otherwise from C itself. Eigenvalues <= 0 (rank
 * deficiency, round-off) are never returned, so fewer than k pairs may come back.
 */
export function topEigenpairs(factor: CurvatureFactor, k: number): TopEigenpairs {
  if (!(Number.isInteger(k) && k >= 0)) throw new NatgradError('rank', `must be an integer >= 0, got ${k}`);
  const V = scaledFactor(factor);
  const P = V.rows;
  const R = V.cols;
  const useGram = R <= P;
  const e = eigSymmetric(useGram ? matmulTN(V, V) : matmulNT(V, V), 'curvature');
  const dim = e.values.length;
  let top = 0;
  for (const v of e.values) top = Math.max(top, Math.abs(v));
  // Pairs at round-off level carry no direction (V w / sqrt(μ) would be noise).
  const cut = dim * 2 ** -52 * top;
  const values: number[] = [];
  const cols: Vec[] = [];
  for (let i = dim - 1; i >= 0 && values.length < k; i--) {
    const mu = e.values[i];
    if (!(mu > cut)) break;
    const w = Float64Array.from({ length: dim }, (_, j) => e.vectors.get(j, i));
    if (useGram) {
      const q = matvec(V, w);
      const s = 1 / Math.sqrt(mu);
      for (let j = 0; j < P; j++) q[j] *= s;
      cols.push(q);
    } else {
      cols.push(w);
    }
    values.push(mu);
  }
  return { values: Float64Array.from(values), vectors: columnsToMatrix(cols, P) };
}

/** Q diag(values) Qᵀ from eigenpairs, as the low-rank operator (Q diag(sqrt values))(...)ᵀ. */
export function eigenpairsOperator({ values, vectors }: TopEigenpairs): LinearOperator {
  const k = values.length;
  const B = new Matrix(vectors.rows, k);
  for (let i = 0; i < vectors.rows; i++) for (let j = 0; j < k; j++) B.data[i * k + j] = vectors.data[i * k + j] * Math.sqrt(values[j]);
  return lowRankOperator(B);
}

/**
 * The rank-k truncation of C plus damping, Q_k Λ_k Q_kᵀ + λ I, and its inverse by Woodbury:
 * (Q_k Λ_k Q_kᵀ + λ I)⁻¹ = (1/λ)(I - Q_k diag(λ_i/(λ_i + λ)) Q_kᵀ).
 */
export function truncatedDampedOperators(pairs: TopEigenpairs, damping: number): { operator: LinearOperator; inverse: LinearOperator } {
  const { values, vectors } = pairs;
  const k = values.length;
  const B = new Matrix(vectors.rows, k);
  for (let i = 0; i < vectors.rows; i++) for (let j = 0; j < k; j++) B.data[i * k + j] = vectors.data[i * k + j] * Math.sqrt(values[j]);
  return { operator: dampedOperator(lowRankOperator(B), damping), inverse: lowRankPlusDampingInverse(B, damping) };
}
