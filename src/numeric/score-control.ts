/**
 * The Monte Carlo Fisher E[g gᵀ] with the score g itself as control variate.
 * The score has mean zero at the sampling parameter, so for each entry
 * Y = g_i g_j the estimator Ȳ − βᵀ ḡ, with β the regression coefficient of Y
 * on g, is unbiased up to O(1/n) and its variance is Var(Y)(1 − R²), R² the
 * squared multiple correlation of Y with g. The gain is largest where the
 * score is skewed (Poisson, geometric, gamma); where Y is a function of g
 * (any distribution on two points, the categorical) the residual vanishes and
 * the estimate is exact up to rounding; for symmetric scores (normal
 * location) R² = 0 and it is the plain estimator.
 *
 * Reference: Glasserman, "Monte Carlo Methods in Financial Engineering"
 * (2003), Sec. 4.1 (control variates, the regression estimator and its
 * variance); Owen, "Monte Carlo theory, methods and examples" (2013), Sec. 8.9.
 */
import { NatgradError } from '../core/errors.js';
import { Matrix } from '../linalg/matrix.js';
import type { MatrixMeanEstimate } from './monte-carlo.js';

/**
 * The mean of a vector Y with controls g of known mean zero (the score):
 * accumulates pairs (Y, g) one at a time (co-moments by Welford's update,
 * stable for large n) and returns E[Y] by the regression estimator, with its
 * standard errors and, for comparison, the plain mean's.
 */
export class ControlledMean {
  private readonly meanG: Float64Array;
  private readonly meanY: Float64Array;
  /** co-moments: g with g (d×d), Y with g (P×d), Y with itself (P) */
  private readonly cgg: Float64Array;
  private readonly cyg: Float64Array;
  private readonly cyy: Float64Array;
  private readonly dg: Float64Array;
  private readonly dy: Float64Array;
  count = 0;

  /** size: entries of Y; dim: controls */
  constructor(
    readonly size: number,
    readonly dim: number,
  ) {
    if (!Number.isInteger(dim) || dim < 1) throw new NatgradError('dim', `must be an integer >= 1, got ${dim}`);
    if (!Number.isInteger(size) || size < 1) throw new NatgradError('size', `must be an integer >= 1, got ${size}`);
    this.meanG = new Float64Array(dim);
    this.meanY = new Float64Array(size);
    this.cgg = new Float64Array(dim * dim);
    this.cyg = new Float64Array(size * dim);
    this.cyy = new Float64Array(size);
    this.dg = new Float64Array(dim);
    this.dy = new Float64Array(size);
  }

  add(y: ArrayLike<number>, g: ArrayLike<number>): void {
    const d = this.dim;
    const P = this.size;
    const { meanG, meanY, cgg, cyg, cyy, dg, dy } = this;
    for (let p = 0; p < P; p++) if (!Number.isFinite(y[p])) throw new NatgradError('estimate', `entry ${p} of sample ${this.count} is not finite (${y[p]})`);
    for (let i = 0; i < d; i++) if (!Number.isFinite(g[i])) throw new NatgradError('score', `component ${i} of sample ${this.count} is not finite (${g[i]})`);
    const inv = 1 / ++this.count;
    // deviations from the old means, then the means moved; co-moments take old x new
    for (let i = 0; i < d; i++) {
      dg[i] = g[i] - meanG[i];
      meanG[i] += dg[i] * inv;
    }
    for (let p = 0; p < P; p++) {
      dy[p] = y[p] - meanY[p];
      meanY[p] += dy[p] * inv;
    }
    for (let i = 0; i < d; i++) {
      const ni = g[i] - meanG[i];
      for (let j = 0; j < d; j++) cgg[i * d + j] += dg[j] * ni;
    }
    // dg now holds g − (new mean of g), the right factor of every co-moment with g
    for (let i = 0; i < d; i++) dg[i] = g[i] - meanG[i];
    for (let p = 0; p < P; p++) {
      const dyp = dy[p];
      cyy[p] += dyp * (y[p] - meanY[p]);
      const row = p * d;
      for (let k = 0; k < d; k++) cyg[row + k] += dyp * dg[k];
    }
  }

