
import { rejectUnknownKeys, requireIntegerInRange, requireOneOf } from '../core/validate.js';
import {
  type KfacBlock,
  type KfacBlockPreconditioner,
  type KfacApproximation,
  type KfacDampingScheme,
  KFAC_APPROXIMATIONS,
  KFAC_DAMPING_SCHEMES,
  kfacBlockPreconditioner,
  kfacFactors,
} from '../curvature/kfac.js';
import { emaMatrix, validateDecay } from '../curvature/stability.js';
import type { Matrix } from '../linalg/matrix.js';
import { assertFiniteUpdate } from './common.js';
import {
  CURVATURE_STEP_OPTION_KEYS,
  type CurvatureStepOptions,
  type CurvatureStepState,
  curvatureStep,
  type DampedPreconditioner,
  withFixedDamping,
} from './curvature-step.js';
import { type ModelBatch, requireRng } from './extra.js';
import { guarded, type Transform } from './transform.js';

export type KfacFisherChoice = 'fisher' | 'empirical-fisher' | 'monte-carlo';
export const KFAC_FISHER_CHOICES: readonly KfacFisherChoice[] = ['fisher', 'empirical-fisher', 'monte-carlo'];

export interface KfacState {
  count: number;
  /** Running averages of the factors. */
  A: Matrix[] | null;
  G: Matrix[] | null;
  /** The blocks (running-average factors) the preconditioner uses, refreshed every inverseEvery steps. */
  frozen: KfacBlock[] | null;
  /** Per weight matrix, the damped inverse of `frozen`, factorized at the refresh and reused until the next. */
  preconditioners: KfacBlockPreconditioner[] | null;
  /** The damping `preconditioners` were factorized with. */
  frozenDamping: number;
}

export interface ScaleByKfacOptions {
  /** λ (the initial λ under adaptive damping) [1e-3]. */
  damping?: number;
  dampingScheme?: KfacDampingScheme;
  fisher?: KfacFisherChoice;
  emaDecay?: number;
  inverseEvery?: number;
  /** How a matrix shared by several positions is factored ['expand']. */
  approximation?: KfacApproximation;
}

/** The option names of scaleByKfac. */
export const SCALE_BY_KFAC_OPTION_KEYS: readonly (keyof ScaleByKfacOptions)[] = ['damping', 'dampingScheme', 'fisher', 'emaDecay', 'inverseEvery', 'approximation'];

function validateKfacOptions(o: ScaleByKfacOptions): void {
  requireOneOf(o.dampingScheme ?? 'pi-factored', KFAC_DAMPING_SCHEMES, 'dampingScheme');
  requireOneOf(o.fisher ?? 'fisher', KFAC_FISHER_CHOICES, 'fisher');
  validateDecay(o.emaDecay ?? 0.95, 'emaDecay');
  requireOneOf(o.approximation ?? 'expand', KFAC_APPROXIMATIONS, 'approximation');
  requireIntegerInRange(o.inverseEvery ?? 1, 'inverseEvery', 1);
}

/**
 * The K-FAC preconditioner with running-average factors, its damping given
 * per step: the damped inverses are factorized every `inverseEvery` steps
 * and whenever the damping has changed since the last factorization.
 */
export function kfacDampedPreconditioner(o: ScaleByKfacOptions = {}): DampedPreconditioner<KfacState> {
  validateKfacOptions(o);
  const scheme = o.dampingScheme ?? 'pi-factored';
  const fisher = o.fisher ?? 'fisher';
  const decay = o.emaDecay ?? 0.95;
  const every = o.inverseEvery ?? 1;
  const approximation = o.approximation ?? 'expand';
  return {
    init: () => ({ count: 0, A: null, G: null, frozen: null, preconditioners: null, frozenDamping: Number.NaN }),
    update(g, s, params, b, damping) {
      // A Monte Carlo K-FAC draws one label per example from the model (the batch's rng).
      const rng = fisher === 'monte-carlo' ? requireRng(b, 'kfac') : undefined;
      const { blocks } = kfacFactors(b.model, params, b.batch, { fisher, rng, approximation, gradient: false });
      const A = blocks.map((f, l) => emaMatrix(s.A?.[l] ?? null, f.A, decay));
      const G = blocks.map((f, l) => emaMatrix(s.G?.[l] ?? null, f.G, decay));
      const refresh = s.frozen === null || s.preconditioners === null || s.count % every === 0;
      const frozen = refresh ? blocks.map((f, l) => ({ ...f, A: A[l], G: G[l] })) : s.frozen!;
      const refactor = refresh || damping !== s.frozenDamping;
      const preconditioners = refactor ? frozen.map((f) => kfacBlockPreconditioner(f, damping, scheme)) : s.preconditioners!;
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

/** Every option name of kfac(). */
export const KFAC_OPTION_KEYS: readonly string[] = [...new Set<string>([...SCALE_BY_KFAC_OPTION_KEYS, ...CURVATURE_STEP_OPTION_KEYS])];

/** K-FAC as Martens and Grosse run it: the preconditioner inside K-FAC's step control (curvature-step.ts). */
export function kfac(o: KfacOptions = {}): Transform<CurvatureStepState<KfacState>, ModelBatch> {
  rejectUnknownKeys(o, KFAC_OPTION_KEYS, '', 'the kfac options');
  return guarded(curvatureStep(kfacDampedPreconditioner(o), o, 'kfac'));
}
