/**
 * proveEqual: a symbolic zero test of lhs - rhs, always backed by a
 * randomized numeric identity test at >= 50 points of the variables' domains.
 * The result says how the identity was established, or gives a counterexample.
 * A symbolic "0" that the numbers contradict is a backend bug and throws.
 */
import type { Domain } from '../core/domain.js';
import { pointInDomain } from '../core/domain.js';
import { hashSeed, Rng } from '../core/rng.js';
import { evaluateWithError, freeVariables, type Expr } from './ast.js';
import { isSymbolicallyZero } from './calculus.js';
import { BackendError } from './backend.js';

export type ProofMethod = 'symbolic' | 'numeric-identity';

export interface Proof {
  equal: boolean;
  /** how equality was established; undefined when refuted */
  method?: ProofMethod;
  /** number of random points evaluated */
  points: number;
  /** largest relative difference beyond the rounding-error bound */
  maxRelErr: number;
  counterexample?: { point: Record<string, number>; lhs: number; rhs: number };
}

export interface ProveOptions {
  points?: number;
  rtol?: number;
  seed?: number;
  /** skip the symbolic attempt (for expressions the backend is known to be slow on) */
  numericOnly?: boolean;
}

export function proveEqual(lhs: Expr, rhs: Expr, domains: Record<string, Domain>, options: ProveOptions = {}): Proof {
  const points = options.points ?? 50;
  const rtol = options.rtol ?? 1e-10;
  const numeric = numericIdentityTest(lhs, rhs, domains, points, rtol, options.seed ?? hashSeed(`${lhs}=${rhs}`));
  const symbolic = options.numericOnly ? false : isSymbolicallyZero(`(${lhs})-(${rhs})`);
  if (symbolic && !numeric.equal) {
    throw new BackendError(
      `${lhs} = ${rhs}`,
      `the backend simplified the difference to 0 but the numbers disagree at ${JSON.stringify(numeric.counterexample)}`,
    );
  }
  if (!numeric.equal) return numeric;
  return { ...numeric, method: symbolic ? 'symbolic' : 'numeric-identity' };
}

function numericIdentityTest(lhs: Expr, rhs: Expr, domains: Record<string, Domain>, points: number, rtol: number, seed: number): Proof {
  const vars = [...new Set([...freeVariables(lhs), ...freeVariables(rhs)])].sort();
  const missing = vars.filter((v) => !(v in domains));
  if (missing.length > 0) throw new Error(`proveEqual: no domain given for ${missing.join(', ')} in '${lhs}' = '${rhs}'`);
  const rng = new Rng(seed);
  let done = 0;
  let attempts = 0;
  let maxRelErr = 0;
  while (done < points) {
    if (++attempts > points * 10) throw new Error(`proveEqual: could not find ${points} points where both sides of '${lhs} = ${rhs}' are finite`);
    const point: Record<string, number> = {};
    for (const v of vars) point[v] = pointInDomain(domains[v], rng.uniform());
    const l = evaluateWithError(lhs, point);
    const r = evaluateWithError(rhs, point);
    if (!Number.isFinite(l.value) || !Number.isFinite(r.value)) continue;
    done++;
    const excess = Math.max(0, Math.abs(l.value - r.value) - 16 * (l.error + r.error));
    const scale = Math.max(Math.abs(l.value), Math.abs(r.value), Number.MIN_VALUE);
    const rel = excess / scale;
    if (rel > maxRelErr) maxRelErr = rel;
    if (rel > rtol) return { equal: false, points: done, maxRelErr: rel, counterexample: { point, lhs: l.value, rhs: r.value } };
  }
  return { equal: true, points: done, maxRelErr };
}
