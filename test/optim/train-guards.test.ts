/**
 * train() and modelProblem() at the boundary: NaN or infinite data,
 * parameters, gradients and losses, empty or mismatched data, gradients of
 * the wrong length and unknown options are NatgradErrors naming the value.
 */
import { describe, expect, test } from 'vitest';
import type { MlpSpec } from '../../src/models/mlp.js';
import { applyUpdates } from '../../src/optim/apply-updates.js';
import { kfac } from '../../src/optim/kfac.js';
import { sgd } from '../../src/optim/sgd.js';
import { modelProblem, train } from '../../src/optim/train.js';
import type { Transform } from '../../src/optim/transform.js';
import { thrownLine as thrown } from '../natgrad-error.js';

/** `path: reason` of the NatgradError thrown by f (fails on any other outcome). */

const quadratic = (theta: Float64Array) => ({ loss: 0.5 * theta.reduce((a, t) => a + t * t, 0), gradient: Float64Array.from(theta) });
const spec: MlpSpec = { sizes: [3, 2], activations: ['identity'], likelihood: 'categorical' };
const inputs = [Float64Array.of(1, 2, 3), Float64Array.of(0, 1, 0), Float64Array.of(1, 0, 0), Float64Array.of(0.5, 0.5, 0.5)];
const targets = [0, 1, 0, 1];

describe('train() refuses non-finite values, naming which', () => {
  test('NaN or infinite initial parameters', () => {
    expect(thrown(() => train(sgd({ lr: 0.1 }), Float64Array.of(1, NaN), { objective: quadratic }))).toBe('params[1]: must be a finite number, got NaN');
    expect(thrown(() => train(sgd({ lr: 0.1 }), [0, 0, 0, 0, 0, -Infinity], { objective: quadratic }))).toBe(
      'params[5]: must be a finite number, got -Infinity',
    );
    expect(thrown(() => train(sgd({ lr: 0.1 }), [], { objective: quadratic }))).toBe('params: must not be empty');
  });

  test('a NaN input of a model problem is named by example and feature', () => {
    const bad = inputs.map((x) => Float64Array.from(x));
    bad[3][2] = NaN;
    expect(thrown(() => modelProblem(spec, bad, targets))).toBe('inputs[3][2]: must be a finite number, got NaN');
  });

  test('an empty dataset, mismatched targets and inputs of the wrong width', () => {
    expect(thrown(() => modelProblem(spec, [], []))).toMatch(/^inputs: must be a non-empty array/);
    expect(thrown(() => modelProblem(spec, inputs, [0, 1]))).toMatch(/^targets: must be an array with one target per input \(4\), got 2/);
    expect(thrown(() => modelProblem(spec, inputs, [0, 1, 2, 1]))).toMatch(/^targets\[2\]: /);
    expect(thrown(() => modelProblem(spec, [Float64Array.of(1, 2)], [0]))).toMatch(/^inputs\[0\]: must be an array of 3 numbers/);
  });

  test('a gradient of the wrong length', () => {
    const objective = () => ({ loss: 1, gradient: Float64Array.of(1, 2, 3) });
    expect(thrown(() => train(sgd({ lr: 0.1 }), Float64Array.of(1, 1), { objective }))).toBe(
      'gradient: must have 2 entries (one per parameter), got 3 entries from the objective at iteration 0',
    );
  });

  test('a NaN gradient or loss from the objective throws by default, naming the entry and the iteration', () => {
    let calls = 0;
    const nanGradient = (p: Float64Array) => (++calls > 2 ? { loss: 1, gradient: Float64Array.of(NaN, 0) } : quadratic(p));
    expect(thrown(() => train(sgd({ lr: 0.1 }), Float64Array.of(1, 1), { objective: nanGradient }))).toMatch(
      /^gradient\[0\]: is NaN at iteration 2; the run diverged/,
    );
    const nanLoss = (p: Float64Array) => ({ ...quadratic(p), loss: NaN });
    expect(thrown(() => train(sgd({ lr: 0.1 }), Float64Array.of(1, 1), { objective: nanLoss }))).toMatch(/^loss: is NaN at iteration 0; /);
    const r = train(sgd({ lr: 0.1 }), Float64Array.of(1, 1), { objective: nanLoss, onNonFinite: 'stop' });
    expect(r.stopReason).toBe('non-finite');
  });

  test('a step that overflows the parameters', () => {
    const huge: Transform<null> = { init: () => null, update: (g, s) => [g.map(() => 1.7e308), s] as const };
    const flat = (p: Float64Array) => ({ loss: 0, gradient: new Float64Array(p.length).fill(1) });
    expect(thrown(() => train(huge, Float64Array.of(1e308), { objective: flat, maxIterations: 3 }))).toMatch(
      /^params\[0\]: became Infinity after the update at iteration 0/,
    );
    expect(train(huge, Float64Array.of(1e308), { objective: flat, onNonFinite: 'stop' }).stopReason).toBe('non-finite');
  });

  test('a model problem trained with a model-free optimizer stays finite', () => {
    const { objective } = modelProblem(spec, inputs, targets);
    const r = train(sgd({ lr: 0.5 }), new Float64Array(8), { objective, maxIterations: 20 });
    expect(r.history.every((h) => Number.isFinite(h.loss))).toBe(true);
  });
});

describe('train() checks its arguments and options', () => {
  test('unknown and mistyped options', () => {
    const opts = { objective: quadratic, maxIteration: 3 } as unknown as Parameters<typeof train>[2];
    expect(thrown(() => train(sgd({ lr: 0.1 }), [1], opts))).toMatch(/^maxIteration: is not a field of the train options .*did you mean "maxIterations"\?$/);
    const policy = { objective: quadratic, onNonFinite: 'ignore' } as unknown as Parameters<typeof train>[2];
    expect(thrown(() => train(sgd({ lr: 0.1 }), [1], policy))).toBe('onNonFinite: must be one of throw, stop, got "ignore"');
    expect(thrown(() => train(sgd({ lr: 0.1 }), [1], {} as Parameters<typeof train>[2]))).toMatch(/^objective: must be a function/);
    expect(thrown(() => train({} as Transform, [1], { objective: quadratic }))).toMatch(/^transform: must be a transform/);
    expect(thrown(() => train(sgd({ lr: 0.1 }), [1], { objective: quadratic, maxIterations: 1.5 }))).toBe('maxIterations: must be an integer >= 0, got 1.5');
  });

  test('a curvature optimizer without the model batch is a NatgradError at run time too', () => {
    // (a type error as well; see train-types.typecheck.ts)
    const run = train as (t: Transform<unknown, unknown>, p: Float64Array, o: object) => unknown;
    expect(thrown(() => run(kfac(), new Float64Array(8), { objective: quadratic }))).toMatch(/^extra: kfac needs the model and batch as extra/);
  });
});

describe('applyUpdates', () => {
  test('adds the step, refusing NaN, mismatched lengths and overflow', () => {
    expect(applyUpdates(Float64Array.of(1, 2), Float64Array.of(-0.5, 0.5))).toEqual(Float64Array.of(0.5, 2.5));
    expect(applyUpdates([1, 2], [0, 1])).toEqual(Float64Array.of(1, 3));
    expect(thrown(() => applyUpdates([1, 2], [0]))).toBe('step: must have 2 entries (one per parameter), got 1');
    expect(thrown(() => applyUpdates([1, NaN], [0, 0]))).toBe('params[1]: must be a finite number, got NaN');
    expect(thrown(() => applyUpdates([1e308], [1e308]))).toMatch(/^params\[0\]: overflowed to Infinity/);
  });
});
