/**
 * Dense curvature matrices of a conditional model at its parameters: the
 * Fisher (exact expectation over y), the empirical Fisher, the generalized
 * Gauss-Newton and the Hessian of the mean loss, in the parameter order of
 * the oracle contract (per layer, W row-major then b).
 *
 * References: S. Amari, "Natural gradient works efficiently in learning", 1998;
 * N. Schraudolph, "Fast curvature matrix-vector products for second-order
 * gradient descent", 2002; J. Martens, "New insights and perspectives on the
 * natural gradient method", JMLR 2020 (sections 8-9: Fisher = GGN for
 * canonical likelihoods).
 */
import { describeValue, NatgradError } from '../core/errors.js';
import { requireFiniteVector, requirePath, requireResultSize } from '../core/validate.js';
import type { Vec } from '../core/vec.js';
import { Matrix } from '../linalg/matrix.js';
import { add, matmul, matmulTN, scale, symmetrize } from '../linalg/ops.js';
import { type Target, likelihoodModel } from '../models/likelihoods.js';
import {
  type LayerWeights,
  type MlpSpec,
  backward,
  exampleLossAndGradient,
  forward,
  hessianVectorProduct,
  lossAndGradient,
  outputJacobian,
  paramCount,
  paramNames,
  parameterGradient,
  validateData,
  validateMlpSpec,
  validateWeights,
} from '../models/mlp.js';

/**
 * A curvature of a model: the `fisher` (expectation over y exact), the
 * `empirical-fisher` (at the training labels), the generalized Gauss-Newton
 * `ggn`, and the `hessian` of the mean loss.
 */
export type ModelCurvatureKind = 'fisher' | 'empirical-fisher' | 'ggn' | 'hessian';

export const MODEL_CURVATURES: readonly ModelCurvatureKind[] = ['fisher', 'empirical-fisher', 'ggn', 'hessian'];

/** A dense curvature matrix with its parameter names, and the loss and gradient at the same point. */
export interface ModelCurvature {
  /** Names in parameter-vector order: W1[i][j], b1[i], W2[i][j], ... */
  paramNames: string[];
  /** P x P, in parameter-vector order. */
  matrix: Matrix;
  /** (1/N) sum_n -log p(y_n | x_n), constants included */
  loss: number;
  /** gradient of `loss` */
  gradient: Vec;
}

/** Throws a NatgradError naming the JSON path unless the model, weights and data fit together. */
export function validateModelProblem(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  targets: readonly Target[],
  path = 'spec',
): void {
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

/** M (rows r_k) -> (1/N) Mᵀ M: the mean of the outer products of the rows. */
function meanGram(rows: readonly Vec[], P: number, N: number): Matrix {
  const M = new Matrix(rows.length, P);
  rows.forEach((r, k) => M.data.set(r, k * P));
  return symmetrize(scale(1 / N, matmulTN(M, M)));
}

/**
 * The Fisher (1/N) sum_n E_{y ~ p(.|x_n)}[g gᵀ], g = ∇_theta log p(y | x_n), with
 * the expectation exact: E[g gᵀ] = J_nᵀ F_out J_n = (J_nᵀ S)(J_nᵀ S)ᵀ for the
 * square-root factor S of the output Fisher; each column of S is pulled back by
 * one backward pass (for categorical outputs, one per class, weighted by sqrt(p_k)).
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
  const lik = likelihoodModel(spec.likelihood);
  const P = paramCount(spec);
  const rows: Vec[] = [];
  for (const x of inputs) {
    const trace = forward(spec, weights, x);
    const S = lik.fisherSqrt(trace.output);
    for (let r = 0; r < S.cols; r++) {
      const u = Float64Array.from({ length: S.rows }, (_, i) => S.get(i, r));
      rows.push(parameterGradient(spec, trace, backward(spec, weights, trace, u)));
    }
  }
  return meanGram(rows, P, inputs.length);
}

/** The empirical Fisher (1/N) sum_n g_n g_nᵀ, g_n the per-example gradient at the given target (not divided by N). */
export function empiricalFisherMatrix(spec: MlpSpec, weights: readonly LayerWeights[], inputs: readonly Vec[], targets: readonly Target[]): Matrix {
  const rows = inputs.map((x, n) => exampleLossAndGradient(spec, weights, x, targets[n]).gradient);
  return meanGram(rows, paramCount(spec), inputs.length);
}

/** The generalized Gauss-Newton (1/N) sum_n J_nᵀ H_n J_n, H_n the Hessian of -log p(y_n | f) in the output f. */
export function ggnMatrix(spec: MlpSpec, weights: readonly LayerWeights[], inputs: readonly Vec[], targets: readonly Target[]): Matrix {
  const lik = likelihoodModel(spec.likelihood);
  const P = paramCount(spec);
  let G = Matrix.zeros(P, P);
  inputs.forEach((x, n) => {
    const J = outputJacobian(spec, weights, x);
    const f = forward(spec, weights, x).output;
    G = add(G, matmulTN(J, matmul(lik.hessian(f, targets[n]), J)));
  });
  return symmetrize(scale(1 / inputs.length, G));
}

/**
 * The Hessian of the mean loss, column i = H e_i from an exact Hessian-vector
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
  const P = paramCount(spec);
  const H = new Matrix(P, P);
  const e = new Float64Array(P);
  for (let i = 0; i < P; i++) {
    e.fill(0);
    e[i] = 1;
    const col = hessianVectorProduct(spec, weights, inputs, targets, e);
    for (let k = 0; k < P; k++) H.data[k * P + i] = col[k];
  }
  return options.symmetric === false ? H : symmetrize(H);
}

/**
 * The curvature matrix of the oracle contract (kind `fisher` for a model) with
 * the parameter names, the mean loss and its gradient. Validates every input
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
  if (!MODEL_CURVATURES.includes(curvature)) {
    throw new NatgradError(`${path}.curvature`, `must be one of ${MODEL_CURVATURES.join(', ')}, got ${describeValue(curvature)}`);
  }
  requireCurvatureSize(spec, inputs.length, path);
  const { loss, gradient } = lossAndGradient(spec, weights, inputs, targets);
  let matrix: Matrix;
  switch (curvature) {
    case 'fisher': matrix = fisherMatrix(spec, weights, inputs); break;
    case 'empirical-fisher': matrix = empiricalFisherMatrix(spec, weights, inputs, targets); break;
    case 'ggn': matrix = ggnMatrix(spec, weights, inputs, targets); break;
    case 'hessian': matrix = hessianMatrix(spec, weights, inputs, targets); break;
    default:
      throw new NatgradError(`${path}.curvature`, `must be one of ${MODEL_CURVATURES.join(', ')}, got ${JSON.stringify(curvature)}`);
  }
  return { paramNames: paramNames(spec), matrix, loss, gradient };
}
