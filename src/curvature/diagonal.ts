/**
 * The exact diagonal of a curvature of a conditional model, without forming
 * the matrix: for C = (1/N) U Uᵀ, diag(C)_i = (1/N) sum_r U_ir², the mean of
 * per-column squares. For the empirical Fisher that is the mean of squared
 * per-example gradients, not the square of the mean gradient; and neither is
 * the Hessian diagonal (optax#968). The Hessian diagonal is exact here from
 * one Hessian-vector product per parameter (small models, tests).
 *
 * References: Y. LeCun, J. Denker and S. Solla, "Optimal brain damage",
 * NeurIPS 1989 (diagonal curvature); optax issue #968.
 */
import { NatgradError } from '../core/errors.js';
import type { Vec } from '../core/vec.js';
import type { LinearOperator } from '../linalg/linear-operator.js';
import { diagonalOperator } from '../linalg/operators.js';
import type { Target } from '../models/likelihoods.js';
import { type LayerWeights, type MlpSpec, hessianVectorProduct, paramCount } from '../models/mlp.js';
import type { ModelCurvatureKind } from './dense-curvature.js';
import { curvatureFactorColumns } from './low-rank.js';

/** diag(C) for C the curvature of the given kind (definitions of modelCurvature). */
export function curvatureDiagonal(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  targets: readonly Target[],
  kind: ModelCurvatureKind,
): Vec {
  const P = paramCount(spec);
  const d = new Float64Array(P);
  if (kind === 'hessian') {
    const e = new Float64Array(P);
    for (let i = 0; i < P; i++) {
      e.fill(0);
      e[i] = 1;
      d[i] = hessianVectorProduct(spec, weights, inputs, targets, e)[i];
    }
    return d;
  }
  if (kind !== 'fisher' && kind !== 'empirical-fisher' && kind !== 'ggn') {
    throw new NatgradError('kind', `must be one of fisher, empirical-fisher, ggn, hessian, got ${JSON.stringify(kind)}`);
  }
  for (const u of curvatureFactorColumns(spec, weights, inputs, targets, kind)) for (let i = 0; i < P; i++) d[i] += u[i] * u[i];
  for (let i = 0; i < P; i++) d[i] /= inputs.length;
  return d;
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
