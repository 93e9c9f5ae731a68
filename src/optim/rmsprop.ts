/**
 * RMSProp: v <- ρ v + (1-ρ) g², step g / (sqrt(v) + ε).
 *
 * Options [defaults]: lr, decay ρ [0.9], eps [1e-8]. Example: `rmsprop({ lr: 1e-2 })`.
 * Reference: T. Tieleman and G. Hinton, Lecture 6.5 of "Neural networks for machine learning", 2012.
 */
import { requireDecay, requirePositive } from '../core/validate.js';
import { descentChain, optionKinds, type Schedule } from './common.js';
import { type SecondMomentState, scaleByRootSecondMoment } from './moments.js';
import type { Transform } from './transform.js';

/** The state of {@link scaleByRmsprop}: the running mean of g². */
export type RmspropState = SecondMomentState;

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
  return scaleByRootSecondMoment({ decay: rho, weight: 1 - rho, initial: 0, eps });
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
  return descentChain(o, RMSPROP_OPTION_KINDS, 'rmsprop', scaleByRmsprop);
}
