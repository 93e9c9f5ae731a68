/**
 * Output likelihoods of a conditional model p(y | f), f the network output.
 * All four are canonical: f is the natural parameter (logits, one logit, the
 * mean of a normal with a fixed covariance), so the Hessian of -log p in f
 * does not depend on y and equals the Fisher of the output distribution.
 *
 * `mse` is PyTorch's nn.MSELoss term ||y - f||² (no factor 1/2, no constants):
 * as a distribution, the normal with covariance I/2, whose -log p is that term
 * up to a constant; its gradient 2(f - y), Hessian and Fisher 2I, and samples
 * f + N(0, I/2) follow.
 */
import type { Rng } from '../core/rng.js';
import type { Vec } from '../core/vec.js';
import { Matrix } from '../linalg/matrix.js';
import { sigmoid, softplus } from './activations.js';

/**
 * The output distribution of a model: `categorical` (softmax of the logits,
 * targets are class indices), `bernoulli` (one logit, targets 0 or 1),
 * `gaussian` (mean, unit variance, targets are vectors), `mse` (the squared
 * error ||y - f||², a normal of covariance I/2, targets are vectors).
 */
export type Likelihood = 'categorical' | 'bernoulli' | 'gaussian' | 'mse';

export const LIKELIHOODS: readonly Likelihood[] = ['categorical', 'bernoulli', 'gaussian', 'mse'];

/** A class index (categorical), 0 or 1 (bernoulli), or a vector of length D (gaussian). */
export type Target = number | Float64Array;

/** One outcome of a discrete output distribution with its probability. */
export interface WeightedTarget {
  target: Target;
  probability: number;
}

export interface LikelihoodModel {
  readonly name: Likelihood;
  /** True when a target is a vector of the output size (gaussian, mse), false for a class or 0/1. */
  readonly vectorTargets: boolean;
  /**
   * The entries one prediction of size D counts as in PyTorch's
   * reduction='mean': D for nn.MSELoss (a mean over elements), 1 for the
   * losses that are one number per prediction.
   */
  elementsPerPrediction(D: number): number;
  /** Why an output dimension D is not allowed, or null. */
  outputSizeViolation(D: number): string | null;
  /** Why `target` is not a valid outcome for output dimension D, or null. */
  targetViolation(target: unknown, D: number): string | null;
  /** -log p(y | f), constants included. */
  negLogLik(f: Vec, y: Target): number;
  /** d(-log p(y | f))/df. */
  gradient(f: Vec, y: Target): Vec;
  /** d²(-log p(y | f))/df², D x D. */
  hessian(f: Vec, y: Target): Matrix;
  /** E_{y ~ p(.|f)}[∇_f log p ∇_f log pᵀ], D x D. */
  fisher(f: Vec): Matrix;
  /**
   * S (D x R) with S Sᵀ = fisher(f), each column a gradient weighted by the
   * square root of its probability where the outcome space is finite, so
   * Jᵀ S gives the exact Fisher in parameter space without sampling.
   */
  fisherSqrt(f: Vec): Matrix;
  /** A draw y ~ p(. | f). */
  sample(rng: Rng, f: Vec): Target;
  /** Every outcome with its probability for a finite outcome space, null otherwise. */
  support(f: Vec): WeightedTarget[] | null;
}

/** Softmax, shifted by the maximum so no exponential overflows. */
export function softmax(f: ArrayLike<number>): Vec {
  let m = -Infinity;
  for (let i = 0; i < f.length; i++) if (f[i] > m) m = f[i];
  const p = new Float64Array(f.length);
  let z = 0;
  for (let i = 0; i < f.length; i++) {
    p[i] = Math.exp(f[i] - m);
    z += p[i];
  }
  for (let i = 0; i < f.length; i++) p[i] /= z;
  return p;
}

/** log sum_k exp(f_k), shifted by the maximum. */
export function logSumExp(f: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < f.length; i++) if (f[i] > m) m = f[i];
  let z = 0;
  for (let i = 0; i < f.length; i++) z += Math.exp(f[i] - m);
  return m + Math.log(z);
}

function describe(value: unknown): string {
  if (value instanceof Float64Array || Array.isArray(value)) return `an array of length ${value.length}`;
  return typeof value === 'number' ? String(value) : typeof value;
}

const one = (): number => 1;

const categorical: LikelihoodModel = {
  name: 'categorical',
  vectorTargets: false,
  elementsPerPrediction: one,
  outputSizeViolation: (D) => (D >= 1 ? null : `categorical needs at least one output (a logit per class), got ${D}`),
  targetViolation: (y, D) =>
    typeof y === 'number' && Number.isInteger(y) && y >= 0 && y < D ? null : `must be a class index, an integer in 0..${D - 1}, got ${describe(y)}`,
  negLogLik: (f, y) => logSumExp(f) - f[y as number],
  gradient: (f, y) => {
    const g = softmax(f);
    g[y as number] -= 1;
    return g;
  },
  hessian: (f) => categoricalFisher(softmax(f)),
  fisher: (f) => categoricalFisher(softmax(f)),
  fisherSqrt: (f) => {
    // Column k is sqrt(p_k) (p - e_k): sum_k p_k (p - e_k)(p - e_k)ᵀ = diag(p) - p pᵀ.
    const p = softmax(f);
    const K = p.length;
    const S = new Matrix(K, K);
    for (let k = 0; k < K; k++) {
      const w = Math.sqrt(p[k]);
      for (let i = 0; i < K; i++) S.data[i * K + k] = w * (p[i] - (i === k ? 1 : 0));
    }
    return S;
  },
  sample: (rng, f) => {
    const p = softmax(f);
    const u = rng.uniform();
    let c = 0;
    for (let k = 0; k < p.length; k++) {
      c += p[k];
      if (u < c) return k;
    }
    return p.length - 1;
  },
  support: (f) => Array.from(softmax(f), (probability, k) => ({ target: k, probability })),
};

