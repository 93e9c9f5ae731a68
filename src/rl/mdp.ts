/**
 * Finite Markov decision processes with exact (linear-solve) policy
 * evaluation: values, action values, advantages, the discounted state
 * visitation d^π = (1-γ) ρ₀ᵀ (I - γ P_π)⁻¹, and value iteration for V*.
 *
 * Reference: R. S. Sutton and A. G. Barto, Reinforcement Learning: An
 * Introduction, 2nd ed., 2018, ch. 3-4.
 */
import { NatgradError } from '../core/errors.js';
import type { Vec } from '../core/vec.js';
import { Matrix } from '../linalg/matrix.js';
import { solve } from '../linalg/solve.js';

/** A finite MDP: P[(s nA + a) nS + s'] transition probabilities, R[s nA + a] expected rewards. */
export interface TabularMdp {
  readonly name: string;
  readonly nS: number;
  readonly nA: number;
  readonly P: Float64Array;
  readonly R: Float64Array;
  /** Initial state distribution ρ₀. */
  readonly rho0: Float64Array;
  readonly gamma: number;
}

/** Exact quantities of a stationary policy π (nS x nA row-major probabilities). */
export interface PolicyEvaluation {
  V: Vec;
  /** Q[s nA + a] */
  Q: Vec;
  /** A[s nA + a] = Q - V */
  A: Vec;
  /** Normalised discounted visitation d^π_ρ₀ (sums to 1). */
  d: Vec;
  /** J(π) = ρ₀ᵀ V */
  J: number;
}

/** Throws unless the MDP's arrays are consistent, rows are distributions and 0 <= γ < 1. */
export function validateMdp(m: TabularMdp, path = 'mdp'): void {
  const { nS, nA } = m;
  if (m.P.length !== nS * nA * nS) throw new NatgradError(`${path}.P`, `must have nS·nA·nS = ${nS * nA * nS} entries, got ${m.P.length}`);
  if (m.R.length !== nS * nA) throw new NatgradError(`${path}.R`, `must have nS·nA = ${nS * nA} entries, got ${m.R.length}`);
  if (m.rho0.length !== nS) throw new NatgradError(`${path}.rho0`, `must have nS = ${nS} entries, got ${m.rho0.length}`);
  if (!(m.gamma >= 0 && m.gamma < 1)) throw new NatgradError(`${path}.gamma`, `must be in [0, 1), got ${m.gamma}`);
  for (let sa = 0; sa < nS * nA; sa++) {
    let t = 0;
    for (let s2 = 0; s2 < nS; s2++) t += m.P[sa * nS + s2];
    if (Math.abs(t - 1) > 1e-12) throw new NatgradError(`${path}.P`, `row ${sa} sums to ${t}, must sum to 1`);
  }
}

/**
 * A chain of n states, actions 0 = left, 1 = right. "Right" succeeds with
 * probability 1 - slip (else moves left). Reward `small` for "left" at state 0
 * (a nearby distractor) and 1 for "right" at state n-1 (the far goal); the
 * start is state 0, so vanilla policy gradient sees the distractor first.
 */
export function chainMdp(n = 8, o: { gamma?: number; slip?: number; small?: number; rho0?: 'first' | 'uniform' } = {}): TabularMdp {
  if (!(Number.isInteger(n) && n >= 2)) throw new NatgradError('n', `must be an integer >= 2, got ${n}`);
  const slip = o.slip ?? 0.1;
  const small = o.small ?? 0.05;
  const nA = 2;
  const P = new Float64Array(n * nA * n);
  const R = new Float64Array(n * nA);
  for (let s = 0; s < n; s++) {
    const left = Math.max(s - 1, 0);
    const right = Math.min(s + 1, n - 1);
    P[(s * nA + 0) * n + left] += 1;
    P[(s * nA + 1) * n + right] += 1 - slip;
    P[(s * nA + 1) * n + left] += slip;
  }
  R[0 * nA + 0] = small;
  R[(n - 1) * nA + 1] = 1;
  const rho0 = new Float64Array(n);
  if ((o.rho0 ?? 'first') === 'first') rho0[0] = 1;
  else rho0.fill(1 / n);
  return { name: `chain-${n}`, nS: n, nA, P, R, rho0, gamma: o.gamma ?? 0.9 };
}

/**
 * A width x height gridworld, actions up/right/down/left; with probability
 * `slip` the move goes in a uniformly random direction; walls keep the agent in
 * place. The goal (top-right corner) is absorbing and pays 1 per step; the
 * start is the bottom-left corner.
 */
