/**
 * Interval arithmetic in decimal.js: each value is an enclosure [lo, hi],
 * lo computed rounding down and hi rounding up (decimal.js rounds every
 * operation, exp, ln and sqrt included, correctly in the class's rounding
 * mode), so the true value of a closed form lies inside the interval its
 * evaluation returns. A cancellation shows as an interval that is wide for
 * its midpoint, even when both ends round to the same digits, which a point
 * evaluation (or two, in opposite rounding modes) cannot see: at 50 digits
 * trigamma(1e150) - trigamma(1e150 + 1) is exactly 0 either way, while its
 * enclosure [-1e-199, 1e-199] says that no digit of it is known.
 *
 * Reference: Moore, Kearfott and Cloud, Introduction to Interval Analysis
 * (SIAM 2009), Ch. 2 and 4.
 */
import { Decimal } from 'decimal.js';
import type { DecimalClass } from './decimal-special.js';

/** The two rounding directions at one precision. */
export interface IntervalContext {
  readonly digits: number;
  readonly down: DecimalClass;
  readonly up: DecimalClass;
}

const contexts = new Map<number, IntervalContext>();
export function intervalContext(digits: number): IntervalContext {
  let c = contexts.get(digits);
  if (!c) {
    const make = (rounding: Decimal.Rounding) => Decimal.clone({ precision: digits, rounding, minE: -9e15, maxE: 9e15 });
    c = { digits, down: make(Decimal.ROUND_FLOOR), up: make(Decimal.ROUND_CEIL) };
    contexts.set(digits, c);
  }
  return c;
}

const min = (xs: Decimal[]): Decimal => xs.reduce((a, b) => (b.lt(a) ? b : a));
const max = (xs: Decimal[]): Decimal => xs.reduce((a, b) => (b.gt(a) ? b : a));

export class Interval {
  constructor(
    readonly c: IntervalContext,
    readonly lo: Decimal,
    readonly hi: Decimal,
  ) {}

  /** The enclosure of an exactly written number (`0.1`, `2.5e-300`, the exact expansion of a float). */
  static of(c: IntervalContext, text: string | number): Interval {
    return new Interval(c, new c.down(text), new c.up(text));
  }

  static pi(c: IntervalContext): Interval {
    return new Interval(c, c.down.acos(-1), c.up.acos(-1));
  }

  isExactZero(): boolean {
    return this.lo.isZero() && this.hi.isZero();
  }
  containsZero(): boolean {
    return this.lo.lte(0) && this.hi.gte(0);
  }
  mid(): Decimal {
    return new this.c.up(this.lo).plus(this.hi).div(2);
  }

  /** true when every number inside agrees with the midpoint to `rel` relative (or the interval is exactly 0) */
  isTight(rel: Decimal): boolean {
    if (this.isExactZero()) return true;
    if (!this.lo.isFinite() || !this.hi.isFinite() || this.containsZero()) return false;
    return new this.c.up(this.hi).minus(this.lo).lte(this.mid().abs().times(rel));
  }

  neg(): Interval {
    return new Interval(this.c, new this.c.down(this.hi).neg(), new this.c.up(this.lo).neg());
  }

  add(b: Interval): Interval {
    return new Interval(this.c, this.lo.plus(b.lo), this.hi.plus(b.hi));
  }

  sub(b: Interval): Interval {
    return new Interval(this.c, this.lo.minus(new this.c.down(b.hi)), this.hi.minus(new this.c.up(b.lo)));
  }

  mul(b: Interval): Interval {
    const { down, up } = this.c;
    const pairs: [Decimal, Decimal][] = [
      [this.lo, b.lo],
      [this.lo, b.hi],
      [this.hi, b.lo],
      [this.hi, b.hi],
    ];
    return new Interval(this.c, min(pairs.map(([x, y]) => new down(x).times(new down(y)))), max(pairs.map(([x, y]) => new up(x).times(new up(y)))));
  }

  div(b: Interval): Interval {
    const { down, up } = this.c;
    if (b.containsZero()) return new Interval(this.c, new down(-Infinity), new up(Infinity));
    const pairs: [Decimal, Decimal][] = [
      [this.lo, b.lo],
      [this.lo, b.hi],
      [this.hi, b.lo],
      [this.hi, b.hi],
    ];
    return new Interval(this.c, min(pairs.map(([x, y]) => new down(x).div(new down(y)))), max(pairs.map(([x, y]) => new up(x).div(new up(y)))));
  }

  /** x^n for an integer n, by repeated products (exact enclosures, also for even n across 0) */
  powInt(n: number): Interval {
    if (n === 0) return Interval.of(this.c, 1);
    if (n < 0) return Interval.of(this.c, 1).div(this.powInt(-n));
    if (n % 2 === 0 && this.containsZero()) {
      const m = max([new this.c.up(this.lo).abs(), new this.c.up(this.hi).abs()]);
      return new Interval(this.c, new this.c.down(0), m.pow(n));
    }
    let r: Interval = this;
    for (let i = 1; i < n; i++) r = r.mul(this);
    return r.lo.gt(r.hi) ? new Interval(this.c, r.hi, r.lo) : r;
  }

  /** f increasing */
  monotone(f: (x: Decimal) => Decimal): Interval {
    return new Interval(this.c, f(new this.c.down(this.lo)), f(new this.c.up(this.hi)));
  }

  /** f decreasing, evaluated by `g(D, x)` in each rounding direction */
  decreasing(g: (D: DecimalClass, x: Decimal) => Decimal): Interval {
    return new Interval(this.c, g(this.c.down, new this.c.down(this.hi)), g(this.c.up, new this.c.up(this.lo)));
  }

  exp(): Interval {
    return this.monotone((x) => x.exp());
  }
  ln(): Interval {
    return this.lo.lte(0) ? new Interval(this.c, new this.c.down(-Infinity), this.hi.lte(0) ? new this.c.up(NaN) : this.hi.ln()) : this.monotone((x) => x.ln());
  }
  sqrt(): Interval {
    return this.monotone((x) => (x.isNeg() ? new (x.constructor as DecimalClass)(0) : x.sqrt()));
  }
  abs(): Interval {
    if (this.lo.gte(0)) return this;
    if (this.hi.lte(0)) return this.neg();
    return new Interval(this.c, new this.c.down(0), max([new this.c.up(this.lo).abs(), this.hi]));
  }
}
