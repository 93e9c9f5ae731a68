/**
 * Gauss-Newton and Levenberg-Marquardt: precondition with the generalized
 * Gauss-Newton matrix G = (1/N) sum_n J_nᵀ H_n J_n (H_n the Hessian of the loss
 * in the network output), δ = (G + λ I)⁻¹ g, step -δ.
 *
 * Levenberg-Marquardt adapts λ from the reduction ratio
 *   ρ = (L(θ) - L(θ - δ)) / (gᵀδ - ½ δᵀ G δ)      (actual / predicted by the quadratic model)
 * λ <- λ·boost when ρ < 1/4, λ <- λ/boost when ρ > 3/4, and a step that does
 * not decrease the loss is rejected (a zero update) — the ratio assumes the
 * step is taken in full, so the alias uses lr = 1.
 *
 * Options [defaults]: damping λ₀ [1e-3], boost [1.5], minDamping [1e-12],
 * maxDamping [1e12], clip [none]. Needs a ModelBatch in extra.
 * Example: `levenbergMarquardt({ damping: 1 })`.
 * References: K. Levenberg, 1944; D. Marquardt, 1963; J. Martens, "Deep
 * learning via Hessian-free optimization", ICML 2010, section 4.1;
 * N. Schraudolph, "Fast curvature matrix-vector products", 2002.
 */
import { requireFinite } from '../core/validate.js';
import { dot } from '../core/vec.js';
import { ggnMatrix } from '../curvature/dense-curvature.js';
import { type StabilityOptions, stabilize, validateStability } from '../curvature/stability.js';
import { matvec } from '../linalg/ops.js';
import { meanLoss } from '../models/mlp.js';
import { assertFiniteUpdate, type EmptyState, optionKinds, type Schedule, descentChain, STABILITY_OPTION_KINDS } from './common.js';
import { adaptDamping, dampingRule, reductionRatio } from './damping.js';
import { batchWeights, type ModelBatch, requireMlpBatch } from './extra.js';
import type { Transform } from './transform.js';

export type GaussNewtonState = EmptyState;

/** (G + λ I)⁻¹ g with a fixed damping (Gauss-Newton). */
export function scaleByGaussNewton(o: StabilityOptions = {}): Transform<GaussNewtonState, ModelBatch> {
  validateStability(o, 'options');
  return {
    init: () => ({}),
    update(g, s, params, extra) {
      const b = requireMlpBatch(extra, params, 'gauss-newton');
      const G = ggnMatrix(b.spec, batchWeights(b, params), b.inputs, b.targets);
      return [assertFiniteUpdate(stabilize(G, o, 'ggn').inverse.matvec(g), 'gauss-newton'), s] as const;
    },
  };
}

/** The options of {@link gaussNewton}. */
export interface GaussNewtonOptions extends StabilityOptions {
  /** The learning rate, or a schedule of the step [1]. */
  lr?: Schedule;
}

/** The options (and the kind of each value) of {@link gaussNewton}. */
export const GAUSS_NEWTON_OPTION_KINDS = optionKinds<GaussNewtonOptions>({ lr: 'schedule', ...STABILITY_OPTION_KINDS });

/**
 * Gauss-Newton = chain(scaleByGaussNewton, scaleByLearningRate). Needs a
 * ModelBatch as `extra`.
 *
 * @example
 * ```ts
 * const opt = gaussNewton({ damping: 1e-4 });
 * ```
 */
export function gaussNewton(o: GaussNewtonOptions = {}): Transform<unknown[], ModelBatch> {
  return descentChain(o, GAUSS_NEWTON_OPTION_KINDS, 'gauss-newton', scaleByGaussNewton, 1);
}

export interface LevenbergMarquardtState {
  damping: number;
  /** ρ of the last step (NaN before the first). */
  ratio: number;
  accepted: number;
  rejected: number;
}

/** The options of {@link levenbergMarquardt}. */
export interface ScaleByLevenbergMarquardtOptions extends Omit<StabilityOptions, 'damping'> {
  /** The initial damping λ₀ [1e-3]. */
  damping?: number;
  /** The factor λ grows or shrinks by [1.5]. */
  boost?: number;
  /** Lower bound on λ [1e-12]. */
  minDamping?: number;
  /** Upper bound on λ [1e12]. */
  maxDamping?: number;
}

/** Gauss-Newton with adaptive damping by the reduction ratio; rejected steps return zero. */
export function scaleByLevenbergMarquardt(o: ScaleByLevenbergMarquardtOptions = {}): Transform<LevenbergMarquardtState, ModelBatch> {
  const d0 = requireFinite(o.damping ?? 1e-3, 'damping');
  const rule = dampingRule({ boost: o.boost, minDamping: o.minDamping ?? 1e-12, maxDamping: o.maxDamping ?? 1e12 }, d0);
  validateStability({ clip: o.clip, rcond: o.rcond }, 'options');
  return {
    init: () => ({ damping: d0, ratio: Number.NaN, accepted: 0, rejected: 0 }),
    update(g, s, params, extra) {
      const b = requireMlpBatch(extra, params, 'levenberg-marquardt');
      const w = batchWeights(b, params);
      const G = ggnMatrix(b.spec, w, b.inputs, b.targets);
      const delta = stabilize(G, { ...o, damping: s.damping }, 'ggn').inverse.matvec(g);
      assertFiniteUpdate(delta, 'levenberg-marquardt');
      const predicted = dot(g, delta) - 0.5 * dot(delta, matvec(G, delta));
      const trial = params.map((p, i) => p - delta[i]);
      const actual = meanLoss(b.spec, w, b.inputs, b.targets) - meanLoss(b.spec, batchWeights(b, trial), b.inputs, b.targets);
      const ratio = reductionRatio(-actual, -predicted);
      const damping = adaptDamping(s.damping, ratio, rule);
      const accept = actual > 0 && Number.isFinite(actual);
      const next = { damping, ratio, accepted: s.accepted + (accept ? 1 : 0), rejected: s.rejected + (accept ? 0 : 1) };
      return [accept ? delta : new Float64Array(delta.length), next] as const;
    },
  };
}

/** The options (and the kind of each value) of {@link levenbergMarquardt}. */
export const LEVENBERG_MARQUARDT_OPTION_KINDS = optionKinds<ScaleByLevenbergMarquardtOptions>({
  ...STABILITY_OPTION_KINDS,
  boost: 'number',
  minDamping: 'number',
  maxDamping: 'number',
});

/**
 * Levenberg-Marquardt: Gauss-Newton with damping adapted by the reduction
 * ratio, full steps (no lr). Needs a ModelBatch as `extra`.
 *
 * @example
 * ```ts
 * const opt = levenbergMarquardt({ damping: 1 });
 * ```
 */
export function levenbergMarquardt(o: ScaleByLevenbergMarquardtOptions = {}): Transform<unknown[], ModelBatch> {
  return descentChain(o, LEVENBERG_MARQUARDT_OPTION_KINDS, 'levenberg-marquardt', scaleByLevenbergMarquardt, 1);
}
