/**
 * What a `check` candidate may hold. A candidate has the shape of the
 * oracle's result with any subset of its fields, but only fields of the
 * result: an unknown or misspelled key, at any depth, is bad input (a field
 * skipped silently would be a silent pass), and so is a candidate that
 * compares nothing (`{}`, or only non-numeric fields): `check` never passes
 * having compared nothing.
 */
import { NatgradError, childPath, describeValue } from '../core/errors.js';
import { rejectUnknownKeys } from '../core/validate.js';
import { isJsonObject, own } from './json-reader.js';
import { hasNumber } from './tensor.js';

/** The contract's optional fields of a family's `fisher` result, accepted in a candidate even when this result lacks them. */
export const OPTIONAL_FAMILY_FISHER_FIELDS = ['symbolic', 'latex'] as const;

/**
 * Throws for the first key of the candidate that is not a field of the
 * expected result at the same place (objects inside arrays, such as
 * `layers[0]`, included), and for a `kind` other than the result's.
 * `optional` lists top-level fields the contract defines for this result
 * although it does not hold them.
 */
export function assertCandidateFields(
  expected: Record<string, unknown>,
  candidate: Record<string, unknown>,
  root: string,
  optional: readonly string[] = [],
): void {
  const kind = own(expected, 'kind');
  const ck = own(candidate, 'kind');
  if (ck !== undefined && ck !== kind) {
    throw new NatgradError(
      childPath(root, 'kind'),
      `is ${describeValue(ck)}, but the spec's result is of kind ${JSON.stringify(kind)}; the candidate must have the shape of that result`,
    );
  }
  walk(expected, candidate, root, '', `the ${String(kind)} result`, optional);
}

function walk(e: unknown, c: unknown, path: string, inner: string, what: string, optional: readonly string[]): void {
  if (isJsonObject(e) && isJsonObject(c)) {
    rejectUnknownKeys(c, [...Object.keys(e), ...optional], path, inner === '' ? what : `${inner} of ${what}`);
    for (const key of Object.keys(c)) {
      const ev = own(e, key);
      if (ev !== undefined) walk(ev, c[key], childPath(path, key), childPath(inner, key).replace(/^\./, ''), what, []);
    }
    return;
  }
  // arrays of objects (K-FAC's layers); a numeric array is a field, compared elsewhere
  if (Array.isArray(e) && Array.isArray(c) && e.some(isJsonObject)) {
    const n = Math.min(e.length, c.length);
    for (let i = 0; i < n; i++) walk(e[i], c[i], childPath(path, i), `${inner}[${i}]`, what, []);
  }
}

/** The bad-input error for a candidate that compared nothing, naming the result's fields and which of them are numeric. */
export function nothingCompared(expected: Record<string, unknown>, root: string): NatgradError {
  const fields = Object.keys(expected);
  const numeric = fields.filter((k) => hasNumber(expected[k]));
  const other = fields.filter((k) => !numeric.includes(k));
  const notCompared = other.length === 0 ? '' : `; ${other.join(', ')} ${other.length === 1 ? 'is' : 'are'} not compared`;
  return new NatgradError(
    root,
    `has no field of the result to compare (fields: ${fields.join(', ')}; the numeric ones are compared: ${numeric.join(', ')}${notCompared}); ` +
      'check never passes having compared nothing',
  );
}
