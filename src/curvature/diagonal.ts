/**
 * The exact diagonal of a curvature of a conditional model, without forming
 * the matrix: for C = c U Uᵀ (c the reduction's factor, 1/N for the mean),
 * diag(C)_i = c sum_r U_ir², a reduction of per-column squares. For the empirical Fisher that is the mean of squared
 * per-example gradients, not the square of the mean gradient; and neither is
 * the Hessian diagonal (optax#968). The Hessian diagonal is exact here from
 * one Hessian-vector product per parameter (small models, tests).
 *
 * References: Y. LeCun, J. Denker and S. Solla, "Optimal brain damage",
 * NeurIPS 1989 (diagonal curvature); optax issue #968.
 */
import { requireOneOf } from '../core/validate.js';
import type { Vec } from '../core/vec.js';
import type { LinearOperator } from '../linalg/linear-operator.js';
import { diagonalOperator } from '../linalg/operators.js';
import type { Target } from '../models/likelihoods.js';
import { type LayerWeights, type MlpSpec, mlpProblem } from '../models/mlp.js';
import type { ModelCurvatureKind } from './dense-curvature.js';
import { MODEL_CURVATURES, curvatureDiagonal as modelCurvatureDiagonal } from './model-curvature.js';

/** diag(C) for C the curvature of the given kind (definitions of modelCurvature). */
export function curvatureDiagonal(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  targets: readonly Target[],
  kind: ModelCurvatureKind,
): Vec {
  requireOneOf(kind, MODEL_CURVATURES, 'kind');
  const { model, theta, batch } = mlpProblem(spec, weights, inputs, targets);
  return modelCurvatureDiagonal(model, theta, batch, kind);
}

/** diag(C) as a diagonal LinearOperator. */
export function diagonalCurvatureOperator(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  targets: readonly Target[],
  kind: ModelCurvatureKind,
): LinearOperator {
  return diagonalOperator(curvatureDiagonal(spec, weights, inputs, targets, kind));
}
