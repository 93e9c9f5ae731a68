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
import { requireDecay, requireIntegerInRange, requirePositive } from '../core/validate.js';
import { NatgradError } from '../core/errors.js';
import type { Vec } from '../core/vec.js';
import { hutchinsonProbe } from '../curvature/hutchinson.js';
import { hessianVectorProduct } from '../models/mlp.js';
import { optimizerOptions, optionKinds, type Schedule, scaleByLearningRate } from './common.js';
import { batchWeights, type ModelBatch, requireMlpBatch, requireRng } from './extra.js';
import { chain, type Transform } from './transform.js';

export interface AdahessianState {
  count: number;
  mu: Vec;
  nu: Vec;
}

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

/** The AdaHessian direction m̂ / (v̂^(k/2) + ε). */
export function scaleByAdahessian(o: ScaleByAdahessianOptions = {}): Transform<AdahessianState, ModelBatch> {
  const b1 = requireDecay(o.b1 ?? 0.9, 'b1');
  const b2 = requireDecay(o.b2 ?? 0.999, 'b2');
  const eps = requirePositive(o.eps ?? 1e-4, 'eps');
  const k = requirePositive(o.hessianPower ?? 1, 'hessianPower');
  if (!(k <= 1)) throw new NatgradError('hessianPower', `must be in (0, 1], got ${k}`);
  const probes = requireIntegerInRange(o.probes ?? 1, 'probes', 1, 1000);
  return {
    init: (p) => ({ count: 0, mu: new Float64Array(p.length), nu: new Float64Array(p.length) }),
    update(g, s, params, extra) {
      const batch = requireMlpBatch(extra, params, 'adahessian');
      const rng = requireRng(batch, 'adahessian');
      const w = batchWeights(batch, params);
      const hv = (v: Vec): Vec => hessianVectorProduct(batch.spec, w, batch.inputs, batch.targets, v);
      const D = new Float64Array(params.length);
      for (let r = 0; r < probes; r++) {
        const d = hutchinsonProbe(hv, params.length, rng);
        for (let i = 0; i < D.length; i++) D[i] += d[i] / probes;
      }
      const t = s.count + 1;
      const mu = s.mu.map((m, i) => b1 * m + (1 - b1) * g[i]);
      const nu = s.nu.map((v, i) => b2 * v + (1 - b2) * D[i] * D[i]);
      const c1 = 1 - b1 ** t;
      const c2 = 1 - b2 ** t;
      const out = mu.map((m, i) => m / c1 / ((nu[i] / c2) ** (k / 2) + eps));
      return [out, { count: t, mu, nu }] as const;
    },
  };
}

/** The options of {@link adahessian}. */
export interface AdahessianOptions extends ScaleByAdahessianOptions {
  /** The learning rate, or a schedule of the step. */
  lr: Schedule;
}

/** The options (and the kind of each value) of {@link adahessian}. */
export const ADAHESSIAN_OPTION_KINDS = optionKinds<AdahessianOptions>({ lr: 'schedule', b1: 'number', b2: 'number', eps: 'number', hessianPower: 'number', probes: 'number' });

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
  const options = optimizerOptions<AdahessianOptions>(o, ADAHESSIAN_OPTION_KINDS, 'adahessian');
  return chain<ModelBatch>(scaleByAdahessian(options), scaleByLearningRate(options.lr));
}
