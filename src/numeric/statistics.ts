import { NatgradError } from '../core/errors.js';
import type { Vec } from '../core/vec.js';
import { Matrix } from '../linalg/matrix.js';

/**
 * The standard normal distribution (density, distribution function, quantile)
 * and the acceptance rule of every statistical check in natgrad: an estimate
 * agrees with an expected value when each entry lies within z standard errors,
 * z chosen for a stated false-alarm rate.
 */

const SQRT_2PI = 2.5066282746310002;

/**
 * exp(-x^2 / 2) with x^2 split as xh^2 + (x - xh)(x + xh), xh = x rounded to
 * 1/16, so that the rounding of x^2 is not amplified by exp in the far tail
 * (a plain exp(-x*x/2) loses about x^2 ulp).
 */
function expHalfSquare(x: number): number {
  const xh = Math.round(x * 16) / 16;
  return Math.exp(-0.5 * xh * xh) * Math.exp(-0.5 * (x - xh) * (x + xh));
}

/** Standard normal density phi(x). */
export function normalPdf(x: number): number {
  return expHalfSquare(x) / SQRT_2PI;
}

/**
 * Upper tail Q(t) = 1 - Phi(t) for t >= 1.5 by Laplace's continued fraction of
 * the Mills ratio, R(t) = 1/(t + 1/(t + 2/(t + 3/(t + ...)))), evaluated with
 * the modified Lentz algorithm; relative accuracy a few ulp.
 */
function upperTailContinuedFraction(t: number): number {
  const tiny = 1e-300;
  let f = t;
  let c = t;
  let d = 0;
  for (let k = 1; k < 5000; k++) {
    d = t + k * d;
    d = d === 0 ? tiny : d;
    c = t + k / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return normalPdf(t) / f;
}

/**
 * Phi(x) - 1/2 near 0 by the series Phi(x) = 1/2 + phi(x) (x + x^3/3 + x^5/(3*5) + ...),
 * whose terms are all of the sign of x (A&S 26.2.11), so no cancellation inside the sum.
 */
function centralSeriesExcess(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let k = 3; Math.abs(term) > 1e-17 * Math.abs(sum); k += 2) {
    term *= x2 / k;
    sum += term;
  }
  return normalPdf(x) * sum;
}

/** Below this |x| the central series is used (and Phi(x) - 1/2 is available without adding 1/2). */
const CENTRAL_LIMIT = 1.5;

/**
 * Standard normal distribution function Phi(x), with relative accuracy in the
 * lower tail (Phi(-37.5) = 4.6e-308 is still resolved): central series for
 * |x| < 1.5, continued fraction beyond.
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < -CENTRAL_LIMIT) return upperTailContinuedFraction(-x);
  if (x > CENTRAL_LIMIT) return 1 - upperTailContinuedFraction(x);
  return 0.5 + centralSeriesExcess(x);
}

/** Upper tail 1 - Phi(x), accurate in relative terms for large positive x. */
export function normalSurvival(x: number): number {
  return normalCdf(-x);
}

// Acklam's rational approximation (relative error 1.15e-9) as the starting point.
const ACKLAM_A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const ACKLAM_B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const ACKLAM_C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const ACKLAM_P_LOW = 0.02425;

function acklam(p: number): number {
  const [a0, a1, a2, a3, a4, a5] = ACKLAM_A;
  const [b0, b1, b2, b3, b4] = ACKLAM_B;
  const [c0, c1, c2, c3, c4, c5] = ACKLAM_C;
  const [d0, d1, d2, d3] = ACKLAM_D;
  if (p < ACKLAM_P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
}

/**
 * Standard normal quantile Phi^{-1}(p): Acklam's approximation refined by Halley
 * steps on Phi(x) - p (cubic convergence: one step takes 1e-9 to round-off; a
 * second is taken only if the first moved x by more than 1e-12 relative).
 * The upper half uses the symmetry Phi^{-1}(p) = -Phi^{-1}(1 - p), where 1 - p is exact.
 * Reference: P. J. Acklam, "An algorithm for computing the inverse normal
 * cumulative distribution function" (2003).
 */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) {
    throw new NatgradError('p', `a probability in [0, 1] is required, got ${p}`);
  }
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p > 0.5) return -normalQuantile(1 - p);
  let x = acklam(p);
  for (let step = 0; step < 3; step++) {
    // Near p = 1/2 the residual is formed as (Phi(x) - 1/2) - (p - 1/2), both exact-ish,
    // so that tiny quantiles keep their relative accuracy.
    const e = Math.abs(x) <= CENTRAL_LIMIT ? centralSeriesExcess(x) - (p - 0.5) : normalCdf(x) - p;
    const u = e / normalPdf(x);
    const dx = u / (1 + 0.5 * x * u);
    x -= dx;
    if (Math.abs(dx) <= 1e-12 * Math.abs(x)) break;
  }
  return x;
}

