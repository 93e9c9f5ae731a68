/**
 * Shared test fixtures: random MLP problems built from a seed, and
 * finite-difference derivatives with an error bound taken from their O(h²)
 * truncation error (estimated by halving h) plus round-off.
 */
import { Rng } from '../../src/core/rng.js';
import type { Vec } from '../../src/core/vec.js';
import type { Activation } from '../../src/models/activations.js';
import type { Likelihood, Target } from '../../src/models/likelihoods.js';
import { likelihoodModel } from '../../src/models/likelihoods.js';
import { initWeights, type LayerWeights, type MlpSpec, paramCount } from '../../src/models/mlp.js';

export interface Problem {
  spec: MlpSpec;
  weights: LayerWeights[];
  inputs: Vec[];
  targets: Target[];
}

export interface ProblemOptions {
  sizes: number[];
  activations: Activation[];
  likelihood: Likelihood;
  bias?: boolean[];
  N: number;
  /** multiplies the initial weights, to reach regimes away from the linear one */
  weightScale?: number;
}

/** A random problem: PyTorch-style initial weights (times weightScale), standard normal inputs, targets of the right kind. */
export function randomProblem(seed: number, o: ProblemOptions): Problem {
  const rng = new Rng(seed);
  const spec: MlpSpec = { sizes: o.sizes, activations: o.activations, likelihood: o.likelihood, ...(o.bias ? { bias: o.bias } : {}) };
  const weights = initWeights(spec, rng);
  const k = o.weightScale ?? 1.5;
  for (const { W, b } of weights) {
    for (let i = 0; i < W.data.length; i++) W.data[i] *= k;
    for (let i = 0; i < b.length; i++) b[i] *= k;
  }
  const d = o.sizes[0];
  const D = o.sizes[o.sizes.length - 1];
  const inputs: Vec[] = [];
  const targets: Target[] = [];
  for (let n = 0; n < o.N; n++) {
    inputs.push(Float64Array.from({ length: d }, () => rng.normal()));
    targets.push(randomTarget(rng, o.likelihood, D));
  }
  return { spec, weights, inputs, targets };
}

export function randomTarget(rng: Rng, likelihood: Likelihood, D: number): Target {
  switch (likelihood) {
    case 'categorical':
      return rng.integer(D);
    case 'bernoulli':
      return rng.integer(2);
    case 'gaussian':
    case 'mse':
      return Float64Array.from({ length: D }, () => rng.normal());
  }
}

/** A random direction in parameter space, standard normal entries. */
export function randomDirection(rng: Rng, spec: MlpSpec): Vec {
  return Float64Array.from({ length: paramCount(spec) }, () => rng.normal());
}

export const EPS = 2 ** -52;

/**
 * The derivative of t -> f(t) at 0 by central differences with steps h and h/2.
 * value = D(h/2); the truncation error of D(h/2) is about |D(h) - D(h/2)|/3
 * (error c h², so D(h) - D(h/2) = (3/4) c h²); the bound takes three times that,
 * plus the round-off of the differences, 64 ε max|f| / h.
 */
export function centralDerivative(f: (t: number) => number, h: number): { value: number; bound: number } {
  const fp = f(h),
    fm = f(-h),
    fp2 = f(h / 2),
    fm2 = f(-h / 2);
  const d1 = (fp - fm) / (2 * h);
  const d2 = (fp2 - fm2) / h;
  const scale = Math.max(Math.abs(fp), Math.abs(fm), Math.abs(fp2), Math.abs(fm2), 1e-300);
  return { value: d2, bound: Math.abs(d1 - d2) + (64 * EPS * scale) / h };
}

/** The same for a vector-valued f, entry by entry. */
export function centralDerivativeVec(f: (t: number) => ArrayLike<number>, h: number): { value: Vec; bound: Vec } {
  const fp = f(h),
    fm = f(-h),
    fp2 = f(h / 2),
    fm2 = f(-h / 2);
  const n = fp.length;
  const value = new Float64Array(n);
  const bound = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d1 = (fp[i] - fm[i]) / (2 * h);
    const d2 = (fp2[i] - fm2[i]) / h;
    const scale = Math.max(Math.abs(fp[i]), Math.abs(fm[i]), Math.abs(fp2[i]), Math.abs(fm2[i]), 1e-300);
    value[i] = d2;
    bound[i] = Math.abs(d1 - d2) + (64 * EPS * scale) / h;
  }
  return { value, bound };
}

/** Indices where |analytic - fd| exceeds the finite-difference bound (empty when they agree). */
export function fdMismatches(analytic: ArrayLike<number>, fd: { value: ArrayLike<number>; bound: ArrayLike<number> }): number[] {
  const bad: number[] = [];
  for (let i = 0; i < analytic.length; i++) {
    if (!(Math.abs(analytic[i] - fd.value[i]) <= fd.bound[i])) bad.push(i);
  }
  return bad;
}

/** theta + t v, as layer weights. */
export function shiftTheta(theta: Vec, v: Vec, t: number): Vec {
  const out = new Float64Array(theta.length);
  for (let i = 0; i < theta.length; i++) out[i] = theta[i] + t * v[i];
  return out;
}

/** Every target the likelihood allows, for enumerating discrete outcomes. */
export const outputSize = (spec: MlpSpec): number => spec.sizes[spec.sizes.length - 1];
export const likelihoodOf = (spec: MlpSpec) => likelihoodModel(spec.likelihood);

/** erfc(x) for x >= 0, relative error below 1.2e-7 (Numerical Recipes, erfcc). */
function erfc(x: number): number {
  const t = 1 / (1 + 0.5 * x);
  const poly =
    -x * x -
    1.26551223 +
    t *
      (1.00002368 +
        t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return t * Math.exp(poly);
}

/** The standard normal upper tail P(Z > z), z >= 0. */
export const normalUpperTail = (z: number): number => 0.5 * erfc(z / Math.SQRT2);

/**
 * The z with P(|Z| > z) = alpha / m: a two-sided bound for each of m checks so
 * that all m together raise a false alarm with probability at most alpha
 * (Bonferroni). Bisection on the tail.
 */
export function bonferroniZ(alpha: number, m: number): number {
  const target = alpha / m / 2;
  let lo = 0,
    hi = 40;
  for (let i = 0; i < 200; i++) {
    const mid = 0.5 * (lo + hi);
    if (normalUpperTail(mid) > target) lo = mid;
    else hi = mid;
  }
  return hi;
}
