/**
 * Categorical policies π_θ(a | s) = softmax(f_θ(s))_a, described by the logit
 * map f_θ and its Jacobian products, and their Fisher information
 *   F(θ) = Σ_s w(s) Σ_a π(a|s) ∇log π(a|s) ∇log π(a|s)ᵀ = Σ_s w(s) J_sᵀ (diag π_s - π_s π_sᵀ) J_s
 * as a LinearOperator (two Jacobian products per state, never the matrix).
 * With w the discounted visitation d^π this is Kakade's (2001) policy Fisher.
 *
 * References: S. Kakade, "A natural policy gradient", NIPS 2001;
 * J. Schulman et al., "Trust region policy optimization", ICML 2015.
 */
import { NatgradError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { Vec } from '../core/vec.js';
import type { LinearOperator } from '../linalg/linear-operator.js';
import { Matrix } from '../linalg/matrix.js';
import { logSumExp, softmax } from '../models/likelihoods.js';
import { type MlpSpec, forward, jvp, paramCount, unflattenWeights, vjp, initWeights, flattenWeights } from '../models/mlp.js';
import type { Activation } from '../models/activations.js';

/** A categorical policy over `actionCount` actions for states of type S. */
export interface CategoricalPolicy<S> {
  readonly paramCount: number;
  readonly actionCount: number;
  /** The logits f_θ(s). */
  logits(theta: Vec, s: S): Vec;
  /** J v with J = ∂f_θ(s)/∂θ. */
  logitsJvp(theta: Vec, s: S, v: Vec): Vec;
  /** Jᵀ u. */
  logitsVjp(theta: Vec, s: S, u: ArrayLike<number>): Vec;
}

/** π(·|s). */
export const actionProbs = <S>(p: CategoricalPolicy<S>, theta: Vec, s: S): Vec => softmax(p.logits(theta, s));

/** ∇_θ log π(a|s) = Jᵀ (e_a - π). */
export function scoreVector<S>(p: CategoricalPolicy<S>, theta: Vec, s: S, a: number): Vec {
  const pi = actionProbs(p, theta, s);
  const u = pi.map((v) => -v);
  u[a] += 1;
  return p.logitsVjp(theta, s, u);
}

/** Draws a ~ π(·|s). */
export function sampleAction<S>(p: CategoricalPolicy<S>, theta: Vec, s: S, rng: Rng): number {
  const pi = actionProbs(p, theta, s);
  let u = rng.uniform();
  for (let a = 0; a < pi.length - 1; a++) {
    u -= pi[a];
    if (u < 0) return a;
  }
  return pi.length - 1;
}

/** The tabular softmax policy: θ[s nA + a] are the logits of state s. */
export function tabularSoftmaxPolicy(nS: number, nA: number): CategoricalPolicy<number> {
  if (!(Number.isInteger(nS) && nS >= 1 && Number.isInteger(nA) && nA >= 2)) {
    throw new NatgradError('policy', `needs integer nS >= 1 and nA >= 2, got ${nS}, ${nA}`);
  }
  return {
    paramCount: nS * nA,
    actionCount: nA,
    logits: (theta, s) => theta.slice(s * nA, s * nA + nA),
    logitsJvp: (_theta, s, v) => v.slice(s * nA, s * nA + nA),
    logitsVjp(_theta, s, u) {
      const g = new Float64Array(nS * nA);
      for (let a = 0; a < nA; a++) g[s * nA + a] = u[a];
      return g;
    },
  };
}

/** π as an nS x nA row-major table (for exact evaluation). */
export function policyTable(p: CategoricalPolicy<number>, theta: Vec, nS: number): Vec {
  const nA = p.actionCount;
  const out = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) out.set(actionProbs(p, theta, s), s * nA);
  return out;
}

