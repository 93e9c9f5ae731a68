/**
 * Dense curvature matrices of an MLP at its parameters: the Fisher (exact
 * expectation over y), the empirical Fisher, the generalized Gauss-Newton
 * and the Hessian of the loss under the spec's reduction (the mean by
 * default), in the parameter order of the oracle contract (per layer, W
 * row-major then b). Computed by the batched passes of model-curvature.ts
 * on the MLP's Sequential form.
 *
 * References: S. Amari, "Natural gradient works efficiently in learning", 1998;
 * N. Schraudolph, "Fast curvature matrix-vector products for second-order
 * gradient descent", 2002; J. Martens, "New insights and perspectives on the
 * natural gradient method", JMLR 2020 (sections 8-9: Fisher = GGN for
 * canonical likelihoods).
 */
import { NatgradError } from '../core/errors.js';
import { requireFiniteVector, requireOneOf, requirePath, requireResultSize } from '../core/validate.js';
import type { Vec } from '../core/vec.js';
import type { Matrix } from '../linalg/matrix.js';
import type { Target } from '../models/likelihoods.js';
import {
  type LayerWeights,
  type MlpSpec,
  lossAndGradient,
  mlpProblem,
  paramCount,
  paramNames,
  validateData,
  validateMlpSpec,
  validateWeights,
} from '../models/mlp.js';
import { MODEL_CURVATURES, type ModelCurvatureKind, curvatureMatrix, factorGram, hessianMatrix as modelHessianMatrix } from './model-curvature.js';

export { MODEL_CURVATURES, type ModelCurvatureKind };

/** A dense curvature matrix with its parameter names, and the loss and gradient at the same point. */
export interface ModelCurvature {
  /** Names in parameter-vector order: W1[i][j], b1[i], W2[i][j], ... */
  paramNames: string[];
  /** P x P, in parameter-vector order. */
  matrix: Matrix;
  /** c sum_n -log p(y_n | x_n), constants included (c of the spec's reduction, 1/N by default) */
  loss: number;
  /** gradient of `loss` */
  gradient: Vec;
}

/** Throws a NatgradError naming the JSON path unless the model, weights and data fit together. */
export function validateModelProblem(spec: MlpSpec, weights: readonly LayerWeights[], inputs: readonly Vec[], targets: readonly Target[], path = 'spec'): void {
  validateMlpSpec(spec, `${path}.model`);
  validateWeights(spec, weights, `${path}.weights`);
  validateData(spec, inputs, targets, path);
}

/**
 * Refuses, before any work, a curvature whose P x P matrix, or whose factor
 * of N·D rows (N examples, D outputs) by P columns, exceeds the size limit.
 */
export function requireCurvatureSize(spec: MlpSpec, examples: number, path: string): void {
  const P = paramCount(spec);
  const D = spec.sizes[spec.sizes.length - 1];
  requireResultSize(P * P, `${path}.model.sizes`, `the ${P} x ${P} curvature matrix of this model`);
  requireResultSize(examples * D * P, `${path}.inputs`, `the per-output gradient factor (${examples} inputs x ${D} outputs x ${P} parameters)`);
}

/** The MLP as a Sequential problem (its reduction included), for the batched passes of model-curvature.ts. */
function problemOf(spec: MlpSpec, weights: readonly LayerWeights[], inputs: readonly Vec[], targets: readonly Target[]) {
  return mlpProblem(spec, weights, inputs, targets);
}

/**
 * The Fisher c sum_n E_{y ~ p(.|x_n)}[g gᵀ], g = ∇_theta log p(y | x_n), c
 * the factor of the spec's reduction (1/N by default), with the expectation
 * exact: E[g gᵀ] = J_nᵀ F_out J_n = (J_nᵀ S)(J_nᵀ S)ᵀ for the square-root
 * factor S of the output Fisher; the columns of S of every example are
 * pulled back in one batched backward pass.
 *
 * Exported from the library entry as `modelFisherMatrix`.
 *
 * @example
 * ```ts
 * const F = modelFisherMatrix(spec, weights, inputs); // P x P
 * ```
 */
