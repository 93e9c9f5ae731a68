/**
 * AdaHessian: Adam with the squared gradient replaced by the square of a
 * Hutchinson estimate D of the Hessian diagonal (z ⊙ H z, Rademacher z):
 *   m <- β1 m + (1-β1) g,  v <- β2 v + (1-β2) D²,  step m̂ / (v̂^(k/2) + ε).
 * The spatial averaging of the paper (over convolution kernels) is omitted:
 * parameters here are dense, each its own block.
 *
 * Options [defaults]: lr, b1 [0.9], b2 [0.999], eps [1e-4], hessianPower k [1],
 * probes per step [1]. Needs a ModelBatch with an rng in extra. Example:
 * `adahessian({ lr: 0.1 })`.
 * Reference: Z. Yao, A. Gholami, S. Shen, M. Mustafa, K. Keutzer and
 * M. Mahoney, "ADAHESSIAN: an adaptive second order optimizer for machine
 * learning", AAAI 2021.
 */
import { NatgradError } from '../core/errors.js';
import { requireIntegerInRange, requirePositive } from '../core/validate.js';
import type { Vec } from '../core/vec.js';
import { hutchinsonProbe } from '../curvature/hutchinson.js';
import { hessianVectorProduct } from '../models/mlp.js';
import { descentChain, optionKinds, type Schedule } from './common.js';
import { batchWeights, type ModelBatch, requireMlpBatch, requireRng } from './extra.js';
import { type MomentsState, scaleByBiasCorrectedMoments } from './moments.js';
import type { Transform } from './transform.js';

/** The state of {@link scaleByAdahessian}: the step count, the gradient's moment and the squared Hessian diagonal's. */
export type AdahessianState = MomentsState;

/** The options of {@link scaleByAdahessian}. */
export interface ScaleByAdahessianOptions {
  /** Decay of the first moment β1 [0.9]. */
  b1?: number;
  /** Decay of the squared Hessian-diagonal estimate β2 [0.999]. */
  b2?: number;
  /** ε added to the denominator [1e-4]. */
  eps?: number;
  /** The Hessian power k in (0, 1] [1]. */
  hessianPower?: number;
  /** Hutchinson probes per step [1]. */
  probes?: number;
}

/** The AdaHessian direction m̂ / (v̂^(k/2) + ε): Adam's moments with the Hessian diagonal D in place of g in the second. */
export function scaleByAdahessian(o: ScaleByAdahessianOptions = {}): Transform<AdahessianState, ModelBatch> {
  const k = requirePositive(o.hessianPower ?? 1, 'hessianPower');
  if (!(k <= 1)) throw new NatgradError('hessianPower', `must be in (0, 1], got ${k}`);
  const probes = requireIntegerInRange(o.probes ?? 1, 'probes', 1, 1000);
  const hessianDiagonal = (_g: Vec, params: Vec, extra: ModelBatch): Vec => {
    const batch = requireMlpBatch(extra, params, 'adahessian');
    const rng = requireRng(batch, 'adahessian');
    const w = batchWeights(batch, params);
    const hv = (v: Vec): Vec => hessianVectorProduct(batch.spec, w, batch.inputs, batch.targets, v);
    const D = new Float64Array(params.length);
    for (let r = 0; r < probes; r++) {
      const d = hutchinsonProbe(hv, params.length, rng);
      for (let i = 0; i < D.length; i++) D[i] += d[i] / probes;
    }
    return D;
  };
  return scaleByBiasCorrectedMoments<ModelBatch>({
    b1: o.b1 ?? 0.9,
    b2: o.b2 ?? 0.999,
    eps: o.eps ?? 1e-4,
    root: (v) => v ** (k / 2),
    secondMomentOf: hessianDiagonal,
  });
}

/** The options of {@link adahessian}. */
export interface AdahessianOptions extends ScaleByAdahessianOptions {
  /** The learning rate, or a schedule of the step. */
  lr: Schedule;
}

/** The options (and the kind of each value) of {@link adahessian}. */
export const ADAHESSIAN_OPTION_KINDS = optionKinds<AdahessianOptions>({
  lr: 'schedule',
  b1: 'number',
  b2: 'number',
  eps: 'number',
  hessianPower: 'number',
  probes: 'number',
});

/**
 * AdaHessian = chain(scaleByAdahessian, scaleByLearningRate). Needs a
 * ModelBatch with an rng as `extra`.
 *
 * @example
 * ```ts
 * const opt = adahessian({ lr: 0.1 });
 * ```
 */
export function adahessian(o: AdahessianOptions): Transform<unknown[], ModelBatch> {
  return descentChain(o, ADAHESSIAN_OPTION_KINDS, 'adahessian', scaleByAdahessian);
}
