/**
 * An optimizer is a pure pair: init(params) -> state and
 * update(grad, state, params, extra) -> [step, state]. Named optimizers are
 * chains of small transforms (adam = chain(scaleByAdam(), scaleByLearningRate(lr))).
 * `step` is ADDED to the parameters (descent transforms return negative multiples).
 *
 * `chain` is the boundary every named optimizer shares, so it is where the
 * arguments of `update` are checked: finite parameters, a finite gradient of
 * the parameters' length, and a state that this transform's `init` or
 * `update` returned (a state is opaque: anything else, such as the state of
 * another optimizer, is refused rather than read). (A step that overflows
 * is caught where it is applied: by `train`, or as non-finite parameters at
 * the next update.)
 */
import { describeValue, NatgradError } from '../core/errors.js';
import { requireFiniteVector } from '../core/validate.js';
import type { Vec } from '../core/vec.js';

/**
 * A gradient transformation: `init` makes the state for a parameter vector,
 * `update` maps a gradient (and the state, the parameters and an `extra`
 * such as a `ModelBatch`) to a step that is added to the parameters.
 *
 * @typeParam S - the state
 * @typeParam X - the `extra` argument `update` needs (`unknown`: none)
 */
export interface Transform<S = unknown, X = unknown> {
  /** The initial state for these parameters. */
  init(params: Vec): S;
  /** The step to add to `params` for this gradient, and the next state. */
  update(grad: Vec, state: S, params: Vec, extra: X): readonly [Vec, S];
}

/** Throws a NatgradError unless `t` has `init` and `update` functions. */
export function requireTransform(t: unknown, path: string): Transform<unknown, unknown> {
  const o = t as Partial<Transform> | null;
  if (typeof o !== 'object' || o === null || typeof o.init !== 'function' || typeof o.update !== 'function') {
    throw new NatgradError(path, 'must be a transform: an object with init(params) and update(grad, state, params, extra), e.g. adam({ lr: 0.01 })');
  }
  return o as Transform<unknown, unknown>;
}

/**
 * Composes transforms left to right: each one's output is the next one's input gradient.
 *
 * @example
 * ```ts
 * const clippedAdam = chain(clipByGlobalNorm(1), scaleByAdam(), scaleByLearningRate(1e-3));
 * ```
 */
export function chain<X = unknown>(...transforms: Transform<any, X>[]): Transform<unknown[], X> {
  transforms.forEach((t, i) => requireTransform(t, `transforms[${i}]`));
  return guarded<unknown[], X>({
    init: (params) => transforms.map((t) => t.init(params)),
    update(grad, states, params, extra) {
      let g = grad;
      const next: unknown[] = [];
      transforms.forEach((t, i) => {
        const [out, s] = t.update(g, states[i], params, extra);
        g = out;
        next.push(s);
      });
      return [g, next] as const;
    },
  });
}

/**
 * The boundary of a named optimizer: `update` checks finite parameters, a
 * finite gradient of their length, and a state that this transform's `init`
 * or `update` returned (tracked by identity, so a state is opaque and the
 * transform never reads another optimizer's state), before `t` sees them.
 */
export function guarded<S extends object, X>(t: Transform<S, X>): Transform<S, X> {
  const issued = new WeakSet<object>();
  const issue = (state: S): S => {
    issued.add(Object.freeze(state));
    return state;
  };
  return {
    init(params) {
      requireFiniteVector(params, 'params');
      return issue(t.init(params));
    },
    update(grad, state, params, extra) {
      requireFiniteVector(params, 'params');
      requireFiniteVector(grad, 'gradient', { length: params.length, lengthWhat: 'one per parameter' });
      if (typeof state !== 'object' || state === null || !issued.has(state)) {
        throw new NatgradError('state', `must be the state this optimizer's init or last update returned, got ${describeValue(state)}`);
      }
      const [step, next] = t.update(grad, state, params, extra);
      return [step, issue(next)] as const;
    },
  };
}
