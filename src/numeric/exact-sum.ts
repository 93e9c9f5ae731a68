import { NatgradError } from '../core/errors.js';

/**
 * Sums over discrete supports, sum_{k = start}^{end} term(k), with an error bound.
 *
 * Finite supports (end given, at most maxTerms terms): every term is added
 * with Neumaier's compensated summation, and the error is the textbook bound
 * for compensated summation, (2 eps + n eps^2) sum |term_k| (Higham,
 * "Accuracy and Stability of Numerical Algorithms", 2nd ed., eq. 4.8 and
 * section 4.3). It bounds the summation error only, not the error of the
 * terms themselves.
 *
 * Infinite supports (and finite ones longer than maxTerms): terms are added until the ratio test gives a tail bound
 * below rtol * sum |term_k|. With r = the largest |term(k+1) / term(k)| over
 * the last WINDOW ratios, if r < 1 then
 *   |sum_{j > k} term(j)| <= |term(k)| (r + r^2 + ...) = |term(k)| r / (1 - r).
 * ASSUMPTION: beyond the window the ratios stay <= r. This holds when the ratio
 * of consecutive terms is eventually non-increasing, as for Poisson and
 * geometric terms and their products with polynomials in k. When the ratios in
 * the window are increasing (e.g. negative binomial terms with shape < 1, whose
 * ratio rises towards p), r is replaced by the midpoint (1 + r) / 2, a bound as
 * long as the ratios' limit lies below it; terms are then added until that
 * looser bound meets the tolerance.
 * Safeguard: the bound is used only when the window's ratios vary by less than
 * a factor RATIO_SPREAD = 1.5; fast-changing ratios mark terms that are not
 * yet geometric, e.g. next to a zero of a polynomial factor such as
 * (k - mean)^2 p(k), where the terms dip towards 0 and rise again. Terms that
 * decay faster than any geometric rate (exp(-k^2)) are summed until they
 * underflow to 0, after which the tail counts as 0.
 */

export interface SumSeriesOptions {
  /** First index, an integer; default 0. */
  start?: number;
  /** Last index, inclusive; Infinity (the default) for an infinite support. */
  end?: number;
  /** Relative tolerance of the tail bound, against sum |term_k|; default 1e-15. */
  rtol?: number;
  /** Most terms to add; default 1e6. Reaching it returns the best bound found (possibly Infinity). */
  maxTerms?: number;
}

export interface SeriesSum {
  value: number;
  /** Bound on |value - exact sum|: summation round-off plus the tail bound. */
  error: number;
  /** Number of terms added. */
  terms: number;
}

const EPS = 2.220446049250313e-16;
const WINDOW = 8;
/** Largest max/min of the window's ratios for the ratio bound to be used. */
const RATIO_SPREAD = 1.5;

/** Compensated (Neumaier) running sum that also tracks sum |x|. */
class CompensatedSum {
  private s = 0;
  private c = 0;
  abs = 0;
  n = 0;
  add(x: number): void {
    const t = this.s + x;
    this.c += Math.abs(this.s) >= Math.abs(x) ? this.s - t + x : x - t + this.s;
    this.s = t;
    this.abs += Math.abs(x);
    this.n++;
  }
  get value(): number {
    return this.s + this.c;
  }
  /** Higham's bound for compensated summation. */
  get roundingBound(): number {
    return (2 * EPS + this.n * EPS * EPS) * this.abs;
  }
}

/**
 * Tail bound after the last term from the ratios of the last WINDOW + 1 terms
 * (oldest first), or Infinity when they do not decay geometrically.
 */
function ratioTailBound(recent: number[]): number {
  const last = Math.abs(recent[recent.length - 1]);
  if (last === 0) {
    // A run of exact zeros after nonzero terms (underflow) leaves nothing measurable in the tail.
    return recent.every((x) => x === 0) ? 0 : Infinity;
  }
  let rMax = 0;
  let rMin = Infinity;
  let increasing = false;
  let previousRatio = -Infinity;
  for (let i = 1; i < recent.length; i++) {
    const a = Math.abs(recent[i - 1]);
    if (a === 0) return Infinity;
    const r = Math.abs(recent[i]) / a;
    rMax = Math.max(rMax, r);
    rMin = Math.min(rMin, r);
    if (r > previousRatio && i > 1) increasing = true;
    previousRatio = r;
  }
  if (!(rMax < 1)) return Infinity;
  // Ratios that change fast mean the terms are not yet in their geometric regime: typically
  // a zero of a polynomial factor, as in (k - mean)^2 p(k), where the terms dip and rise again.
  if (rMax > RATIO_SPREAD * rMin) return Infinity;
  const r = increasing ? (1 + rMax) / 2 : rMax;
  return (last * r) / (1 - r);
}

/**
 * sum_{k = start}^{end} term(k) with an error bound: compensated summation for
 * finite supports, a ratio-test tail bound for infinite ones (see the module
 * comment for the assumption it rests on).
 */
export function sumSeries(term: (k: number) => number, opts: SumSeriesOptions = {}): SeriesSum {
  const start = opts.start ?? 0;
  const end = opts.end ?? Infinity;
  const rtol = opts.rtol ?? 1e-15;
  const maxTerms = opts.maxTerms ?? 1_000_000;
  if (!Number.isInteger(start)) throw new NatgradError('options.start', `must be an integer, got ${start}`);
  if (!(Number.isInteger(end) || end === Infinity)) throw new NatgradError('options.end', `must be an integer or Infinity, got ${end}`);
  if (!(rtol > 0)) throw new NatgradError('options.rtol', `must be > 0, got ${rtol}`);
  if (!(maxTerms >= 1)) throw new NatgradError('options.maxTerms', `must be >= 1, got ${maxTerms}`);
  const sum = new CompensatedSum();
  if (end < start) return { value: 0, error: 0, terms: 0 };
  // A finite support within the budget is summed to its end, without early stopping.
  const exhaustive = end - start + 1 <= maxTerms;
  const recent: number[] = [];
  let tail = Infinity;
  for (let k = start; k <= end; k++) {
    if (sum.n >= maxTerms) break;
    const t = term(k);
    if (!Number.isFinite(t)) throw new NatgradError('term', `is not finite at k = ${k} (got ${t})`);
    sum.add(t);
    if (k === end) {
      tail = 0;
      break;
    }
    if (exhaustive) continue;
    recent.push(t);
    if (recent.length > WINDOW + 1) recent.shift();
    if (recent.length === WINDOW + 1 && sum.abs > 0) {
      tail = ratioTailBound(recent);
      if (tail <= rtol * sum.abs) break;
    }
  }
  return { value: sum.value, error: sum.roundingBound + tail, terms: sum.n };
}
