/**
 * Adam: m <- β1 m + (1-β1) g, v <- β2 v + (1-β2) g², step
 * m̂ / (sqrt(v̂) + ε) with the bias corrections m̂ = m/(1-β1^t), v̂ = v/(1-β2^t).
 *
 * Options [defaults]: lr, b1 [0.9], b2 [0.999], eps [1e-8]. Example: `adam({ lr: 1e-2 })`.
 * Reference: D. P. Kingma and J. Ba, "Adam: a method for stochastic optimization", ICLR 2015.
 */
import { descentChain, optionKinds, type Schedule } from './common.js';
import { type MomentsState, scaleByBiasCorrectedMoments } from './moments.js';
import type { Transform } from './transform.js';

/** The state of {@link scaleByAdam}: the step count and the two moments. */
export type AdamState = MomentsState;

/** The options of {@link scaleByAdam}. */
export interface ScaleByAdamOptions {
  /** Decay of the first moment β1 [0.9]. */
  b1?: number;
  /** Decay of the second moment β2 [0.999]. */
  b2?: number;
  /** ε added to the root of the second moment [1e-8]. */
  eps?: number;
}

/** The Adam direction m̂ / (sqrt(v̂) + ε). */
export function scaleByAdam(o: ScaleByAdamOptions = {}): Transform<AdamState> {
  return scaleByBiasCorrectedMoments({ b1: o.b1 ?? 0.9, b2: o.b2 ?? 0.999, eps: o.eps ?? 1e-8, root: Math.sqrt });
}

/** The options of {@link adam}. */
export interface AdamOptions extends ScaleByAdamOptions {
  /** The learning rate, or a schedule of the step. */
  lr: Schedule;
}

/** The options (and the kind of each value) of {@link adam}. */
export const ADAM_OPTION_KINDS = optionKinds<AdamOptions>({ lr: 'schedule', b1: 'number', b2: 'number', eps: 'number' });

/**
 * Adam = chain(scaleByAdam, scaleByLearningRate).
 *
 * @example
 * ```ts
 * const opt = adam({ lr: 1e-2 });
 * ```
 */
export function adam(o: AdamOptions): Transform<unknown[]> {
  return descentChain(o, ADAM_OPTION_KINDS, 'adam', scaleByAdam);
}
