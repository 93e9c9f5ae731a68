/**
 * RMSProp: v <- ρ v + (1-ρ) g², step g / (sqrt(v) + ε).
 *
 * Options [defaults]: lr, decay ρ [0.9], eps [1e-8]. Example: `rmsprop({ lr: 1e-2 })`.
 * Reference: T. Tieleman and G. Hinton, Lecture 6.5 of "Neural networks for machine learning", 2012.
 */
import { requireDecay, requirePositive } from '../core/validate.js';
import type { Vec } from '../core/vec.js';
import { optimizerOptions, optionKinds, type Schedule, scaleByLearningRate } from './common.js';
import { chain, type Transform } from './transform.js';

export interface RmspropState {
  nu: Vec;
}

/** The options of {@link scaleByRmsprop}. */
export interface ScaleByRmspropOptions {
  /** Decay ρ of the running mean of g² [0.9]. */
  decay?: number;
  /** ε added to the root [1e-8]. */
  eps?: number;
}

/** g / (sqrt(EMA of g²) + ε). */
export function scaleByRmsprop(o: ScaleByRmspropOptions = {}): Transform<RmspropState> {
  const rho = requireDecay(o.decay ?? 0.9, 'decay');
  const eps = requirePositive(o.eps ?? 1e-8, 'eps');
  return {
    init: (p) => ({ nu: new Float64Array(p.length) }),
    update(g, s) {
      const nu = s.nu.map((v, i) => rho * v + (1 - rho) * g[i] * g[i]);
      return [g.map((gi, i) => gi / (Math.sqrt(nu[i]) + eps)), { nu }] as const;
    },
  };
}

/** The options of {@link rmsprop}. */
export interface RmspropOptions extends ScaleByRmspropOptions {
  /** The learning rate, or a schedule of the step. */
  lr: Schedule;
}

/** The options (and the kind of each value) of {@link rmsprop}. */
export const RMSPROP_OPTION_KINDS = optionKinds<RmspropOptions>({ lr: 'schedule', decay: 'number', eps: 'number' });

/**
 * RMSProp = chain(scaleByRmsprop, scaleByLearningRate).
 *
 * @example
 * ```ts
 * const opt = rmsprop({ lr: 1e-2 });
 * ```
 */
export function rmsprop(o: RmspropOptions): Transform<unknown[]> {
  const options = optimizerOptions<RmspropOptions>(o, RMSPROP_OPTION_KINDS, 'rmsprop');
  return chain(scaleByRmsprop(options), scaleByLearningRate(options.lr));
}
