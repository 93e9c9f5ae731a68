/**
 * Momentum: v <- μ v + g; heavy ball steps along v, Nesterov along g + μ v.
 *
 * Options [defaults]: lr, decay μ [0.9], nesterov [false]. Example:
 * `momentum({ lr: 0.05, decay: 0.9, nesterov: true })`.
 * References: B. T. Polyak, "Some methods of speeding up the convergence of
 * iteration methods", 1964; I. Sutskever et al., "On the importance of
 * initialization and momentum in deep learning", ICML 2013 (Nesterov form).
 */
import { requireBoolean, requireDecay } from '../core/validate.js';
import type { Vec } from '../core/vec.js';
import { descentChain, optimizerOptions, optionKinds, type Schedule } from './common.js';
import { updateMoment } from './moments.js';
import type { Transform } from './transform.js';

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
  const mu = requireDecay(o.decay ?? 0.9, 'decay');
  const nesterov = requireBoolean(o.nesterov ?? false, 'nesterov');
  return {
    init: (p) => ({ velocity: new Float64Array(p.length) }),
    update(g, s) {
      const v = updateMoment(s.velocity, g, mu, 1, 1);
      const out = nesterov ? g.map((gi, i) => gi + mu * v[i]) : Float64Array.from(v);
      return [out, { velocity: v }] as const;
    },
  };
}

/** The options of {@link momentum}. */
export interface MomentumOptions extends ScaleByMomentumOptions {
  /** The learning rate, or a schedule of the step. */
  lr: Schedule;
}

/** The options (and the kind of each value) of {@link momentum}. */
export const MOMENTUM_OPTION_KINDS = optionKinds<MomentumOptions>({ lr: 'schedule', decay: 'number', nesterov: 'boolean' });

/**
 * Heavy-ball momentum (or Nesterov with nesterov: true).
 *
 * @example
 * ```ts
 * const opt = momentum({ lr: 0.05, decay: 0.9 });
 * ```
 */
export function momentum(o: MomentumOptions): Transform<unknown[]> {
  return descentChain(o, MOMENTUM_OPTION_KINDS, 'momentum', scaleByMomentum);
}

/** The options (and the kind of each value) of {@link nesterov}. */
export const NESTEROV_OPTION_KINDS = optionKinds<Omit<MomentumOptions, 'nesterov'>>({ lr: 'schedule', decay: 'number' });

/** Nesterov momentum: {@link momentum} with `nesterov: true`. */
export function nesterov(o: Omit<MomentumOptions, 'nesterov'>): Transform<unknown[]> {
  const options = optimizerOptions<Omit<MomentumOptions, 'nesterov'>>(o, NESTEROV_OPTION_KINDS, 'nesterov');
  return momentum({ ...options, nesterov: true });
}
