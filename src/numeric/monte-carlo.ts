import { NatgradError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { Vec } from '../core/vec.js';
import { Matrix } from '../linalg/matrix.js';

/**
 * Monte Carlo means with standard errors. Every estimator accumulates with
 * Welford's update (mean and sum of squared deviations, numerically stable
 * for large n) and returns the sample mean and its standard error
 * sqrt(s^2 / n), s^2 the unbiased sample variance, entry by entry.
 *
 * Reference: B. P. Welford, "Note on a method for calculating corrected sums of
 * squares and products", Technometrics 4 (1962).
 */

export interface MeanEstimate {
  value: Vec;
  stdError: Vec;
}

export interface MatrixMeanEstimate {
  value: Matrix;
  stdError: Matrix;
}

/** Entrywise Welford accumulator over vectors of a fixed length. */
class Welford {
  readonly mean: Float64Array;
  private readonly m2: Float64Array;
  count = 0;
  constructor(readonly size: number) {
    this.mean = new Float64Array(size);
    this.m2 = new Float64Array(size);
  }
  add(x: ArrayLike<number>): void {
    this.count++;
    const inv = 1 / this.count;
    for (let i = 0; i < this.size; i++) {
      const d = x[i] - this.mean[i];
      this.mean[i] += d * inv;
      this.m2[i] += d * (x[i] - this.mean[i]);
    }
  }
  stdError(): Float64Array {
    const n = this.count;
    const out = new Float64Array(this.size);
    for (let i = 0; i < this.size; i++) out[i] = Math.sqrt(this.m2[i] / (n - 1) / n);
    return out;
  }
}

function checkCount(n: number): void {
  if (!Number.isInteger(n) || n < 2) {
    throw new NatgradError('n', `the number of samples must be an integer >= 2 (a standard error needs two), got ${n}`);
  }
}

function checkFinite(values: ArrayLike<number>, what: string, sample: number): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new NatgradError(what, `entry ${i} of sample ${sample} is not finite (${values[i]})`);
    }
  }
}

/** Mean of n draws (numbers or vectors of a fixed length) with entrywise standard errors. */
export function mcMean(n: number, rng: Rng, draw: (rng: Rng) => Vec | number): MeanEstimate {
  checkCount(n);
  let acc: Welford | null = null;
  const scalar = new Float64Array(1);
  for (let s = 0; s < n; s++) {
    const d = draw(rng);
    const x = typeof d === 'number' ? ((scalar[0] = d), scalar) : d;
    if (!acc) acc = new Welford(x.length);
    else if (x.length !== acc.size) throw new NatgradError('draw', `returned ${x.length} entries at sample ${s}, expected ${acc.size}`);
    checkFinite(x, 'draw', s);
    acc.add(x);
  }
  const a = acc as Welford;
  return { value: Float64Array.from(a.mean), stdError: a.stdError() };
}

/**
 * Mean of n random matrices with entrywise standard errors. `draw` fills a
 * zeroed rows x cols matrix (dim = n for n x n, or [rows, cols]).
 */
export function mcMatrixMean(n: number, rng: Rng, draw: (rng: Rng, out: Matrix) => void, dim: number | readonly [number, number]): MatrixMeanEstimate {
  checkCount(n);
  const [rows, cols] = typeof dim === 'number' ? [dim, dim] : dim;
  const out = Matrix.zeros(rows, cols);
  const acc = new Welford(rows * cols);
  for (let s = 0; s < n; s++) {
    out.data.fill(0);
    draw(rng, out);
    checkFinite(out.data, 'draw', s);
    acc.add(out.data);
  }
  return { value: new Matrix(rows, cols, Float64Array.from(acc.mean)), stdError: new Matrix(rows, cols, acc.stdError()) };
}

/**
 * Fisher information as the mean outer product of the score, E[s(x) s(x)^T]
 * with x ~ sample(rng), and its entrywise standard errors (symmetric).
 * The score's mean is not subtracted: this is the Fisher identity's form,
 * F = E[s s^T] because E[s] = 0 at the sampling parameter.
 */
export function mcFisherScore<X>(n: number, rng: Rng, sample: (rng: Rng) => X, score: (x: X) => Vec): MatrixMeanEstimate {
  checkCount(n);
  let d = -1;
  let acc: Welford | null = null;
  let outer = new Float64Array(0);
  for (let s = 0; s < n; s++) {
    const g = score(sample(rng));
    if (d < 0) {
      d = g.length;
      acc = new Welford((d * (d + 1)) / 2);
      outer = new Float64Array((d * (d + 1)) / 2);
    } else if (g.length !== d) throw new NatgradError('score', `returned ${g.length} entries at sample ${s}, expected ${d}`);
    checkFinite(g, 'score', s);
    // Upper triangle only, row by row.
    let p = 0;
    for (let i = 0; i < d; i++) for (let j = i; j < d; j++) outer[p++] = g[i] * g[j];
    (acc as Welford).add(outer);
  }
  const a = acc as Welford;
  const se = a.stdError();
  const value = Matrix.zeros(d, d);
  const stdError = Matrix.zeros(d, d);
  let p = 0;
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++, p++) {
      value.set(i, j, a.mean[p]);
      value.set(j, i, a.mean[p]);
      stdError.set(i, j, se[p]);
      stdError.set(j, i, se[p]);
    }
  }
  return { value, stdError };
}

/** Fisher information as the mean negative Hessian of the log-density, E[-H(x)], with standard errors. */
export function mcFisherNegHessian<X>(n: number, rng: Rng, sample: (rng: Rng) => X, negHessian: (x: X) => Matrix): MatrixMeanEstimate {
  checkCount(n);
  let acc: Welford | null = null;
  let rows = 0;
  let cols = 0;
  for (let s = 0; s < n; s++) {
    const h = negHessian(sample(rng));
    if (!acc) {
      rows = h.rows;
      cols = h.cols;
      acc = new Welford(rows * cols);
    } else if (h.rows !== rows || h.cols !== cols) {
      throw new NatgradError('negHessian', `returned a ${h.rows} x ${h.cols} matrix at sample ${s}, expected ${rows} x ${cols}`);
    }
    checkFinite(h.data, 'negHessian', s);
    acc.add(h.data);
  }
  const a = acc as Welford;
  return { value: new Matrix(rows, cols, Float64Array.from(a.mean)), stdError: new Matrix(rows, cols, a.stdError()) };
}
