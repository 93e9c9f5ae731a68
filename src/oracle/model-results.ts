/**
 * The results of model specs, each one library call on the spec's model:
 * its likelihood (`mse` is the library's nn.MSELoss likelihood) and its
 * `reduction` travel with the model, so every loss, gradient, curvature,
 * K-FAC factor, EKFAC block and Monte Carlo moment comes out of the library
 * already of the loss the spec states; nothing is rescaled here. Damped
 * solves are taken on those matrices, so damping means the same number in
 * every convention. The kinds that only exist for models are here too:
 * `diagonal`, `per-example-gradients`, `ekfac`, separate-bias K-FAC and the
 * Monte Carlo results with their standard errors. A `ModelNetwork` is an
 * mlp or a sequential model; only the parameter names differ.
 */
import { type ModelCurvatureKind, validateModelProblem } from '../curvature/dense-curvature.js';
import { ekfacResult as libraryEkfacResult } from '../curvature/ekfac.js';
import { type KfacDampingScheme, type KfacFactors, blockMatrix, kfacFactors, kfacResult as libraryKfacResult } from '../curvature/kfac.js';
import { curvatureMatrix, perExampleGradients } from '../curvature/model-curvature.js';
import { monteCarloFisherMoments } from '../curvature/monte-carlo-fisher.js';
import type { Matrix } from '../linalg/matrix.js';
import { dampedSolve } from '../linalg/solve.js';
import { mlpProblem, paramNames } from '../models/mlp.js';
import type { Batch, Sequential } from '../models/sequential.js';
import type { Vec } from '../core/vec.js';
import type { ModelProblem } from './model-spec.js';

/** A validated model problem in the library's batched form, with the names of its parameters. */
export interface ModelNetwork {
  model: Sequential;
  theta: Vec;
  batch: Batch;
  paramNames: () => string[];
}

/** The network of an mlp spec (validated again with the spec's paths). */
export function mlpNetwork(problem: ModelProblem, path: string): ModelNetwork {
  const { spec, weights, inputs, targets } = problem;
  validateModelProblem(spec, weights, inputs, targets, path);
  return { ...mlpProblem(spec, weights, inputs, targets), paramNames: () => paramNames(spec) };
}

/** The network of a sequential spec. */
export function sequentialNetwork(problem: { model: Sequential; theta: Vec; batch: Batch }): ModelNetwork {
  return { ...problem, paramNames: () => problem.model.paramNames() };
}

/** The loss and its gradient. */
function lossAndGradient(net: ModelNetwork): { loss: number; gradient: Float64Array } {
  const { loss, gradient } = net.model.lossAndGradient(net.theta, net.batch.x, net.batch.targets);
  return { loss, gradient };
}

/** A dense curvature with the loss and gradient, all of the reduced loss. */
export interface ScaledCurvature {
  paramNames: string[];
  matrix: Matrix;
  loss: number;
  gradient: Float64Array;
}

/** The dense curvature of a model spec with its loss and gradient. */
export function curvatureResult(net: ModelNetwork, kind: ModelCurvatureKind): ScaledCurvature {
  return { paramNames: net.paramNames(), matrix: curvatureMatrix(net.model, net.theta, net.batch, kind), ...lossAndGradient(net) };
}

/** The loss gradient. */
export function lossGradient(net: ModelNetwork): Float64Array {
  return lossAndGradient(net).gradient;
}

/** The Monte Carlo Fisher's expectation and standard error (dense), with the loss and gradient. */
export function monteCarloCurvature(net: ModelNetwork, samples: number): ScaledCurvature & { standardError: Matrix } {
  const m = monteCarloFisherMoments(net.model, net.theta, net.batch, samples);
  return { paramNames: net.paramNames(), matrix: m.value, standardError: m.standardError, ...lossAndGradient(net) };
}

const diagonalOf = (M: Matrix): number[] => Array.from({ length: M.rows }, (_, i) => M.data[i * M.cols + i]);

/**
 * The diagonal of a curvature (exact, or the Monte Carlo Fisher's expectation
 * with its standard errors), with the loss and gradient: taken from the same
 * dense matrices as the `fisher` kind, so the two kinds agree to the last bit.
 */
export function diagonalResult(
  net: ModelNetwork,
  kind: ModelCurvatureKind,
  samples: number | null,
): { paramNames: string[]; diagonal: number[]; standardError?: number[]; loss: number; gradient: number[] } {
  if (samples !== null) {
    const m = monteCarloCurvature(net, samples);
    return {
      paramNames: m.paramNames,
      diagonal: diagonalOf(m.matrix),
      standardError: diagonalOf(m.standardError),
      loss: m.loss,
      gradient: Array.from(m.gradient),
    };
  }
  const c = curvatureResult(net, kind);
  return { paramNames: c.paramNames, diagonal: diagonalOf(c.matrix), loss: c.loss, gradient: Array.from(c.gradient) };
}

