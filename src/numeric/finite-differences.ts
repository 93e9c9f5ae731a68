import { NatgradError } from '../core/errors.js';
import type { Vec } from '../core/vec.js';
import { Matrix } from '../linalg/matrix.js';
import { requireFinite, requireNonNegative, requirePositive } from '../core/validate.js';

/**
 * Derivatives by central differences with Richardson extrapolation (Ridders'
 * method), each with an error estimate.
 *
 * Error order: a central difference D(h) (first derivative, second derivative
 * or mixed second derivative) is even in h, D(h) = D + c1 h^2 + c2 h^4 + ...
 * Ridders' tableau shrinks h by CON = 1.4 per row and column j of the tableau
 * cancels the terms up to h^(2j), leaving O(h^(2j+2)). The estimate returned is
 * the tableau entry whose difference from its two neighbours (the error
 * estimate) is smallest; extrapolation stops when the diagonal starts to grow
 * by more than SAFE times that error, i.e. once round-off dominates. A round-off
 * floor of 4 * noise * (sum of |f| used) / (denominator of the difference) is
 * added, where `noise` is the relative accuracy of f's values (plus the
 * subnormal spacing over the denominator, for values that underflow).
 *
 * Domains: every evaluation point lies within theta_i +- h_i with
 * h_i <= maxStep_i, so callers keep the stencil inside an open domain by
 * passing e.g. maxStep = 0.5 * (distance to the boundary).
 *
 * References: C. J. F. Ridders, "Accurate computation of F'(x) and F'(x) F''(x)",
 * Adv. Eng. Software 4 (1982); Numerical Recipes (3rd ed.) section 5.7.
 */

export interface FiniteDifferenceOptions {
  /**
   * Initial (largest) step, per coordinate or for all; default
   * 0.1 * max(1, |theta_i|). Ridders' method wants a step that is not small:
   * the tableau extrapolates towards h = 0 itself.
   */
  h?: number | ArrayLike<number>;
  /** Upper bound on the step, per coordinate or for all (domain constraint). Default unbounded. */
  maxStep?: number | ArrayLike<number>;
  /** Relative accuracy of f's values, for the round-off floor of the error. Default 4 * 2^-52. */
  noise?: number;
}

export interface DerivativeEstimate {
  value: number;
  error: number;
}

const CON = 1.4;
const CON2 = CON * CON;
const TABLEAU_SIZE = 12;
const SAFE = 2;
const EPS = 2.220446049250313e-16;

/** One evaluation of a difference quotient at scale s, for several components at once. */
interface DifferenceQuotient {
  values: ArrayLike<number>;
  /** Per component: sum of |f| over the stencil divided by the quotient's denominator. */
  magnitude: ArrayLike<number>;
  /** The quotient's denominator: values below the subnormal spacing are unresolved, which the floor includes. */
  denominator: number;
}

/**
 * Ridders' extrapolation of quotients that are even in the step scale s,
 * s = 1, 1/CON, 1/CON^2, ... Every component keeps its own tableau and stops
 * on its own; the function evaluations are shared.
 */
function ridders(quotient: (s: number) => DifferenceQuotient, m: number, noise: number): { value: Vec; error: Vec } {
  const value = new Float64Array(m);
  const error = new Float64Array(m).fill(Infinity);
  const done = new Uint8Array(m);
  let prev: Float64Array[] = [];
  let remaining = m;
  let s = 1;
  for (let i = 0; i < TABLEAU_SIZE && remaining > 0; i++, s /= CON) {
    const q = quotient(s);
    const cur: Float64Array[] = [];
    for (let c = 0; c < m; c++) {
      const col = new Float64Array(i + 1);
      col[0] = q.values[c];
      cur.push(col);
      if (done[c]) continue;
      const floor = 4 * noise * q.magnitude[c] + (4 * Number.MIN_VALUE) / q.denominator;
      if (i === 0) {
        value[c] = col[0];
        continue;
      }
      let fac = CON2;
      for (let j = 1; j <= i; j++) {
        col[j] = (col[j - 1] * fac - prev[c][j - 1]) / (fac - 1);
        fac *= CON2;
        const errt = Math.max(Math.abs(col[j] - col[j - 1]), Math.abs(col[j] - prev[c][j - 1])) + floor;
        if (errt <= error[c]) {
          error[c] = errt;
          value[c] = col[j];
        }
      }
      if (Math.abs(col[i] - prev[c][i - 1]) >= SAFE * error[c] || !Number.isFinite(col[i])) {
        done[c] = 1;
        remaining--;
      }
    }
    prev = cur;
  }
  return { value, error };
}

