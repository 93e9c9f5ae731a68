/**
 * AdaGrad: accumulate s <- s + g², step g / (sqrt(s) + ε) — the diagonal of
 * full-matrix AdaGrad's (Σ g gᵀ)^(-1/2).
 *
 * Options [defaults]: lr, initialAccumulator [0.1], eps [1e-7]. Example: `adagrad({ lr: 0.5 })`.
 * Reference: J. Duchi, E. Hazan and Y. Singer, "Adaptive subgradient methods
 * for online learning and stochastic optimization", JMLR 2011.
 */
import { requireNonNegative, requirePositive } from '../core/validate.js';
import { descentChain, optionKinds, type Schedule } from './common.js';
import { type SecondMomentState, scaleByRootSecondMoment } from './moments.js';
import type { Transform } from './transform.js';

/** The state of {@link scaleByAdagrad}: the sum of squares (nu). */
export type AdagradState = SecondMomentState;

/** The options of {@link scaleByAdagrad}. */
export interface ScaleByAdagradOptions {
  /** The starting value of the sum of squares [0.1]. */
  initialAccumulator?: number;
  /** ε added to the root [1e-7]. */
  eps?: number;
}

/** g / (sqrt(Σ g²) + ε): the running sum is a moment with decay 1 and weight 1. */
export function scaleByAdagrad(o: ScaleByAdagradOptions = {}): Transform<AdagradState> {
  const initial = requireNonNegative(o.initialAccumulator ?? 0.1, 'initialAccumulator');
  const eps = requirePositive(o.eps ?? 1e-7, 'eps');
  return scaleByRootSecondMoment({ decay: 1, weight: 1, initial, eps });
}

/** The options of {@link adagrad}. */
export interface AdagradOptions extends ScaleByAdagradOptions {
  /** The learning rate, or a schedule of the step. */
  lr: Schedule;
}

/** The options (and the kind of each value) of {@link adagrad}. */
export const ADAGRAD_OPTION_KINDS = optionKinds<AdagradOptions>({ lr: 'schedule', initialAccumulator: 'number', eps: 'number' });

/**
 * AdaGrad = chain(scaleByAdagrad, scaleByLearningRate).
 *
 * @example
 * ```ts
 * const opt = adagrad({ lr: 0.5 });
 * ```
 */
export function adagrad(o: AdagradOptions): Transform<unknown[]> {
  return descentChain(o, ADAGRAD_OPTION_KINDS, 'adagrad', scaleByAdagrad);
}
