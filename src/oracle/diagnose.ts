/**
 * Diagnoses of a mismatching field: the first known wrong variant the
 * candidate matches within the check's tolerances, else a constant factor
 * ([scale]) when one explains every entry, else null.
 */
import type { FieldComparison } from './compare.js';
import type { OracleResult } from './compute.js';
import { type NumericField, type Tolerance, allWithin, allWithinScaled, sameShape, tensorOf } from './tensor.js';
import type { FieldKeys } from './compare.js';
import { conventionAlternatives, fieldOf } from './convention-variants.js';
import { Recomputer, type Variant, exampleCount, outputCount, variantsFor } from './variants.js';
import { scaled } from './variant-kit.js';

/** A short decimal form of a factor: 2, 0.5, 0.3333333. */
const short = (x: number): string => String(Number(x.toPrecision(7)));

const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-6 * Math.abs(b);

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * A name for a factor when it is a simple number: an integer, 1/k, p/q with
 * small p and q, sqrt(2) and its inverse; C (the number of outputs) is named
 * when it is the factor or its inverse.
 */
export function factorName(r: number, C: number | null): string | null {
  const sign = r < 0 ? '-' : '';
  const a = Math.abs(r);
  const withC = (k: number, inv: boolean): string => {
    const base = inv ? `1/${k}` : `${k}`;
    return C !== null && C > 1 && k === C ? `${sign}${base} = ${sign}${inv ? '1/C' : 'C'} (C = ${C} outputs)` : `${sign}${base}`;
  };
  const k = Math.round(a);
  if (k >= 1 && close(a, k)) return withC(k, false);
  const ki = Math.round(1 / a);
  if (ki >= 2 && close(1 / a, ki)) return withC(ki, true);
  for (let q = 2; q <= 16; q++) {
    const p = Math.round(a * q);
    if (p >= 1 && p <= 64 && gcd(p, q) === 1 && close(a, p / q)) return `${sign}${p}/${q}`;
  }
  if (close(a, Math.SQRT2)) return `${sign}sqrt(2)`;
  if (close(a, Math.SQRT1_2)) return `${sign}1/sqrt(2)`;
  return null;
}

/**
 * The least-squares ratio r = <c, e>/<e, e> when c = r e within tolerance on
 * every entry. A single non-zero entry always has a ratio, so there only a
 * simple named factor counts as a diagnosis.
 */
function constantFactor(c: NumericField, e: NumericField, tol: Tolerance, C: number | null): string | null {
  if (!sameShape(c, e)) return null;
  let ce = 0;
  let ee = 0;
  let nonzero = 0;
  for (let i = 0; i < e.data.length; i++) {
    ce += c.data[i] * e.data[i];
    ee += e.data[i] * e.data[i];
    if (e.data[i] !== 0) nonzero++;
  }
  if (!(ee > 0) || !Number.isFinite(ce / ee)) return null;
  const r = ce / ee;
  if (r === 0 || close(r, 1)) return null;
  const fit: NumericField = { shape: e.shape, data: e.data.map((x) => r * x) };
  if (!allWithin(c, fit, tol)) return null;
  const name = factorName(r, C);
  if (nonzero < 2 && name === null) return null;
  const printed = short(r);
  let named = '';
  if (name !== null && name !== printed) named = name.startsWith(`${printed} = `) ? name.slice(printed.length) : ` = ${name}`;
  return `scaled by ${printed}${named} [scale]: a constant factor on every entry`;
}

/** A variant's value, or null when it does not apply or cannot be computed. */
async function variantValue(v: Variant): Promise<NumericField | null> {
  try {
    return await v.value();
  } catch {
    return null;
  }
}

/** The variants of a field, or none when they cannot be listed. */
async function variantsOrNone(keys: FieldKeys, e: NumericField, result: OracleResult, rc: Recomputer): Promise<Variant[]> {
  try {
    return await variantsFor(keys, e, result, rc);
  } catch {
    return [];
  }
}

/**
 * The diagnosis sentence for a mismatching field, or null. Never throws.
 * Single mistakes first (the known variants, then another loss convention),
 * then pairs: another convention together with a variant computed under it,
 * and a factor N, 1/N, N², 1/N² or -1 together with a variant; the generic
 * constant factor [scale] last.
 */
export async function diagnose(cmp: FieldComparison, result: OracleResult, rc: Recomputer, tol: Tolerance): Promise<string | null> {
  const e = cmp.expected;
  const c = tensorOf(cmp.candidate);
  if (e === null || c === null) return null;
  const explains = (value: NumericField | null): boolean => value !== null && allWithin(c, value, tol) && !allWithin(value, e, tol);
  const explainsScaled = (value: NumericField, f: number): boolean => allWithinScaled(c, 1, value, f, tol) && !allWithinScaled(value, f, e, 1, tol);
  // another loss convention first: a sum-reduced candidate is [reduction] (and, for a factor N, [batch-size] too)
  const alternatives = conventionAlternatives(rc.spec);
  const altResults: (OracleResult | null)[] = [];
  for (const alt of alternatives) {
    let r: OracleResult | null = null;
    try {
      r = await alt.result();
    } catch {
      r = null;
    }
    altResults.push(r);
    if (r && explains(fieldOf(r, cmp.keys))) {
      const b = alt.batchSize;
      return b && allWithin(c, scaled(e, b.factor), tol) ? `${b.text}: ${alt.sentence}` : alt.sentence;
    }
  }
  const variants = await variantsOrNone(cmp.keys, e, result, rc);
  const values: (NumericField | null)[] = [];
  for (const v of variants) {
    const value = await variantValue(v);
    values.push(value);
    if (explains(value)) return v.sentence;
  }
  for (let a = 0; a < alternatives.length; a++) {
    const r = altResults[a];
    const ea = r ? fieldOf(r, cmp.keys) : null;
    if (!r || !ea) continue;
    for (const v of await variantsOrNone(cmp.keys, ea, r, new Recomputer(alternatives[a].spec))) {
      if (explains(await variantValue(v))) return `${alternatives[a].sentence}; together with ${v.sentence}`;
    }
  }
  const N = exampleCount(rc.spec);
  const factors: [number, string][] = [[-1, 'the sign flipped [sign]']];
  if (N !== null && N > 1) {
    factors.push(
      [N, `scaled by ${N} = N [batch-size]`],
      [1 / N, `scaled by 1/${N} = 1/N [batch-size]`],
      [N * N, `scaled by ${N * N} = N² [batch-size]`],
      [1 / (N * N), `scaled by 1/${N * N} = 1/N² [batch-size]`],
    );
  }
  if ('problem' in rc.spec && (rc.spec.problem.spec.likelihood === 'gaussian' || rc.spec.problem.spec.likelihood === 'mse')) {
    const own = rc.spec.problem.convention.mse ? 'nn.MSELoss' : 'the gaussian loss';
    const other = rc.spec.problem.convention.mse ? 'the gaussian loss (½||y - f||²)' : 'nn.MSELoss (||y - f||²)';
    factors.push(
      [2, `scaled by 2 [mse]: the gradient of ${other} where ${own} was meant`],
      [0.5, `scaled by 1/2 [mse]: the gradient of ${other} where ${own} was meant`],
    );
  }
  for (const [f, name] of factors) {
    for (let i = 0; i < variants.length; i++) {
      const value = values[i];
      if (value && !variants[i].sentence.includes('[batch-size]') && !variants[i].sentence.includes('[sign]') && explainsScaled(value, f)) {
        return `${name}; together with ${variants[i].sentence}`;
      }
    }
  }
  return constantFactor(c, e, tol, outputCount(rc.spec));
}