function perCoordinate(option: number | ArrayLike<number> | undefined, n: number, name: string): Float64Array | null {
  if (option === undefined) return null;
  const out = new Float64Array(n);
  if (typeof option === 'number') out.fill(option);
  else {
    if (option.length !== n) throw new NatgradError(`options.${name}`, `must have one entry per coordinate (${n}), got ${option.length}`);
    for (let i = 0; i < n; i++) out[i] = option[i];
  }
  for (let i = 0; i < n; i++) requirePositive(out[i], typeof option === 'number' ? `options.${name}` : `options.${name}[${i}]`, 'a step');
  return out;
}

/** Initial step per coordinate: the requested h (default 0.1 max(1, |theta_i|)) capped by maxStep. */
function initialSteps(theta: ArrayLike<number>, opts: FiniteDifferenceOptions): Float64Array {
  const n = theta.length;
  for (let i = 0; i < n; i++) requireFinite(theta[i], `theta[${i}]`);
  const h = perCoordinate(opts.h, n, 'h');
  const cap = perCoordinate(opts.maxStep, n, 'maxStep');
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const hi = h ? h[i] : 0.1 * Math.max(1, Math.abs(theta[i]));
    out[i] = cap ? Math.min(hi, cap[i]) : hi;
  }
  return out;
}

function noiseOf(opts: FiniteDifferenceOptions): number {
  return requireNonNegative(opts.noise ?? 4 * EPS, 'options.noise');
}

/** Copy of theta with coordinates i (and j) moved by di (and dj). */
function shifted(theta: ArrayLike<number>, i: number, di: number, j = -1, dj = 0): Vec {
  const x = Float64Array.from(theta);
  x[i] += di;
  if (j >= 0) x[j] += dj;
  return x;
}

/**
 * f'(t) by Ridders' extrapolation of central differences (f(t+h) - f(t-h)) / (2h);
 * evaluation points stay within [t - h0, t + h0], h0 = min(h, maxStep).
 */
export function derivativeFD(f: (t: number) => number, t: number, opts: FiniteDifferenceOptions = {}): DerivativeEstimate {
  const h0 = initialSteps([t], opts)[0];
  const noise = noiseOf(opts);
  const r = ridders(
    (s) => {
      const h = s * h0;
      const fp = f(t + h);
      const fm = f(t - h);
      // The actual step is (t + h) - (t - h), which differs from 2h by rounding.
      const step = t + h - (t - h);
      return { values: [(fp - fm) / step], magnitude: [(Math.abs(fp) + Math.abs(fm)) / step], denominator: step };
    },
    1,
    noise,
  );
  return { value: r.value[0], error: r.error[0] };
}

/** Gradient by `derivativeFD` along each coordinate, with per-coordinate error estimates. */
export function gradientFD(f: (theta: Vec) => number, theta: Vec, opts: FiniteDifferenceOptions = {}): { value: Vec; error: Vec } {
  const n = theta.length;
  const h0 = initialSteps(theta, opts);
  const noise = noiseOf(opts);
  const value = new Float64Array(n);
  const error = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = ridders(
      (s) => {
        const xp = shifted(theta, i, s * h0[i]);
        const xm = shifted(theta, i, -s * h0[i]);
        const step = xp[i] - xm[i]; // the step actually taken, after rounding theta_i +- h
        const fp = f(xp);
        const fm = f(xm);
        return { values: [(fp - fm) / step], magnitude: [(Math.abs(fp) + Math.abs(fm)) / step], denominator: step };
      },
      1,
      noise,
    );
    value[i] = r.value[0];
    error[i] = r.error[0];
  }
  return { value, error };
}

/**
 * Hessian by Ridders' extrapolation of the second central difference
 * (f(x + h e_i) - 2 f(x) + f(x - h e_i)) / h^2 on the diagonal and of
 * (f(x + h_i e_i + h_j e_j) - f(x + h_i e_i - h_j e_j) - f(x - h_i e_i + h_j e_j)
 * + f(x - h_i e_i - h_j e_j)) / (4 h_i h_j) off it; symmetric by construction.
 */
