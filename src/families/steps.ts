/**
 * A derivation as a learner reads it: a sequence of steps, each a displayed
 * equation (or several), a short reason, and how the step was checked. The
 * docs and `natgrad derive` render these; nothing here depends on Markdown.
 */
import type { Domain } from '../core/domain.js';
import type { Expr } from '../symbolic/index.js';

export type CheckMethod =
  | 'symbolic'
  | 'numeric-identity'
  | 'finite-differences'
  | 'numeric-density'
  | 'exact-sum'
  | 'quadrature'
  | 'monte-carlo'
  | 'matrix-identity';

export interface StepCheck {
  readonly ok: boolean;
  readonly method: CheckMethod;
  /** how many random points (or cases) were evaluated */
  readonly points: number;
  /** one sentence with the numbers: what was compared, the largest difference and its tolerance */
  readonly detail: string;
}

/** The right-hand side of a displayed equation: an expression, a matrix or vector of them, or TeX written by hand. */
export type EquationValue =
  | { readonly expr: Expr }
  | { readonly matrix: readonly (readonly Expr[])[]; readonly symmetric?: boolean }
  | { readonly tex: string /** the same for a terminal */; readonly text?: string };

export interface Equation {
  /** TeX of the left-hand side */
  readonly lhs: string;
  /** the left-hand side as plain text, for terminals (default: the TeX) */
  readonly text?: string;
  readonly rhs: EquationValue;
  /**
   * TeX names of the entries, when a matrix is too wide to display whole and
   * is shown entry by entry (row i, column j); default `lhs_{ij}`
   */
  readonly entryLhs?: (i: number, j: number) => string;
}

export interface DerivationStep {
  readonly title: string;
  /** why the step holds, in Markdown with $...$ LaTeX */
  readonly reason: string;
  readonly equations: readonly Equation[];
  /** the domain of every free variable of the equations' expressions (for evaluating them) */
  readonly domains: Readonly<Record<string, Domain>>;
  /** a joint constraint on the parameters, for sampling valid points (symbols in order, values) */
  readonly valid?: (scope: Readonly<Record<string, number>>) => boolean;
  /** how the step was checked; null for a definition */
  readonly check: StepCheck | null;
}

export function formatNumber(x: number): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return String(x);
  return x.toExponential(1);
}

/** Every expression a step displays (matrix entries included), for properties that evaluate them. */
export function stepExpressions(step: DerivationStep): Expr[] {
  const out: Expr[] = [];
  for (const eq of step.equations) {
    const v = eq.rhs;
    if ('expr' in v) out.push(v.expr);
    else if ('matrix' in v) for (const row of v.matrix) out.push(...row);
  }
  return out;
}
