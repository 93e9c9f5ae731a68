/**
 * Floating-point numbers with an unbounded binary exponent: m · 2^e, m a
 * float64 in [0.5, 1) in magnitude (or 0, or not finite) and e an integer.
 *
 * Closed forms at the edges of a family's domain pass through values that
 * float64 cannot hold although the result can (1/sigma^3 = 1e450 on the way to
 * d s / d eta2 = sigma^2 = 1e-300), or that it can hold only as subnormals
 * with a few bits left (2/sigma^2 = 2e-320 on the way to a Fisher entry of 2).
 * Carrying the exponent separately keeps every operation correctly rounded in
 * its mantissa, so a chain of them loses no more than a few ulp; the one
 * rounding to float64 happens at the end (`toNumber`), where an overflow is
 * reported as such and an underflow rounds to a subnormal or 0 as float64 would.
 */

const view = new DataView(new ArrayBuffer(8));
const TWO_64 = 2 ** 64;
/** fdlibm's split of log 2: LN2_HI has 32 significant bits, so n LN2_HI is exact for |n| < 2^21. */
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
const LOG10_2 = 0.3010299956639812;
const SQRT_HALF = Math.SQRT1_2;

/** The binary exponent of a finite non-zero x: x = m 2^e with 0.5 <= |m| < 1 (0 for 0 and non-finite x). */
export function binaryExponent(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return 0;
  view.setFloat64(0, x);
  const biased = (view.getUint32(0) >>> 20) & 0x7ff;
  if (biased === 0) return binaryExponent(x * TWO_64) - 64; // subnormal
  return biased - 1022;
}

/** 2^k for k = -1074 .. 1023, exact */
const POW2 = Float64Array.from({ length: 2098 }, (_, i) => 2 ** (i - 1074));

/**
 * x · 2^k for exponents k beyond float64's range of powers of two (the
 * result itself may be in range), in steps of 2^±1000: exact for an integer
 * k while every intermediate stays normal (the caller's guarantee); k may
 * also be fractional (a root of a power of two).
 */
export function scaleExact(x: number, k: number): number {
  while (k > 1000) {
    x *= 2 ** 1000;
    k -= 1000;
  }
  while (k < -1000) {
    x *= 2 ** -1000;
    k += 1000;
  }
  return x * 2 ** k;
}

/**
 * m 2^e rounded once to float64 (ldexp): ±Infinity past the largest float,
 * a correctly rounded subnormal or ±0 below the smallest normal.
 */
export function ldexp(m: number, e: number): number {
  if (e === 0 || m === 0 || !Number.isFinite(m)) return m;
  // 2^e is a float here, so the product is one correctly rounded multiplication
  if (e >= -1074 && e <= 1023) return m * POW2[e + 1074];
  const k = binaryExponent(m) + e; // the result is m' 2^k with 0.5 <= |m'| < 1
  if (k > 1024) return m > 0 ? Infinity : -Infinity;
  if (k >= -1021) return scaleExact(m, e);
  if (k <= -1075) return m > 0 ? 0 : -0; // below half the smallest subnormal
  // Bring the value to [2^-3, 2^53) exactly, then one multiplication by the
  // smallest subnormal rounds it the way float64 arithmetic would.
  return scaleExact(m, e + 1074) * Number.MIN_VALUE;
}

export class Wide {
  static readonly ZERO = new Wide(0, 0);
  static readonly ONE = new Wide(0.5, 1);

  /** value = m 2^e */
  private constructor(
    readonly m: number,
    readonly e: number,
  ) {}

  /** m 2^e for any float m and integer e, normalized. */
  static make(m: number, e: number): Wide {
    if (m === 0 || !Number.isFinite(m)) return new Wide(m, 0);
    const k = binaryExponent(m);
    return new Wide(scaleExact(m, -k), e + k);
  }

  static of(x: number): Wide {
    return Wide.make(x, 0);
  }

  /**
   * e^x for any float x: e^x = 2^n e^r with n = round(x / log 2) and
   * r = x - n log 2 formed exactly enough (Cody and Waite's two-part log 2).
   */
  static exp(x: number): Wide {
    if (Number.isNaN(x)) return new Wide(NaN, 0);
    if (Math.abs(x) < 700) return Wide.of(Math.exp(x));
    if (Math.abs(x) > 1.4e6) return x > 0 ? new Wide(Infinity, 0) : Wide.ZERO;
    const n = Math.round(x / Math.LN2);
    const r = x - n * LN2_HI - n * LN2_LO;
    return Wide.make(Math.exp(r), n);
  }

  isZero(): boolean {
    return this.m === 0;
  }
  isFinite(): boolean {
    return Number.isFinite(this.m);
  }
  sign(): number {
    return Math.sign(this.m);
  }

  neg(): Wide {
    return new Wide(-this.m, this.e);
  }
  abs(): Wide {
    return new Wide(Math.abs(this.m), this.e);
  }

  /** this 2^k, exact */
  times2(k = 1): Wide {
    return this.m === 0 || !this.isFinite() ? this : new Wide(this.m, this.e + k);
  }

  mul(b: Wide): Wide {
    return Wide.make(this.m * b.m, this.e + b.e);
  }
  div(b: Wide): Wide {
    return Wide.make(this.m / b.m, this.e - b.e);
  }
  mulNum(x: number): Wide {
    return this.mul(Wide.of(x));
  }
  inv(): Wide {
    return Wide.make(1 / this.m, -this.e);
  }
  square(): Wide {
    return this.mul(this);
  }

