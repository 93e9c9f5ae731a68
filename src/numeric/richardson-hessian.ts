/**
 * Hessians of a Monte Carlo mean -E[∇² log p] by finite differences, and the
 * bound on their finite-difference bias.
 *
 * Each draw's Hessian comes from central differences at steps h and h/2
 * (error c h² + O(h⁴) each), combined by Richardson extrapolation: D(h/2) +
 * (D(h/2) − D(h))/3, error O(h⁴). The correction's size, |D(h/2) − D(h)|/3,
 * is the O(h²) error of D(h/2) and so an a-posteriori bound on the error of the
 * extrapolated value, which is O(h²) times smaller. The Monte Carlo estimate is
 * the mean of the draws' Hessians, so its error is the mean of the draws'
 * errors: it is bounded by the mean of the draws' bounds, not by the largest
 * one (which a rare draw far in the tail would set, and which would grow with
 * the number of draws).
 *
 * Where the Hessian is the Jacobian of a gradient (the score), its two mixed
 * partials ∂g_i/∂θ_j and ∂g_j/∂θ_i are separate estimates with their own
 * truncation errors: they are averaged, and the draw's bound of the entry is
 * the larger of the two corrections plus half their gap.
 */

/**
 * Richardson extrapolation, entry by entry, of the central differences `d1` at
 * step h and `d2` at step h/2: `d2` becomes the extrapolated value and
 * |correction| is added to `bias` (the draw's share of the bound).
 */
export function richardsonExtrapolate(d1: ArrayLike<number>, d2: Float64Array, bias: Float64Array): void {
  for (let k = 0; k < d2.length; k++) {
    const correction = (d2[k] - d1[k]) / 3;
    d2[k] += correction;
    bias[k] += Math.abs(correction);
  }
}

/**
 * The mean of per-draw Hessians taken as the Jacobian of a gradient in m
 * coordinates, with its bias bound: `add` extrapolates one draw's Jacobian and
 * makes it symmetric, `bias` is the bound on the error of the mean of the
 * draws added so far.
 */
export class JacobianHessianBias {
  private readonly sum: Float64Array;
  private readonly corrections: Float64Array;
  private draws = 0;

  constructor(readonly m: number) {
    this.sum = new Float64Array(m * m);
    this.corrections = new Float64Array(m * m);
  }

  /** draws added so far */
  get count(): number {
    return this.draws;
  }

  /**
   * One draw: `d1` and `d2` are the central-difference Jacobians of the
   * gradient at steps h and h/2 (row-major m×m, entry [k][c] the derivative of
   * component k in coordinate c). `d2` is overwritten with the symmetric,
   * extrapolated Hessian, which is returned.
   */
  add(d1: ArrayLike<number>, d2: Float64Array): Float64Array {
    const { m, corrections, sum } = this;
    corrections.fill(0);
    richardsonExtrapolate(d1, d2, corrections);
    for (let i = 0; i < m; i++) {
      sum[i * m + i] += corrections[i * m + i];
      for (let j = i + 1; j < m; j++) {
        const a = d2[i * m + j];
        const c = d2[j * m + i];
        d2[i * m + j] = d2[j * m + i] = (a + c) / 2;
        const bound = Math.max(corrections[i * m + j], corrections[j * m + i]) + Math.abs(a - c) / 2;
        sum[i * m + j] += bound;
        sum[j * m + i] += bound;
      }
    }
    this.draws++;
    return d2;
  }

  /** The bound on each entry's error of the mean of the draws' Hessians (row-major m×m): the mean of the draws' bounds. */
  bias(): Float64Array {
    const n = Math.max(1, this.draws);
    return this.sum.map((s) => s / n);
  }
}
