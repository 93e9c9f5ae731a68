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
export const hasOwn = (obj: object, key: string): boolean => Object.hasOwn(obj, key);

/**
 * Throws for the first own key of `obj` that is not in `allowed`, naming the
 * field, the allowed fields and the closest one. `what` describes the object
 * in the message (`a normal's params in mean-std`). When no allowed name is
 * close, `elsewhere(key)` may say where the key does belong (`; "damping" is
 * a field of the kinds natural-gradient, kfac`).
 */
export function rejectUnknownKeys(obj: object, allowed: readonly string[], path: string, what = 'this object', elsewhere?: (key: string) => string): void {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw new NatgradError(path, `must be ${what} (an object), got ${describeValue(obj)}`);
  }
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

/**
 * A finite number that keeps `rule` (`x > 1`); `what` says what is allowed in
 * the message (`a finite number > 1`). The one place a range rule is checked,
 * so every range message has the same form.
 */
export function requireFiniteWhere(value: unknown, path: string, what: string, rule: (x: number) => boolean): number {
  const x = requireFinite(value, path, what);
  if (!rule(x)) throw new NatgradError(path, `must be ${what}, got ${x}`);
  return x;
}

/** ` (the damping lambda)`: what a number is, after the rule it must keep. */
const noted = (rule: string, note?: string): string => (note ? `${rule} (${note})` : rule);

/** A finite number > `bound`; `note` says what it is or why (`the damping lambda`). */
export function requireAbove(value: unknown, path: string, bound: number, note?: string): number {
  return requireFiniteWhere(value, path, noted(`a finite number > ${bound}`, note), (x) => x > bound);
}

/** A finite number > 0; `note` says what it is (`the damping lambda`). */
export function requirePositive(value: unknown, path: string, note?: string): number {
  return requireAbove(value, path, 0, note);
}

/** A finite number >= 0; `note` says what it is (`the damping lambda`). */
export function requireNonNegative(value: unknown, path: string, note?: string): number {
  return requireFiniteWhere(value, path, noted('a finite number >= 0', note), (x) => x >= 0);
}

/** An integer in [min, max] (max may be Infinity). */
export function requireIntegerInRange(value: unknown, path: string, min: number, max = Infinity): number {
  const range = max === Infinity ? `an integer >= ${min}` : `an integer in ${min}..${max}`;
  return requireFiniteWhere(value, path, range, (x) => Number.isInteger(x) && x >= min && x <= max);
}

/** A running-average decay in [0, 1): 0 keeps only the newest value. */
export function requireDecay(value: unknown, path: string): number {
  return requireFiniteWhere(value, path, 'a number in [0, 1)', (x) => x >= 0 && x < 1);
}

/** A reciprocal condition number in [0, 1): the largest condition number allowed is 1/rcond (none for 0). */
export function requireRcond(value: unknown, path: string): number {
  return requireFiniteWhere(value, path, 'a number in [0, 1)', (x) => x >= 0 && x < 1);
}

/**
 * An options object: undefined reads as `{}`; anything but a plain object, or
 * an object with a key outside `allowed`, is a NatgradError (with a
 * did-you-mean for a misspelled key, or what `elsewhere(key)` says of a key
 * no allowed name is close to). Returns the object, typed for reading.
 */
export function requireOptions(
  value: unknown,
  allowed: readonly string[],
  path: string,
  what = 'the options',
  elsewhere?: (key: string) => string,
): Readonly<Record<string, unknown>> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new NatgradError(
      path === '' ? 'options' : path,
      `must be an object of options (${allowed.map((k) => JSON.stringify(k)).join(', ')}), got ${describeValue(value)}`,
    );
  }
  rejectUnknownKeys(value, allowed, path, what, elsewhere);
  return value as Record<string, unknown>;
}

/**
 * Whether an array or typed array carries its own `constructor` property:
 * Array and typed-array methods that build a new array (map, slice, filter)
 * look it up, so such a value would fail inside them with a TypeError.
 */
export const hasOwnConstructor = (value: object): boolean => hasOwn(value, 'constructor');

/**
 * A copy of an array made by index, so that own properties a caller put on
 * it (a `constructor` key, which Array methods such as map consult) cannot
 * reach the library's array operations.
 */
export function copyArray<T>(values: readonly T[]): T[] {
  const out = new Array<T>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i];
  return out;
}

/** A function (a callback, an objective, a schedule). */
export function requireFunction<F extends (...args: never[]) => unknown>(value: unknown, path: string, what = 'a function'): F {
  if (typeof value !== 'function') throw new NatgradError(path, `must be ${what}, got ${describeValue(value)}`);
  return value as F;
}

