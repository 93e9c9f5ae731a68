/**
 * Longest-first dispatch for a parallel verify run: with checks taking from
 * milliseconds to tens of seconds, a long check started last keeps one core
 * busy while the others idle. Workers take checks in this order; results are
 * still reported in the registry's order, and every check's seed depends only
 * on its id, so the order changes times, never outcomes.
 *
 * Estimates come from the previous run's times (a small JSON file of id ->
 * milliseconds) where there are any, else from a static rule of thumb by the
 * kind of check, measured on this suite: the symbolic routes (of the
 * multivariate families most) take longest, the Monte Carlo checks under a
 * second each.
 */
import type { Check } from './types.js';

/** Rough milliseconds of a check that has no recorded time (measured orders of magnitude, not promises). */
export function staticEstimate(check: Pick<Check, 'id' | 'kind'>): number {
  const { id } = check;
  // Monte Carlo checks: 0.05-0.5 s of CPU each (the negative Hessian with control variates is exact
  // for exponential families, so a few hundred draws decide most entries), the d = 5 normal the longest
  if (id.endsWith('/monte-carlo') || id === 'mvn/fisher/general-d') return id.includes('multivariate-normal') || id.includes('mvn') ? 500 : 250;
  let ms = check.kind === 'proof' ? 1500 : 300;
  if (id.endsWith('/routes')) ms = 2500;
  else if (id.endsWith('/score-mean-zero') || id.endsWith('/exact')) ms = 800;
  else if (id.endsWith('/positive-definite')) ms = 20;
  if (id.includes('multivariate-normal') || id.includes('mvn')) ms *= 8;
  else if (id.includes('dirichlet') || id.includes('categorical')) ms *= 3;
  return ms;
}

/** The checks in dispatch order: longest expected first (stable among equals). */
export function longestFirst<T extends Pick<Check, 'id' | 'kind'>>(checks: readonly T[], times: ReadonlyMap<string, number> = new Map()): T[] {
  const expected = (c: T): number => times.get(c.id) ?? staticEstimate(c);
  return checks
    .map((c, i) => ({ c, i, t: expected(c) }))
    .sort((a, b) => b.t - a.t || a.i - b.i)
    .map((x) => x.c);
}

/** Reads a times file written by `timesFile`; anything unreadable is no information (an empty map), never an error. */
export function parseTimes(text: string | null): Map<string, number> {
  const out = new Map<string, number>();
  if (!text) return out;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      for (const [id, ms] of Object.entries(parsed as Record<string, unknown>)) if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) out.set(id, ms);
    }
  } catch {
    // a damaged cache only costs the ordering
  }
  return out;
}

/** The times file after a run: earlier entries kept, this run's checks updated. */
export function timesFile(previous: ReadonlyMap<string, number>, results: readonly { id: string; millis: number }[]): string {
  const merged = new Map(previous);
  for (const r of results) merged.set(r.id, Math.round(r.millis));
  return `${JSON.stringify(Object.fromEntries([...merged].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), null, 0)}\n`;
}
