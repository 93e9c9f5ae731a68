/**
 * The oracle as a library function: a raw JSON spec (one object or an array)
 * in, the contract's result (one object or an array, in order) out.
 */
import { NatgradError } from '../core/errors.js';
import { type OracleResult, checkFamilySpec, computeResult } from './compute.js';
import { type WorkEstimate, assertWithinLimits, totalEstimate } from './limits.js';
import { type ParsedSpec, parseSpec, specPath } from './spec.js';

/** One parsed spec or the array of them, as the input was written. */
export type ParsedSpecs = { array: false; specs: [ParsedSpec] } | { array: true; specs: ParsedSpec[] };

/** Validates a raw spec document (object or array of objects). */
export function parseSpecs(raw: unknown): ParsedSpecs {
  if (Array.isArray(raw)) return { array: true, specs: raw.map((s, i) => parseSpec(s, specPath(i))) };
  if (typeof raw !== 'object' || raw === null) {
    throw new NatgradError('spec', 'must be a spec object (with "kind") or an array of spec objects');
  }
  return { array: false, specs: [parseSpec(raw, specPath(null))] };
}

/**
 * Checks every spec against the size limits (family specs first against the
 * catalogue's names), and an array spec as a whole against the memory and
 * time bounds, before anything is computed.
 */
export async function checkSizes(parsed: ParsedSpecs): Promise<void> {
  const estimates: WorkEstimate[] = [];
  for (const s of parsed.specs) estimates.push('estimate' in s ? s.estimate : checkFamilySpec(s));
  if (estimates.length > 1) assertWithinLimits(totalEstimate(estimates), 'spec', false);
}

/** The results of parsed specs, in order. */
export async function computeResults(parsed: ParsedSpecs): Promise<OracleResult[]> {
  await checkSizes(parsed);
  const out: OracleResult[] = [];
  for (const s of parsed.specs) out.push(await computeResult(s));
  return out;
}

/** The oracle on a raw JSON spec: a result, or an array of results for an array spec. */
export async function runOracle(raw: unknown): Promise<OracleResult | OracleResult[]> {
  const parsed = parseSpecs(raw);
  const results = await computeResults(parsed);
  return parsed.array ? results : results[0];
}
