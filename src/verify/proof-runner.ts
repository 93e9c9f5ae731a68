/**
 * Checks a proof step by step with `proveEqual` and records how each step was
 * established. Outcomes are cached per step (lhs, rhs), so a proof checked by
 * `verify`, the docs and the tests is derived once per process.
 */
import type { Domain } from '../core/domain.js';
import { BackendError, proveEqual, type Proof as Equality, type ProofMethod } from '../symbolic/index.js';
import type { Equation } from '../families/steps.js';
import type { Proof, ProofOutcome, ProofStep, StepOutcome } from './proof-types.js';

/**
 * Above this total length (lhs + rhs) the symbolic zero test is not attempted:
 * the backend's simplification takes seconds on such inputs and rarely reaches
 * 0 (SYMBOLIC.md), so the numeric identity test decides and says so.
 */
export const SYMBOLIC_ATTEMPT_MAX_LENGTH = 320;

/**
 * With exp in it, the limit is lower: measured, the backend spent 5-9 s
 * (every attempt timing out) on 100-300 character identities mixing exp
 * and rational functions (logistic and softmax Fishers) and still did not
 * reach 0, while the short ones it proves in milliseconds.
 */
export const SYMBOLIC_ATTEMPT_MAX_LENGTH_WITH_EXP = 100;

/** Whether the symbolic zero test is worth attempting on lhs = rhs. */
export function symbolicAttemptWorthwhile(lhs: string, rhs: string): boolean {
  const n = lhs.length + rhs.length;
  const hasExp = /\bexp\(/.test(lhs) || /\bexp\(/.test(rhs);
  return n <= (hasExp ? SYMBOLIC_ATTEMPT_MAX_LENGTH_WITH_EXP : SYMBOLIC_ATTEMPT_MAX_LENGTH);
}

const stepCache = new Map<string, StepOutcome>();

function runStep(step: ProofStep): StepOutcome {
  const key = `${step.numericOnly ? 'N' : 'S'}|${step.lhs}|${step.rhs}`;
  const cached = stepCache.get(key);
  if (cached) return { ...cached, claim: step.claim };
  const numericOnly = step.numericOnly === true || !symbolicAttemptWorthwhile(step.lhs, step.rhs);
  let r: Equality;
  let error: string | undefined;
  try {
    r = proveEqual(step.lhs, step.rhs, step.domains as Record<string, Domain>, { numericOnly });
  } catch (e) {
    // A backend failure on the symbolic attempt (e.g. an unparsable answer) leaves the numeric test to decide.
    if (!(e instanceof BackendError) && !(e instanceof Error && /cannot parse/.test(e.message))) throw e;
    error = e.message;
    r = proveEqual(step.lhs, step.rhs, step.domains as Record<string, Domain>, { numericOnly: true });
  }
  const out: StepOutcome = {
    claim: step.claim,
    equal: r.equal,
    ...(r.method ? { method: r.method } : {}),
    points: r.points,
    maxRelErr: r.maxRelErr,
    ...(r.counterexample ? { counterexample: r.counterexample } : {}),
    ...(error ? { error } : {}),
  };
  stepCache.set(key, out);
  return out;
}

/** Checks every step of a proof (all of them, even after a failure, so the outcome shows every refuted step). */
export function checkProof(proof: Proof): ProofOutcome {
  const steps = proof.steps.map(runStep);
  const methods: Record<ProofMethod, number> = { symbolic: 0, 'numeric-identity': 0 };
  for (const s of steps) if (s.method) methods[s.method]++;
  return { id: proof.id, ok: steps.length > 0 && steps.every((s) => s.equal), steps, methods };
}

/** One line naming how the steps were proved, e.g. `3 steps: 2 symbolic, 1 numeric identity`. */
export function describeMethods(outcome: ProofOutcome): string {
  const n = outcome.steps.length;
  const parts = [`${outcome.methods.symbolic} symbolic`, `${outcome.methods['numeric-identity']} numeric identity`];
  const refuted = outcome.steps.filter((s) => !s.equal).length;
  if (refuted > 0) parts.push(`${refuted} refuted`);
  return `${n} step${n === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

/** The method string of a check outcome: `symbolic`, `numeric-identity`, or both joined by `+`. */
export function methodOf(outcome: ProofOutcome): string {
  const used = (['symbolic', 'numeric-identity'] as const).filter((m) => outcome.methods[m] > 0);
  return used.length === 0 ? 'none' : used.join('+');
}

/** A proof whose steps (and definitions) are derived on first access (derivations go through the backend, which is slow). */
export function lazyProof(head: Omit<Proof, 'steps' | 'setup'>, build: () => ProofStep[], setup?: () => Equation[]): Proof {
  let steps: ProofStep[] | undefined;
  let definitions: Equation[] | undefined;
  return {
    ...head,
    get steps() {
      steps ??= build();
      return steps;
    },
    get setup() {
      if (!setup) return undefined;
      definitions ??= setup();
      return definitions;
    },
  };
}