/**
 * Two-sided critical value z such that, for `comparisons` standard normal
 * deviations, P(any |Z_i| > z) <= alpha (Bonferroni, valid without independence):
 * z = Phi^{-1}(1 - alpha / (2 comparisons)). zForFalseAlarm(1e-6) = 4.891638...
 */
export function zForFalseAlarm(alpha: number, comparisons = 1): number {
  if (!(alpha > 0 && alpha < 1)) {
    throw new NatgradError('alpha', `a false-alarm rate in (0, 1) is required, got ${alpha}`);
  }
  if (!Number.isInteger(comparisons) || comparisons < 1) {
    throw new NatgradError('comparisons', `a positive integer is required, got ${comparisons}`);
  }
  return -normalQuantile(alpha / (2 * comparisons));
}

/** Result of `withinStdError`: the worst entry is the one closest to (or furthest past) its limit. */
export interface StdErrorCheck {
  ok: boolean;
  worst: { index: number; zScore: number };
}

/** A matrix or a vector of estimates, compared entry by entry. */
export type Values = Matrix | Vec | ArrayLike<number>;

function dataOf(v: Values): ArrayLike<number> {
  return v instanceof Matrix ? v.data : v;
}

function shapeOf(v: Values): string {
  return v instanceof Matrix ? `${v.rows} x ${v.cols}` : `${v.length}`;
}

/**
 * Whether every |estimate_i - expected_i| <= z * stdError_i + floor, with the
 * absolute floor 1e-12 * max_i |expected_i| applied to every entry (it only
 * matters where the standard error is 0 or tiny, e.g. entries that are
 * deterministic). `expected` may be a number (the same for every entry).
 * A NaN anywhere fails. `worst.index` is the flat (row-major) index of the
 * entry with the largest |difference| / limit; `worst.zScore` is its
 * |difference| / stdError (Infinity when the standard error is 0 and the
 * entries differ).
 */
export function withinStdError(estimate: Values, stdError: Values, expected: Values | number, z: number): StdErrorCheck {
  if (!(z > 0)) throw new NatgradError('z', `a positive critical value is required, got ${z}`);
  const est = dataOf(estimate);
  const se = dataOf(stdError);
  const n = est.length;
  if (se.length !== n) {
    throw new NatgradError('stdError', `shape ${shapeOf(stdError)} does not match the estimate's ${shapeOf(estimate)}`);
  }
  const exp = typeof expected === 'number' ? null : dataOf(expected);
  if (exp && exp.length !== n) {
    throw new NatgradError('expected', `shape ${shapeOf(expected as Values)} does not match the estimate's ${shapeOf(estimate)}`);
  }
  const expectedAt = (i: number): number => (exp ? exp[i] : (expected as number));
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(expectedAt(i)));
  const floor = 1e-12 * scale;
  let ok = true;
  let worstIndex = -1;
  let worstRatio = -1;
  let worstZ = 0;
  for (let i = 0; i < n; i++) {
    const diff = Math.abs(est[i] - expectedAt(i));
    const s = se[i];
    const limit = z * s + floor;
    const pass = diff <= limit; // false for NaN
    if (!pass || !(s >= 0)) ok = false;
    const ratio = Number.isNaN(diff) || !(s >= 0) ? Infinity : limit > 0 ? diff / limit : diff > 0 ? Infinity : 0;
    if (ratio > worstRatio) {
      worstRatio = ratio;
      worstIndex = i;
      worstZ = Number.isNaN(diff) ? NaN : s > 0 ? diff / s : diff > 0 ? Infinity : 0;
    }
  }
  return { ok, worst: { index: worstIndex, zScore: worstZ } };
}

