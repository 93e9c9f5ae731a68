/**
 * One trust-region policy optimisation step (Schulman et al., ICML 2015,
 * Appendix C): s ≈ F⁻¹ g by conjugate gradients on Fisher-vector products,
 * scaled to the KL boundary β = sqrt(2δ / sᵀFs), then a backtracking line
 * search θ + 0.5^k β s accepted at the first k where the mean KL <= δ and the
 * surrogate improves (by at least acceptRatio of the linear prediction).
 *
 * CG stopping rule: ||F s - g|| <= cgRtol ||g|| or cgIterations iterations
 * (Schulman's default 10), and a direction of non-positive curvature stops CG
 * and rejects the step (SB3-contrib#38).
 */
import { NatgradError } from '../core/errors.js';
import { dot, type Vec } from '../core/vec.js';
import { conjugateGradient, type CgStopReason } from '../linalg/cg.js';
import type { LinearOperator } from '../linalg/linear-operator.js';
import { dampedOperator } from '../linalg/operators.js';

export interface TrpoOptions {
  /** KL radius δ [0.01] */
  delta?: number;
  /** CG iteration cap [10] */
  cgIterations?: number;
  /** CG relative residual tolerance [1e-10] */
  cgRtol?: number;
  /** λ added to the Fisher inside CG only [0] */
  damping?: number;
  /** line-search shrink factor [0.5] and number of tries [10] */
  backtrackFactor?: number;
  maxBacktracks?: number;
  /** accept only if actual / predicted improvement > acceptRatio [0.1] */
  acceptRatio?: number;
  /** false disables the KL test of the line search (for sensitivity checks only) [true] */
  checkKl?: boolean;
}

export interface TrpoProblem {
  theta: Vec;
  /** ∇ of the surrogate at theta (the policy gradient), ascent direction */
  gradient: Vec;
  fisher: LinearOperator;
  /** surrogate L(θ') - L(θ) is computed from this */
  surrogate(thetaNew: Vec): number;
  /** mean KL(π_θ || π_θ') */
  kl(thetaNew: Vec): number;
}

export interface TrpoStepResult {
  theta: Vec;
  accepted: boolean;
  kl: number;
  improvement: number;
  /** 0.5^k of the accepted try, 0 if rejected */
  stepFraction: number;
  cgIterations: number;
  cgReason: CgStopReason;
  /** sᵀ F s of the CG direction (must be > 0) */
  sFs: number;
}

/** A TRPO step; returns theta unchanged when no try is accepted. */
export function trpoStep(problem: TrpoProblem, o: TrpoOptions = {}): TrpoStepResult {
  const delta = o.delta ?? 0.01;
  if (!(delta > 0)) throw new NatgradError('delta', `must be > 0, got ${delta}`);
  const shrink = o.backtrackFactor ?? 0.5;
  if (!(shrink > 0 && shrink < 1)) throw new NatgradError('backtrackFactor', `must be in (0, 1), got ${shrink}`);
  const maxBacktracks = o.maxBacktracks ?? 10;
  const acceptRatio = o.acceptRatio ?? 0.1;
  const checkKl = o.checkKl ?? true;
  const { theta, gradient, fisher } = problem;
  const op = o.damping ? dampedOperator(fisher, o.damping) : fisher;
  const cg = conjugateGradient(op, gradient, { rtol: o.cgRtol ?? 1e-10, maxIterations: o.cgIterations ?? 10 });
  const s = cg.x;
  const sFs = dot(s, fisher.matvec(s));
  const base = problem.surrogate(theta);
  const reject = (): TrpoStepResult => ({
    theta,
    accepted: false,
    kl: 0,
    improvement: 0,
    stepFraction: 0,
    cgIterations: cg.iterations,
    cgReason: cg.reason,
    sFs,
  });
  if (cg.reason === 'non-positive-curvature' || !(sFs > 0) || !Number.isFinite(sFs)) return reject();
  const beta = Math.sqrt((2 * delta) / sFs);
  const expected = beta * dot(gradient, s);
  let frac = 1;
  for (let k = 0; k < maxBacktracks; k++, frac *= shrink) {
    const cand = theta.map((v, i) => v + frac * beta * s[i]);
    const kl = problem.kl(cand);
    const improvement = problem.surrogate(cand) - base;
    const klOk = !checkKl || kl <= delta;
    if (klOk && improvement > 0 && improvement > acceptRatio * frac * expected) {
      return { theta: cand, accepted: true, kl, improvement, stepFraction: frac, cgIterations: cg.iterations, cgReason: cg.reason, sFs };
    }
  }
  return reject();
}

