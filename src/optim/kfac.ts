import { requireIntegerInRange, requireOneOf } from '../core/validate.js';
import { type KfacBlock, type KfacBlockPreconditioner, type KfacDampingScheme, KFAC_DAMPING_SCHEMES, kfacBlockPreconditioners } from '../curvature/kfac.js';
import { assertFiniteUpdate, optionKinds } from './common.js';
import type { CurvatureStepOptions, CurvatureStepState, DampedPreconditioner } from './curvature-step.js';
import { stepControlled, stepControlOptionKinds, withFixedDamping } from './curvature-step.js';
import type { ModelBatch } from './extra.js';
import { averageKfacFactors, kfacAveraging, type KfacAveragingOptions, type KfacFactorAverages } from './kfac-averages.js';
import type { Transform } from './transform.js';

export { KFAC_FISHER_CHOICES, type KfacFisherChoice } from './kfac-averages.js';

export interface KfacState extends KfacFactorAverages {
  count: number;
  /** The blocks (running-average factors) the preconditioner uses, refreshed every inverseEvery steps. */
  frozen: KfacBlock[] | null;
  /** Per weight matrix, the damped inverse of `frozen`, factorized at the refresh and reused until the next. */
  preconditioners: KfacBlockPreconditioner[] | null;
  /** The damping `preconditioners` were factorized with. */
  frozenDamping: number;
}

export interface ScaleByKfacOptions extends KfacAveragingOptions {
  /** λ (the initial λ under adaptive damping) [1e-3]. */
  damping?: number;
  dampingScheme?: KfacDampingScheme;
  inverseEvery?: number;
}

/** The options of scaleByKfac with the kind of each value. */
export const SCALE_BY_KFAC_OPTION_KINDS = optionKinds<ScaleByKfacOptions>({
  damping: 'number',
  dampingScheme: 'string',
  fisher: 'string',
  emaDecay: 'number',
  inverseEvery: 'number',
  approximation: 'string',
});

/**
 * The K-FAC preconditioner with running-average factors, its damping given
 * per step: the damped inverses are factorized every `inverseEvery` steps
 * and whenever the damping has changed since the last factorization.
 */
export function kfacDampedPreconditioner(o: ScaleByKfacOptions = {}): DampedPreconditioner<KfacState> {
  const scheme = requireOneOf(o.dampingScheme ?? 'pi-factored', KFAC_DAMPING_SCHEMES, 'dampingScheme');
  const averaging = kfacAveraging(o);
  const every = requireIntegerInRange(o.inverseEvery ?? 1, 'inverseEvery', 1);
  return {
    init: () => ({ count: 0, A: null, G: null, frozen: null, preconditioners: null, frozenDamping: Number.NaN }),
    update(g, s, params, b, damping) {
      const { blocks, A, G } = averageKfacFactors(b, params, s, averaging, 'kfac');
      const refresh = s.frozen === null || s.preconditioners === null || s.count % every === 0;
      const frozen = refresh ? blocks.map((f, l) => ({ ...f, A: A[l], G: G[l] })) : s.frozen!;
      const refactor = refresh || damping !== s.frozenDamping;
      const preconditioners = refactor ? kfacBlockPreconditioners(frozen, damping, scheme) : s.preconditioners!;
      const out = new Float64Array(params.length);
      for (const p of preconditioners) p.applyTo(g, out);
      return [assertFiniteUpdate(out, 'kfac'), { count: s.count + 1, A, G, frozen, preconditioners, frozenDamping: damping }] as const;
    },
  };
}

/** The K-FAC preconditioned gradient with running-average factors and a fixed damping [1e-3]. */
export function scaleByKfac(o: ScaleByKfacOptions = {}): Transform<KfacState, ModelBatch> {
  return withFixedDamping(kfacDampedPreconditioner(o), o.damping ?? 1e-3, 'kfac');
}

export interface KfacOptions extends ScaleByKfacOptions, CurvatureStepOptions {}

/** Every option of kfac() with its kind. */
export const KFAC_OPTION_KINDS = stepControlOptionKinds(SCALE_BY_KFAC_OPTION_KINDS);

/** K-FAC as Martens and Grosse run it: the preconditioner inside K-FAC's step control (curvature-step.ts). */
export function kfac(o: KfacOptions = {}): Transform<CurvatureStepState<KfacState>, ModelBatch> {
  return stepControlled(o, KFAC_OPTION_KINDS, 'kfac', kfacDampedPreconditioner);
}
