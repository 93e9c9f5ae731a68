/**
 * A point mass in R^d pushed by a continuous force, with quadratic cost: a
 * linear-quadratic control problem whose optimal return is known from the
 * Riccati recursion, and a TRPO run on it with a diagonal-Gaussian MLP policy.
 *
 * State s = [x, v] ∈ R^{2d}, action a ∈ R^d, explicit Euler with step dt:
 *   x' = x + dt v,   v' = v + dt a,   r(s, a) = -(q_x |x|² + q_v |v|² + r_a |a|²),
 * for a fixed horizon of T steps; x_0 ~ U(-1, 1)^d, v_0 = 0.
 *
 * References: D. P. Bertsekas, "Dynamic programming and optimal control",
 * vol. 1, ch. 4 (finite-horizon LQR); J. Schulman et al., ICML 2015 (TRPO).
 */
import { NatgradError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { Vec } from '../core/vec.js';
import { fitLinearBaseline } from './baseline.js';
import { gaussianLogStd, gaussianTrpoPolicy, mlpGaussianPolicy, sampleGaussianAction } from './gaussian-policy.js';
import { type TrpoOptions, sampledTrpoProblem, trpoStep } from './trpo.js';

export interface PointMass {
  dim: number;
  dt: number;
  horizon: number;
  positionCost: number;
  velocityCost: number;
  actionCost: number;
}

/** A point mass with defaults dim 1, dt 0.1, horizon 50, q_x 1, q_v 0.1, r_a 0.1. */
export function pointMass(o: Partial<PointMass> = {}): PointMass {
  const m: PointMass = {
    dim: o.dim ?? 1,
    dt: o.dt ?? 0.1,
    horizon: o.horizon ?? 50,
    positionCost: o.positionCost ?? 1,
    velocityCost: o.velocityCost ?? 0.1,
    actionCost: o.actionCost ?? 0.1,
  };
  if (!(Number.isInteger(m.dim) && m.dim >= 1)) throw new NatgradError('dim', `must be a positive integer, got ${m.dim}`);
  if (!(Number.isInteger(m.horizon) && m.horizon >= 1)) throw new NatgradError('horizon', `must be a positive integer, got ${m.horizon}`);
  if (!(m.dt > 0)) throw new NatgradError('dt', `must be > 0, got ${m.dt}`);
  for (const k of ['positionCost', 'velocityCost'] as const) {
    if (!(m[k] >= 0)) throw new NatgradError(k, `must be >= 0, got ${m[k]}`);
  }
  if (!(m.actionCost > 0)) throw new NatgradError('actionCost', `must be > 0, got ${m.actionCost}`);
  return m;
}

/** x_0 ~ U(-1, 1)^d, v_0 = 0. */
export function pointMassReset(m: PointMass, rng: Rng): Vec {
  const s = new Float64Array(2 * m.dim);
  for (let i = 0; i < m.dim; i++) s[i] = 2 * rng.uniform() - 1;
  return s;
}

/** One Euler step; the reward is that of the current state and action. */
export function pointMassStep(m: PointMass, s: Vec, a: ArrayLike<number>): { state: Vec; reward: number } {
  if (s.length !== 2 * m.dim || a.length !== m.dim) {
    throw new NatgradError('step', `needs a state of length ${2 * m.dim} and an action of length ${m.dim}, got ${s.length}, ${a.length}`);
  }
  const d = m.dim;
  const next = new Float64Array(2 * d);
  let cost = 0;
  for (let i = 0; i < d; i++) {
    const x = s[i];
    const v = s[d + i];
    cost += m.positionCost * x * x + m.velocityCost * v * v + m.actionCost * a[i] * a[i];
    next[i] = x + m.dt * v;
    next[d + i] = v + m.dt * a[i];
  }
  return { state: next, reward: -cost };
}

export interface PointMassLqr {
  /** per step t, the gain k_t with a_i = -(k_t[0] x_i + k_t[1] v_i) in each coordinate */
  gains: [number, number][];
  /** per step t = 0..T, the 2x2 cost-to-go matrix [p00, p01, p11] of one coordinate (P_T = 0) */
  costToGo: [number, number, number][];
  /** the optimal expected return from the reset distribution: -d p00(0) E[x_0²] = -d p00(0) / 3 */
  optimalExpectedReturn: number;
  /**
   * the expected return lost per unit action variance when the optimal mean is
   * perturbed by N(0, σ² I): d Σ_t (r_a + dt² p11(t+1)), so a Gaussian policy
   * with the optimal mean returns optimalExpectedReturn - σ² noiseCostPerVariance
   */
  noiseCostPerVariance: number;
}

/** The finite-horizon Riccati recursion of one coordinate (the d coordinates decouple). */
export function pointMassLqr(m: PointMass): PointMassLqr {
  const { dt, positionCost: qx, velocityCost: qv, actionCost: r } = m;
  const T = m.horizon;
  const costToGo: [number, number, number][] = new Array(T + 1);
  const gains: [number, number][] = new Array(T);
  costToGo[T] = [0, 0, 0];
  let noise = 0;
  for (let t = T - 1; t >= 0; t--) {
    const [p00, p01, p11] = costToGo[t + 1];
    // A = [[1, dt], [0, 1]], B = [0, dt]ᵀ
    const AtPA00 = p00;
    const AtPA01 = dt * p00 + p01;
    const AtPA11 = dt * dt * p00 + 2 * dt * p01 + p11;
    const BtPB = dt * dt * p11;
    const BtPA0 = dt * p01;
    const BtPA1 = dt * (dt * p01 + p11);
    const h = r + BtPB;
    const k0 = BtPA0 / h;
    const k1 = BtPA1 / h;
    gains[t] = [k0, k1];
    costToGo[t] = [qx + AtPA00 - BtPA0 * k0, AtPA01 - BtPA0 * k1, qv + AtPA11 - BtPA1 * k1];
    noise += h;
  }
  return { gains, costToGo, optimalExpectedReturn: (-m.dim * costToGo[0][0]) / 3, noiseCostPerVariance: m.dim * noise };
}

export interface PointMassTrpoOptions extends TrpoOptions {
  seed?: number;
  iterations?: number;
  /** whole episodes per batch [20] */
  episodesPerBatch?: number;
  hidden?: number;
  /** discount of the rewards-to-go used as advantages [0.99] */
  gamma?: number;
  /** ℓ at init [0] */
  initialLogStd?: number;
  /** false freezes the log-std (the mistake of openai/baselines#262; sensitivity checks only) [true] */
  learnLogStd?: boolean;
  /** use every k-th state of the batch for Fisher-vector products [1] */
  fisherSubsample?: number;
}

export interface PointMassTrpoIteration {
  iteration: number;
  /** mean undiscounted return of the batch's episodes (sampled with the policy before the step) */
  averageReturn: number;
  /** mean of exp(ℓ) after the step */
  meanStd: number;
  accepted: boolean;
  kl: number;
  /** θ after the step */
  theta: Vec;
}

/**
 * Baseline features: the LQR value is quadratic in s with time-varying
 * coefficients, so the quadratic monomials of each coordinate, their products
 * with u = t/T, and a cubic in u.
 */
function baselineFeatures(s: Vec, d: number, u: number): number[] {
  const f: number[] = [];
  for (let i = 0; i < d; i++) {
    const x = s[i];
    const v = s[d + i];
    const q = [x * x, v * v, x * v];
    f.push(x, v, ...q, ...q.map((c) => c * u));
  }
  f.push(u, u * u, u * u * u, 1);
  return f;
}

/**
 * TRPO on the point mass: advantages are discounted rewards-to-go minus a
 * baseline fitted to them by least squares on quadratic state features (as
 * rllab's linear feature baseline), then normalised.
 */
export function runPointMassTrpo(m: PointMass, o: PointMassTrpoOptions = {}): PointMassTrpoIteration[] {
  const rng = new Rng(o.seed ?? 1);
  const d = m.dim;
  const policy = mlpGaussianPolicy([2 * d, o.hidden ?? 16, d], { initialLogStd: o.initialLogStd ?? 0, learnLogStd: o.learnLogStd ?? true });
  const trpoPolicy = gaussianTrpoPolicy(policy);
  let theta = policy.init(rng.split());
  const gamma = o.gamma ?? 0.99;
  const E = o.episodesPerBatch ?? 20;
  const T = m.horizon;
  const out: PointMassTrpoIteration[] = [];
  for (let it = 0; it < (o.iterations ?? 30); it++) {
    const states: Vec[] = [];
    const actions: Vec[] = [];
    const rtg = new Float64Array(E * T);
    const feats: number[][] = [];
    let totalReturn = 0;
    for (let e = 0; e < E; e++) {
      let s = pointMassReset(m, rng);
      const rewards = new Float64Array(T);
      for (let t = 0; t < T; t++) {
        const a = sampleGaussianAction(policy, theta, s, rng);
        states.push(s);
        actions.push(a);
        feats.push(baselineFeatures(s, d, t / T));
        const r = pointMassStep(m, s, a);
        rewards[t] = r.reward;
        totalReturn += r.reward;
        s = r.state;
      }
      let g = 0;
      for (let t = T - 1; t >= 0; t--) rtg[e * T + t] = g = rewards[t] + gamma * g;
    }
    const w = fitLinearBaseline(feats, rtg, 1e-6);
    const adv = rtg.map((g, n) => g - feats[n].reduce((acc, f, i) => acc + f * w[i], 0));
    let mean = 0;
    for (const v of adv) mean += v / adv.length;
    let sd = 0;
    for (const v of adv) sd += (v - mean) ** 2;
    sd = Math.sqrt(sd / adv.length) || 1;
    for (let n = 0; n < adv.length; n++) adv[n] = (adv[n] - mean) / sd;
    const step = trpoStep(sampledTrpoProblem(trpoPolicy, theta, { states, actions, advantages: adv }, o.fisherSubsample ?? 1), o);
    theta = step.theta;
    const ls = gaussianLogStd(policy, theta);
    out.push({
      iteration: it,
      averageReturn: totalReturn / E,
      meanStd: ls.reduce((acc, l) => acc + Math.exp(l), 0) / d,
      accepted: step.accepted,
      kl: step.kl,
      theta,
    });
  }
  return out;
}
