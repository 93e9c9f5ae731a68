/**
 * Adam: m <- β1 m + (1-β1) g, v <- β2 v + (1-β2) g², step
 * m̂ / (sqrt(v̂) + ε) with the bias corrections m̂ = m/(1-β1^t), v̂ = v/(1-β2^t).
 *
 * Options [defaults]: lr, b1 [0.9], b2 [0.999], eps [1e-8]. Example: `adam({ lr: 1e-2 })`.
 * Reference: D. P. Kingma and J. Ba, "Adam: a method for stochastic optimization", ICLR 2015.
 */
import { requireDecay, requirePositive } from '../core/validate.js';
import type { Vec } from '../core/vec.js';
import { optimizerOptions, optionKinds, type Schedule, scaleByLearningRate } from './common.js';
import { chain, type Transform } from './transform.js';

export interface AdamState {
  count: number;
  mu: Vec;
  nu: Vec;
}

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
  const b1 = requireDecay(o.b1 ?? 0.9, 'b1');
  const b2 = requireDecay(o.b2 ?? 0.999, 'b2');
  const eps = requirePositive(o.eps ?? 1e-8, 'eps');
  return {
    init: (p) => ({ count: 0, mu: new Float64Array(p.length), nu: new Float64Array(p.length) }),
    update(g, s) {
      const t = s.count + 1;
      const mu = s.mu.map((m, i) => b1 * m + (1 - b1) * g[i]);
      const nu = s.nu.map((v, i) => b2 * v + (1 - b2) * g[i] * g[i]);
      const c1 = 1 - b1 ** t;
      const c2 = 1 - b2 ** t;
      const out = mu.map((m, i) => m / c1 / (Math.sqrt(nu[i] / c2) + eps));
      return [out, { count: t, mu, nu }] as const;
    },
  };
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
  const options = optimizerOptions<AdamOptions>(o, ADAM_OPTION_KINDS, 'adam');
  return chain(scaleByAdam(options), scaleByLearningRate(options.lr));
}