/**
 * What a sample-based TRPO step needs of a stochastic policy over states S and
 * actions A (categorical or Gaussian alike): log-probabilities, scores, the
 * Fisher operator over a weighted batch of states and the mean KL.
 */
export interface TrpoPolicy<S, A> {
  readonly paramCount: number;
  logProb(theta: Vec, s: S, a: A): number;
  /** ∇_θ log π_θ(a|s) */
  score(theta: Vec, s: S, a: A): Vec;
  fisher(theta: Vec, states: readonly S[], weights: ArrayLike<number>): LinearOperator;
  /** Σ_s w(s) KL(π_θ(·|s) || π_θ'(·|s)) */
  meanKl(theta: Vec, thetaNew: Vec, states: readonly S[], weights: ArrayLike<number>): number;
}

/** A batch of on-policy samples with their advantage estimates. */
export interface TrpoBatch<S, A> {
  states: readonly S[];
  actions: readonly A[];
  advantages: ArrayLike<number>;
}

/**
 * The TRPO problem of a sampled batch (Schulman et al. 2015, eq. 14):
 * surrogate L(θ') = (1/N) Σ_n exp(log π_θ'(a_n|s_n) - log π_θ(a_n|s_n)) Â_n,
 * its gradient at θ' = θ is (1/N) Σ_n Â_n ∇log π_θ(a_n|s_n); KL and Fisher are
 * uniform averages over the batch's states (the Fisher over every
 * `fisherSubsample`-th state, to save products).
 */
export function sampledTrpoProblem<S, A>(policy: TrpoPolicy<S, A>, theta: Vec, batch: TrpoBatch<S, A>, fisherSubsample = 1): TrpoProblem {
  const { states, actions, advantages } = batch;
  const N = states.length;
  if (N === 0) throw new NatgradError('batch.states', 'must not be empty');
  if (actions.length !== N || advantages.length !== N) {
    throw new NatgradError('batch', `states, actions and advantages need equal lengths, got ${N}, ${actions.length}, ${advantages.length}`);
  }
  if (!(Number.isInteger(fisherSubsample) && fisherSubsample >= 1)) {
    throw new NatgradError('fisherSubsample', `must be a positive integer, got ${fisherSubsample}`);
  }
  const oldLogProb = states.map((s, n) => policy.logProb(theta, s, actions[n]));
  const gradient = new Float64Array(policy.paramCount);
  states.forEach((s, n) => {
    const psi = policy.score(theta, s, actions[n]);
    for (let k = 0; k < psi.length; k++) gradient[k] += (advantages[n] * psi[k]) / N;
  });
  const fisherStates = states.filter((_, n) => n % fisherSubsample === 0);
  const uniform = new Float64Array(N).fill(1 / N);
  return {
    theta,
    gradient,
    fisher: policy.fisher(theta, fisherStates, new Float64Array(fisherStates.length).fill(1 / fisherStates.length)),
    surrogate: (th) => states.reduce((acc, s, n) => acc + Math.exp(policy.logProb(th, s, actions[n]) - oldLogProb[n]) * advantages[n], 0) / N,
    kl: (th) => policy.meanKl(theta, th, states, uniform),
  };
}
