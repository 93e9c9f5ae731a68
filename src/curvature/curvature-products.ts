/**
 * Matrix-free curvature-vector products of a conditional model, for solvers
 * (conjugate gradient) that never form the P x P matrix: each product costs
 * one batched tangent and backward sweep of the MLP's Sequential form.
 *
 * Reference: N. Schraudolph, "Fast curvature matrix-vector products for
 * second-order gradient descent", Neural Computation 14(7), 2002.
 */
import type { Vec } from '../core/vec.js';
import type { LinearOperator } from '../linalg/linear-operator.js';
import type { Target } from '../models/likelihoods.js';
import { type LayerWeights, type MlpSpec, mlpProblem, paramCount } from '../models/mlp.js';
import { curvatureFactor, curvatureForms, factorOperator } from './model-curvature.js';
import { type ModelCurvatureKind, empiricalFisherMatrix, fisherMatrix, ggnMatrix, hessianMatrix } from './dense-curvature.js';

/** C v for the curvature C of the given kind (same definitions as modelCurvature), without forming C. */
export function curvatureVectorProduct(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  targets: readonly Target[],
  kind: ModelCurvatureKind,
  v: Vec,
): Vec {
  const { model, theta, batch } = mlpProblem(spec, weights, inputs, targets);
  switch (kind) {
    case 'fisher':
      return model.fisherVectorProduct(theta, batch.x, v);
    case 'ggn':
      return model.ggnVectorProduct(theta, batch.x, batch.targets, v);
    case 'hessian':
      return model.hessianVectorProduct(theta, batch.x, batch.targets, v);
    case 'empirical-fisher':
      return factorOperator(curvatureFactor(model, theta, batch, kind)).matvec(v);
  }
}

/** The curvature of a model as a symmetric LinearOperator; dense() builds the exact matrix. */
export function curvatureOperator(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  targets: readonly Target[],
  kind: ModelCurvatureKind,
): LinearOperator {
  const P = paramCount(spec);
  const matvec = (v: Vec) => curvatureVectorProduct(spec, weights, inputs, targets, kind, v);
  return {
    shape: [P, P] as const,
    matvec,
    rmatvec: matvec,
    dense: () => {
      switch (kind) {
        case 'fisher':
          return fisherMatrix(spec, weights, inputs);
        case 'empirical-fisher':
          return empiricalFisherMatrix(spec, weights, inputs, targets);
        case 'ggn':
          return ggnMatrix(spec, weights, inputs, targets);
        case 'hessian':
          return hessianMatrix(spec, weights, inputs, targets);
      }
    },
  };
}

/**
 * The quadratic forms v_iᵀ C v_j of a few vectors for C the Fisher or the
 * generalized Gauss-Newton, c Σ_n (J_n v_i)ᵀ M_n (J_n v_j) (c the reduction's factor), from one
 * forward-mode product J_n v_i per vector and example and no backward pass:
 * cheaper than the k products C v_i when only the forms are needed (the
 * quadratic model of a step).
 */
export function gaussNewtonForms(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  targets: readonly Target[],
  kind: 'fisher' | 'ggn',
  vectors: readonly Vec[],
): number[][] {
  const { model, theta, batch } = mlpProblem(spec, weights, inputs, targets);
  return curvatureForms(model, theta, batch, kind, vectors);
}