/** diag(p) - p pᵀ, the covariance of the one-hot outcome. */
function categoricalFisher(p: Vec): Matrix {
  const K = p.length;
  const F = new Matrix(K, K);
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < K; j++) F.data[i * K + j] = (i === j ? p[i] : 0) - p[i] * p[j];
  }
  return F;
}

/** sigma(f)(1 - sigma(f)) as sigma(f) sigma(-f), accurate for large |f|. */
const bernoulliVariance = (f: number): number => sigmoid(f) * sigmoid(-f);

const bernoulli: LikelihoodModel = {
  name: 'bernoulli',
  vectorTargets: false,
  elementsPerPrediction: one,
  outputSizeViolation: (D) => (D === 1 ? null : `bernoulli needs exactly one output (a logit), got ${D}`),
  targetViolation: (y) => (y === 0 || y === 1 ? null : `must be 0 or 1, got ${describe(y)}`),
  // -log p = -y log sigma(f) - (1 - y) log sigma(-f) = softplus(f) - y f.
  negLogLik: (f, y) => softplus(f[0]) - (y as number) * f[0],
  gradient: (f, y) => Float64Array.of(sigmoid(f[0]) - (y as number)),
  hessian: (f) => Matrix.from([[bernoulliVariance(f[0])]]),
  fisher: (f) => Matrix.from([[bernoulliVariance(f[0])]]),
  fisherSqrt: (f) => Matrix.from([[Math.sqrt(bernoulliVariance(f[0]))]]),
  sample: (rng, f) => (rng.uniform() < sigmoid(f[0]) ? 1 : 0),
  support: (f) => [
    { target: 0, probability: sigmoid(-f[0]) },
    { target: 1, probability: sigmoid(f[0]) },
  ],
};

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

function vectorTargetViolation(y: unknown, D: number): string | null {
  if (!(y instanceof Float64Array)) return `must be an array of ${D} numbers, got ${describe(y)}`;
  if (y.length !== D) return `must have length ${D} (the output size), got ${y.length}`;
  for (let i = 0; i < D; i++) if (!Number.isFinite(y[i])) return `entry ${i} must be finite, got ${y[i]}`;
  return null;
}

/** sum_i (t_i - f_i)², the squared error of gaussian and mse. */
function squaredError(f: Vec, t: Float64Array): number {
  let r = 0;
  for (let i = 0; i < f.length; i++) r += (t[i] - f[i]) ** 2;
  return r;
}

/** c (f - t). */
function scaledResidual(f: Vec, t: Float64Array, c: number): Float64Array {
  const g = new Float64Array(f.length);
  for (let i = 0; i < f.length; i++) g[i] = c * (f[i] - t[i]);
  return g;
}

/** f + s ε with ε standard normal per entry. */
function normalAround(rng: Rng, f: Vec, s: number): Float64Array {
  const y = new Float64Array(f.length);
  for (let i = 0; i < f.length; i++) y[i] = f[i] + s * rng.normal();
  return y;
}

/** c I, D x D. */
function scaledIdentity(D: number, c: number): Matrix {
  const M = Matrix.identity(D);
  for (let i = 0; i < D; i++) M.data[i * D + i] = c;
  return M;
}

const gaussian: LikelihoodModel = {
  name: 'gaussian',
  vectorTargets: true,
  elementsPerPrediction: one,
  outputSizeViolation: (D) => (D >= 1 ? null : `gaussian needs at least one output (the mean), got ${D}`),
  targetViolation: vectorTargetViolation,
  negLogLik: (f, y) => f.length * HALF_LOG_2PI + 0.5 * squaredError(f, y as Float64Array),
  gradient: (f, y) => scaledResidual(f, y as Float64Array, 1),
  hessian: (f) => Matrix.identity(f.length),
  fisher: (f) => Matrix.identity(f.length),
  fisherSqrt: (f) => Matrix.identity(f.length),
  sample: (rng, f) => normalAround(rng, f, 1),
  support: () => null,
};

const mse: LikelihoodModel = {
  name: 'mse',
  vectorTargets: true,
  elementsPerPrediction: (D) => D,
  outputSizeViolation: (D) => (D >= 1 ? null : `mse needs at least one output (the prediction), got ${D}`),
  targetViolation: vectorTargetViolation,
  negLogLik: (f, y) => squaredError(f, y as Float64Array),
  gradient: (f, y) => scaledResidual(f, y as Float64Array, 2),
  hessian: (f) => scaledIdentity(f.length, 2),
  fisher: (f) => scaledIdentity(f.length, 2),
  fisherSqrt: (f) => scaledIdentity(f.length, Math.SQRT2),
  sample: (rng, f) => normalAround(rng, f, Math.SQRT1_2),
  support: () => null,
};

const MODELS: Record<Likelihood, LikelihoodModel> = { categorical, bernoulli, gaussian, mse };

/** True when `name` is one of the supported likelihoods. */
export function isLikelihood(name: unknown): name is Likelihood {
  return typeof name === 'string' && (LIKELIHOODS as readonly string[]).includes(name);
}

/** The likelihood model of a given name. */
export function likelihoodModel(name: Likelihood): LikelihoodModel {
  return MODELS[name];
}
