/**
 * Runs one fast-check property as a `verify` check: the test of one case
 * returns its error as a fraction of the allowed tolerance (<= 1 passes) with
 * a description, and the outcome reports the worst case seen, so a passing
 * check still says how close it came.
 */
import fc from 'fast-check';
import type { CheckContext, CheckOutcome } from '../src/verify/types.js';

export interface CaseResult {
  /** error / tolerance: the case passes when <= 1 */
  ratio: number;
  /** what was compared, with the numbers */
  what: string;
}

/**
 * How long a failing property may spend shrinking its counterexample: past
 * it, the smallest counterexample found so far is reported, marked as cut.
 */
export const SHRINK_TIME_LIMIT_MS = 60_000;

/** At most this many characters of a counterexample's values in a detail line. */
const MAX_VALUES_CHARS = 2000;

function describeValues(values: unknown): string {
  // fast-check's records have no prototype, which stringify spells out in each
  const s = fc.stringify(values).replaceAll('__proto__:null,', '');
  return s.length <= MAX_VALUES_CHARS ? s : `${s.slice(0, MAX_VALUES_CHARS)}... (${s.length} characters)`;
}

/**
 * The property "every case passes": ok when no case exceeds its tolerance.
 * A failure is shrunk (for at most `shrinkTimeLimitMs`) to a small
 * counterexample, whose values the detail prints with the seed and path that
 * replay it; a sensitivity run (ctx.expectFailure) stops at its first
 * counterexample, since its failure is the expected outcome.
 */
export function runProperty<T>(
  ctx: CheckContext,
  arb: fc.Arbitrary<T>,
  test: (t: T) => CaseResult,
  method: string,
  runs = ctx.runs,
  shrinkTimeLimitMs = SHRINK_TIME_LIMIT_MS,
): CheckOutcome {
  let worst: CaseResult = { ratio: -1, what: 'no case' };
  let failure: CaseResult | null = null;
  const property = fc.property(arb, (t) => {
    let r: CaseResult;
    try {
      r = test(t);
    } catch (e) {
      // a case that throws becomes the counterexample (a rejected precondition does not)
      if (!fc.PreconditionFailure.isFailure(e)) failure = null;
      throw e;
    }
    // while shrinking, the last failure seen is the smallest counterexample so far
    if (!(r.ratio <= 1)) {
      failure = r;
      return false;
    }
    if (r.ratio > worst.ratio) worst = r;
    return true;
  });
  // find the first counterexample without shrinking, then replay its path and shrink under a time limit
  let details = fc.check(property, { seed: ctx.seed, numRuns: runs, endOnFailure: true });
  const casesRun = details.numRuns;
  let cut = false;
  if (details.failed && !ctx.expectFailure && details.counterexamplePath !== null) {
    const first = { details, failure };
    const replay = fc.check(property, { seed: ctx.seed, numRuns: runs, path: details.counterexamplePath, interruptAfterTimeLimit: shrinkTimeLimitMs });
    cut = replay.interrupted;
    // a replay cut before its first case, or that does not fail again (a property with state), keeps the first counterexample
    if (replay.failed && replay.counterexample !== null) details = replay;
    else ({ details, failure } = first);
  }
  if (details.failed) {
    const f = failure as CaseResult | null;
    // a pass/fail predicate reports no ratio (Infinity): its reason says it all
    const why = f
      ? Number.isFinite(f.ratio)
        ? `${f.what} (error ${f.ratio.toPrecision(3)} x tolerance)`
        : f.what
      : `threw: ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`;
    const shrunk = ctx.expectFailure ? 'not shrunk' : cut ? `shrinking cut after ${shrinkTimeLimitMs / 1000} s, smallest found` : 'shrunk';
    const values = details.counterexample ? `; counterexample (${shrunk}): ${describeValues(details.counterexample[0])}` : '';
    return { ok: false, runs: casesRun, method, detail: `${why}${values}; seed ${details.seed}, path "${details.counterexamplePath}"` };
  }
  return {
    ok: true,
    runs: details.numRuns,
    method,
    detail: `${details.numRuns} cases; worst: ${worst.what} (error ${worst.ratio.toPrecision(3)} x tolerance)`,
  };
}

/**
 * The property "some case is a counterexample": ok when a case exceeds its
 * tolerance (used for the negative results: plain gradient descent is not
 * invariant, the probit Hessian is not the Fisher, ...).
 */
export function findCounterexample<T>(ctx: CheckContext, arb: fc.Arbitrary<T>, test: (t: T) => CaseResult, method: string, runs = ctx.runs): CheckOutcome {
  let found: CaseResult | null = null;
  const details = fc.check(
    fc.property(arb, (t) => {
      const r = test(t);
      if (r.ratio > 1) {
        found = r;
        return false;
      }
      return true;
    }),
    { seed: ctx.seed, numRuns: runs, endOnFailure: true },
  );
  if (details.failed && found) {
    const f = found as CaseResult;
    return {
      ok: true,
      runs: details.numRuns,
      method,
      detail: `counterexample: ${f.what} (difference ${f.ratio.toPrecision(3)} x tolerance); seed ${details.seed}, path "${details.counterexamplePath}"`,
    };
  }
  if (details.failed) return { ok: false, runs: details.numRuns, method, detail: `the test threw: ${String(details.errorInstance)}` };
  return { ok: false, runs: details.numRuns, method, detail: `no counterexample in ${details.numRuns} cases` };
}

/** Euclidean norm of a difference. */
export function normDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

export function norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] ** 2;
  return Math.sqrt(s);
}

export const EPS = 2.220446049250313e-16;

export const fmt = (v: ArrayLike<number>): string => `[${Array.from(v, (x) => x.toPrecision(6)).join(', ')}]`;

/**
 * A real number in [lo, hi] on a grid of 1/1000: no subnormals or
 * 1e-300-sized values, which fast-check's doubles favour and which test the
 * float format rather than the theorem.
 */
export const real = (lo: number, hi: number): fc.Arbitrary<number> =>
  fc.integer({ min: Math.ceil(lo * 1000), max: Math.floor(hi * 1000) }).map((v) => v / 1000);

export const reals = (n: number, lo: number, hi: number): fc.Arbitrary<number[]> => fc.array(real(lo, hi), { minLength: n, maxLength: n });
