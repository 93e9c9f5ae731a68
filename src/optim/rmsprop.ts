/**
 * RMSProp: v <- ρ v + (1-ρ) g², step g / (sqrt(v) + ε).
 *
 * Options [defaults]: lr, decay ρ [0.9], eps [1e-8]. Example: `rmsprop({ lr: 1e-2 })`.
 * Reference: T. Tieleman and G. Hinton, Lecture 6.5 of "Neural networks for machine learning", 2012.
 */
import { NatgradError } from '../core/errors.js';
import type { Vec } from '../core/vec.js';
import { type Schedule, scaleByLearningRate } from './common.js';
import { chain, type Transform } from './transform.js';

export interface RmspropState {
  nu: Vec;
}

export interface ScaleByRmspropOptions {
  decay?: number;
  eps?: number;
}

/** g / (sqrt(EMA of g²) + ε). */
export function scaleByRmsprop(o: ScaleByRmspropOptions = {}): Transform<RmspropState> {
  const rho = o.decay ?? 0.9;
  const eps = o.eps ?? 1e-8;
  if (!(rho >= 0 && rho < 1)) throw new NatgradError('decay', `must be in [0, 1), got ${rho}`);
  if (!(eps > 0)) throw new NatgradError('eps', `must be > 0, got ${eps}`);
  return {
    init: (p) => ({ nu: new Float64Array(p.length) }),
    update(g, s) {
      const nu = s.nu.map((v, i) => rho * v + (1 - rho) * g[i] * g[i]);
      return [g.map((gi, i) => gi / (Math.sqrt(nu[i]) + eps)), { nu }] as const;
    },
  };
}

export interface RmspropOptions extends ScaleByRmspropOptions {
  lr: Schedule;
}

export const rmsprop = (o: RmspropOptions): Transform<unknown[]> => chain(scaleByRmsprop(o), scaleByLearningRate(o.lr));
