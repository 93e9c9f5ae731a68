/**
 * A proof is a theorem's statement plus a sequence of steps, each an
 * equation lhs = rhs between expressions that `proveEqual` checks (by the
 * computer algebra, or by the randomized numeric identity test when the
 * algebra is too slow or cannot reduce the difference to 0). Every step says
 * which of the two established it.
 */
import type { Domain } from '../core/domain.js';
import type { Equation } from '../families/steps.js';
import type { Expr, ProofMethod } from '../symbolic/index.js';

export interface ProofStep {
  /** what the step asserts, in Markdown with $...$ LaTeX */
  readonly claim: string;
  readonly lhs: Expr;
  readonly rhs: Expr;
  /** the domain of every free variable of lhs and rhs */
  readonly domains: Readonly<Record<string, Domain>>;
  /** skip the symbolic attempt (expressions the backend is known to be slow on) */
  readonly numericOnly?: boolean;
}

export interface Proof {
  /** stable identifier, e.g. `pullback/normal/mean-std->natural` */
  readonly id: string;
  readonly title: string;
  /** the theorem, in Markdown with $...$ LaTeX */
  readonly statement: string;
  readonly references: readonly string[];
  /** the steps; may be computed on first access (derivations through the backend) */
  readonly steps: readonly ProofStep[];
  /** definitions the steps use (a map, a Jacobian), displayed before them; may be computed with the steps */
  readonly setup?: readonly Equation[];
  /** the id of the property check that tests the theorem numerically */
  readonly property?: string;
}

export interface StepOutcome {
  readonly claim: string;
  readonly equal: boolean;
  readonly method?: ProofMethod;
  readonly points: number;
  readonly maxRelErr: number;
  readonly counterexample?: { point: Record<string, number>; lhs: number; rhs: number };
  /** a backend failure, when the step could not be checked at all */
  readonly error?: string;
}

export interface ProofOutcome {
  readonly id: string;
  readonly ok: boolean;
  readonly steps: readonly StepOutcome[];
  /** how many steps each method established */
  readonly methods: Readonly<Record<ProofMethod, number>>;
}
