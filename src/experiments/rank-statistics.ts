/**
 * Distribution-free comparisons of one sample against another sample that is
 * known only through its median (a peer's published median of m runs).
 *
 * Under H0 the m peer values X and the n own values Y are i.i.d. from one
 * continuous distribution, so all C(m+n, n) orders of the pooled sample are
 * equally likely. The number J_k of Y above the k-th smallest X then has the
 * exact law (the precedence or exceedance distribution; Nelson, Technometrics
 * 5, 1963; Gumbel and von Schelling, Ann. Math. Stat. 21, 1950)
 *   P(J_k = j) = C(k-1+n-j, n-j) C(m-k+j, j) / C(m+n, n),
 * counting the orders with n-j Y below X_(k) and j above. This accounts for
 * the peer's median being itself a sample median; the sign test, which takes
 * it as the true median, rejects too often (its null variance n/4 is about
 * half the exact one, n/4 · (1 + n/m) for large samples).
 */
import { NatgradError } from '../core/errors.js';

/**
 * The binomial coefficient C(n, k) as a double: an exact integer while the
 * products C(n-k+i, i)·i stay below 2^53 (every k for n <= 40), correct to
 * rounding beyond, finite up to n = 1029.
 */
export function binomial(n: number, k: number): number {
  if (!(Number.isInteger(n) && Number.isInteger(k)) || k < 0 || k > n) return 0;
  const kk = Math.min(k, n - k);
  let c = 1;
  // c stays an integer: after step i it is C(n - kk + i, i)
  for (let i = 1; i <= kk; i++) c = (c * (n - kk + i)) / i;
  return c;
}

/**
 * The sample quantile with linear interpolation between order statistics
 * (Hyndman and Fan's type 7, the default of numpy.percentile and R):
 * h = (n - 1) p, x_(floor h) + (h - floor h)(x_(floor h + 1) - x_(floor h)), 0-based.
 */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new NatgradError('values', 'must not be empty');
  if (!(p >= 0 && p <= 1)) throw new NatgradError('p', `must be in [0, 1], got ${p}`);
  const s = [...values].sort((a, b) => a - b);
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  return lo + 1 < s.length ? s[lo] + (h - lo) * (s[lo + 1] - s[lo]) : s[lo];
}

/** The exact law of J_k, the number of n own values above the k-th smallest (1-based) of m peer values: entry j is P(J_k = j). */
export function exceedancePmf(m: number, n: number, k: number): number[] {
  if (!(Number.isInteger(m) && Number.isInteger(n) && m >= 1 && n >= 1 && m + n <= 1000))
    throw new NatgradError('m, n', `must be integers >= 1 with m + n <= 1000, got ${m}, ${n}`);
  if (!(Number.isInteger(k) && k >= 1 && k <= m)) throw new NatgradError('k', `must be an integer in 1..${m}, got ${k}`);
  const total = binomial(m + n, n);
  return Array.from({ length: n + 1 }, (_, j) => (binomial(k - 1 + n - j, n - j) * binomial(m - k + j, j)) / total);
}

/**
 * Where a peer's reported median sits among its m pooled values, 1-based, with
 * its unsolved runs counted as +Infinity (above every solved one): the median
 * of s solved values lies between the order statistics lo and hi (equal when s is odd).
 */
export function medianOrderStatistics(solved: number): { lo: number; hi: number } {
  if (!(Number.isInteger(solved) && solved >= 1)) throw new NatgradError('solved', `must be an integer >= 1, got ${solved}`);
  return { lo: Math.floor((solved + 1) / 2), hi: Math.ceil((solved + 1) / 2) };
}

export interface PeerMedianTest {
  /** own values strictly above the peer median, and at or above it */
  above: number;
  atOrAbove: number;
  n: number;
  /** two-sided p-value of the exact exceedance test */
  p: number;
  /** two-sided p-value of the sign test that takes the peer median as exact (anti-conservative, for reference) */
  pSign: number;
}

/**
 * Tests H0 "own values and the peer's m values come from one distribution"
 * with the count of own values above the peer's sample median. The median
 * lies between the peer's order statistics lo and hi, so J_hi <= J <= J_lo
 * and p = 2 min(P(J_lo >= above), P(J_hi <= atOrAbove)), capped at 1, is
 * conservative for both the interpolation and ties (a value equal to the
 * median counts against whichever tail is tested). Own values may be
 * +Infinity (runs that did not reach the target).
 */
export function peerMedianTest(own: readonly number[], peerMedian: number, m: number, order: { lo: number; hi: number }): PeerMedianTest {
  const n = own.length;
  const above = own.filter((v) => v > peerMedian).length;
  const atOrAbove = own.filter((v) => v >= peerMedian).length;
  const lower = exceedancePmf(m, n, order.hi)
    .slice(0, atOrAbove + 1)
    .reduce((a, b) => a + b, 0);
  const upper = exceedancePmf(m, n, order.lo)
    .slice(above)
    .reduce((a, b) => a + b, 0);
  return { above, atOrAbove, n, p: Math.min(1, 2 * Math.min(lower, upper)), pSign: signTest(above, n - atOrAbove) };
}

/** Two-sided exact sign test of `above` against `below` (ties already dropped): 2 P(Bin(above + below, 1/2) <= min), capped at 1. */
export function signTest(above: number, below: number): number {
  const n = above + below;
  if (n === 0) return 1;
  let tail = 0;
  for (let j = 0; j <= Math.min(above, below); j++) tail += binomial(n, j);
  return Math.min(1, (2 * tail) / 2 ** n);
}

/**
 * The peer medians this test would accept at `level`, as the range between
 * the smallest and largest of the own values that are accepted (the test's
 * answer changes only at own values): a measure of its resolution.
 */
export function acceptedMedianRange(own: readonly number[], m: number, order: { lo: number; hi: number }, level: number): [number, number] | null {
  const accepted = [...new Set(own)].filter((v) => peerMedianTest(own, v, m, order).p >= level).sort((a, b) => a - b);
  return accepted.length ? [accepted[0], accepted[accepted.length - 1]] : null;
}
