/**
 * The two outputs of `check`: the machine form
 * {"ok", "mismatches": [{"field", "maxAbsErr", "maxRelErr", "diagnosis"}]}
 * and a human report listing every compared field.
 */
import type { CandidateComparison } from './check.js';
import { type Tolerance, shapeText, tensorOf } from './tensor.js';

/** Exactly the contract's JSON, one line. */
export function checkJson(outcome: CandidateComparison): string {
  return `${JSON.stringify({ ok: outcome.ok, mismatches: outcome.mismatches })}\n`;
}

const num = (x: number): string => (x === 0 ? '0' : x.toExponential(2));

/** 1e-6 rather than 0.000001. */
const tolNumber = (x: number): string => (x !== 0 && (x < 1e-3 || x >= 1e6) ? x.toExponential() : String(x));

function candidateShape(v: unknown): string {
  const t = tensorOf(v);
  if (t) return shapeText(t.shape);
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  return v === null ? 'null' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** The human report: one line per field, a diagnosis under each mismatch, a verdict. */
export function checkReport(outcome: CandidateComparison, tol: Tolerance, falseAlarm = 1e-6, precision: 'float64' | 'float32' = 'float64'): string {
  const lines: string[] = [];
  const n = outcome.fields.length;
  const width = Math.max(5, ...outcome.fields.map((f) => f.field.length));
  for (const f of outcome.fields) {
    const stat = f.z === null ? '' : `  (Monte Carlo: within ${f.z.toFixed(2)} standard errors, false-alarm rate ${tolNumber(falseAlarm)})`;
    const errs = `max abs err ${num(f.maxAbsErr)}, max rel err ${num(f.maxRelErr)}${stat}`;
    if (f.ok) {
      lines.push(`  ok        ${f.field.padEnd(width)}  ${errs}`);
      continue;
    }
    const shape = f.shapeOk ? '' : `  (shape: ${candidateShape(f.candidate)}, expected ${f.expected ? shapeText(f.expected.shape) : 'another structure'})`;
    lines.push(`  MISMATCH  ${f.field.padEnd(width)}  ${errs}${shape}`);
    lines.push(`            diagnosis: ${f.diagnosis ?? 'none of the known mistakes matches'}`);
  }
  const bad = outcome.mismatches.length;
  const float32 = precision === 'float32' ? ", or within each field's derived float32 error bound" : '';
  const tolText = `rtol ${tolNumber(tol.rtol)}, atol ${tolNumber(tol.atol)}${float32}`;
  lines.push(
    bad === 0 ? `ok: ${n} field${n === 1 ? '' : 's'} match (${tolText})` : `FAILED: ${bad} of ${n} field${n === 1 ? '' : 's'} do not match (${tolText})`,
  );
  return `${lines.join('\n')}\n`;
}