  /** E[Y] by the regression estimator and the plain mean, each with standard errors. */
  estimate(): { value: Float64Array; stdError: Float64Array; plain: { value: Float64Array; stdError: Float64Array }; beta: Float64Array } {
    const n = this.count;
    const d = this.dim;
    const P = this.size;
    if (n < d + 2) throw new NatgradError('samples', `the control-variate estimate needs at least ${d + 2} samples, got ${n}`);
    // Cholesky of the score's co-moment matrix (Σ (g − ḡ)(g − ḡ)ᵀ); a score
    // whose components are linearly dependent (a singular Fisher) gets no
    // control on the dependent directions: their pivots are dropped.
    const L = new Float64Array(d * d);
    const keep = new Uint8Array(d);
    let largest = 0;
    for (let i = 0; i < d; i++) largest = Math.max(largest, this.cgg[i * d + i]);
    for (let j = 0; j < d; j++) {
      let s = this.cgg[j * d + j];
      for (let k = 0; k < j; k++) s -= L[j * d + k] * L[j * d + k];
      if (!(s > 1e-12 * largest)) continue;
      keep[j] = 1;
      const pivot = Math.sqrt(s);
      L[j * d + j] = pivot;
      for (let i = j + 1; i < d; i++) {
        let t = this.cgg[i * d + j];
        for (let k = 0; k < j; k++) t -= L[i * d + k] * L[j * d + k];
        L[i * d + j] = t / pivot;
      }
    }
    const value = new Float64Array(P);
    const stdError = new Float64Array(P);
    const plainError = new Float64Array(P);
    const w = new Float64Array(d);
    const beta = new Float64Array(d);
    // the regression coefficients of every entry (row p: entry p's coefficients on the d controls)
    const betas = new Float64Array(P * d);
    for (let p = 0; p < P; p++) {
      // w = L⁻¹ c_gY: the explained co-moment is wᵀw, and β = L⁻ᵀ w
      const row = p * d;
      for (let a = 0; a < d; a++) {
        if (!keep[a]) {
          w[a] = 0;
          continue;
        }
        let t = this.cyg[row + a];
        for (let k = 0; k < a; k++) t -= L[a * d + k] * w[k];
        w[a] = t / L[a * d + a];
      }
      let explained = 0;
      for (let a = 0; a < d; a++) explained += w[a] * w[a];
      for (let a = d - 1; a >= 0; a--) {
        if (!keep[a]) {
          beta[a] = 0;
          continue;
        }
        let t = w[a];
        for (let k = a + 1; k < d; k++) t -= L[k * d + a] * beta[k];
        beta[a] = t / L[a * d + a];
      }
      let shift = 0;
      for (let a = 0; a < d; a++) shift += beta[a] * this.meanG[a];
      betas.set(beta, row);
      const residual = Math.max(0, this.cyy[p] - explained);
      value[p] = this.meanY[p] - shift;
      // n − 1 − (number of controls) degrees of freedom for the residual variance
      stdError[p] = Math.sqrt(residual / Math.max(1, n - 1 - d) / n);
      plainError[p] = Math.sqrt(this.cyy[p] / (n - 1) / n);
    }
    return { value, stdError, plain: { value: Float64Array.from(this.meanY), stdError: plainError }, beta: betas };
  }
}

/** Upper triangle of a symmetric d×d estimate, row by row, back to a matrix estimate. */
export function symmetricEstimate(d: number, value: Float64Array, stdError: Float64Array): MatrixMeanEstimate {
  const V = Matrix.zeros(d, d);
  const E = Matrix.zeros(d, d);
  for (let i = 0, p = 0; i < d; i++) {
    for (let j = i; j < d; j++, p++) {
      V.data[i * d + j] = V.data[j * d + i] = value[p];
      E.data[i * d + j] = E.data[j * d + i] = stdError[p];
    }
  }
  return { value: V, stdError: E };
}

/**
 * E[g gᵀ] from scores g, with the score as the control of every entry.
 *
 * With `batch` > 1 the regression runs on the means of consecutive batches of
 * that many scores instead of on single scores: batch means are i.i.d. with
 * the same regression coefficient β = Cov(Y, g) Var(g)⁻¹, so the estimate
 * and its standard error keep their meaning (n/batch − 1 − dim degrees of
 * freedom), while a sample costs O(dim²) instead of O(dim³) (the co-moments
 * of Y with g are updated once a batch). For a large score (the d = 5 normal
 * has 20 components and 210 entries) that is the whole cost of the estimate.
 */
export class ScoreOuterProduct {
  private readonly inner: ControlledMean;
  private readonly y: Float64Array;
  private readonly sumY: Float64Array;
  private readonly sumG: Float64Array;
  private pending = 0;
  private added = 0;

  constructor(
    readonly dim: number,
    readonly batch = 1,
  ) {
    if (!Number.isInteger(batch) || batch < 1) throw new NatgradError('batch', `must be an integer >= 1, got ${batch}`);
    this.inner = new ControlledMean((dim * (dim + 1)) / 2, dim);
    this.y = new Float64Array((dim * (dim + 1)) / 2);
    this.sumY = new Float64Array(this.y.length);
    this.sumG = new Float64Array(dim);
  }

  /** scores added so far */
  get count(): number {
    return this.added;
  }

  add(g: ArrayLike<number>): void {
    const d = this.dim;
    this.added++;
    if (this.batch === 1) {
      for (let i = 0, p = 0; i < d; i++) for (let j = i; j < d; j++, p++) this.y[p] = g[i] * g[j];
      this.inner.add(this.y, g);
      return;
    }
    const { sumY, sumG } = this;
    for (let i = 0, p = 0; i < d; i++) {
      const gi = g[i];
      if (!Number.isFinite(gi)) throw new NatgradError('score', `component ${i} of sample ${this.added - 1} is not finite (${gi})`);
      sumG[i] += gi;
      for (let j = i; j < d; j++, p++) sumY[p] += gi * g[j];
    }
    if (++this.pending === this.batch) {
      const inv = 1 / this.batch;
      for (let p = 0; p < sumY.length; p++) {
        this.y[p] = sumY[p] * inv;
        sumY[p] = 0;
      }
      for (let i = 0; i < d; i++) {
        sumG[i] *= inv;
      }
      this.inner.add(this.y, sumG);
      sumG.fill(0);
      this.pending = 0;
    }
  }

  estimate(): MatrixMeanEstimate & { plain: MatrixMeanEstimate } {
    if (this.pending !== 0) throw new NatgradError('samples', `${this.added} scores are not a whole number of batches of ${this.batch}`);
    const e = this.inner.estimate();
    return { ...symmetricEstimate(this.dim, e.value, e.stdError), plain: symmetricEstimate(this.dim, e.plain.value, e.plain.stdError) };
  }
}