export function fisherMatrix(spec: MlpSpec, weights: readonly LayerWeights[], inputs: readonly Vec[]): Matrix {
  validateMlpSpec(spec, 'spec');
  validateWeights(spec, weights, 'weights');
  if (!Array.isArray(inputs) || inputs.length < 1) throw new NatgradError('inputs', 'must be a non-empty array of input vectors');
  inputs.forEach((x, n) => requireFiniteVector(x, `inputs[${n}]`, { length: spec.sizes[0], lengthWhat: 'the input width, sizes[0]' }));
  requireCurvatureSize(spec, inputs.length, 'spec');
  const { model, theta, batch } = problemOf(spec, weights, inputs, []);
  const trace = model.forward(theta, batch.x);
  const { rows } = model.loss.fisherSqrtRows(trace.output);
  return factorGram({ U: model.vjpRows(theta, trace, rows), weight: model.scale(inputs.length) });
}

/** The empirical Fisher c sum_n g_n g_nᵀ, g_n the per-example gradient at the given target (not reduced). */
export function empiricalFisherMatrix(spec: MlpSpec, weights: readonly LayerWeights[], inputs: readonly Vec[], targets: readonly Target[]): Matrix {
  const { model, theta, batch } = problemOf(spec, weights, inputs, targets);
  return curvatureMatrix(model, theta, batch, 'empirical-fisher');
}

/** The generalized Gauss-Newton c sum_n J_nᵀ H_n J_n, H_n the Hessian of -log p(y_n | f) in the output f. */
export function ggnMatrix(spec: MlpSpec, weights: readonly LayerWeights[], inputs: readonly Vec[], targets: readonly Target[]): Matrix {
  const { model, theta, batch } = problemOf(spec, weights, inputs, targets);
  return curvatureMatrix(model, theta, batch, 'ggn');
}

/**
 * The Hessian of the loss, column i = H e_i from an exact Hessian-vector
 * product. `symmetric: false` returns the columns as computed (their asymmetry
 * is pure round-off; tests use it); the default averages H and Hᵀ.
 */
export function hessianMatrix(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  targets: readonly Target[],
  options: { symmetric?: boolean } = {},
): Matrix {
  const { model, theta, batch } = problemOf(spec, weights, inputs, targets);
  return modelHessianMatrix(model, theta, batch, options);
}

/**
 * The curvature matrix of the oracle contract (kind `fisher` for a model) with
 * the parameter names, the loss (under the spec's reduction) and its gradient. Validates every input
 * and throws NatgradError with its JSON path below `path`.
 *
 * @example
 * ```ts
 * const { matrix, loss, gradient } = modelCurvature(spec, weights, inputs, targets, 'ggn');
 * ```
 */
export function modelCurvature(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  targets: readonly Target[],
  curvature: ModelCurvatureKind,
  path = 'spec',
): ModelCurvature {
  requirePath(path);
  validateModelProblem(spec, weights, inputs, targets, path);
  requireOneOf(curvature, MODEL_CURVATURES, `${path}.curvature`);
  requireCurvatureSize(spec, inputs.length, path);
  const { loss, gradient } = lossAndGradient(spec, weights, inputs, targets);
  let matrix: Matrix;
  switch (curvature) {
    case 'fisher':
      matrix = fisherMatrix(spec, weights, inputs);
      break;
    case 'empirical-fisher':
      matrix = empiricalFisherMatrix(spec, weights, inputs, targets);
      break;
    case 'ggn':
      matrix = ggnMatrix(spec, weights, inputs, targets);
      break;
    case 'hessian':
      matrix = hessianMatrix(spec, weights, inputs, targets);
      break;
  }
  return { paramNames: paramNames(spec), matrix, loss, gradient };
}
