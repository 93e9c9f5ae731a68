/**
 * The one home of input validation: every option object, spec field and
 * library argument is checked with these, so a rule (what "a decay" or "an
 * rcond" allows) is written once and every message has the same form,
 * `<path>: must be <what is allowed>, got <what was given>`.
 *
 * Unknown keys are errors, never silently ignored: a misspelled `dampng`
 * would otherwise run with the default and give a quietly wrong answer.
 */
import { NatgradError, childPath, describeValue } from './errors.js';

/** Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  const d: number[][] = Array.from({ length: m + 1 }, (_, i) => {
    const row = new Array<number>(n + 1).fill(0);
    row[0] = i;
    return row;
  });
  for (let j = 0; j <= n; j++) d[0][j] = j;
  for (let i = 1; i <= m; i++) {
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2][j - 2] + 1);
      d[i][j] = v;
    }
  }
  return d[m][n];
}

/**
 * The allowed name closest to `name`, when it is close enough to be a
 * plausible typo (at most a third of the longer name's letters differ, and at
 * most 3), ignoring case; null otherwise.
 */
export function closestName(name: string, allowed: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  const lower = name.toLowerCase();
  for (const a of allowed) {
    const dist = editDistance(lower, a.toLowerCase());
    const limit = Math.min(3, Math.max(1, Math.floor(Math.max(a.length, name.length) / 3)));
    if (dist <= limit && dist < bestD) {
      best = a;
      bestD = dist;
    }
  }
  return best;
}

/** `; did you mean "damping"?` or the empty string. */
export function didYouMean(name: string, allowed: readonly string[]): string {
  const c = closestName(name, allowed);
  return c === null ? '' : `; did you mean ${JSON.stringify(c)}?`;
}

/** Whether `obj` has `key` as its own property (never the prototype chain's `constructor` or `__proto__`). */
export const hasOwn = (obj: object, key: string): boolean => Object.prototype.hasOwnProperty.call(obj, key);

/**
 * Throws for the first own key of `obj` that is not in `allowed`, naming the
 * field, the allowed fields and the closest one. `what` describes the object
 * in the message (`a normal's params in mean-std`). When no allowed name is
 * close, `elsewhere(key)` may say where the key does belong (`; "damping" is
 * a field of the kinds natural-gradient, kfac`).
 */
export function rejectUnknownKeys(
  obj: object,
  allowed: readonly string[],
  path: string,
  what = 'this object',
  elsewhere?: (key: string) => string,
): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      const list = allowed.length === 0 ? 'none' : allowed.map((k) => JSON.stringify(k)).join(', ');
      const hint = didYouMean(key, allowed) || (elsewhere?.(key) ?? '');
      throw new NatgradError(childPath(path, key), `is not a field of ${what} (allowed: ${list})${hint}`);
    }
  }
}

/** One of a fixed set of names; the message lists them and suggests the closest. */
export function requireOneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  const hint = typeof value === 'string' ? didYouMean(value, allowed) : '';
  throw new NatgradError(path, `must be one of ${allowed.join(', ')}, got ${describeValue(value)}${hint}`);
}

/** A finite number. */
export function requireFinite(value: unknown, path: string, what = 'a finite number'): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new NatgradError(path, `must be ${what}, got ${describeValue(value)}`);
  return value;
}

/** A finite number > 0. */
export function requirePositive(value: unknown, path: string): number {
  const x = requireFinite(value, path, 'a finite number > 0');
  if (!(x > 0)) throw new NatgradError(path, `must be a finite number > 0, got ${x}`);
  return x;
}

/** A finite number >= 0. */
export function requireNonNegative(value: unknown, path: string): number {
  const x = requireFinite(value, path, 'a finite number >= 0');
  if (!(x >= 0)) throw new NatgradError(path, `must be a finite number >= 0, got ${x}`);
  return x;
}

/** An integer in [min, max] (max may be Infinity). */
export function requireIntegerInRange(value: unknown, path: string, min: number, max = Infinity): number {
  const range = max === Infinity ? `an integer >= ${min}` : `an integer in ${min}..${max}`;
  const x = requireFinite(value, path, range);
  if (!Number.isInteger(x) || x < min || x > max) throw new NatgradError(path, `must be ${range}, got ${x}`);
  return x;
}

/** A running-average decay in [0, 1): 0 keeps only the newest value. */
export function requireDecay(value: unknown, path: string): number {
  const x = requireFinite(value, path, 'a number in [0, 1)');
  if (!(x >= 0 && x < 1)) throw new NatgradError(path, `must be a number in [0, 1), got ${x}`);
  return x;
}

/** A reciprocal condition number in (0, 1): the largest condition number allowed is 1/rcond. */
export function requireRcond(value: unknown, path: string): number {
  const x = requireFinite(value, path, 'a number in (0, 1)');
  if (!(x > 0 && x < 1)) throw new NatgradError(path, `must be a number in (0, 1), got ${x}`);
  return x;
}
