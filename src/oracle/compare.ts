/**
 * The field walk of `check`: every numeric field present in the candidate is
 * compared with the same field of the expected result. A field is the
 * smallest JSON value that is a number, a vector or a matrix (`loss`,
 * `direction`, `layers[0].G`, `params.mu`); a candidate field of another
 * shape is a mismatch, not bad input.
 */
import { own, isJsonObject } from './json-reader.js';
import { zForFalseAlarm } from '../numeric/statistics.js';
import {
  type ErrorSummary,
  type NumericField,
  type Tolerance,
  errorSummary,
  hasNumber,
  paddedErrorSummary,
  sameShape,
  summarizeErrors,
  tensorOf,
} from './tensor.js';

/** Key path of a field inside one result: ['layers', 0, 'G']. */
export type FieldKeys = (string | number)[];

export interface FieldComparison extends ErrorSummary {
  /** index of the spec in an array spec, null for a single spec */
  specIndex: number | null;
  keys: FieldKeys;
  /** the contract's field path: `layers[0].G`, `[2].matrix` */
  field: string;
  /** the expected value as a tensor (null for a structural field such as `layers`) */
  expected: NumericField | null;
  /** the candidate's raw JSON value */
  candidate: unknown;
  /** false when the candidate's value does not have the expected shape */
  shapeOk: boolean;
  /** for a Monte Carlo field, the critical value z of its statistical acceptance; null otherwise */
  z: number | null;
}

/** How fields are compared: the tolerances, and for Monte Carlo fields their standard errors and false-alarm rate. */
export interface CompareOptions {
  tol: Tolerance;
  /** the standard error of the field at these keys, or null when the field is exact */
  standardError?: (keys: FieldKeys) => NumericField | null;
  /** the false-alarm rate of one whole Monte Carlo field */
  falseAlarm?: number;
  /** with --precision float32: the absolute float32 error bound of the field at these keys */
  float32?: (keys: FieldKeys, expected: NumericField) => number;
}

/** The summary with an extra absolute allowance per entry (float32 rounding): |c - e| <= atol + max(rtol |e|, extra). */
function boundedSummary(c: NumericField, e: NumericField, tol: Tolerance, extra: number): ErrorSummary {
  const base = errorSummary(c, e, tol);
  let ok = true;
  for (let i = 0; i < e.data.length; i++) {
    if (!(Math.abs(c.data[i] - e.data[i]) <= tol.atol + Math.max(tol.rtol * Math.abs(e.data[i]), extra))) ok = false;
  }
  return { ...base, ok };
}

/** The contract's default false-alarm rate of a Monte Carlo field. */
export const DEFAULT_FALSE_ALARM = 1e-6;

/**
 * A Monte Carlo field: entry i passes when |c_i - e_i| <= atol + z SE_i, z
 * the two-sided Bonferroni critical value for the field's random entries at
 * the false-alarm rate (an entry with SE_i = 0 does not depend on the labels
 * and is held to the exact tolerance atol + rtol |e_i|).
 */
export function statisticalSummary(
  c: NumericField,
  e: NumericField,
  se: NumericField,
  tol: Tolerance,
  falseAlarm: number,
  extra = 0,
): ErrorSummary & { z: number } {
  let random = 0;
  for (const x of se.data) if (x > 0) random++;
  const z = zForFalseAlarm(falseAlarm, Math.max(1, random));
  const summary = summarizeErrors(c, e, (i, abs) => abs <= tol.atol + extra + (se.data[i] > 0 ? z * se.data[i] : tol.rtol * Math.abs(e.data[i])));
  return { ...summary, z };
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
export function compareResult(expected: unknown, candidate: unknown, specIndex: number | null, options: CompareOptions | Tolerance): FieldComparison[] {
  const o: CompareOptions = 'tol' in options ? options : { tol: options };
  const out: FieldComparison[] = [];
  walk(expected, candidate, [], specIndex, o, out);
  return out;
}

function walk(e: unknown, c: unknown, keys: FieldKeys, specIndex: number | null, o: CompareOptions, out: FieldComparison[]): void {
  if (!hasNumber(e)) return;
  const field = fieldPath(specIndex, keys);
  const et = tensorOf(e);
  if (et) {
    const ct = tensorOf(c);
    const se = o.standardError?.(keys) ?? null;
    if (ct && sameShape(ct, et)) {
      const extra = o.float32 ? o.float32(keys, et) : 0;
      const compared = { specIndex, keys, field, expected: et, candidate: c, shapeOk: true } as const;
      if (se && sameShape(se, et)) {
        out.push({ ...compared, ...statisticalSummary(ct, et, se, o.tol, o.falseAlarm ?? DEFAULT_FALSE_ALARM, extra) });
      } else {
        out.push({
          ...compared,
          z: null,
          ...(o.float32 ? boundedSummary(ct, et, o.tol, extra) : errorSummary(ct, et, o.tol)),
        });
      }
    } else {
      out.push({ specIndex, keys, field, expected: et, candidate: c, shapeOk: false, z: null, ...paddedErrorSummary(c, e) });
    }
    return;
  }
  if (Array.isArray(e)) {
    if (!Array.isArray(c) || c.length !== e.length) {
      out.push({ specIndex, keys, field, expected: null, candidate: c, shapeOk: false, z: null, ...paddedErrorSummary(c, e) });
      return;
    }
    e.forEach((ei, i) => walk(ei, c[i], [...keys, i], specIndex, o, out));
    return;
  }
  if (isJsonObject(e)) {
    if (!isJsonObject(c)) {
      out.push({ specIndex, keys, field, expected: null, candidate: c, shapeOk: false, z: null, ...paddedErrorSummary(c, e) });
      return;
    }
    for (const key of Object.keys(c)) {
      const ev = own(e, key);
      if (ev !== undefined) walk(ev, c[key], [...keys, key], specIndex, o, out);
    }
  }
}

/**
 * The standard error beside a Monte Carlo field of a result: `standardError`
 * for `matrix` (fisher) and `diagonal`, `layers[l].standardError.G` for K-FAC's G.
 */
export function standardErrorIn(result: unknown): (keys: FieldKeys) => NumericField | null {
  return (keys) => {
    if (!isJsonObject(result)) return null;
    if (keys.length === 1 && (keys[0] === 'matrix' || keys[0] === 'diagonal')) return tensorOf(own(result, 'standardError'));
    if (keys.length === 3 && keys[0] === 'layers' && typeof keys[1] === 'number' && keys[2] === 'G') {
      const layers = own(result, 'layers');
      const layer = Array.isArray(layers) ? layers[keys[1]] : undefined;
      const se = isJsonObject(layer) ? own(layer, 'standardError') : undefined;
      return isJsonObject(se) ? tensorOf(own(se, 'G')) : null;
    }
    return null;
  };
}