export function gridworldMdp(width = 5, height = 5, o: { gamma?: number; slip?: number; rho0?: 'corner' | 'uniform' } = {}): TabularMdp {
  if (!(Number.isInteger(width) && width >= 2 && Number.isInteger(height) && height >= 2)) {
    throw new NatgradError('size', `width and height must be integers >= 2, got ${width} x ${height}`);
  }
  const slip = o.slip ?? 0.1;
  const nS = width * height;
  const nA = 4;
  const dx = [0, 1, 0, -1];
  const dy = [1, 0, -1, 0];
  const goal = (height - 1) * width + (width - 1);
  const P = new Float64Array(nS * nA * nS);
  const R = new Float64Array(nS * nA);
  const moveTo = (s: number, a: number): number => {
    const x = s % width;
    const y = Math.floor(s / width);
    const nx = x + dx[a];
    const ny = y + dy[a];
    return nx < 0 || ny < 0 || nx >= width || ny >= height ? s : ny * width + nx;
  };
  for (let s = 0; s < nS; s++) {
    for (let a = 0; a < nA; a++) {
      const row = (s * nA + a) * nS;
      if (s === goal) {
        P[row + goal] = 1;
        R[s * nA + a] = 1;
        continue;
      }
      P[row + moveTo(s, a)] += 1 - slip;
      for (let b = 0; b < nA; b++) P[row + moveTo(s, b)] += slip / nA;
    }
  }
  const rho0 = new Float64Array(nS);
  if ((o.rho0 ?? 'corner') === 'corner') rho0[0] = 1;
  else rho0.fill(1 / nS);
  return { name: `grid-${width}x${height}`, nS, nA, P, R, rho0, gamma: o.gamma ?? 0.9 };
}

/** P_π (nS x nS) and r_π (nS) of a policy. */
function policyChain(m: TabularMdp, pi: ArrayLike<number>): { Ppi: Matrix; rpi: Vec } {
  const { nS, nA } = m;
  const Ppi = Matrix.zeros(nS, nS);
  const rpi = new Float64Array(nS);
  for (let s = 0; s < nS; s++) {
    for (let a = 0; a < nA; a++) {
      const p = pi[s * nA + a];
      rpi[s] += p * m.R[s * nA + a];
      const row = (s * nA + a) * nS;
      for (let s2 = 0; s2 < nS; s2++) Ppi.data[s * nS + s2] += p * m.P[row + s2];
    }
  }
  return { Ppi, rpi };
}

/** Q(s,a) = R(s,a) + γ Σ_s' P(s'|s,a) V(s'). */
export function actionValues(m: TabularMdp, V: ArrayLike<number>, gamma = m.gamma): Vec {
  const { nS, nA } = m;
  const Q = new Float64Array(nS * nA);
  for (let sa = 0; sa < nS * nA; sa++) {
    let t = 0;
    for (let s2 = 0; s2 < nS; s2++) t += m.P[sa * nS + s2] * V[s2];
    Q[sa] = m.R[sa] + gamma * t;
  }
  return Q;
}

/**
 * Exact evaluation of π by two linear solves: V = (I - γP_π)⁻¹ r_π and
 * d = (1-γ)(I - γP_π)⁻ᵀ ρ₀. `gamma` overrides the MDP's discount (used by
 * sensitivity checks).
 */
export function evaluatePolicy(m: TabularMdp, pi: ArrayLike<number>, gamma = m.gamma): PolicyEvaluation {
  const { nS, nA } = m;
  const { Ppi, rpi } = policyChain(m, pi);
  const I = Matrix.zeros(nS, nS);
  const It = Matrix.zeros(nS, nS);
  for (let i = 0; i < nS; i++) {
    for (let j = 0; j < nS; j++) {
      const v = (i === j ? 1 : 0) - gamma * Ppi.data[i * nS + j];
      I.data[i * nS + j] = v;
      It.data[j * nS + i] = v;
    }
  }
  const V = solve(I, rpi);
  const d = solve(It, m.rho0).map((v) => (1 - gamma) * v);
  const Q = actionValues(m, V, gamma);
  const A = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) for (let a = 0; a < nA; a++) A[s * nA + a] = Q[s * nA + a] - V[s];
  let J = 0;
  for (let s = 0; s < nS; s++) J += m.rho0[s] * V[s];
  return { V, Q, A, d, J };
}

/** V* by value iteration, stopped when the sup-norm change is below tol (1-γ)/(2γ) (then ||V - V*|| < tol). */
export function valueIteration(m: TabularMdp, tol = 1e-12, maxIterations = 100_000): { V: Vec; J: number; iterations: number } {
  const { nS, nA, gamma } = m;
  let V: Vec = new Float64Array(nS);
  const stop = gamma === 0 ? 0 : (tol * (1 - gamma)) / (2 * gamma);
  for (let it = 1; it <= maxIterations; it++) {
    const Q = actionValues(m, V);
    const next = new Float64Array(nS);
    let change = 0;
    for (let s = 0; s < nS; s++) {
      let best = -Infinity;
      for (let a = 0; a < nA; a++) best = Math.max(best, Q[s * nA + a]);
      next[s] = best;
      change = Math.max(change, Math.abs(best - V[s]));
    }
    V = next;
    if (change <= stop) {
      let J = 0;
      for (let s = 0; s < nS; s++) J += m.rho0[s] * V[s];
      return { V, J, iterations: it };
    }
  }
  throw new NatgradError('maxIterations', `value iteration did not reach tolerance ${tol} in ${maxIterations} iterations`);
}