export function hessianFD(f: (theta: Vec) => number, theta: Vec, opts: FiniteDifferenceOptions = {}): { value: Matrix; error: Matrix } {
  const n = theta.length;
  const h0 = initialSteps(theta, opts);
  const noise = noiseOf(opts);
  const value = Matrix.zeros(n, n);
  const error = Matrix.zeros(n, n);
  const f0 = f(Float64Array.from(theta));
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const r = ridders(
        (s) => {
          const hi = s * h0[i];
          if (i === j) {
            const fp = f(shifted(theta, i, hi));
            const fm = f(shifted(theta, i, -hi));
            const d = hi * hi;
            return { values: [(fp - 2 * f0 + fm) / d], magnitude: [(Math.abs(fp) + 2 * Math.abs(f0) + Math.abs(fm)) / d], denominator: d };
          }
          const hj = s * h0[j];
          const fpp = f(shifted(theta, i, hi, j, hj));
          const fpm = f(shifted(theta, i, hi, j, -hj));
          const fmp = f(shifted(theta, i, -hi, j, hj));
          const fmm = f(shifted(theta, i, -hi, j, -hj));
          const d = 4 * hi * hj;
          return {
            values: [(fpp - fpm - fmp + fmm) / d],
            magnitude: [(Math.abs(fpp) + Math.abs(fpm) + Math.abs(fmp) + Math.abs(fmm)) / d],
            denominator: d,
          };
        },
        1,
        noise,
      );
      value.set(i, j, r.value[0]);
      value.set(j, i, r.value[0]);
      error.set(i, j, r.error[0]);
      error.set(j, i, r.error[0]);
    }
  }
  return { value, error };
}

/**
 * Jacobian of f: R^n -> R^m (rows = outputs, columns = inputs) by Ridders'
 * extrapolation of central differences, one tableau per output sharing the
 * evaluations of each input direction.
 */
export function jacobianFD(f: (theta: Vec) => Vec, theta: Vec, opts: FiniteDifferenceOptions = {}): { value: Matrix; error: Matrix } {
  const n = theta.length;
  const h0 = initialSteps(theta, opts);
  const noise = noiseOf(opts);
  const m = f(Float64Array.from(theta)).length;
  const value = Matrix.zeros(m, n);
  const error = Matrix.zeros(m, n);
  for (let j = 0; j < n; j++) {
    const r = ridders(
      (s) => {
        const xp = shifted(theta, j, s * h0[j]);
        const xm = shifted(theta, j, -s * h0[j]);
        const step = xp[j] - xm[j];
        const fp = f(xp);
        const fm = f(xm);
        if (fp.length !== m || fm.length !== m) {
          throw new NatgradError('f', `returned ${fp.length} and ${fm.length} outputs, expected ${m} every time`);
        }
        const values = new Float64Array(m);
        const magnitude = new Float64Array(m);
        for (let k = 0; k < m; k++) {
          values[k] = (fp[k] - fm[k]) / step;
          magnitude[k] = (Math.abs(fp[k]) + Math.abs(fm[k])) / step;
        }
        return { values, magnitude, denominator: step };
      },
      m,
      noise,
    );
    for (let k = 0; k < m; k++) {
      value.set(k, j, r.value[k]);
      error.set(k, j, r.error[k]);
    }
  }
  return { value, error };
}

/**
 * The derivative at t = 0 of a vector-valued f along one direction, by plain
 * central differences with steps h and h/2, with an error bound derived from
 * their order rather than an extrapolation tableau (cheap: four evaluations).
 *
 * value = D(h/2) = (f(h/2) - f(-h/2)) / h. Truncation: D(h) = f' + c h² + O(h⁴),
 * so D(h) - D(h/2) = (3/4) c h² and the truncation error of D(h/2), c h²/4, is
 * a third of |D(h) - D(h/2)|; the bound takes the whole difference (a safety
 * factor 3). Round-off: each value of f carries a relative error of at most
 * `noise` (default 32 ε: a loss through a few layers, each entry a sum of a
 * few dozen rounded terms), so the difference quotient carries
 * 2 noise max|f| / h, taken relative to the largest entry of
 * the whole vector: an entry that is zero by structure (a gradient the softmax
 * cannot see) is computed from terms of the size of the others, and rounds at
 * their size. `magnitude` raises that scale when f is a small difference of
 * larger terms (a log-sum-exp minus a logit): its rounding is of the terms' size.
 */
export function centralDifference(
  f: (t: number) => ArrayLike<number>,
  h: number,
  options: { noise?: number; magnitude?: number } = {},
): { value: Vec; bound: Vec } {
  requirePositive(h, 'h', 'the step');
  const noise = options.noise ?? 32 * EPS;
  const fp = f(h),
    fm = f(-h),
    fp2 = f(h / 2),
    fm2 = f(-h / 2);
  const n = fp.length;
  let scale = Math.max(1e-300, options.magnitude ?? 0);
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(fp[i]), Math.abs(fm[i]), Math.abs(fp2[i]), Math.abs(fm2[i]));
  const value = new Float64Array(n);
  const bound = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d1 = (fp[i] - fm[i]) / (2 * h);
    const d2 = (fp2[i] - fm2[i]) / h;
    value[i] = d2;
    bound[i] = Math.abs(d1 - d2) + (2 * noise * scale) / h;
  }
  return { value, bound };
}
