import fc from 'fast-check';
import { Matrix } from '../../src/linalg/matrix.js';

/** Unit roundoff of float64 (distance from 1 to the next double). */
export const EPS = 2 ** -52;

/**
 * Entries in [-1, 1]. Magnitudes below 1e-20 become 0: the rounding-error
 * bounds used in the tests (Higham) assume no underflow, and products of several
 * entries then stay far from the subnormal range.
 */
export const entry = fc.double({ min: -1, max: 1, noNaN: true }).map((x) => (Math.abs(x) < 1e-20 ? 0 : x));

/** Shapes from 0 up to max, odd sizes included. */
export const dim = (max = 7, min = 0): fc.Arbitrary<number> => fc.integer({ min, max });

export function matrixArb(rows: number, cols: number): fc.Arbitrary<Matrix> {
  return fc.array(entry, { minLength: rows * cols, maxLength: rows * cols }).map((xs) => new Matrix(rows, cols, Float64Array.from(xs)));
}

export function vecArb(n: number): fc.Arbitrary<Float64Array> {
  return fc.array(entry, { minLength: n, maxLength: n }).map((xs) => Float64Array.from(xs));
}

export function symmetricArb(n: number): fc.Arbitrary<Matrix> {
  return matrixArb(n, n).map((m) => {
    const s = m.clone();
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) s.data[j * n + i] = s.data[i * n + j];
    return s;
  });
}

/** An SPD matrix with a known bound on its condition number. */
export interface SpdCase {
  a: Matrix;
  n: number;
  /** lambda_min >= eps by construction. */
  lambdaMin: number;
  /** lambda_max <= ||L||_F² + eps. */
  lambdaMaxBound: number;
  /** lambdaMaxBound / lambdaMin >= cond_2(a). */
  condBound: number;
}

/**
 * a = L Lᵀ + eps I with L entries in [-1, 1]: lambda_min(a) >= eps and
 * lambda_max(a) <= ||L||_F² + eps <= n² + eps, so cond(a) <= (n² + eps)/eps.
 * The constraint lives in the construction (map), never in a filter.
 */
export function spdArb(n: number, eps = 0.5): fc.Arbitrary<SpdCase> {
  return matrixArb(n, n).map((L) => {
    const a = new Matrix(n, n);
    let fro2 = 0;
    for (const v of L.data) fro2 += v * v;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += L.data[i * n + k] * L.data[j * n + k];
        a.data[i * n + j] = s + (i === j ? eps : 0);
      }
    }
    const lambdaMaxBound = fro2 + eps;
    return { a, n, lambdaMin: eps, lambdaMaxBound, condBound: lambdaMaxBound / eps };
  });
}

/** Reference product by the textbook triple loop, and |a||b| for error bounds. */
export function naiveMatmul(a: Matrix, b: Matrix): { c: Matrix; abs: Matrix } {
  const c = new Matrix(a.rows, b.cols);
  const abs = new Matrix(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < b.cols; j++) {
      let s = 0;
      let t = 0;
      for (let k = 0; k < a.cols; k++) {
        s += a.get(i, k) * b.get(k, j);
        t += Math.abs(a.get(i, k) * b.get(k, j));
      }
      c.set(i, j, s);
      abs.set(i, j, t);
    }
  }
  return { c, abs };
}

/** gamma_k = k u / (1 - k u), Higham's constant for a k-term inner product. */
export const gamma = (k: number): number => (k * EPS) / (1 - k * EPS);

/** Max-norm of a vector. */
export function vecMaxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i])) return NaN;
    m = Math.max(m, Math.abs(x[i]));
  }
  return m;
}

export function vecDiffMaxAbs(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (x.length !== y.length) return NaN;
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(x[i] - y[i]);
    if (Number.isNaN(d)) return NaN;
    m = Math.max(m, d);
  }
  return m;
}

/** Infinity norm (max row sum) of a matrix. */
export function normInf(a: Matrix): number {
  let m = 0;
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    for (let j = 0; j < a.cols; j++) s += Math.abs(a.data[i * a.cols + j]);
    m = Math.max(m, s);
  }
  return m;
}
