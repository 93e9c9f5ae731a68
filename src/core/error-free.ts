/**
 * Error-free transformations of float64 arithmetic: sums and products whose
 * rounding error is recovered exactly, for quantities that a plain formula
 * would lose to cancellation (1 - sum p when the p nearly sum to 1,
 * m2 - m1^2 when the variance is tiny next to the mean).
 *
 * References: Knuth, TAOCP Vol. 2, 4.2.2 (TwoSum); Dekker (1971), "A
 * floating-point technique for extending the available precision" (split and
 * TwoProduct); Shewchuk (1997), "Adaptive precision floating-point arithmetic
 * and fast robust geometric predicates" (exact sums as non-overlapping partials).
 */

/** a + b = s + err exactly (no overflow assumed). */
export function twoSum(a: number, b: number): [number, number] {
  const s = a + b;
  const bv = s - a;
  return [s, a - (s - bv) + (b - bv)];
}

const SPLITTER = 134217729; // 2^27 + 1

/** a b = p + err exactly, for |a|, |b| below 2^996 and a product whose error does not underflow. */
export function twoProduct(a: number, b: number): [number, number] {
  const p = a * b;
  const ta = SPLITTER * a;
  const ah = ta - (ta - a);
  const al = a - ah;
  const tb = SPLITTER * b;
  const bh = tb - (tb - b);
  const bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

/** The exact sum of the values as non-overlapping partials, smallest first (Shewchuk's grow-expansion). */
function partials(values: Iterable<number>): number[] {
  const parts: number[] = [];
  for (let x of values) {
    let i = 0;
    for (let j = 0; j < parts.length; j++) {
      let y = parts[j];
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) parts[i++] = lo;
      x = hi;
    }
    parts.length = i;
    parts.push(x);
  }
  return parts;
}

/** The partials' sum rounded once to nearest (ties to even), as in Python's math.fsum. */
function roundPartials(parts: number[]): number {
  let n = parts.length;
  if (n === 0) return 0;
  let hi = parts[--n];
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = parts[--n];
    hi = x + y;
    lo = y - (hi - x);
    if (lo !== 0) break;
  }
  // a remainder of exactly half an ulp in the direction of the next partial rounds the other way
  if (n > 0 && ((lo < 0 && parts[n - 1] < 0) || (lo > 0 && parts[n - 1] > 0))) {
    const y = lo * 2;
    const x = hi + y;
    if (y === x - hi) hi = x;
  }
  return hi;
}

/** The sum of the values correctly rounded to float64 (finite values, no overflow). */
export function exactSum(values: Iterable<number>): number {
  return roundPartials(partials(values));
}

/** The sum of the values as an unevaluated pair hi + lo: hi correctly rounded, lo the correctly rounded remainder. */
export function exactSumPair(values: Iterable<number>): [number, number] {
  const parts = partials(values);
  const hi = roundPartials(parts);
  return [hi, roundPartials(partials([...parts, -hi]))];
}
