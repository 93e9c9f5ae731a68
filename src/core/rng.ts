/**
 * Seeded, splittable pseudo-random numbers (xoshiro128** seeded through
 * SplitMix32). Nothing in natgrad draws randomness without an explicit seed,
 * so every run, property and benchmark can be replayed.
 */
import { requireFinite } from './validate.js';

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Hashes a string seed (e.g. a test name) to 32 bits, FNV-1a. */
export function hashSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h >>> 0;
}

/**
 * A seeded pseudo-random generator (xoshiro128**): uniform, normal, gamma,
 * beta, binomial and integer draws. Every random quantity in natgrad takes
 * one, so runs replay exactly.
 *
 * @example
 * ```ts
 * const rng = new Rng(42);
 * const z = rng.normal();
 * ```
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  // the state as int32 (the bits of xoshiro128**'s uint32 words) and the spare
  // normal beside a flag: both stay unboxed fields, so a draw allocates nothing
  private hasSpare = false;
  private spare = 0;
  /** The seed this generator was made from, for error messages and replay. */
  readonly seed: number;

  constructor(seed: number | string) {
    const n = typeof seed === 'string' ? hashSeed(seed) : seed;
    this.seed = requireFinite(n, 'seed', 'a finite number or a string') >>> 0;
    const sm = splitmix32(this.seed);
    this.s0 = sm() | 0;
    this.s1 = sm() | 0;
    this.s2 = sm() | 0;
    this.s3 = sm() | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s0 = this.s0;
    const s1 = this.s1;
    const x = Math.imul(s1, 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
    const s2 = this.s2 ^ s0;
    const s3 = this.s3 ^ s1;
    this.s1 = s1 ^ s2;
    this.s0 = s0 ^ s3;
    this.s2 = s2 ^ (s1 << 9);
    this.s3 = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform double in (0, 1): safe to take the log of. */
  uniformOpen(): number {
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    return u;
  }

  /** Uniform integer in {0, ..., n-1}. */
  integer(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** A uniformly random permutation of 0..n-1 (Fisher-Yates, from the last position down). */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.integer(i + 1);
      [p[i], p[j]] = [p[j], p[i]];
    }
    return p;
  }

  /** An independent generator; the parent's stream moves on by one draw. */
  split(): Rng {
    return new Rng(this.nextUint32() ^ 0x5bd1e995);
  }

  /** Standard normal (Marsaglia polar method). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    this.hasSpare = true;
    return u * f;
  }

  /** Exponential with rate 1. */
  exponential(): number {
    return -Math.log(this.uniformOpen());
  }

  /** Gamma(shape, rate 1) by Marsaglia and Tsang (2000), boosted for shape < 1. */
  gamma(shape: number): number {
    if (!(shape > 0)) throw new Error(`gamma shape must be > 0, got ${shape}`);
    if (shape < 1) return this.gamma(shape + 1) * Math.pow(this.uniformOpen(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number, v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniformOpen();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** Poisson(lambda): multiplication method for small rates, gamma-binomial splitting for large ones. */
  poisson(lambda: number): number {
    if (!(lambda >= 0)) throw new Error(`poisson rate must be >= 0, got ${lambda}`);
    if (lambda > 30) {
      // Split the rate through an order statistic so every branch stays exact.
      const m = Math.floor(0.875 * lambda);
      const g = this.gamma(m);
      return g > lambda ? this.binomial(m - 1, lambda / g) : m + this.poisson(lambda - g);
    }
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.uniform();
    while (p > limit) {
      k++;
      p *= this.uniform();
    }
    return k;
  }

  /** Binomial(n, p): Bernoulli sum for small n, beta splitting for large n. */
  binomial(n: number, p: number): number {
    if (n < 40) {
      let k = 0;
      for (let i = 0; i < n; i++) if (this.uniform() < p) k++;
      return k;
    }
    const a = 1 + Math.floor(n / 2);
    const b = n + 1 - a;
    const x = this.beta(a, b);
    return x >= p ? this.binomial(a - 1, p / x) : a + this.binomial(b - 1, (p - x) / (1 - x));
  }

  /** Beta(a, b), as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
  beta(a: number, b: number): number {
    const x = this.gamma(a);
    const y = this.gamma(b);
    return x / (x + y);
  }
}

/** Parses a CLI or test seed; the same text always gives the same generator. */
export function rngFromSeed(seed: number | string | undefined, fallback = 20261125): Rng {
  return new Rng(seed === undefined ? fallback : seed);
}
