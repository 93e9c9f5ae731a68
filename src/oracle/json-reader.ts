/**
 * Path-aware readers for raw JSON values: each returns the typed value or
 * throws a NatgradError naming the JSON path, what is wrong and what is
 * allowed. Hand-written rather than schema-generated so that every message
 * carries the exact path (`spec.weights[1].W[2]`) and the allowed set.
 */
import { NatgradError, childPath, describeValue } from '../core/errors.js';
import { requireFinite, requireOneOf } from '../core/validate.js';
import { findNonFinite } from '../core/finite-result.js';
import { Matrix } from '../linalg/matrix.js';

export type JsonObject = Record<string, unknown>;

/** A JSON value as written (the vector suite builds specs from these). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };
export type JsonRecord = { [k: string]: JsonValue };

/** True for a plain JSON object (not an array, not null). */
export const isJsonObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Own property lookup (so that `constructor` or `__proto__` never resolve to the prototype chain). */
export function own(obj: JsonObject, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Throws unless `v` is a JSON object. */
export function readObject(v: unknown, path: string, what = 'an object'): JsonObject {
  if (!isJsonObject(v)) throw new NatgradError(path, `must be ${what}, got ${describeValue(v)}`);
  return v;
}

/** A required field; `allowed` says what may stand there. */
export function requireField(obj: JsonObject, key: string, path: string, allowed: string): unknown {
  const v = own(obj, key);
  if (v === undefined) throw new NatgradError(childPath(path, key), `is required: ${allowed}`);
  return v;
}

/** One of a fixed set of strings, with the closest one suggested. */
export function readEnum<T extends string>(v: unknown, path: string, allowed: readonly T[]): T {
  return requireOneOf(v, allowed, path);
}

/** A JSON array. */
export function readArray(v: unknown, path: string, what = 'an array'): unknown[] {
  if (!Array.isArray(v)) throw new NatgradError(path, `must be ${what}, got ${describeValue(v)}`);
  return v;
}

/** An array of finite numbers, of length `length` when given. */
export function readVector(v: unknown, path: string, length?: number, what?: string): Float64Array {
  const desc = what ?? (length === undefined ? 'an array of finite numbers' : `an array of ${length} finite numbers`);
  const arr = readArray(v, path, desc);
  if (length !== undefined && arr.length !== length) {
    throw new NatgradError(path, `must be ${desc}, got an array of length ${arr.length}`);
  }
  const out = new Float64Array(arr.length);
  for (let i = 0; i < arr.length; i++) {
    const x = arr[i];
    // the path string is built only for a bad entry: a spec holds millions of numbers
    out[i] = typeof x === 'number' && Number.isFinite(x) ? x : requireFinite(x, childPath(path, i));
  }
  return out;
}

/**
 * A matrix as an array of rows of finite numbers, all rows of one length.
 * With `rows`/`cols` given the shape must match; `shapeWhat` explains it
 * (`out x in`). At least one row and one column.
 */
export function readMatrix(v: unknown, path: string, rows?: number, cols?: number, shapeWhat = ''): Matrix {
  const expected =
    rows !== undefined && cols !== undefined
      ? `a ${rows} x ${cols}${shapeWhat ? ` (${shapeWhat})` : ''} matrix, an array of ${rows} rows of ${cols} numbers`
      : 'a matrix, an array of rows of numbers';
  const arr = readArray(v, path, expected);
  if (arr.length === 0) throw new NatgradError(path, `must be ${expected}, got an empty array`);
  if (rows !== undefined && arr.length !== rows) throw new NatgradError(path, `must be ${expected}, got ${arr.length} rows`);
  const first = arr[0];
  if (!Array.isArray(first)) throw new NatgradError(childPath(path, 0), `must be a row (an array of numbers) of ${expected}, got ${describeValue(first)}`);
  const c = cols ?? first.length;
  if (c === 0) throw new NatgradError(childPath(path, 0), `must be a non-empty row of ${expected}`);
  const M = new Matrix(arr.length, c);
  arr.forEach((row, i) => {
    const rp = childPath(path, i);
    if (!Array.isArray(row)) throw new NatgradError(rp, `must be a row (an array of ${c} numbers) of ${expected}, got ${describeValue(row)}`);
    if (row.length !== c)
      throw new NatgradError(rp, `must have ${c} entries like ${cols === undefined ? 'the first row' : 'every row'} of ${expected}, got ${row.length}`);
    for (let j = 0; j < c; j++) {
      const x: unknown = row[j];
      M.data[i * c + j] = typeof x === 'number' && Number.isFinite(x) ? x : requireFinite(x, childPath(rp, j));
    }
  });
  return M;
}

// JSON.parse turns 1e999 into Infinity: input is held to the same rule as results
export { findNonFinite };

/** Throws for the first non-finite number in a JSON value. */
export function assertAllFinite(v: unknown, path: string): void {
  const hit = findNonFinite(v, path);
  if (hit) throw new NatgradError(hit.path, `must be a finite number, got ${hit.value} (the number overflows float64)`);
}