/** K-FAC factors of every weight matrix: A an average over examples, G with the whole reduction factor. */
export function kfacFactorLayers(
  net: ModelNetwork,
  fisher: 'fisher' | 'empirical-fisher',
  approximation: 'expand' | 'reduce' = 'expand',
): { loss: number; layers: KfacFactors[] } {
  const set = kfacFactors(net.model, net.theta, net.batch, { fisher, approximation });
  return { loss: set.loss, layers: set.blocks.map((b) => ({ A: b.A, G: b.G, gradient: blockMatrix(b, set.gradient as Vec) })) };
}

const rows = (M: Matrix): number[][] => M.toArray();

export type KfacLayerJson =
  | { A: number[][]; G: number[][]; gradient: number[][]; update: number[][] }
  | { A: number[][]; G: number[][]; gradient: number[][]; update: number[][]; biasGradient: number[]; biasUpdate: number[] }
  | { A: number[][]; G: number[][]; gradient: number[][]; standardError: { G: number[][] } }
  | { A: number[][]; G: number[][]; gradient: number[][]; biasGradient: number[]; standardError: { G: number[][] } };

export interface KfacRequest {
  fisher: 'fisher' | 'empirical-fisher';
  samples: number | null;
  damping: number;
  scheme: KfacDampingScheme;
  bias: 'joint' | 'separate';
  approximation?: 'expand' | 'reduce';
}

/** The `kfac` result layers: joint or separate bias, exact or Monte Carlo (G its expectation, with standard errors, no update). */
export function kfacResult(net: ModelNetwork, r: KfacRequest): { loss: number; layers: KfacLayerJson[] } {
  const monteCarlo = r.samples !== null;
  const k = libraryKfacResult(net.model, net.theta, net.batch, {
    fisher: monteCarlo ? 'monte-carlo' : r.fisher,
    samples: r.samples ?? 1,
    bias: r.bias,
    approximation: r.approximation ?? 'expand',
    damping: r.damping,
    dampingScheme: r.scheme,
  });
  const layers = k.blocks.map((b): KfacLayerJson => {
    const base = { A: rows(b.A), G: rows(b.G), gradient: rows(b.gradient) };
    const bias = b.biasGradient === null ? null : Array.from(b.biasGradient);
    if (b.standardError) {
      const standardError = { G: rows(b.standardError.G) };
      return bias ? { ...base, biasGradient: bias, standardError } : { ...base, standardError };
    }
    const update = rows(b.update as Matrix);
    return bias ? { ...base, update, biasGradient: bias, biasUpdate: Array.from(b.biasUpdate as Vec) } : { ...base, update };
  });
  return { loss: k.loss, layers };
}

/** The `ekfac` result: per weight matrix the dense block, the gradient and the damped update. */
export function ekfacResult(
  net: ModelNetwork,
  fisher: 'fisher' | 'empirical-fisher',
  damping: number,
  approximation: 'expand' | 'reduce' = 'expand',
): { loss: number; layers: { matrix: number[][]; gradient: number[][]; update: number[][] }[] } {
  const e = libraryEkfacResult(net.model, net.theta, net.batch, { fisher, damping, approximation });
  return { loss: e.loss, layers: e.blocks.map((b) => ({ matrix: rows(b.matrix), gradient: rows(b.gradient), update: rows(b.update) })) };
}

/** Rows n: the gradient of example n's contribution to the reduced loss (they sum to the loss gradient). */
export function perExampleResult(net: ModelNetwork): { paramNames: string[]; gradients: number[][] } {
  return { paramNames: net.paramNames(), gradients: rows(perExampleGradients(net.model, net.theta, net.batch)) };
}

/** The natural gradient of a model: (F + λI)^-1 g with F and g of the reduced loss. */
export function naturalGradientResult(
  net: ModelNetwork,
  kind: ModelCurvatureKind,
  damping: number,
  gradient: Float64Array | null,
): { direction: number[]; matrix: number[][]; singular: boolean } {
  const F = curvatureMatrix(net.model, net.theta, net.batch, kind);
  const { x, singular } = dampedSolve(F, damping, gradient ?? lossGradient(net));
  return { direction: Array.from(x), matrix: rows(F), singular };
}
