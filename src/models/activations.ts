/**
 * Elementwise activations with their first and second derivatives, the pieces
 * a hand-written backward pass and a Pearlmutter R-operator need.
 */
import type { Vec } from '../core/vec.js';

/** The elementwise nonlinearity of a layer. */
export type Activation = 'identity' | 'tanh' | 'sigmoid' | 'relu' | 'softplus';

export const ACTIVATIONS: readonly Activation[] = ['identity', 'tanh', 'sigmoid', 'relu', 'softplus'];

/** True when `name` is one of the supported activations. */
export function isActivation(name: unknown): name is Activation {
  return typeof name === 'string' && (ACTIVATIONS as readonly string[]).includes(name);
}

/** The logistic function 1/(1+e^-s), evaluated without overflow for either sign of s. */
export function sigmoid(s: number): number {
  if (s >= 0) return 1 / (1 + Math.exp(-s));
  const e = Math.exp(s);
  return e / (1 + e);
}

/** log(1 + e^s) without overflow: s + log1p(e^-s) for s > 0. */
export function softplus(s: number): number {
  return s > 0 ? s + Math.log1p(Math.exp(-s)) : Math.log1p(Math.exp(s));
}

/** phi(s). */
export function activate(act: Activation, s: number): number {
  switch (act) {
    case 'identity':
      return s;
    case 'tanh':
      return Math.tanh(s);
    case 'sigmoid':
      return sigmoid(s);
    // relu(0) = 0 and relu'(0) = 0, the convention of PyTorch's autograd.
    case 'relu':
      // biome-ignore lint/complexity/useMathMinMax: Math.max(s, 0) differs for NaN; the ternary is the tested definition
      return s > 0 ? s : 0;
    case 'softplus':
      return softplus(s);
  }
}

/** phi'(s): tanh' = 1 - tanh², sigmoid' = sigma(1 - sigma), softplus' = sigma. */
export function activationDerivative(act: Activation, s: number): number {
  switch (act) {
    case 'identity':
      return 1;
    case 'tanh': {
      const t = Math.tanh(s);
      return 1 - t * t;
    }
    case 'sigmoid': {
      const p = sigmoid(s);
      return p * (1 - p);
    }
    case 'relu':
      return s > 0 ? 1 : 0;
    case 'softplus':
      return sigmoid(s);
  }
}

/**
 * phi''(s): tanh'' = -2 tanh (1 - tanh²), sigmoid'' = sigma(1 - sigma)(1 - 2 sigma),
 * softplus'' = sigma(1 - sigma); relu'' = 0 away from the kink (and taken 0 there).
 */
export function activationSecondDerivative(act: Activation, s: number): number {
  switch (act) {
    case 'identity':
      return 0;
    case 'tanh': {
      const t = Math.tanh(s);
      return -2 * t * (1 - t * t);
    }
    case 'sigmoid': {
      const p = sigmoid(s);
      return p * (1 - p) * (1 - 2 * p);
    }
    case 'relu':
      return 0;
    case 'softplus': {
      const p = sigmoid(s);
      return p * (1 - p);
    }
  }
}

/**
 * phi'(s) given y = phi(s) as well: tanh and the sigmoid take their
 * derivative from y (1 - y², y (1 - y)), the same arithmetic as
 * activationDerivative after its own phi(s), so the same bits without
 * evaluating phi again; the others from s.
 */
export function activationDerivativeAt(act: Activation, s: number, y: number): number {
  switch (act) {
    case 'tanh':
      return 1 - y * y;
    case 'sigmoid':
      return y * (1 - y);
    default:
      return activationDerivative(act, s);
  }
}

/** phi''(s) given y = phi(s) as well, as activationDerivativeAt: the same bits as activationSecondDerivative. */
export function activationSecondDerivativeAt(act: Activation, s: number, y: number): number {
  switch (act) {
    case 'tanh':
      return -2 * y * (1 - y * y);
    case 'sigmoid':
      return y * (1 - y) * (1 - 2 * y);
    default:
      return activationSecondDerivative(act, s);
  }
}

function mapVec(f: (s: number) => number, s: ArrayLike<number>): Vec {
  const out = new Float64Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = f(s[i]);
  return out;
}

/** phi applied entrywise. */
export const activateVec = (act: Activation, s: ArrayLike<number>): Vec => mapVec((x) => activate(act, x), s);

/** phi' applied entrywise. */
export const activationDerivativeVec = (act: Activation, s: ArrayLike<number>): Vec => mapVec((x) => activationDerivative(act, x), s);

/** phi'' applied entrywise. */
export const activationSecondDerivativeVec = (act: Activation, s: ArrayLike<number>): Vec => mapVec((x) => activationSecondDerivative(act, x), s);
