/**
 * AdaGrad: accumulate s <- s + g², step g / (sqrt(s) + ε) — the diagonal of
 * full-matrix AdaGrad's (Σ g gᵀ)^(-1/2).
 *
 * Options [defaults]: lr, initialAccumulator [0.1], eps [1e-7]. Example: `adagrad({ lr: 0.5 })`.
 * Reference: J. Duchi, E. Hazan and Y. Singer, "Adaptive subgradient methods
 * for online learning and stochastic optimization", JMLR 2011.
 */
import { requireNonNegative, requirePositive } from '../core/validate.js';
import type { Vec } from '../core/vec.js';
import { optimizerOptions, optionKinds, type Schedule, scaleByLearningRate } from './common.js';
import { chain, type Transform } from './transform.js';

export interface AdagradState {
  sumOfSquares: Vec;
}

/** The options of {@link scaleByAdagrad}. */
export interface ScaleByAdagradOptions {
  /** The starting value of the sum of squares [0.1]. */
  initialAccumulator?: number;
  /** ε added to the root [1e-7]. */
  eps?: number;
}

/** g / (sqrt(Σ g²) + ε). */
export function scaleByAdagrad(o: ScaleByAdagradOptions = {}): Transform<AdagradState> {
  const init = requireNonNegative(o.initialAccumulator ?? 0.1, 'initialAccumulator');
  const eps = requirePositive(o.eps ?? 1e-7, 'eps');
  return {
    init: (p) => ({ sumOfSquares: new Float64Array(p.length).fill(init) }),
    update(g, s) {
      const sum = s.sumOfSquares.map((v, i) => v + g[i] * g[i]);
      return [g.map((gi, i) => gi / (Math.sqrt(sum[i]) + eps)), { sumOfSquares: sum }] as const;
    },
  };
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
  const options = optimizerOptions<AdagradOptions>(o, ADAGRAD_OPTION_KINDS, 'adagrad');
  return chain(scaleByAdagrad(options), scaleByLearningRate(options.lr));
}
