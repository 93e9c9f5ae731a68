/**
 * Numeric JSON fields of a result as flat tensors (scalar, vector or matrix),
 * and the elementwise tolerance test of `check`: |c - e| <= atol + rtol |e|.
 */
import { Matrix } from '../linalg/matrix.js';

/** The numbers of a numeric JSON field of a result: shape [] is a scalar, [n] a vector, [r, c] a matrix (row-major data). */
export interface NumericField {
  shape: number[];
  data: Float64Array;
}

export interface Tolerance {
  rtol: number;
  atol: number;
}

/** A JSON number, array of numbers or array of equal-length rows of numbers as a NumericField; null for anything else. */
export function tensorOf(v: unknown): NumericField | null {
  if (typeof v === 'number') return { shape: [], data: Float64Array.of(v) };
  if (!Array.isArray(v)) return null;
  if (v.every((x) => typeof x === 'number')) return { shape: [v.length], data: Float64Array.from(v as number[]) };
  if (v.length === 0 || !v.every((r) => Array.isArray(r))) return null;
  const cols = (v[0] as unknown[]).length;
  const data = new Float64Array(v.length * cols);
  for (let i = 0; i < v.length; i++) {
    const row = v[i] as unknown[];
    if (row.length !== cols) return null;
    for (let j = 0; j < cols; j++) {
      const x = row[j];
      if (typeof x !== 'number') return null;
      data[i * cols + j] = x;
    }
  }
  return { shape: [v.length, cols], data };
}

/** A Matrix as a 2-d tensor (copied). */
export const tensorOfMatrix = (M: Matrix): NumericField => ({ shape: [M.rows, M.cols], data: M.data.slice() });

/** A vector as a 1-d tensor (copied). */
export const tensorOfVector = (v: ArrayLike<number>): NumericField => ({ shape: [v.length], data: Float64Array.from(v) });

/** The matrix view of a 2-d tensor. */
export const matrixOf = (t: NumericField): Matrix => new Matrix(t.shape[0], t.shape[1], t.data.slice());

/** True when the shapes are equal. */
export const sameShape = (a: NumericField, b: NumericField): boolean => a.shape.length === b.shape.length && a.shape.every((n, i) => n === b.shape[i]);

/** `3 x 4`, `length 5`, `a number`. */
export function shapeText(shape: readonly number[]): string {
  if (shape.length === 0) return 'a number';
  if (shape.length === 1) return `length ${shape[0]}`;
  return `${shape[0]} x ${shape[1]}`;
}

/** |c - e| <= atol + rtol |e|. */
export const within = (c: number, e: number, tol: Tolerance): boolean => Math.abs(c - e) <= tol.atol + tol.rtol * Math.abs(e);

/** True when every entry of c is within tolerance of the same entry of e (same shapes). */
export function allWithin(c: NumericField, e: NumericField, tol: Tolerance): boolean {
  if (!sameShape(c, e)) return false;
  for (let i = 0; i < e.data.length; i++) if (!within(c.data[i], e.data[i], tol)) return false;
  return true;
}

/** allWithin(a x, b y) without forming the scaled tensors (the pair diagnoses try many factors on large matrices). */
export function allWithinScaled(x: NumericField, a: number, y: NumericField, b: number, tol: Tolerance): boolean {
  if (!sameShape(x, y)) return false;
  for (let i = 0; i < y.data.length; i++) if (!within(a * x.data[i], b * y.data[i], tol)) return false;
  return true;
}

/** A magnitude that stays printable: overflow to Infinity becomes the largest double. */
export const clampFinite = (x: number): number => (Number.isNaN(x) ? Number.MAX_VALUE : Math.min(x, Number.MAX_VALUE));

export interface ErrorSummary {
  maxAbsErr: number;
  /** over entries whose expected value is not 0; 0 if there are none */
  maxRelErr: number;
  ok: boolean;
}

/** Largest absolute and relative errors of c against e (same shapes). */
export function errorSummary(c: NumericField, e: NumericField, tol: Tolerance): ErrorSummary {
  return summarizeErrors(c, e, (i) => within(c.data[i], e.data[i], tol));
}

/** Largest absolute and relative errors of c against e (same shapes); ok when `passes(i, |c_i - e_i|)` holds for every entry. */
export function summarizeErrors(c: NumericField, e: NumericField, passes: (i: number, absErr: number) => boolean): ErrorSummary {
  let maxAbsErr = 0;
  let maxRelErr = 0;
  let ok = true;
  for (let i = 0; i < e.data.length; i++) {
    const abs = clampFinite(Math.abs(c.data[i] - e.data[i]));
    maxAbsErr = Math.max(maxAbsErr, abs);
    if (e.data[i] !== 0) maxRelErr = Math.max(maxRelErr, clampFinite(abs / Math.abs(e.data[i])));
    if (!passes(i, abs)) ok = false;
  }
  return { maxAbsErr, maxRelErr, ok };
}

/** Every number inside a JSON value with its index path (`0.2`), for comparing values of different shapes. */
function numericLeaves(v: unknown, prefix: string, out: Map<string, number>): void {
  if (typeof v === 'number') out.set(prefix, v);
  else if (Array.isArray(v)) v.forEach((x, i) => numericLeaves(x, prefix === '' ? String(i) : `${prefix}.${i}`, out));
  else if (typeof v === 'object' && v !== null) {
    for (const key of Object.keys(v)) numericLeaves((v as Record<string, unknown>)[key], prefix === '' ? `:${key}` : `${prefix}:${key}`, out);
  }
}

/**
 * Errors when the shapes differ: entries are matched by position and a
 * missing entry counts as 0 on its side, so the numbers stay meaningful
 * (a missing expected entry e contributes |e| and relative error 1).
 */
export function paddedErrorSummary(candidate: unknown, expected: unknown): ErrorSummary {
  const c = new Map<string, number>();
  const e = new Map<string, number>();
  numericLeaves(candidate, '', c);
  numericLeaves(expected, '', e);
  let maxAbsErr = 0;
  let maxRelErr = 0;
  for (const [k, ev] of e) {
    const cv = c.get(k) ?? 0;
    const abs = clampFinite(Math.abs(cv - ev));
    maxAbsErr = Math.max(maxAbsErr, abs);
    if (ev !== 0) maxRelErr = Math.max(maxRelErr, clampFinite(abs / Math.abs(ev)));
  }
  for (const [k, cv] of c) if (!e.has(k)) maxAbsErr = Math.max(maxAbsErr, clampFinite(Math.abs(cv)));
  return { maxAbsErr, maxRelErr, ok: false };
}

/** True when a JSON value contains at least one number. */
export function hasNumber(v: unknown): boolean {
  if (typeof v === 'number') return true;
  if (Array.isArray(v)) return v.some(hasNumber);
  if (typeof v === 'object' && v !== null) return Object.values(v).some(hasNumber);
  return false;
}
