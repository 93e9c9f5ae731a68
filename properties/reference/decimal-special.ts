/**
 * log-gamma, digamma and trigamma at any precision, in decimal.js, for the
 * high-precision reference: the recurrence shifts x up to X >= the number of
 * digits, where the asymptotic (Stirling) series with exact Bernoulli
 * numbers converges to far below 10^-digits (its smallest term is about
 * e^(-2 pi X)), then sums back down. Tested against known constants in
 * decimal-special.test.ts.
 *
 * References: DLMF 5.11.1 (Stirling series of ln Gamma), 5.15.8 (trigamma),
 * 5.5.2 and 5.15.5 (recurrences); Brent and Harvey (2011), "Fast computation
 * of Bernoulli, tangent and secant numbers" (the tangent-number recurrence).
 */
import type { Decimal } from 'decimal.js';

export type DecimalClass = typeof Decimal;

/** Tangent numbers T_1..T_n (1, 2, 16, 272, ...), exact, by Brent and Harvey's in-place recurrence. */
const tangent: bigint[] = [0n, 1n];
function tangentNumbers(n: number): bigint[] {
  if (tangent.length > n) return tangent;
  const T = Array.from({ length: n + 1 }, () => 0n);
  T[1] = 1n;
  for (let k = 2; k <= n; k++) T[k] = BigInt(k - 1) * T[k - 1];
  for (let k = 2; k <= n; k++) for (let j = k; j <= n; j++) T[j] = BigInt(j - k) * T[j - 1] + BigInt(j - k + 2) * T[j];
  tangent.length = 0;
  tangent.push(...T);
  return tangent;
}

/** B_2k = (-1)^(k-1) 2k T_k / (4^k (4^k - 1)) as an exact fraction [numerator, denominator]. */
export function bernoulliEven(k: number): [bigint, bigint] {
  const T = tangentNumbers(Math.max(k, 16));
  const four = 4n ** BigInt(k);
  const num = (k % 2 === 1 ? 1n : -1n) * 2n * BigInt(k) * T[k];
  return [num, four * (four - 1n)];
}

const bernoulliCache = new Map<string, Decimal[]>();
/** B_2, B_4, ..., B_2m at the class's precision. */
function bernoulliDecimals(D: DecimalClass, m: number): Decimal[] {
  const key = `${D.precision}`;
  let list = bernoulliCache.get(key);
  if (!list || list.length < m) {
    list = Array.from({ length: m }, (_, i) => {
      const [n, d] = bernoulliEven(i + 1);
      return new D(n.toString()).div(new D(d.toString()));
    });
    bernoulliCache.set(key, list);
  }
  return list;
}

/** The shift target: the asymptotic series at X >= digits converges well below 10^-digits. */
const shiftTarget = (D: DecimalClass): number => Math.max(12, D.precision);

/** Sum of the asymptotic series terms coef_k(B_2k) / X^(power(k)) until they fall below 10^-(digits+5) of `scale`. */
function asymptoticTail(D: DecimalClass, X: Decimal, term: (b: Decimal, k: number, X: Decimal) => Decimal, scale: Decimal): Decimal {
  const tol = scale.abs().times(new D(10).pow(-(D.precision + 5)));
  let s = new D(0);
  let m = 32;
  for (let k = 1; ; k++) {
    if (k > m) m *= 2;
    const t = term(bernoulliDecimals(D, m)[k - 1], k, X);
    s = s.plus(t);
    if (t.abs().lt(tol)) return s;
    if (k > 4 * D.precision) throw new Error(`asymptotic series did not converge at x = ${X.toString()}`);
  }
}

function shifted(D: DecimalClass, x: Decimal): { X: Decimal; steps: Decimal[] } {
  const target = shiftTarget(D);
  const steps: Decimal[] = [];
  let X = x;
  while (X.lt(target)) {
    steps.push(X);
    X = X.plus(1);
  }
  return { X, steps };
}

/** ln Gamma(x), x > 0. */
export function lgammaDecimal(D: DecimalClass, x: Decimal): Decimal {
  if (!x.gt(0)) throw new RangeError('lgammaDecimal needs x > 0');
  const { X, steps } = shifted(D, x);
  const halfLog2Pi = D.acos(-1).times(2).ln().div(2);
  const main = X.minus(0.5).times(X.ln()).minus(X).plus(halfLog2Pi);
  const tail = asymptoticTail(D, X, (b, k, y) => b.div(new D(2 * k * (2 * k - 1)).times(y.pow(2 * k - 1))), main.abs().plus(1));
  let prod = new D(1);
  for (const s of steps) prod = prod.times(s);
  return main.plus(tail).minus(prod.ln());
}

/** psi(x), x > 0. */
export function digammaDecimal(D: DecimalClass, x: Decimal): Decimal {
  if (!x.gt(0)) throw new RangeError('digammaDecimal needs x > 0');
  const { X, steps } = shifted(D, x);
  const main = X.ln().minus(new D(1).div(X.times(2)));
  const tail = asymptoticTail(D, X, (b, k, y) => b.div(new D(2 * k).times(y.pow(2 * k))).neg(), main.abs().plus(1));
  let shift = new D(0);
  for (const s of steps) shift = shift.plus(new D(1).div(s));
  return main.plus(tail).minus(shift);
}

/** psi'(x), x > 0. */
export function trigammaDecimal(D: DecimalClass, x: Decimal): Decimal {
  if (!x.gt(0)) throw new RangeError('trigammaDecimal needs x > 0');
  const { X, steps } = shifted(D, x);
  const main = new D(1).div(X).plus(new D(1).div(X.times(X).times(2)));
  const tail = asymptoticTail(D, X, (b, k, y) => b.div(y.pow(2 * k + 1)), main);
  let shift = new D(0);
  for (const s of steps) shift = shift.plus(new D(1).div(s.times(s)));
  return main.plus(tail).plus(shift);
}