/** An MLP categorical policy: logits = MLP(s) with hidden `activation` layers and a linear output layer. */
export function mlpCategoricalPolicy(sizes: number[], activation: Activation = 'tanh'): CategoricalPolicy<Vec> & { spec: MlpSpec; init(rng: Rng): Vec } {
  if (sizes.length < 2) throw new NatgradError('sizes', `needs at least input and output widths, got ${sizes.length}`);
  const L = sizes.length - 1;
  const spec: MlpSpec = {
    sizes,
    activations: Array.from({ length: L }, (_, l) => (l === L - 1 ? 'identity' : activation)),
    likelihood: 'categorical',
  };
  return {
    spec,
    paramCount: paramCount(spec),
    actionCount: sizes[L],
    logits: (theta, s) => forward(spec, unflattenWeights(spec, theta), s).output,
    logitsJvp: (theta, s, v) => jvp(spec, unflattenWeights(spec, theta), s, v),
    logitsVjp: (theta, s, u) => vjp(spec, unflattenWeights(spec, theta), s, u),
    init: (rng) => flattenWeights(initWeights(spec, rng)),
  };
}

function checkWeights<S>(states: readonly S[], weights: ArrayLike<number>): void {
  if (weights.length !== states.length) {
    throw new NatgradError('weights', `need one weight per state (${states.length}), got ${weights.length}`);
  }
}

/**
 * The policy Fisher Σ_s w(s) J_sᵀ (diag π_s - π_s π_sᵀ) J_s as an operator:
 * each product costs one JVP and one VJP per state.
 */
export function policyFisherOperator<S>(p: CategoricalPolicy<S>, theta: Vec, states: readonly S[], weights: ArrayLike<number>): LinearOperator {
  checkWeights(states, weights);
  const n = p.paramCount;
  const probs = states.map((s) => actionProbs(p, theta, s));
  const matvec = (v: Vec): Vec => {
    if (v.length !== n) throw new NatgradError('vector', `must have length ${n}, got ${v.length}`);
    const out = new Float64Array(n);
    states.forEach((s, i) => {
      const w = weights[i];
      if (w === 0) return;
      const pi = probs[i];
      const jv = p.logitsJvp(theta, s, v);
      let mean = 0;
      for (let a = 0; a < pi.length; a++) mean += pi[a] * jv[a];
      const u = new Float64Array(pi.length);
      for (let a = 0; a < pi.length; a++) u[a] = w * pi[a] * (jv[a] - mean);
      const g = p.logitsVjp(theta, s, u);
      for (let k = 0; k < n; k++) out[k] += g[k];
    });
    return out;
  };
  return { shape: [n, n], matvec, rmatvec: matvec, dense: () => policyFisherDense(p, theta, states, weights) };
}

/** The same Fisher formed densely from score outer products Σ_s w(s) Σ_a π(a|s) ψψᵀ (the reference for tests). */
export function policyFisherDense<S>(p: CategoricalPolicy<S>, theta: Vec, states: readonly S[], weights: ArrayLike<number>): Matrix {
  checkWeights(states, weights);
  const n = p.paramCount;
  const F = Matrix.zeros(n, n);
  states.forEach((s, i) => {
    const pi = actionProbs(p, theta, s);
    for (let a = 0; a < pi.length; a++) {
      const c = weights[i] * pi[a];
      if (c === 0) continue;
      const psi = scoreVector(p, theta, s, a);
      for (let r = 0; r < n; r++) {
        if (psi[r] === 0) continue;
        const cr = c * psi[r];
        for (let k = 0; k < n; k++) F.data[r * n + k] += cr * psi[k];
      }
    }
  });
  return F;
}

/** Σ_s w(s) KL(π_θ(·|s) || π_θ'(·|s)). */
export function meanKl<S>(p: CategoricalPolicy<S>, theta: Vec, thetaNew: Vec, states: readonly S[], weights: ArrayLike<number>): number {
  checkWeights(states, weights);
  let kl = 0;
  states.forEach((s, i) => {
    const fa = p.logits(theta, s);
    const fb = p.logits(thetaNew, s);
    const la = logSumExp(fa);
    const lb = logSumExp(fb);
    let t = 0;
    for (let k = 0; k < fa.length; k++) {
      const logA = fa[k] - la;
      t += Math.exp(logA) * (logA - (fb[k] - lb));
    }
    kl += weights[i] * t;
  });
  return kl;
}
