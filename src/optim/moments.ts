/**
 * The running moments of the gradient that every adaptive optimizer keeps,
 * written once (as optax's update_moment and bias_correction):
 *   m <- decay m + weight x^order   (elementwise, order 1 or 2),
 * an exponential moving average for weight = 1 - decay (Adam, RMSProp,
 * AdaHessian), a trace for weight = 1 (momentum), a running sum for
 * decay = weight = 1 (AdaGrad). An average started at 0 has total weight
 * 1 - decay^t after t updates; dividing by it is the bias correction.
 *
 * The products are taken in the order weight · x · x, so that the moments
 * (and the trajectories built on them) are the same to the last bit as
 * those of the written-out formulas.
 */
import { requireDecay, requirePositive } from '../core/validate.js';
import type { Vec } from '../core/vec.js';
import type { Transform } from './transform.js';

/** decay · m + weight · x^order, entry by entry (a new vector). */
export function updateMoment(m: Vec, x: ArrayLike<number>, decay: number, weight: number, order: 1 | 2): Vec {
  const out = new Float64Array(m.length);
  if (order === 1) for (let i = 0; i < out.length; i++) out[i] = decay * m[i] + weight * x[i];
  else for (let i = 0; i < out.length; i++) out[i] = decay * m[i] + weight * x[i] * x[i];
  return out;
}

/** The exponential moving average decay · m + (1 - decay) · x^order. */
export function emaMoment(m: Vec, x: ArrayLike<number>, decay: number, order: 1 | 2): Vec {
  return updateMoment(m, x, decay, 1 - decay, order);
}

/** 1 - decay^count: the total weight of an average started at 0 after `count` updates, which debiasing divides by. */
export function biasCorrection(decay: number, count: number): number {
  return 1 - decay ** count;
}

/** The state of {@link scaleByBiasCorrectedMoments}: the step count and the two moments. */
export interface MomentsState {
  count: number;
  /** the average of the gradient */
  mu: Vec;
  /** the average of the square of the second-moment source */
  nu: Vec;
}

/** The options of {@link scaleByBiasCorrectedMoments}. */
export interface BiasCorrectedMomentsOptions<X> {
  /** Decay of the first moment, in [0, 1). */
  b1: number;
  /** Decay of the second moment, in [0, 1). */
  b2: number;
  /** ε > 0 added to the root of the second moment. */
  eps: number;
  /** The root taken of the debiased second moment (Math.sqrt for Adam). */
  root: (v: number) => number;
  /** The vector whose square is averaged [the gradient]. */
  secondMomentOf?: (grad: Vec, params: Vec, extra: X) => Vec;
}

/**
 * m̂ / (root(v̂) + ε) with m and v the exponential moving averages of the
 * gradient and of the square of `secondMomentOf` (the gradient for Adam, a
 * Hessian-diagonal estimate for AdaHessian), m̂ and v̂ bias-corrected.
 */
export function scaleByBiasCorrectedMoments<X = unknown>(o: BiasCorrectedMomentsOptions<X>): Transform<MomentsState, X> {
  const b1 = requireDecay(o.b1, 'b1');
  const b2 = requireDecay(o.b2, 'b2');
  const eps = requirePositive(o.eps, 'eps');
  const { root, secondMomentOf } = o;
  return {
    init: (p) => ({ count: 0, mu: new Float64Array(p.length), nu: new Float64Array(p.length) }),
    update(g, s, params, extra) {
      const x = secondMomentOf ? secondMomentOf(g, params, extra) : g;
      const t = s.count + 1;
      const mu = emaMoment(s.mu, g, b1, 1);
      const nu = emaMoment(s.nu, x, b2, 2);
      const c1 = biasCorrection(b1, t);
      const c2 = biasCorrection(b2, t);
      const out = new Float64Array(g.length);
      for (let i = 0; i < out.length; i++) out[i] = mu[i] / c1 / (root(nu[i] / c2) + eps);
      return [out, { count: t, mu, nu }] as const;
    },
  };
}

/** The state of {@link scaleByRootSecondMoment}. */
export interface SecondMomentState {
  /** the accumulated second moment of the gradient */
  nu: Vec;
}

/** The options of {@link scaleByRootSecondMoment}; the caller validates them (a running sum has decay 1). */
export interface RootSecondMomentOptions {
  decay: number;
  weight: number;
  /** the starting value of every entry of the accumulator */
  initial: number;
  eps: number;
}

/** g / (sqrt(v) + ε) with v <- decay · v + weight · g² (RMSProp's average, AdaGrad's sum). */
export function scaleByRootSecondMoment({ decay, weight, initial, eps }: RootSecondMomentOptions): Transform<SecondMomentState> {
  return {
    init: (p) => ({ nu: new Float64Array(p.length).fill(initial) }),
    update(g, s) {
      const nu = updateMoment(s.nu, g, decay, weight, 2);
      const out = new Float64Array(g.length);
      for (let i = 0; i < out.length; i++) out[i] = g[i] / (Math.sqrt(nu[i]) + eps);
      return [out, { nu }] as const;
    },
  };
}
