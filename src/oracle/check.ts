/**
 * `check` as a library function: the oracle's result for a spec, compared
 * field by field with a candidate of the same shape (any subset of fields,
 * but at least one numeric field, and no field the result does not have),
 * each mismatch diagnosed against the known wrong variants.
 */
import { NatgradError, describeValue } from '../core/errors.js';
import { OPTIONAL_FAMILY_FISHER_FIELDS, assertCandidateFields, nothingCompared } from './candidate.js';
import { DEFAULT_FALSE_ALARM, type FieldComparison, type FieldKeys, compareResult, standardErrorIn } from './compare.js';
import type { OracleResult } from './compute.js';
import { diagnose } from './diagnose.js';
import { isJsonObject } from './json-reader.js';
import { computeResults, parseSpecs } from './oracle.js';
import type { ParsedSpec } from './spec.js';
import { type Precision, float32Bound } from './float32.js';
import { type NumericField, type Tolerance, tensorOf } from './tensor.js';
import { Recomputer } from './variants.js';

/** The contract's defaults: rtol 1e-6, atol 1e-9. */
export const DEFAULT_TOLERANCE: Tolerance = { rtol: 1e-6, atol: 1e-9 };

export interface Mismatch {
  field: string;
  maxAbsErr: number;
  maxRelErr: number;
  diagnosis: string | null;
}

/** A candidate's results compared field by field with the oracle's. */
export interface CandidateComparison {
  ok: boolean;
  mismatches: Mismatch[];
  /** every compared field, matching or not (for the human report) */
  fields: (FieldComparison & { diagnosis: string | null })[];
}

/** Throws unless the candidate document has the shape of the spec document's result. */
function candidateResults(candidate: unknown, count: number, array: boolean): Record<string, unknown>[] {
  if (!array) {
    if (!isJsonObject(candidate)) throw new NatgradError('candidate', `must be a result object (the spec is a single spec), got ${describeValue(candidate)}`);
    return [candidate];
  }
  if (!Array.isArray(candidate))
    throw new NatgradError('candidate', `must be an array of ${count} result objects (the spec is an array), got ${describeValue(candidate)}`);
  if (candidate.length !== count) throw new NatgradError('candidate', `must be an array of ${count} result objects, one per spec, got ${candidate.length}`);
  return candidate.map((c, i) => {
    if (!isJsonObject(c)) throw new NatgradError(`candidate[${i}]`, `must be a result object, got ${describeValue(c)}`);
    return c;
  });
}

/** Compares a candidate document with the oracle's result for a spec document. */
export interface CheckSettings {
  /** the false-alarm rate of each Monte Carlo field (default 1e-6) */
  falseAlarm?: number;
  /** `float32`: every field also passes within its derived float32 error bound */
  precision?: Precision;
}

/** The [float32] diagnosis when a mismatch lies within the float32 error bound of its field, else null. */
function float32Note(cmp: FieldComparison, spec: ParsedSpec, result: OracleResult, tol: Tolerance): string | null {
  if (!cmp.shapeOk || cmp.expected === null) return null;
  const c = tensorOf(cmp.candidate);
  if (!c) return null;
  const { bound, why } = float32Bound(spec, result, cmp.keys, cmp.expected);
  if (!(cmp.maxAbsErr <= tol.atol + bound)) return null;
  return (
    `within float32 rounding error (max abs err ${cmp.maxAbsErr.toExponential(2)} <= ${bound.toExponential(2)} = ${why}, u = 2^-24) [float32]: a ` +
    `candidate computed in single precision passes with --precision float32`
  );
}

export async function runCheck(
  specRaw: unknown,
  candidateRaw: unknown,
  tol: Tolerance = DEFAULT_TOLERANCE,
  settings: CheckSettings = {},
): Promise<CandidateComparison> {
  const falseAlarm = settings.falseAlarm ?? DEFAULT_FALSE_ALARM;
  const parsed = parseSpecs(specRaw);
  const candidates = candidateResults(candidateRaw, parsed.specs.length, parsed.array);
  if (parsed.specs.length === 0)
    throw new NatgradError('spec', 'is an empty array: there is nothing to compare, and check never passes having compared nothing');
  const results: OracleResult[] = await computeResults(parsed);
  const fields: CandidateComparison['fields'] = [];
  const comparisons: { spec: ParsedSpec; result: OracleResult; compared: FieldComparison[] }[] = [];
  for (let i = 0; i < results.length; i++) {
    const specIndex = parsed.array ? i : null;
    const spec = parsed.specs[i];
    const expected = results[i] as unknown as Record<string, unknown>;
    const root = specIndex === null ? 'candidate' : `candidate[${specIndex}]`;
    const optional = spec.kind === 'fisher' && spec.subject === 'family' ? OPTIONAL_FAMILY_FISHER_FIELDS : [];
    assertCandidateFields(expected, candidates[i], root, optional);
    const float32 = settings.precision === 'float32' ? (keys: FieldKeys, e: NumericField) => float32Bound(spec, results[i], keys, e).bound : undefined;
    const compared = compareResult(results[i], candidates[i], specIndex, { tol, standardError: standardErrorIn(results[i]), falseAlarm, float32 });
    if (compared.length === 0) throw nothingCompared(expected, root);
    comparisons.push({ spec, result: results[i], compared });
  }
  // every candidate is checked before any diagnosis is computed
  for (const { spec, result, compared } of comparisons) {
    const rc = new Recomputer(spec);
    for (const cmp of compared) {
      const diagnosis = cmp.ok
        ? null
        : ((settings.precision !== 'float32' ? float32Note(cmp, spec, result, tol) : null) ?? (await diagnose(cmp, result, rc, tol)));
      fields.push({ ...cmp, diagnosis });
    }
  }
  const mismatches = fields.filter((f) => !f.ok).map(({ field, maxAbsErr, maxRelErr, diagnosis }) => ({ field, maxAbsErr, maxRelErr, diagnosis }));
  return { ok: mismatches.length === 0, mismatches, fields };
}
