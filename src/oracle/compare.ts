/**
 * The field walk of `check`: every numeric field present in the candidate is
 * compared with the same field of the expected result. A field is the
 * smallest JSON value that is a number, a vector or a matrix (`loss`,
 * `direction`, `layers[0].G`, `params.mu`); a candidate field of another
 * shape is a mismatch, not bad input.
 */
import { own, isJsonObject } from './json-reader.js';
import { type ErrorSummary, type Tensor, type Tolerance, errorSummary, hasNumber, paddedErrorSummary, sameShape, tensorOf } from './tensor.js';

/** Key path of a field inside one result: ['layers', 0, 'G']. */
export type FieldKeys = (string | number)[];

export interface FieldComparison extends ErrorSummary {
  /** index of the spec in an array spec, null for a single spec */
  specIndex: number | null;
  keys: FieldKeys;
  /** the contract's field path: `layers[0].G`, `[2].matrix` */
  field: string;
  /** the expected value as a tensor (null for a structural field such as `layers`) */
  expected: Tensor | null;
  /** the candidate's raw JSON value */
  candidate: unknown;
  /** false when the candidate's value does not have the expected shape */
  shapeOk: boolean;
}

/** `layers[0].G`, or `[2].layers[0].G` inside an array spec. */
export function fieldPath(specIndex: number | null, keys: FieldKeys): string {
  let out = specIndex === null ? '' : `[${specIndex}]`;
  for (const k of keys) {
    if (typeof k === 'number') out += `[${k}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k)) out += out === '' ? k : `.${k}`;
    else out += `[${JSON.stringify(k)}]`;
  }
  return out;
}

/** Compares the numeric fields of one candidate result against the expected result. */
export function compareResult(expected: unknown, candidate: unknown, specIndex: number | null, tol: Tolerance): FieldComparison[] {
  const out: FieldComparison[] = [];
  walk(expected, candidate, [], specIndex, tol, out);
  return out;
}

function walk(e: unknown, c: unknown, keys: FieldKeys, specIndex: number | null, tol: Tolerance, out: FieldComparison[]): void {
  if (!hasNumber(e)) return;
  const field = fieldPath(specIndex, keys);
  const et = tensorOf(e);
  if (et) {
    const ct = tensorOf(c);
    if (ct && sameShape(ct, et)) {
      out.push({ specIndex, keys, field, expected: et, candidate: c, shapeOk: true, ...errorSummary(ct, et, tol) });
    } else {
      out.push({ specIndex, keys, field, expected: et, candidate: c, shapeOk: false, ...paddedErrorSummary(c, e) });
    }
    return;
  }
  if (Array.isArray(e)) {
    if (!Array.isArray(c) || c.length !== e.length) {
      out.push({ specIndex, keys, field, expected: null, candidate: c, shapeOk: false, ...paddedErrorSummary(c, e) });
      return;
    }
    e.forEach((ei, i) => walk(ei, c[i], [...keys, i], specIndex, tol, out));
    return;
  }
  if (isJsonObject(e)) {
    if (!isJsonObject(c)) {
      out.push({ specIndex, keys, field, expected: null, candidate: c, shapeOk: false, ...paddedErrorSummary(c, e) });
      return;
    }
    for (const key of Object.keys(c)) {
      const ev = own(e, key);
      if (ev !== undefined) walk(ev, c[key], [...keys, key], specIndex, tol, out);
    }
  }
}
