/**
 * CartPole with the classic dynamics of Barto, Sutton and Anderson (1983),
 * constants and termination of Gym's CartPole-v1: explicit Euler, τ = 0.02,
 * episode ends when |x| > 2.4, |θ| > 12° or after 500 steps, reward 1 per step.
 *
 * Reference: A. G. Barto, R. S. Sutton, C. W. Anderson, "Neuronlike adaptive
 * elements that can solve difficult learning control problems", IEEE SMC 1983;
 * Gym's classic_control/cartpole.py.
 */
import type { Rng } from '../core/rng.js';
import type { Vec } from '../core/vec.js';

export const CARTPOLE = {
  gravity: 9.8,
  massCart: 1.0,
  massPole: 0.1,
  /** half the pole's length */
  length: 0.5,
  forceMag: 10.0,
  tau: 0.02,
  thetaThreshold: (12 * 2 * Math.PI) / 360,
  xThreshold: 2.4,
  maxSteps: 500,
} as const;

/** State [x, ẋ, θ, θ̇]. */
export type CartPoleState = Vec;

/** Gym's reset: every component uniform on (-0.05, 0.05). */
export function cartPoleReset(rng: Rng): CartPoleState {
  return Float64Array.from({ length: 4 }, () => 0.1 * rng.uniform() - 0.05);
}

/** One Euler step under action 0 (push left) or 1 (push right); `done` when the pole or cart leaves its bounds. */
export function cartPoleStep(state: CartPoleState, action: number): { state: CartPoleState; done: boolean } {
  const c = CARTPOLE;
  const [x, xDot, th, thDot] = state;
  const force = action === 1 ? c.forceMag : -c.forceMag;
  const cos = Math.cos(th);
  const sin = Math.sin(th);
  const totalMass = c.massCart + c.massPole;
  const poleMassLength = c.massPole * c.length;
  const temp = (force + poleMassLength * thDot * thDot * sin) / totalMass;
  const thAcc = (c.gravity * sin - cos * temp) / (c.length * (4 / 3 - (c.massPole * cos * cos) / totalMass));
  const xAcc = temp - (poleMassLength * thAcc * cos) / totalMass;
  const next = Float64Array.of(x + c.tau * xDot, xDot + c.tau * xAcc, th + c.tau * thDot, thDot + c.tau * thAcc);
  const done = next[0] < -c.xThreshold || next[0] > c.xThreshold || next[2] < -c.thetaThreshold || next[2] > c.thetaThreshold;
  return { state: next, done };
}
