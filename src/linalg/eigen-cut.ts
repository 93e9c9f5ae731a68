/**
 * The one rule for eigenvalues that count as zero, shared by every
 * pseudo-inverse in natgrad (symmetric solves, K-FAC, EKFAC, the oracle):
 * |λ_i| <= rcond · max_j |λ_j|. Taking |λ| keeps the rule meaningful for
 * indefinite matrices (a Hessian), where "smallest <= rcond x largest" is not.
 */

/** The relative cut of the oracle contract's natural gradient, used unless a caller says otherwise. */
export const DEFAULT_RCOND = 1e-12;

/** The absolute threshold rcond · max |λ|: an eigenvalue at or below it in magnitude is dropped. */
export function eigenvalueCut(values: ArrayLike<number>, rcond = DEFAULT_RCOND): number {
  let top = 0;
  for (let i = 0; i < values.length; i++) top = Math.max(top, Math.abs(values[i]));
  return rcond * top;
}

/** 1/λ, or 0 where λ is cut; `singular` says whether anything was cut. */
export function pseudoReciprocals(values: ArrayLike<number>, rcond = DEFAULT_RCOND): { inv: Float64Array; singular: boolean } {
  const cut = eigenvalueCut(values, rcond);
  const inv = new Float64Array(values.length);
  let singular = false;
  for (let i = 0; i < values.length; i++) {
    if (Math.abs(values[i]) <= cut) singular = true;
    else inv[i] = 1 / values[i];
  }
  return { inv, singular };
}

/** Sets the cut eigenvalues of `values` to 0 in place (a division then skips them); returns whether any was cut. */
export function zeroBelowCut(values: Float64Array, rcond = DEFAULT_RCOND): boolean {
  const cut = eigenvalueCut(values, rcond);
  let any = false;
  for (let i = 0; i < values.length; i++) {
    if (Math.abs(values[i]) <= cut) {
      values[i] = 0;
      any = true;
    }
  }
  return any;
}
