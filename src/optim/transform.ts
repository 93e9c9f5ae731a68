/**
 * An optimizer is a pure pair: init(params) -> state and
 * update(grad, state, params, extra) -> [step, state]. Named optimizers are
 * chains of small transforms (adam = chain(scaleByAdam(), scaleByLearningRate(lr))).
 * `step` is ADDED to the parameters (descent transforms return negative multiples).
 */
import type { Vec } from '../core/vec.js';

export interface Transform<S = unknown, X = unknown> {
  init(params: Vec): S;
  update(grad: Vec, state: S, params: Vec, extra: X): readonly [Vec, S];
}

/** Composes transforms left to right: each one's output is the next one's input gradient. */
export function chain<X = unknown>(...transforms: Transform<any, X>[]): Transform<unknown[], X> {
  return {
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
  };
}