/** Throws unless every entry of `values` is finite, naming the first one that is not by its flat index. */
export function requireFiniteEntries(values: ArrayLike<number>, path: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new NatgradError(path, `entries must be finite numbers, entry ${i} is ${values[i]}`);
  }
}

/**
 * A vector of finite numbers (an array or a typed array), optionally of a
 * given length; a bad entry is named by its index (`params[5]`). Returns it
 * as given.
 */
export function requireFiniteVector(value: unknown, path: string, o: { length?: number; lengthWhat?: string; nonEmpty?: boolean } = {}): ArrayLike<number> {
  const isVector = Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
  if (!isVector) throw new NatgradError(path, `must be an array of finite numbers, got ${describeValue(value)}`);
  const v = value as ArrayLike<unknown>;
  if (hasOwnConstructor(v)) throw new NatgradError(path, 'must be a plain array of numbers (it has its own "constructor" property)');
  if (o.length !== undefined && v.length !== o.length) {
    throw new NatgradError(path, `must have ${o.length} entries${o.lengthWhat ? ` (${o.lengthWhat})` : ''}, got ${v.length}`);
  }
  if (o.nonEmpty && v.length === 0) throw new NatgradError(path, 'must not be empty');
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new NatgradError(`${path}[${i}]`, `must be a finite number, got ${describeValue(x)}`);
  }
  return v as ArrayLike<number>;
}

/**
 * The largest result (matrix or vector) the library builds: 2^26 float64
 * entries, 512 MiB. A request above it is refused before any allocation, so
 * a huge request is a clear error rather than an out-of-memory abort.
 */
export const MAX_RESULT_ENTRIES = 2 ** 26;

/** Throws unless `entries` (computed from the request, before allocating) is at most MAX_RESULT_ENTRIES. */
export function requireResultSize(entries: number, path: string, what: string): void {
  if (!(entries <= MAX_RESULT_ENTRIES)) {
    throw new NatgradError(path, `${what} would have ${entries} entries, more than the limit of 2^26 = ${MAX_RESULT_ENTRIES}`);
  }
}

/** true or false (a string "false" is not accepted: it would read as true). */
export function requireBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new NatgradError(path, `must be true or false, got ${describeValue(value)}`);
  return value;
}

/** The JSON-path prefix a library function puts in its error messages: a string. */
export function requirePath(path: unknown): string {
  if (typeof path !== 'string') throw new NatgradError('path', `must be a string (the prefix of error paths, e.g. "spec"), got ${describeValue(path)}`);
  return path;
}

/** What an option's value must be; ranges are checked where the option is used. */
export type OptionKind = 'number' | 'number-or-null' | 'string' | 'boolean' | 'object' | 'schedule' | 'object-or-false';

const KIND_TEXT: Readonly<Record<OptionKind, string>> = {
  number: 'a number',
  'number-or-null': 'a number or null',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  schedule: 'a finite number >= 0 or a schedule (a function of the step returning one)',
  'object-or-false': 'an object or false',
};

const isPlainObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);

function hasKind(v: unknown, kind: OptionKind): boolean {
  switch (kind) {
    case 'number':
      return typeof v === 'number';
    case 'number-or-null':
      return v === null || typeof v === 'number';
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'object':
      return isPlainObject(v);
    case 'schedule':
      return typeof v === 'function' || (typeof v === 'number' && Number.isFinite(v) && v >= 0);
    case 'object-or-false':
      return v === false || isPlainObject(v);
  }
}

/**
 * An options object whose keys are those of `kinds` and whose values (when
 * given) have the kind stated there: requireOptions plus a type check, so a
 * string, a Symbol or an object where a number belongs is refused by name
 * before any arithmetic coerces it. `elsewhere` as for rejectUnknownKeys.
 */
export function requireTypedOptions(
  value: unknown,
  kinds: Readonly<Record<string, OptionKind>>,
  path: string,
  what = 'the options',
  elsewhere?: (key: string) => string,
): Readonly<Record<string, unknown>> {
  const o = requireOptions(value, Object.keys(kinds), path, what, elsewhere);
  for (const key of Object.keys(o)) {
    const v = o[key];
    const kind = kinds[key];
    if (v !== undefined && !hasKind(v, kind)) throw new NatgradError(childPath(path, key), `must be ${KIND_TEXT[kind]}, got ${describeValue(v)}`);
  }
  return o;
}
