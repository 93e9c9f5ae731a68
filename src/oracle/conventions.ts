/**
 * Loss conventions of other libraries (contract version 2): how the loss is
 * reduced over the examples (`reduction`) and PyTorch's `nn.MSELoss` as a
 * likelihood (`mse`). The library computes every quantity for the mean of
 * -log p (version 1); each convention is an exact rescaling of it:
 *
 * * reduction: the reduced loss is c_red sum_n l_n, and c_red = s/N with
 *   s = 1 (`mean`), N (`sum`), 1/(T D) or 1/T (`mean-elements`: PyTorch's
 *   reduction='mean' divides by every element of the prediction for MSELoss,
 *   by every prediction otherwise; T = 1 for an mlp);
 * * mse: l_n = ||y - f||² = 2 (-log N(y; f, I) - (D/2) log 2π), so gradients
 *   and curvatures (Hessian, GGN and the Fisher of N(f, I/2)) carry a factor
 *   m = 2, and the empirical Fisher, a product of two gradients, m² = 4.
 *
 * For K-FAC, A is an average over examples whatever the reduction; G carries
 * the whole factor (s m, or s m² for the empirical Fisher).
 */
import type { ModelCurvatureKind } from '../curvature/dense-curvature.js';

export const REDUCTIONS = ['mean', 'sum', 'mean-elements'] as const;
export type Reduction = (typeof REDUCTIONS)[number];

/** A spec's loss convention; the default is version 1's. */
export interface LossConvention {
  reduction: Reduction;
  /** the likelihood is `mse` (computed as the unit-variance gaussian, then rescaled) */
  mse: boolean;
}

export const VERSION_1_CONVENTION: LossConvention = { reduction: 'mean', mse: false };

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** The factors that turn version-1 quantities into those of a convention. */
export interface ConventionScales {
  /** s: the reduced loss over the mean loss, for the same per-example term */
  reduction: number;
  /** gradients, the Hessian, the GGN, the Fisher, K-FAC's G and EKFAC's scalings of the Fisher type */
  curvature: number;
  /** the empirical Fisher (two gradients) */
  empirical: number;
  /** the reduced loss from the mean gaussian/categorical/bernoulli loss */
  loss: (meanLoss: number) => number;
}

/** The factor s of a reduction relative to the mean over N examples with D outputs. */
export function reductionScale(c: LossConvention, N: number, D: number): number {
  switch (c.reduction) {
    case 'mean':
      return 1;
    case 'sum':
      return N;
    case 'mean-elements':
      return c.mse ? 1 / D : 1;
  }
}

/** The scales of a convention for N examples and D outputs. */
export function conventionScales(c: LossConvention, N: number, D: number): ConventionScales {
  const s = reductionScale(c, N, D);
  const m = c.mse ? 2 : 1;
  return {
    reduction: s,
    curvature: s * m,
    empirical: s * m * m,
    loss: (L) => s * (c.mse ? 2 * (L - D * HALF_LOG_2PI) : L),
  };
}

/** The scale of a dense curvature kind. */
export const curvatureScale = (sc: ConventionScales, kind: ModelCurvatureKind): number => (kind === 'empirical-fisher' ? sc.empirical : sc.curvature);

/** True for version 1's convention (every scale 1). */
export const isVersion1 = (c: LossConvention): boolean => c.reduction === 'mean' && !c.mse;

/** `reduction "sum"`, `likelihood "mse"`: how a convention is written in a spec. */
export function conventionText(c: LossConvention): string {
  const parts = [`reduction "${c.reduction}"`];
  if (c.mse) parts.push('likelihood "mse"');
  return parts.join(' with ');
}
