/**
 * Diagonal-Gaussian MLP policies for continuous actions:
 *   π_θ(a | s) = N(a; μ_w(s), diag(exp(2ℓ))),   θ = [w, ℓ],
 * with μ_w an MLP (linear output layer) and ℓ a state-independent log-std
 * vector that is part of θ (openai/baselines#262: leaving ℓ out of the optimised
 * variables freezes the exploration noise).
 *
 * Per state the Fisher is block diagonal in closed form:
 *   F_s = [[J_sᵀ diag(exp(-2ℓ)) J_s, 0], [0, 2 I]],   J_s = ∂μ_w(s)/∂w,
 * because E[(a-μ)/σ²] = 0 and E[((a-μ)²/σ² - 1)²] = 2 for each coordinate,
 * and the odd moment E[(a-μ)((a-μ)² - σ²)] = 0 kills the cross terms.
 *
 * References: J. Schulman et al., "Trust region policy optimization", ICML 2015
 * (Gaussian MLP policies with a learned state-independent log-std);
 * S. Kakade, "A natural policy gradient", NIPS 2001.
 */
import { NatgradError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { Vec } from '../core/vec.js';
import type { LinearOperator } from '../linalg/linear-operator.js';
import { Matrix } from '../linalg/matrix.js';
import type { Activation } from '../models/activations.js';
import { type MlpSpec, flattenWeights, forward, initWeights, jvp, outputJacobian, paramCount, unflattenWeights, vjp } from '../models/mlp.js';
import type { TrpoPolicy } from './trpo.js';
import { requireFinite } from '../core/validate.js';

const LOG_2PI = Math.log(2 * Math.PI);

/** A diagonal-Gaussian policy over R^actionDim for states in R^stateDim. */
export interface GaussianPolicy {
  readonly spec: MlpSpec;
  readonly stateDim: number;
  readonly actionDim: number;
  /** number of MLP weights (the first block of θ) */
  readonly meanParamCount: number;
  /** meanParamCount + actionDim when the log-std is learned, meanParamCount otherwise */
  readonly paramCount: number;
  /** whether ℓ is part of θ (true unless built with learnLogStd: false, kept for sensitivity checks) */
  readonly learnsLogStd: boolean;
  /** θ with the MLP's default initialisation and ℓ = initialLogStd. */
  init(rng: Rng): Vec;
}

export interface GaussianPolicyOptions {
  /** hidden-layer activation ['tanh'] */
  activation?: Activation;
  /** ℓ at init, or the fixed ℓ when it is not learned [0] */
  initialLogStd?: number;
  /** false leaves ℓ out of θ (frozen at initialLogStd): the mistake of openai/baselines#262, for sensitivity checks only [true] */
  learnLogStd?: boolean;
}

interface GaussianPolicyInternal extends GaussianPolicy {
  readonly fixedLogStd: number;
}

/** A Gaussian policy with mean MLP of widths `sizes` (state dim first, action dim last). */
export function mlpGaussianPolicy(sizes: number[], o: GaussianPolicyOptions = {}): GaussianPolicy {
  if (sizes.length < 2 || !sizes.every((n) => Number.isInteger(n) && n >= 1)) {
    throw new NatgradError('sizes', `needs at least input and output widths, positive integers, got [${sizes.join(', ')}]`);
  }
  const activation = o.activation ?? 'tanh';
  const initialLogStd = requireFinite(o.initialLogStd ?? 0, 'initialLogStd');
  const learn = o.learnLogStd ?? true;
  const L = sizes.length - 1;
  const spec: MlpSpec = {
    sizes,
    activations: Array.from({ length: L }, (_, l) => (l === L - 1 ? 'identity' : activation)),
    likelihood: 'gaussian',
  };
  const P = paramCount(spec);
  const D = sizes[L];
  const policy: GaussianPolicyInternal = {
    spec,
    stateDim: sizes[0],
    actionDim: D,
    meanParamCount: P,
    paramCount: learn ? P + D : P,
    learnsLogStd: learn,
    fixedLogStd: initialLogStd,
    init(rng) {
      const theta = new Float64Array(policy.paramCount);
      theta.set(flattenWeights(initWeights(spec, rng)));
      if (learn) theta.fill(initialLogStd, P);
      return theta;
    },
  };
  return policy;
}

function checkTheta(p: GaussianPolicy, theta: Vec): void {
  if (theta.length !== p.paramCount) throw new NatgradError('theta', `must have ${p.paramCount} entries, got ${theta.length}`);
}

const meanWeights = (p: GaussianPolicy, theta: Vec) => unflattenWeights(p.spec, theta.subarray(0, p.meanParamCount));

/** μ_w(s). */
export function gaussianMean(p: GaussianPolicy, theta: Vec, s: Vec): Vec {
  checkTheta(p, theta);
  return forward(p.spec, meanWeights(p, theta), s).output;
}

/** ℓ (a copy): θ's last actionDim entries, or the frozen value. */
export function gaussianLogStd(p: GaussianPolicy, theta: Vec): Vec {
  checkTheta(p, theta);
  if (p.learnsLogStd) return theta.slice(p.meanParamCount);
  return new Float64Array(p.actionDim).fill((p as GaussianPolicyInternal).fixedLogStd);
}

/** log π(a|s) = -½ Σ_i ((a_i-μ_i)/σ_i)² - Σ_i ℓ_i - (D/2) log 2π. */
export function gaussianLogProb(p: GaussianPolicy, theta: Vec, s: Vec, a: ArrayLike<number>): number {
  const mu = gaussianMean(p, theta, s);
  const ls = gaussianLogStd(p, theta);
  let t = -0.5 * p.actionDim * LOG_2PI;
  for (let i = 0; i < p.actionDim; i++) {
    const z = (a[i] - mu[i]) * Math.exp(-ls[i]);
    t -= 0.5 * z * z + ls[i];
  }
  return t;
}

/** ∇_θ log π(a|s) = [J_μᵀ ((a-μ)/σ²), (a-μ)²/σ² - 1]. */
export function gaussianScore(p: GaussianPolicy, theta: Vec, s: Vec, a: ArrayLike<number>): Vec {
  const weights = meanWeights(p, theta);
  const mu = forward(p.spec, weights, s).output;
  const ls = gaussianLogStd(p, theta);
  const u = new Float64Array(p.actionDim);
  const out = new Float64Array(p.paramCount);
  for (let i = 0; i < p.actionDim; i++) {
    const z = (a[i] - mu[i]) * Math.exp(-ls[i]);
    u[i] = z * Math.exp(-ls[i]);
    if (p.learnsLogStd) out[p.meanParamCount + i] = z * z - 1;
  }
  out.set(vjp(p.spec, weights, s, u));
  return out;
}

/** Draws a = μ(s) + σ ∘ ε, ε ~ N(0, I). */
export function sampleGaussianAction(p: GaussianPolicy, theta: Vec, s: Vec, rng: Rng): Vec {
  const mu = gaussianMean(p, theta, s);
  const ls = gaussianLogStd(p, theta);
  return mu.map((m, i) => m + Math.exp(ls[i]) * rng.normal());
}

function checkWeights(states: readonly Vec[], weights: ArrayLike<number>): void {
  if (weights.length !== states.length) {
    throw new NatgradError('weights', `need one weight per state (${states.length}), got ${weights.length}`);
  }
}

/**
 * The Fisher Σ_s w(s) F_s as an operator: the mean block costs one JVP and one
 * VJP per state, the log-std block is (2 Σ_s w(s)) I.
 */
export function gaussianFisherOperator(p: GaussianPolicy, theta: Vec, states: readonly Vec[], weights: ArrayLike<number>): LinearOperator {
  checkTheta(p, theta);
  checkWeights(states, weights);
  const n = p.paramCount;
  const P = p.meanParamCount;
  const w8 = meanWeights(p, theta);
  const invVar = gaussianLogStd(p, theta).map((l) => Math.exp(-2 * l));
  let wSum = 0;
  for (let i = 0; i < states.length; i++) wSum += weights[i];
  const matvec = (v: Vec): Vec => {
    if (v.length !== n) throw new NatgradError('vector', `must have length ${n}, got ${v.length}`);
    const out = new Float64Array(n);
    const vw = v.subarray(0, P);
    states.forEach((s, k) => {
      const w = weights[k];
      if (w === 0) return;
      const jv = jvp(p.spec, w8, s, vw);
      for (let i = 0; i < jv.length; i++) jv[i] *= w * invVar[i];
      const g = vjp(p.spec, w8, s, jv);
      for (let j = 0; j < P; j++) out[j] += g[j];
    });
    if (p.learnsLogStd) for (let j = P; j < n; j++) out[j] = 2 * wSum * v[j];
    return out;
  };
  return { shape: [n, n], matvec, rmatvec: matvec, dense: () => gaussianFisherDense(p, theta, states, weights) };
}

/** The same Fisher formed densely from the output Jacobians (the reference for tests). */
export function gaussianFisherDense(p: GaussianPolicy, theta: Vec, states: readonly Vec[], weights: ArrayLike<number>): Matrix {
  checkTheta(p, theta);
  checkWeights(states, weights);
  const n = p.paramCount;
  const P = p.meanParamCount;
  const D = p.actionDim;
  const w8 = meanWeights(p, theta);
  const invVar = gaussianLogStd(p, theta).map((l) => Math.exp(-2 * l));
  const F = Matrix.zeros(n, n);
  let wSum = 0;
  states.forEach((s, k) => {
    const w = weights[k];
    wSum += w;
    const J = outputJacobian(p.spec, w8, s);
    for (let i = 0; i < D; i++) {
      const c = w * invVar[i];
      for (let r = 0; r < P; r++) {
        const cr = c * J.data[i * P + r];
        if (cr === 0) continue;
        for (let q = 0; q < P; q++) F.data[r * n + q] += cr * J.data[i * P + q];
      }
    }
  });
  if (p.learnsLogStd) for (let j = P; j < n; j++) F.data[j * n + j] = 2 * wSum;
  return F;
}

/**
 * Σ_s w(s) KL(π_θ(·|s) || π_θ'(·|s)), in closed form per coordinate:
 * KL = ℓ'_i - ℓ_i + (σ_i² + (μ_i - μ'_i)²) / (2σ'_i²) - ½.
 */
export function gaussianMeanKl(p: GaussianPolicy, theta: Vec, thetaNew: Vec, states: readonly Vec[], weights: ArrayLike<number>): number {
  checkWeights(states, weights);
  const wa = meanWeights(p, theta);
  checkTheta(p, thetaNew);
  const wb = meanWeights(p, thetaNew);
  const la = gaussianLogStd(p, theta);
  const lb = gaussianLogStd(p, thetaNew);
  // the log-std part does not depend on the state
  let klStd = 0;
  const invVarB = lb.map((l) => Math.exp(-2 * l));
  for (let i = 0; i < p.actionDim; i++) klStd += lb[i] - la[i] + 0.5 * (Math.exp(2 * la[i]) * invVarB[i] - 1);
  let kl = 0;
  states.forEach((s, k) => {
    const w = weights[k];
    if (w === 0) return;
    const ma = forward(p.spec, wa, s).output;
    const mb = forward(p.spec, wb, s).output;
    let t = klStd;
    for (let i = 0; i < p.actionDim; i++) t += 0.5 * (ma[i] - mb[i]) ** 2 * invVarB[i];
    kl += w * t;
  });
  return kl;
}

/** The Gaussian policy seen through the interface a sample-based TRPO step uses. */
export function gaussianTrpoPolicy(p: GaussianPolicy): TrpoPolicy<Vec, Vec> {
  return {
    paramCount: p.paramCount,
    logProb: (theta, s, a) => gaussianLogProb(p, theta, s, a),
    score: (theta, s, a) => gaussianScore(p, theta, s, a),
    fisher: (theta, states, weights) => gaussianFisherOperator(p, theta, states, weights),
    meanKl: (theta, thetaNew, states, weights) => gaussianMeanKl(p, theta, thetaNew, states, weights),
  };
}
