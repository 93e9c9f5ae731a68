/**
 * EKFAC: K-FAC's Kronecker eigenbasis (from running-average factors, refreshed
 * every `basisEvery` steps) with the diagonal re-estimated every step in that
 * basis from per-example gradients (running average, restarted when the basis
 * changes), preconditioner Q diag(1/(s + λ)) Qᵀ per layer. `ekfac()` wraps
 * the preconditioned gradient in K-FAC's step control (curvature-step.ts):
 * quadratic-model rescaling (α, μ), the KL clip and Levenberg-Marquardt damping.
 *
 * Options [defaults]: lr [1], damping λ₀ [1e-3], fisher ['fisher' | 'empirical-fisher'
 * | 'monte-carlo'] ['fisher'], emaDecay [0.95], basisEvery [1], clip
 * (eigenvalue clipping) [none], rcond [1e-12], approximation ['expand' | 'reduce'] ['expand'], adaptiveDamping [true],
 * dampingEvery [5], dampingDecay [19/20], minDamping [1e-8], maxDamping [1e8],
 * rescale ['alpha-mu' | 'alpha' | 'none'], klClip [1 | null].
 * Needs a ModelBatch in extra. Unknown option names are errors.
 * Example: `ekfac({ damping: 1e-2, klClip: null })`.
 * References: T. George et al., "Fast approximate natural gradient descent in a
 * Kronecker-factored eigenbasis", NeurIPS 2018 (Algorithm 1); J. Martens and
 * R. Grosse, ICML 2015 (sections 6.4, 6.5, 7) for the step control.
 */
import { requireIntegerInRange } from '../core/validate.js';
import { ekfacBases, ekfacBlock, ekfacInverseOperator, ekfacScalings, type EkfacBasis } from '../curvature/ekfac.js';
import { type StabilityOptions, emaMatrix, validateStability } from '../curvature/stability.js';
import type { Matrix } from '../linalg/matrix.js';
import { assertFiniteUpdate, optionKinds, STABILITY_OPTION_KINDS } from './common.js';
import type { CurvatureStepOptions, CurvatureStepState, DampedPreconditioner } from './curvature-step.js';
import { stepControlled, stepControlOptionKinds, withFixedDamping } from './curvature-step.js';
import type { ModelBatch } from './extra.js';
import { averageKfacFactors, kfacAveraging, type KfacAveragingOptions, type KfacFactorAverages } from './kfac-averages.js';
import type { Transform } from './transform.js';

export interface EkfacState extends KfacFactorAverages {
  count: number;
  bases: EkfacBasis[] | null;
  scalings: Matrix[] | null;
}

export interface ScaleByEkfacOptions extends StabilityOptions, KfacAveragingOptions {
  basisEvery?: number;
}

/** The options of scaleByEkfac with the kind of each value. */
export const SCALE_BY_EKFAC_OPTION_KINDS = optionKinds<ScaleByEkfacOptions>({
  ...STABILITY_OPTION_KINDS,
  fisher: 'string',
  emaDecay: 'number',
  basisEvery: 'number',
  approximation: 'string',
});

/** The EKFAC preconditioner, its damping given per step. */
export function ekfacDampedPreconditioner(o: ScaleByEkfacOptions = {}): DampedPreconditioner<EkfacState> {
  const stab: StabilityOptions = { damping: o.damping ?? 1e-3, clip: o.clip, rcond: o.rcond };
  validateStability(stab);
  const averaging = kfacAveraging(o);
  const { fisher, emaDecay: decay } = averaging;
  const every = requireIntegerInRange(o.basisEvery ?? 1, 'basisEvery', 1);
  return {
    init: () => ({ count: 0, A: null, G: null, bases: null, scalings: null }),
    update(g, s, params, b, damping) {
      const { blocks, A, G, rng } = averageKfacFactors(b, params, s, averaging, 'ekfac');
      const refresh = s.bases === null || s.count % every === 0;
      const bases = refresh ? ekfacBases(A.map((a, l) => ({ A: a, G: G[l] }))) : (s.bases as EkfacBasis[]);
      // the scalings' labels: drawn again for a Monte Carlo EKFAC (the same rng, the next draws)
      const fresh = ekfacScalings(b.model, params, b.batch, blocks, bases, { fisher, rng });
      const scalings = fresh.map((S, l) => emaMatrix(refresh ? null : (s.scalings?.[l] ?? null), S, decay));
      const inv = ekfacInverseOperator(
        params.length,
        blocks.map((layout, l) => ekfacBlock(layout, bases[l], scalings[l])),
        { ...stab, damping },
      );
      return [assertFiniteUpdate(inv.matvec(Float64Array.from(g)), 'ekfac'), { count: s.count + 1, A, G, bases, scalings }] as const;
    },
  };
}

/** The EKFAC preconditioned gradient with a fixed damping [1e-3]. */
export function scaleByEkfac(o: ScaleByEkfacOptions = {}): Transform<EkfacState, ModelBatch> {
  return withFixedDamping(ekfacDampedPreconditioner(o), o.damping ?? 1e-3, 'ekfac');
}

export interface EkfacOptions extends ScaleByEkfacOptions, CurvatureStepOptions {}

/** Every option of ekfac() with its kind. */
export const EKFAC_OPTION_KINDS = stepControlOptionKinds(SCALE_BY_EKFAC_OPTION_KINDS);

/** EKFAC inside K-FAC's step control (curvature-step.ts). */
export function ekfac(o: EkfacOptions = {}): Transform<CurvatureStepState<EkfacState>, ModelBatch> {
  return stepControlled(o, EKFAC_OPTION_KINDS, 'ekfac', ekfacDampedPreconditioner);
}
