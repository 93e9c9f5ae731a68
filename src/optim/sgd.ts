/**
 * Gradient descent: θ <- θ - lr ∇L(θ).
 *
 * Options: lr (no default: the problem decides). Example:
 * `sgd({ lr: 0.1 })`. Reference: A. Cauchy, 1847; H. Robbins and S. Monro, 1951.
 */
import { optimizerOptions, optionKinds, type Schedule, scaleByLearningRate } from './common.js';
import { chain, type Transform } from './transform.js';

/** The options of {@link sgd}. */
export interface SgdOptions {
  /** The learning rate, or a schedule of the step. */
  lr: Schedule;
}

/** The options (and the kind of each value) of {@link sgd}. */
export const SGD_OPTION_KINDS = optionKinds<SgdOptions>({ lr: 'schedule' });

/**
 * Plain (stochastic) gradient descent.
 *
 * @example
 * ```ts
 * const opt = sgd({ lr: 0.1 });
 * ```
 */
export function sgd(o: SgdOptions): Transform<unknown[]> {
  const { lr } = optimizerOptions<SgdOptions>(o, SGD_OPTION_KINDS, 'sgd');
  return chain(scaleByLearningRate(lr));
}

/** Full-batch gradient descent: the same transform, named for deterministic problems. */
export const gd = sgd;
