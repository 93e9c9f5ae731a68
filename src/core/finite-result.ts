/**
 * The rule for every number a result reports: it is a finite float64. A
 * value that overflows float64 is refused as bad input naming the result
 * field (on the command line: exit 2 and one `natgrad:` line), never printed
 * as null, Infinity or NaN; a value below the smallest subnormal rounds to 0
 * as float64 arithmetic would, and is printed.
 *
 * Used by every producer of results (the oracle, `derive`, the family
 * evaluations, which know the size of an overflowing value and say it).
 */
import { NatgradError, childPath } from './errors.js';

const LARGEST = '1.8e+308';

/**
 * The error for a result field that overflows float64; `approx` is the
 * value's size where it is known (`1.0e+400`).
 */
export function resultOverflow(path: string, field: string, approx?: string): NatgradError {
  const size = approx ? `would be ${approx}, beyond the largest float64 (${LARGEST})` : `overflows float64 (its magnitude exceeds ${LARGEST})`;
  return new NatgradError(path, `the result field ${field} ${size}: these inputs are outside the range where it can be reported`);
}

/** The error for a result field that is not a number at all. */
export function resultNotANumber(path: string, field: string): NatgradError {
  return new NatgradError(
    path,
    `the result field ${field} is not a number (NaN) at these inputs: they are outside the range where it can be computed in float64`,
  );
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);

/**
 * The first non-finite number anywhere in a JSON-like value (arrays, typed
 * arrays, objects), with its path. The walk keeps the keys on a stack and
 * builds the path string only for the hit: a spec or result holds millions of numbers.
 */
export function findNonFinite(v: unknown, path: string): { path: string; value: number } | null {
  const keys: (string | number)[] = [];
  const hit = firstNonFinite(v, keys);
  return hit === null ? null : { path: keys.reduce<string>((p, k) => childPath(p, k), path), value: hit };
}

function firstNonFinite(v: unknown, keys: (string | number)[]): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? null : v;
  if (Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView))) {
    const a = v as ArrayLike<unknown>;
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      if (typeof x === 'number') {
        if (Number.isFinite(x)) continue;
        keys.push(i);
        return x;
      }
      keys.push(i);
      const hit = firstNonFinite(x, keys);
      if (hit !== null) return hit;
      keys.pop();
    }
    return null;
  }
  if (isPlainObject(v)) {
    for (const key of Object.keys(v)) {
      keys.push(key);
      const hit = firstNonFinite(v[key], keys);
      if (hit !== null) return hit;
      keys.pop();
    }
  }
  return null;
}

/** Throws, naming the field, unless every number in the result is finite. */
export function requireFiniteResult(result: unknown, path: string): void {
  const hit = findNonFinite(result, '');
  if (!hit) return;
  const field = hit.path.replace(/^\./, '');
  throw Number.isNaN(hit.value) ? resultNotANumber(path, field) : resultOverflow(path, field);
}
