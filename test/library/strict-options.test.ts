/**
 * Strict options: every optimizer, by name through the registry or by its
 * factory, refuses an option it does not take (naming it, with a
 * did-you-mean), and refuses a negative or non-finite learning rate, also
 * when a schedule produces one.
 */
import { describe, expect, test } from 'vitest';
import { thrownLine as thrown } from '../natgrad-error.js';
import {
  adagrad,
  adahessian,
  adam,
  createOptimizer,
  gaussNewton,
  hessianFree,
  levenbergMarquardt,
  MODEL_FREE_OPTIMIZER_NAMES,
  momentum,
  naturalGradient,
  nesterov,
  newton,
  OPTIMIZERS,
  rmsprop,
  sgd,
  shampoo,
  type Transform,
} from '../../src/index.js';

describe('the registry refuses unknown options', () => {
  test("createOptimizer('kfac', { dampnig: 1 }) names dampnig and suggests damping", () => {
    expect(thrown(() => createOptimizer('kfac', { dampnig: 1 }))).toMatch(
      /^dampnig: is not a field of the kfac options \(allowed: .*"damping".*\); did you mean "damping"\?$/,
    );
  });

  test.each(OPTIMIZERS.map((e) => e.name))('%s: an unknown option, a non-object and a misspelled name', (name) => {
    expect(thrown(() => createOptimizer(name, { bogusOption: 1 }))).toMatch(new RegExp(`^bogusOption: is not a field of the ${name} options`));
    expect(thrown(() => createOptimizer(name, null as unknown as Record<string, unknown>))).toMatch(/^options: must be an object of options/);
    expect(thrown(() => createOptimizer(`${name}x`))).toMatch(/^optimizer: must be one of .*did you mean/);
  });

  test.each(OPTIMIZERS.map((e) => e.name))('%s: every default is an allowed option and the defaults build', (name) => {
    const entry = OPTIMIZERS.find((e) => e.name === name)!;
    for (const key of Object.keys(entry.defaults)) expect(entry.optionKeys).toContain(key);
    expect(typeof entry.create().update).toBe('function');
  });

  test('the model-free names are exactly the entries that need no model (the types of createOptimizer rely on it)', () => {
    expect(
      OPTIMIZERS.filter((e) => !e.needsModel)
        .map((e) => e.name)
        .sort(),
    ).toEqual([...MODEL_FREE_OPTIMIZER_NAMES].sort());
  });
});

type Factory = (o: unknown) => Transform<unknown, never>;
const f = (make: unknown): Factory => make as Factory;
const FACTORIES: [string, Factory, object][] = [
  ['sgd', f(sgd), { lr: 0.1 }],
  ['momentum', f(momentum), { lr: 0.1 }],
  ['nesterov', f(nesterov), { lr: 0.1 }],
  ['adam', f(adam), { lr: 0.1 }],
  ['adagrad', f(adagrad), { lr: 0.1 }],
  ['rmsprop', f(rmsprop), { lr: 0.1 }],
  ['adahessian', f(adahessian), { lr: 0.1 }],
  ['newton', f(newton), {}],
  ['gauss-newton', f(gaussNewton), {}],
  ['levenberg-marquardt', f(levenbergMarquardt), {}],
  ['natural-gradient', f(naturalGradient), {}],
  ['hessian-free', f(hessianFree), {}],
  ['shampoo', f(shampoo), {}],
];

describe('each factory refuses unknown options', () => {
  test.each(FACTORIES)('%s', (name, make, valid) => {
    expect(() => make(valid)).not.toThrow();
    expect(thrown(() => make({ ...valid, bogusOption: 1 }))).toMatch(new RegExp(`^bogusOption: is not a field of the ${name} options`));
    expect(thrown(() => make(null))).toMatch(/^options: must be an object of options/);
    expect(thrown(() => make(5))).toMatch(/^options: must be an object of options/);
  });

  test('nested options are strict too', () => {
    expect(thrown(() => naturalGradient({ solver: 'cg', cg: { rtol: 1e-6, maxIteration: 5 } as never }))).toMatch(
      /^cg.maxIteration: is not a field of the cg options.*did you mean "maxIterations"\?$/,
    );
    expect(thrown(() => hessianFree({ lineSearch: { shrnk: 0.5 } as never }))).toMatch(/^lineSearch.shrnk: .*did you mean "shrink"\?$/);
    expect(thrown(() => newton({ clip: { mode: 'floor', threshold: 1, extra: 1 } as never }))).toMatch(/^clip.extra: is not a field of the clip option/);
    expect(thrown(() => hessianFree({ lr: 1 } as never))).toBe('lr: hessian-free chooses its step length by a line search; remove lr');
  });

  test('mistyped values are refused rather than coerced', () => {
    expect(thrown(() => adam({ lr: 0.1, b1: '0.5' as never }))).toBe('b1: must be a number, got "0.5"');
    expect(thrown(() => adam({ lr: 0.1, b1: 1.5 }))).toBe('b1: must be a number in [0, 1), got 1.5');
    expect(thrown(() => createOptimizer('kfac', { damping: Symbol('d') }))).toBe('damping: must be a number, got Symbol(d)');
    expect(thrown(() => momentum({ lr: 0.1, nesterov: 'false' as never }))).toBe('nesterov: must be true or false, got "false"');
  });
});

describe('learning rates', () => {
  test.each(OPTIMIZERS.filter((e) => e.optionKeys.includes('lr')).map((e) => e.name))('%s refuses a negative, NaN or infinite lr', (name) => {
    for (const lr of [-0.1, NaN, Infinity, '0.1'])
      expect(thrown(() => createOptimizer(name, { lr }))).toMatch(/^lr: must be a finite number >= 0 or a schedule/);
  });

  test('a schedule that turns negative is refused at that step', () => {
    const opt = sgd({ lr: (step) => 0.1 - 0.05 * step });
    const p = Float64Array.of(1);
    let state = opt.init(p);
    for (let step = 0; step < 3; step++) state = opt.update(Float64Array.of(1), state, p, undefined)[1];
    expect(thrown(() => opt.update(Float64Array.of(1), state, p, undefined))).toBe(
      'lr: the schedule gave -0.05000000000000002 at step 3; a learning rate must be a finite number >= 0',
    );
  });
});