  add(b: Wide): Wide {
    if (b.m === 0 || !Number.isFinite(this.m)) return Number.isFinite(b.m) ? this : Wide.make(this.m + b.m, 0);
    if (this.m === 0 || !Number.isFinite(b.m)) return b;
    const [hi, lo] = this.e >= b.e ? [this as Wide, b] : [b, this as Wide];
    const d = lo.e - hi.e;
    // below 2^-60 of the larger operand the smaller one cannot change its rounding
    if (d < -60) return hi;
    return Wide.make(hi.m + lo.m * 2 ** d, hi.e);
  }

  sub(b: Wide): Wide {
    return this.add(b.neg());
  }

  sqrt(): Wide {
    if (this.m <= 0 || !this.isFinite()) return Wide.of(Math.sqrt(this.m));
    const odd = this.e & 1;
    return Wide.make(Math.sqrt(odd ? this.m * 2 : this.m), (this.e - odd) / 2);
  }

  /** Natural log as a float (always representable): log m + e log 2 without cancellation. */
  log(): number {
    if (!(this.m > 0) || !this.isFinite()) return Math.log(this.m);
    let m = this.m;
    let e = this.e;
    if (m < SQRT_HALF) {
      m *= 2;
      e -= 1;
    }
    return e * LN2_HI + (Math.log(m) + e * LN2_LO);
  }

  /** The float64 nearest to the value: ±Infinity when it overflows, a subnormal or 0 when it underflows. */
  toNumber(): number {
    return ldexp(this.m, this.e);
  }

  /** Whether rounding to float64 overflows. */
  overflows(): boolean {
    return !Number.isFinite(this.m) || (this.m !== 0 && this.e > 1024) || !Number.isFinite(this.toNumber());
  }

  /** Approximate decimal form for messages, also beyond the float range: `1.0e+400`. */
  toString(): string {
    if (this.m === 0 || !this.isFinite()) return String(this.m);
    const l = Math.log10(Math.abs(this.m)) + this.e * LOG10_2;
    let exp = Math.floor(l);
    let mant = 10 ** (l - exp);
    if (Number(mant.toFixed(1)) >= 10) {
      mant /= 10;
      exp += 1;
    }
    return `${this.m < 0 ? '-' : ''}${mant.toFixed(1)}e${exp >= 0 ? '+' : ''}${exp}`;
  }
}

/**
 * A matrix of wide numbers, stored as float mantissas with integer exponents
 * (entry = m 2^e), so that large matrices cost two typed arrays, not objects.
 */
export class WideMatrix {
  /** true when the matrix is known to be the identity (products skip it) */
  identity = false;

  constructor(
    readonly rows: number,
    readonly cols: number,
    readonly m: Float64Array = new Float64Array(rows * cols),
    readonly e: Int32Array = new Int32Array(rows * cols),
  ) {}

  static identityOf(n: number): WideMatrix {
    const out = new WideMatrix(n, n);
    for (let i = 0; i < n; i++) out.m[i * n + i] = 1;
    out.identity = true;
    return out;
  }

  static from(entries: readonly (readonly Wide[])[]): WideMatrix {
    const rows = entries.length;
    const cols = rows ? entries[0].length : 0;
    const out = new WideMatrix(rows, cols);
    entries.forEach((row, i) => row.forEach((w, j) => out.set(i, j, w)));
    return out;
  }

  /** A float matrix whose entries all carry the factor 2^exponent. */
  static fromScaled(data: Float64Array, rows: number, cols: number, exponent = 0): WideMatrix {
    const out = new WideMatrix(rows, cols, data, new Int32Array(rows * cols).fill(exponent));
    return out;
  }

  get(i: number, j: number): Wide {
    const k = i * this.cols + j;
    return Wide.make(this.m[k], this.e[k]);
  }

  set(i: number, j: number, w: Wide): void {
    const k = i * this.cols + j;
    this.m[k] = w.m;
    this.e[k] = w.e;
  }

  /** Entries rounded to float64, row-major; overflowing ones are ±Infinity. */
  toFloat64(): Float64Array {
    const { m, e } = this;
    const out = new Float64Array(m.length);
    for (let k = 0; k < out.length; k++) {
      const ek = e[k];
      // the common cases inline: no scaling, or one exact power of two (see ldexp)
      out[k] = ek === 0 ? m[k] : ek >= -1074 && ek <= 1023 ? m[k] * POW2[ek + 1074] : ldexp(m[k], ek);
    }
    return out;
  }

  /**
   * The matrix as M 2^k with the largest entry of M in [0.5, 1): every
   * entry of M within float range, those below 2^-1074 of the largest
   * flushed to 0 (they cannot change a rounding relative to it).
   */
  scaled(): { data: Float64Array; exponent: number } {
    let top = -Infinity;
    for (let k = 0; k < this.m.length; k++) {
      if (this.m[k] !== 0 && Number.isFinite(this.m[k])) top = Math.max(top, binaryExponent(this.m[k]) + this.e[k]);
    }
    if (top === -Infinity) top = 0;
    const data = new Float64Array(this.m.length);
    for (let k = 0; k < data.length; k++) data[k] = ldexp(this.m[k], this.e[k] - top);
    return { data, exponent: top };
  }
}

/** a b for wide matrices; an identity factor is skipped, so vector families pay nothing for it. */
export function wideMatmul(a: WideMatrix, b: WideMatrix): WideMatrix {
  if (a.cols !== b.rows) throw new RangeError(`cannot multiply ${a.rows} x ${a.cols} by ${b.rows} x ${b.cols}`);
  if (a.identity) return b;
  if (b.identity) return a;
  const out = new WideMatrix(a.rows, b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < b.cols; j++) {
      let s = Wide.ZERO;
      for (let k = 0; k < a.cols; k++) s = s.add(a.get(i, k).mul(b.get(k, j)));
      out.set(i, j, s);
    }
  }
  return out;
}
