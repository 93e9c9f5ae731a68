/**
 * Gradient descent: θ <- θ - lr ∇L(θ).
 *
 * Options: lr (no default: the problem decides). Example:
 * `sgd({ lr: 0.1 })`. Reference: A. Cauchy, 1847; H. Robbins and S. Monro, 1951.
 */
import { type Schedule, scaleByLearningRate } from './common.js';
import { chain, type Transform } from './transform.js';

export interface SgdOptions {
  lr: Schedule;
}

/** Plain (stochastic) gradient descent. */
export const sgd = (o: SgdOptions): Transform<unknown[]> => chain(scaleByLearningRate(o.lr));

/** Full-batch gradient descent: the same transform, named for deterministic problems. */
export const gd = sgd;
