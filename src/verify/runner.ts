/**
 * Runs checks: each with its own seed (derived from the run's seed and the
 * check's id, so --filter does not change what a check sees), its sensitivity
 * run, and its time. A check whose sensitivity run passes is reported as
 * INSENSITIVE: it could not have caught the mistake it claims to catch.
 */
import { hashSeed } from '../core/rng.js';
import type { Check, CheckContext, CheckOutcome } from './types.js';

export type CheckStatus = 'verified' | 'FAILED' | 'INSENSITIVE' | 'ERROR';

export interface CheckResult {
  id: string;
  theorem: string;
  reference: string;
  kind: 'proof' | 'property';
  status: CheckStatus;
  runs: number;
  method: string;
  detail: string;
  sensitivity: string;
  seed: number;
  millis: number;
  /** the statistical check's standardized deviations and critical value (see CheckOutcome) */
  statistic?: CheckOutcome['statistic'];
}

export interface RunOptions {
  seed: number;
  runs: number;
  thorough: boolean;
  filter?: string;
  /** called after each check, for progress displays */
  onResult?: (result: CheckResult, index: number, total: number) => void;
  onStart?: (check: Check, index: number, total: number) => void;
}

export function checkSeed(runSeed: number, id: string): number {
  return hashSeed(`${runSeed}:${id}`);
}

/** `--filter` matches ids by substring, or by glob when it contains `*`. */
export function matchesFilter(id: string, filter: string | undefined): boolean {
  if (!filter) return true;
  return filter.split(',').some((f) => {
    if (!f.includes('*')) return id.includes(f);
    const re = new RegExp(
      `^${f
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
        .join('.*')}$`,
    );
    return re.test(id);
  });
}

function safeRun(fn: (ctx: CheckContext) => CheckOutcome, ctx: CheckContext): CheckOutcome | Error {
  try {
    return fn(ctx);
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

export function runCheck(check: Check, opts: Omit<RunOptions, 'filter'>): CheckResult {
  const seed = checkSeed(opts.seed, check.id);
  const ctx: CheckContext = { seed, runs: opts.runs, thorough: opts.thorough };
  const started = performance.now();
  const outcome = safeRun((c) => check.run(c), ctx);
  let status: CheckStatus;
  let sensitivity = 'none';
  if (outcome instanceof Error) {
    status = 'ERROR';
  } else if (!outcome.ok) {
    status = 'FAILED';
  } else {
    status = 'verified';
    if (check.sensitivity) {
      const s = safeRun((c) => check.sensitivity!.run(c), { ...ctx, expectFailure: true });
      if (s instanceof Error) {
        sensitivity = `caught (threw: ${s.message.slice(0, 120)})`;
      } else if (s.ok) {
        status = 'INSENSITIVE';
        sensitivity = `NOT caught: ${check.sensitivity.description}`;
      } else {
        sensitivity = `caught: ${check.sensitivity.description}`;
      }
    }
  }
  return {
    id: check.id,
    theorem: check.theorem,
    reference: check.reference,
    kind: check.kind,
    status,
    runs: outcome instanceof Error ? 0 : outcome.runs,
    method: outcome instanceof Error ? '' : (outcome.method ?? ''),
    detail: outcome instanceof Error ? `threw: ${outcome.message}` : outcome.detail,
    sensitivity,
    seed,
    millis: performance.now() - started,
    ...(outcome instanceof Error || !outcome.statistic ? {} : { statistic: outcome.statistic }),
  };
}

export function runChecks(checks: readonly Check[], opts: RunOptions): CheckResult[] {
  const selected = checks.filter((c) => matchesFilter(c.id, opts.filter));
  return selected.map((c, i) => {
    opts.onStart?.(c, i, selected.length);
    const r = runCheck(c, opts);
    opts.onResult?.(r, i, selected.length);
    return r;
  });
}

export interface Summary {
  total: number;
  verified: number;
  failed: number;
  insensitive: number;
  errors: number;
  millis: number;
}

export function summarize(results: readonly CheckResult[], millis: number): Summary {
  const count = (s: CheckStatus) => results.filter((r) => r.status === s).length;
  return { total: results.length, verified: count('verified'), failed: count('FAILED'), insensitive: count('INSENSITIVE'), errors: count('ERROR'), millis };
}
