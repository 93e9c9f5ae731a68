/**
 * Momentum: v <- μ v + g; heavy ball steps along v, Nesterov along g + μ v.
 *
 * Options [defaults]: lr, decay μ [0.9], nesterov [false]. Example:
 * `momentum({ lr: 0.05, decay: 0.9, nesterov: true })`.
 * References: B. T. Polyak, "Some methods of speeding up the convergence of
 * iteration methods", 1964; I. Sutskever et al., "On the importance of
 * initialization and momentum in deep learning", ICML 2013 (Nesterov form).
 */
import { NatgradError } from '../core/errors.js';
import type { Vec } from '../core/vec.js';
import { type Schedule, scaleByLearningRate } from './common.js';
import { chain, type Transform } from './transform.js';

export interface MomentumState {
  velocity: Vec;
}

export interface ScaleByMomentumOptions {
  /** μ in [0, 1) [0.9] */
  decay?: number;
  /** Nesterov's look-ahead form [false] */
  nesterov?: boolean;
}

/** v <- μ v + g; returns v (heavy ball) or g + μ v (Nesterov). */
export function scaleByMomentum(o: ScaleByMomentumOptions = {}): Transform<MomentumState> {
  const mu = o.decay ?? 0.9;
  if (!(mu >= 0 && mu < 1)) throw new NatgradError('decay', `must be a number in [0, 1), got ${mu}`);
  return {
    init: (p) => ({ velocity: new Float64Array(p.length) }),
    update(g, s) {
      const v = s.velocity.map((vi, i) => mu * vi + g[i]);
      const out = o.nesterov ? g.map((gi, i) => gi + mu * v[i]) : Float64Array.from(v);
      return [out, { velocity: v }] as const;
    },
  };
}

export interface MomentumOptions extends ScaleByMomentumOptions {
  lr: Schedule;
}

/** Heavy-ball momentum (or Nesterov with nesterov: true). */
export const momentum = (o: MomentumOptions): Transform<unknown[]> => chain(scaleByMomentum(o), scaleByLearningRate(o.lr));

/** Nesterov momentum. */
export const nesterov = (o: Omit<MomentumOptions, 'nesterov'>): Transform<unknown[]> => momentum({ ...o, nesterov: true });