/**
 * The one-sample Kolmogorov–Smirnov test of uniformity on [0, 1]: D = sup |F_n(u) − u|
 * and its p-value from Kolmogorov's limiting distribution with Stephens'
 * small-sample correction, P(D > d) ≈ Q((√n + 0.12 + 0.11/√n) d),
 * Q(λ) = 2 Σ_{k≥1} (−1)^{k−1} exp(−2k²λ²) (Stephens 1970; accurate to about
 * 1% of p for n >= 5, the digits a calibration report needs).
 */
export function ksUniform(values: readonly number[]): { statistic: number; pValue: number; n: number } {
  const n = values.length;
  if (n < 5) throw new NatgradError('values', `the Kolmogorov–Smirnov test needs at least 5 values, got ${n}`);
  // every entry, not only the sorted ends: a NaN sorts anywhere and would make D and the p-value NaN
  const outside = values.findIndex((x) => !(x >= 0 && x <= 1));
  if (outside >= 0) throw new NatgradError(`values[${outside}]`, `values in [0, 1] are required, got ${values[outside]}`);
  const u = [...values].sort((a, b) => a - b);
  let D = 0;
  for (let i = 0; i < n; i++) D = Math.max(D, (i + 1) / n - u[i], u[i] - i / n);
  const lambda = (Math.sqrt(n) + 0.12 + 0.11 / Math.sqrt(n)) * D;
  return { statistic: D, pValue: kolmogorovSurvival(lambda), n };
}

/** Q(λ) = P(K > λ) for Kolmogorov's K; 1 below λ = 0.2, where the series has not converged and Q > 0.999999. */
export function kolmogorovSurvival(lambda: number): number {
  if (lambda < 0.2) return 1;
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    sum += k % 2 === 1 ? term : -term;
    if (term < 1e-17 * sum) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

/**
 * The one-sided Kolmogorov–Smirnov test of values that should be valid
 * p-values, P(p ≤ t) ≤ t for every t (uniform, or conservative: a union bound
 * clipped at 1 piles mass at the top, which the two-sided test would reject):
 * D⁺ = sup_t (F_n(t) − t), large when small values are too frequent, with the
 * exact p-value of Birnbaum and Tingey (1951),
 * P(D⁺ ≥ d) = d Σ_{j=0}^{⌊n(1−d)⌋} C(n, j) (1 − d − j/n)^{n−j} (d + j/n)^{j−1},
 * which bounds it for any conservative distribution (stochastically above the
 * uniform, so its D⁺ is stochastically smaller).
 */
export function ksUniformUpper(values: readonly number[]): { statistic: number; pValue: number; n: number } {
  const n = values.length;
  if (n < 1) throw new NatgradError('values', 'the one-sided Kolmogorov–Smirnov test needs at least 1 value, got 0');
  const outside = values.findIndex((x) => !(x >= 0 && x <= 1));
  if (outside >= 0) throw new NatgradError(`values[${outside}]`, `values in [0, 1] are required, got ${values[outside]}`);
  const u = [...values].sort((a, b) => a - b);
  let D = 0;
  for (let i = 0; i < n; i++) D = Math.max(D, (i + 1) / n - u[i]);
  return { statistic: D, pValue: smirnovUpperSurvival(n, D), n };
}

/** P(D⁺_n ≥ d) for n uniform values (Birnbaum–Tingey), summed in logarithms. */
export function smirnovUpperSurvival(n: number, d: number): number {
  if (!(d > 0)) return 1;
  if (d >= 1) return 0;
  let logChoose = 0; // log C(n, j)
  let sum = 0;
  const last = Math.floor(n * (1 - d));
  for (let j = 0; j <= last; j++) {
    if (j > 0) logChoose += Math.log((n - j + 1) / j);
    const a = 1 - d - j / n;
    // a = 0 only at j = n(1 − d), a term 0^(n−j) = 0 unless j = n (d = 0, handled above)
    if (a <= 0) continue;
    sum += Math.exp(logChoose + (n - j) * Math.log(a) + (j - 1) * Math.log(d + j / n));
  }
  return Math.min(1, Math.max(0, d * sum));
}
