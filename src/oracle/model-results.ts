/**
 * The results of model specs under their loss convention (reduction, mse):
 * the library computes the version-1 quantities (mean of -log p) and each is
 * rescaled exactly (see conventions.ts); damped solves are taken on the
 * rescaled matrices, so damping means the same number in every convention.
 * Also the kinds that only exist for models: `diagonal`,
 * `per-example-gradients`, `ekfac`, separate-bias K-FAC and the Monte Carlo
 * results with their standard errors.
 */
import { type KfacFactors, kfacFactors, kfacUpdate } from '../curvature/kfac.js';
import { type ModelCurvatureKind, modelCurvature, validateModelProblem } from '../curvature/dense-curvature.js';
import { Matrix } from '../linalg/matrix.js';
import { dampedSolve } from '../linalg/solve.js';
import { lossAndGradient, paramNames, perExampleGradients } from '../models/mlp.js';
import { type ConventionScales, conventionScales, curvatureScale } from './conventions.js';
import { ekfacBlocks } from './ekfac-blocks.js';
import { separateBiasLayer } from './kfac-separate.js';
import type { ModelProblem } from './model-spec.js';
import { monteCarloFisherError, monteCarloKfacGError } from './monte-carlo-error.js';

const scaleMatrix = (M: Matrix, c: number): Matrix => (c === 1 ? M : new Matrix(M.rows, M.cols, M.data.map((x) => c * x)));
const scaleVector = (v: ArrayLike<number>, c: number): Float64Array => Float64Array.from(v, (x) => c * x);

/** The scales of a problem's convention. */
export function scalesOf(problem: ModelProblem): ConventionScales {
  const D = problem.spec.sizes[problem.spec.sizes.length - 1];
  return conventionScales(problem.convention, problem.inputs.length, D);
}

/** A dense curvature with the loss and gradient, all of the reduced loss. */
export interface ScaledCurvature {
  paramNames: string[];
  matrix: Matrix;
  loss: number;
  gradient: Float64Array;
}

/** The dense curvature of a model spec in its convention. */
export function scaledCurvature(problem: ModelProblem, kind: ModelCurvatureKind, path: string): ScaledCurvature {
  const { spec, weights, inputs, targets } = problem;
  const c = modelCurvature(spec, weights, inputs, targets, kind, path);
  const sc = scalesOf(problem);
  return {
    paramNames: c.paramNames,
    matrix: scaleMatrix(c.matrix, curvatureScale(sc, kind)),
    loss: sc.loss(c.loss),
    gradient: scaleVector(c.gradient, sc.curvature),
  };
}

/** The loss gradient in the spec's convention. */
export function scaledLossGradient(problem: ModelProblem): Float64Array {
  const { spec, weights, inputs, targets } = problem;
  return scaleVector(lossAndGradient(spec, weights, inputs, targets).gradient, scalesOf(problem).curvature);
}

/** The Monte Carlo Fisher's expectation and standard error (dense), with the loss and gradient. */
export function monteCarloCurvature(problem: ModelProblem, samples: number, path: string): ScaledCurvature & { standardError: Matrix } {
  const { spec, weights, inputs, targets } = problem;
  validateModelProblem(spec, weights, inputs, targets, path);
  const base = lossAndGradient(spec, weights, inputs, targets);
  const sc = scalesOf(problem);
  const mc = monteCarloFisherError(spec, weights, inputs, sc.reduction / inputs.length, samples, problem.convention.mse);
  return { paramNames: paramNames(spec), matrix: mc.expectation, standardError: mc.standardError, loss: sc.loss(base.loss), gradient: scaleVector(base.gradient, sc.curvature) };
}

