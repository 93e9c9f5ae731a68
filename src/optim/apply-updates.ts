/**
 * Applying a step: θ + step, the engine's one sign convention (a transform's
 * step is ADDED; descent transforms return negative multiples of the
 * gradient). Named after optax's `apply_updates`.
 */
import { NatgradError } from '../core/errors.js';
import { requireFiniteVector } from '../core/validate.js';
import type { Vec } from '../core/vec.js';

/**
 * The parameters after a step, `params + step`, as a new vector. Both must
 * be finite vectors of the same length; a sum that overflows is a
 * NatgradError naming the entry (lower the learning rate).
 *
 * @example
 * ```ts
 * const opt = adam({ lr: 0.01 });
 * let state = opt.init(params);
 * const { gradient } = objective(params);
 * const [step, next] = opt.update(gradient, state, params, undefined);
 * params = applyUpdates(params, step);
 * state = next;
 * ```
 */
export function applyUpdates(params: ArrayLike<number>, step: ArrayLike<number>): Vec {
  requireFiniteVector(params, 'params');
  requireFiniteVector(step, 'step', { length: params.length, lengthWhat: 'one per parameter' });
  const out = new Float64Array(params.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = params[i] + step[i];
    if (!Number.isFinite(out[i]))
      throw new NatgradError(`params[${i}]`, `overflowed to ${out[i]} when the step was applied; lower the learning rate or raise the damping`);
  }
  return out;
}
