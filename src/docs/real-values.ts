/**
 * Every expression a page shows must be real on its domain: evaluated at
 * random points of the variables' domains (joint constraints respected), it
 * is a finite number. A variable with no domain fails the check, and that is
 * how the computer algebra's imaginary unit i (which it brings in through a
 * branch cut, e.g. log(-u) = log(u) + i pi) is caught: i is no variable of
 * the family.
 */
import { pointInDomain, type Domain } from '../core/domain.js';
import { Rng } from '../core/rng.js';
import type { DerivationStep } from '../families/steps.js';
import { stepExpressions } from '../families/steps.js';
import { compileExpr, freeVariables, type Expr } from '../symbolic/index.js';

export const REAL_CHECK_POINTS = 20;

export interface NotReal {
  readonly expr: Expr;
  readonly reason: string;
}

/** Why `expr` is not real on the domains at some sampled point, or null. */
export function notRealOnDomain(
  expr: Expr,
  domains: Readonly<Record<string, Domain>>,
  valid: ((scope: Readonly<Record<string, number>>) => boolean) | undefined,
  seed: number,
  points = REAL_CHECK_POINTS,
): string | null {
  const vars = [...freeVariables(expr)];
  const missing = vars.filter((v) => !(v in domains));
  if (missing.length)
    return `${missing.join(', ')} has no domain (not a variable of this derivation${missing.includes('i') ? '; i is the imaginary unit' : ''})`;
  const f = compileExpr(expr);
  const rng = new Rng(seed);
  let done = 0;
  for (let attempt = 0; done < points && attempt < 100 * points; attempt++) {
    // every variable of the domains, so that a joint constraint sees all of them
    const scope: Record<string, number> = {};
    for (const v of Object.keys(domains).sort()) scope[v] = pointInDomain(domains[v], rng.uniform());
    if (valid && !valid(scope)) continue;
    done++;
    const value = f(scope);
    if (!Number.isFinite(value)) return `${value} at ${JSON.stringify(scope)}`;
  }
  return null;
}

/** Every expression the steps display that is not real on the steps' domains. */
export function notRealInSteps(steps: readonly DerivationStep[], seed: number): NotReal[] {
  const out: NotReal[] = [];
  for (const s of steps) {
    for (const e of stepExpressions(s)) {
      const reason = notRealOnDomain(e, s.domains, s.valid, seed);
      if (reason) out.push({ expr: e, reason: `${s.title}: ${reason}` });
    }
  }
  return out;
}