/** K-FAC factors in the spec's convention: A an average over examples, G with the whole factor. */
export function scaledKfacFactors(problem: ModelProblem, fisher: 'fisher' | 'empirical-fisher'): { loss: number; layers: KfacFactors[] } {
  const { spec, weights, inputs, targets } = problem;
  const k = kfacFactors(spec, weights, inputs, targets, fisher);
  const sc = scalesOf(problem);
  const g = fisher === 'fisher' ? sc.curvature : sc.empirical;
  return {
    loss: sc.loss(k.loss),
    layers: k.layers.map((f) => ({ A: f.A, G: scaleMatrix(f.G, g), gradient: scaleMatrix(f.gradient, sc.curvature) })),
  };
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
  scheme: 'factored' | 'pi-factored' | 'exact';
  bias: 'joint' | 'separate';
}

/** The `kfac` result layers: joint or separate bias, exact or Monte Carlo. */
export function kfacResult(problem: ModelProblem, r: KfacRequest, path: string): { loss: number; layers: KfacLayerJson[] } {
  const { spec, weights, inputs, targets } = problem;
  validateModelProblem(spec, weights, inputs, targets, path);
  const { loss, layers } = scaledKfacFactors(problem, r.fisher);
  const mc = r.samples === null ? null : monteCarloKfacGError(spec, weights, inputs, scalesOf(problem).reduction / inputs.length, r.samples, problem.convention.mse);
  const out = layers.map((f, l): KfacLayerJson => {
    const hasBias = f.A.rows > weights[l].W.cols;
    const G = mc ? mc[l].expectation : f.G;
    if (r.bias === 'separate' && hasBias) {
      const s = separateBiasLayer({ ...f, G }, r.damping, r.scheme);
      if (mc) return { A: rows(s.A), G: rows(G), gradient: rows(s.gradient), biasGradient: Array.from(s.biasGradient), standardError: { G: rows(mc[l].standardError) } };
      return { A: rows(s.A), G: rows(G), gradient: rows(s.gradient), update: rows(s.update), biasGradient: Array.from(s.biasGradient), biasUpdate: Array.from(s.biasUpdate) };
    }
    if (mc) return { A: rows(f.A), G: rows(G), gradient: rows(f.gradient), standardError: { G: rows(mc[l].standardError) } };
    return { A: rows(f.A), G: rows(G), gradient: rows(f.gradient), update: rows(kfacUpdate(f, r.damping, r.scheme).update) };
  });
  return { loss, layers: out };
}

/** The `ekfac` result: per layer the dense block, the gradient and the damped update. */
export function ekfacResult(problem: ModelProblem, fisher: 'fisher' | 'empirical-fisher', damping: number, path: string): { loss: number; layers: { matrix: number[][]; gradient: number[][]; update: number[][] }[] } {
  validateModelProblem(problem.spec, problem.weights, problem.inputs, problem.targets, path);
  const { loss, layers } = scaledKfacFactors(problem, fisher);
  const sc = scalesOf(problem);
  const blocks = ekfacBlocks(problem, fisher, fisher === 'fisher' ? sc.curvature : sc.empirical, layers, damping);
  return { loss, layers: blocks.map((b, l) => ({ matrix: rows(b.matrix), gradient: rows(layers[l].gradient), update: rows(b.update) })) };
}

/** Rows n: the gradient of example n's contribution to the reduced loss (they sum to the loss gradient). */
export function perExampleResult(problem: ModelProblem, path: string): { paramNames: string[]; gradients: number[][] } {
  const { spec, weights, inputs, targets } = problem;
  validateModelProblem(spec, weights, inputs, targets, path);
  const c = scalesOf(problem).curvature / inputs.length;
  return { paramNames: paramNames(spec), gradients: perExampleGradients(spec, weights, inputs, targets).map((g) => Array.from(g, (x) => c * x)) };
}

/** The natural gradient of a model: (F + λI)^-1 g with F and g of the reduced loss. */
export function naturalGradientResult(problem: ModelProblem, kind: ModelCurvatureKind, damping: number, gradient: Float64Array | null, path: string): { direction: number[]; matrix: number[][]; singular: boolean } {
  const c = scaledCurvature(problem, kind, path);
  const { x, singular } = dampedSolve(c.matrix, damping, gradient ?? c.gradient);
  return { direction: Array.from(x), matrix: rows(c.matrix), singular };
}
