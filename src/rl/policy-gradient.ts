/**
 * Exact policy gradients of tabular MDPs, the natural-gradient preconditioner
 * as an engine transform, and the runs that compare vanilla and natural
 * policy gradient.
 *
 * Policy gradient theorem (Sutton et al. 2000), with the normalised
 * discounted visitation d^π:
 *   ∇J(θ) = 1/(1-γ) Σ_s d^π(s) Σ_a π(a|s) A^π(s,a) ∇log π(a|s).
 * For the tabular softmax, F⁺∇J = A^π/(1-γ) up to a per-state constant
 * (Kakade 2001, Theorem 1; Agarwal, Kakade, Lee and Mahajan, JMLR 2021, Lemma 15),
 * so the NPG update with step η is θ ← θ + η A/(1-γ): soft policy iteration.
 */
import { NatgradError } from '../core/errors.js';
import type { Vec } from '../core/vec.js';
import { conjugateGradient } from '../linalg/cg.js';
import type { LinearOperator } from '../linalg/linear-operator.js';
import { dampedOperator } from '../linalg/operators.js';
import { pseudoInverseSolve } from '../linalg/solve.js';
import { scaleByLearningRate } from '../optim/common.js';
import { train } from '../optim/train.js';
import { chain, type Transform } from '../optim/transform.js';
import { type PolicyEvaluation, type TabularMdp, evaluatePolicy, valueIteration } from './mdp.js';
import { type CategoricalPolicy, policyFisherOperator, policyTable, tabularSoftmaxPolicy } from './policy.js';

export interface ExactPolicyGradient {
  J: number;
  gradient: Vec;
  evaluation: PolicyEvaluation;
  /** π as an nS x nA table */
  pi: Vec;
}

/** J(θ) and its exact gradient for a policy on a tabular MDP (`gamma` overrides the discount, for sensitivity checks). */
export function exactPolicyGradient(m: TabularMdp, p: CategoricalPolicy<number>, theta: Vec, gamma = m.gamma): ExactPolicyGradient {
  const { nS, nA } = m;
  const pi = policyTable(p, theta, nS);
  const evaluation = evaluatePolicy(m, pi, gamma);
  const { A, d } = evaluation;
  const gradient = new Float64Array(p.paramCount);
  for (let s = 0; s < nS; s++) {
    // Σ_a π A (e_a - π) = π∘A because Σ_a π A = 0; kept general against rounding.
    let mean = 0;
    for (let a = 0; a < nA; a++) mean += pi[s * nA + a] * A[s * nA + a];
    const u = new Float64Array(nA);
    for (let a = 0; a < nA; a++) u[a] = (d[s] / (1 - gamma)) * pi[s * nA + a] * (A[s * nA + a] - mean);
    const g = p.logitsVjp(theta, s, u);
    for (let k = 0; k < g.length; k++) gradient[k] += g[k];
  }
  return { J: evaluation.J, gradient, evaluation, pi };
}

/** The Fisher of a tabular policy weighted by its exact discounted visitation. */
export function tabularPolicyFisher(m: TabularMdp, p: CategoricalPolicy<number>, theta: Vec, d: ArrayLike<number>): LinearOperator {
  return policyFisherOperator(
    p,
    theta,
    Array.from({ length: m.nS }, (_, s) => s),
    d,
  );
}

/** What the natural-gradient preconditioner needs each step. */
export interface PolicyFisherExtra {
  fisher: LinearOperator;
}

export interface ScaleByPolicyFisherOptions {
  /** 'pseudo-inverse' forms the dense Fisher and applies F⁺; 'cg' solves (F + λI) x = g by CG [cg]. */
  solver?: 'pseudo-inverse' | 'cg';
  /** λ for 'cg' [0: CG from zero on a consistent singular PSD system stays in range(F) and returns the minimum-norm solution]. */
  damping?: number;
  /** CG stopping rule: ||r|| <= cgRtol ||g|| or cgMaxIterations [1e-10, 10 n]. */
  cgRtol?: number;
  cgMaxIterations?: number;
}

/** Preconditions the gradient by the inverse policy Fisher passed in extra.fisher. */
export function scaleByPolicyFisherInverse(o: ScaleByPolicyFisherOptions = {}): Transform<Record<string, never>, PolicyFisherExtra> {
  const solver = o.solver ?? 'cg';
  const damping = o.damping ?? 0;
  if (!(damping >= 0)) throw new NatgradError('damping', `must be >= 0, got ${damping}`);
  return {
    init: () => ({}),
    update(g, s, _params, extra) {
      if (!extra?.fisher) throw new NatgradError('extra.fisher', 'the policy Fisher operator is required');
      if (solver === 'pseudo-inverse') return [pseudoInverseSolve(extra.fisher.dense(), g).x, s] as const;
      const op = damping > 0 ? dampedOperator(extra.fisher, damping) : extra.fisher;
      const r = conjugateGradient(op, g, { rtol: o.cgRtol ?? 1e-10, maxIterations: o.cgMaxIterations ?? 10 * g.length });
      return [r.x, s] as const;
    },
  };
}

/** Natural policy gradient: chain(scaleByPolicyFisherInverse, scaleByLearningRate). */
export const naturalPolicyGradient = (o: ScaleByPolicyFisherOptions & { lr: number }): Transform<unknown[], PolicyFisherExtra> =>
  chain(scaleByPolicyFisherInverse(o), scaleByLearningRate(o.lr));

/** Vanilla policy gradient: gradient ascent on J. */
export const vanillaPolicyGradient = (o: { lr: number }): Transform<unknown[], PolicyFisherExtra> => chain(scaleByLearningRate(o.lr));

export interface TabularRunResult {
  method: 'pg' | 'npg';
  /** first iteration with J >= fraction · J*, or null */
  iterationsToTarget: number | null;
  /** J after each iteration (index 0 = initial policy) */
  values: number[];
  optimal: number;
}

/**
 * Runs vanilla PG or NPG with exact gradients from the uniform policy (θ = 0)
 * through the engine's train loop, until J >= fraction · J*.
 */
export function runTabularPolicyOptimization(
  m: TabularMdp,
  method: 'pg' | 'npg',
  o: { lr: number; maxIterations?: number; fraction?: number },
): TabularRunResult {
  const p = tabularSoftmaxPolicy(m.nS, m.nA);
  const optimal = valueIteration(m).J;
  const fraction = o.fraction ?? 0.99;
  const values: number[] = [];
  const transform = method === 'pg' ? vanillaPolicyGradient({ lr: o.lr }) : naturalPolicyGradient({ lr: o.lr });
  let last: ExactPolicyGradient | null = null;
  const result = train(transform, new Float64Array(p.paramCount), {
    maxIterations: o.maxIterations ?? 10_000,
    targetLoss: -fraction * optimal,
    objective(theta) {
      last = exactPolicyGradient(m, p, theta);
      values.push(last.J);
      return { loss: -last.J, gradient: last.gradient.map((v) => -v) };
    },
    extra: (theta) => ({ fisher: tabularPolicyFisher(m, p, theta, (last as ExactPolicyGradient).evaluation.d) }),
  });
  return { method, iterationsToTarget: result.reachedTarget ? result.reachedTarget.iteration : null, values, optimal };
}
