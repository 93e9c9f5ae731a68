import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { fisherMatrix } from '../../src/curvature/dense-curvature.js';
import { eigSymmetric } from '../../src/linalg/eigen-symmetric.js';
import { flattenWeights, lossAndGradient } from '../../src/models/mlp.js';
import { scaleByAdagrad } from '../../src/optim/adagrad.js';
import { scaleByAdahessian } from '../../src/optim/adahessian.js';
import { adam, scaleByAdam } from '../../src/optim/adam.js';
import { scaleByLearningRate } from '../../src/optim/common.js';
import type { ModelBatch } from '../../src/optim/extra.js';
import { scaleByMomentum } from '../../src/optim/momentum.js';
import { naturalGradient, scaleByNaturalGradient } from '../../src/optim/natural-gradient.js';
import { NATURAL_GRADIENT_SOLVER_TABLE, NATURAL_GRADIENT_SOLVERS } from '../../src/optim/natural-gradient-solvers.js';
import { createOptimizer, OPTIMIZERS, optimizerEntry } from '../../src/optim/registry.js';
import { scaleByRmsprop } from '../../src/optim/rmsprop.js';
import { scaleByShampoo, shampoo } from '../../src/optim/shampoo.js';
import { randomProblem } from '../models/fixtures.js';
import { thrownLine } from '../natgrad-error.js';

const v = (...xs: number[]) => Float64Array.from(xs);
const run = <S>(
  t: { init(p: Float64Array): S; update(g: Float64Array, s: S, p: Float64Array, x: unknown): readonly [Float64Array, S] },
  grads: Float64Array[],
) => {
  const p = new Float64Array(grads[0].length);
  let s = t.init(p);
  let out: Float64Array = new Float64Array(0);
  for (const g of grads) [out, s] = t.update(g, s, p, undefined) as [Float64Array, S];
  return out;
};

describe('first-order transforms, by hand', () => {
  test('scaleByLearningRate multiplies by -lr (steps are added); schedules see the step count', () => {
    expect(Array.from(run(scaleByLearningRate(0.5), [v(2, -4)]))).toEqual([-1, 2]);
    expect(
      Array.from(
        run(
          scaleByLearningRate((k) => k + 1),
          [v(1), v(1), v(1)],
        ),
      ),
    ).toEqual([-3]);
  });
  test('momentum: heavy ball v = μv + g; Nesterov g + μ(μv + g)', () => {
    expect(Array.from(run(scaleByMomentum({ decay: 0.5 }), [v(1), v(1)]))).toEqual([1.5]);
    expect(Array.from(run(scaleByMomentum({ decay: 0.5, nesterov: true }), [v(1), v(1)]))).toEqual([1 + 0.5 * 1.5]);
  });
  test('Adam: the first step is g / (|g| + ε) after bias correction, i.e. about sign(g)', () => {
    const out = run(scaleByAdam({ eps: 1e-8 }), [v(3, -0.2)]);
    expect(out[0]).toBeCloseTo(3 / (3 + 1e-8), 14);
    expect(out[1]).toBeCloseTo(-0.2 / (0.2 + 1e-8), 14);
    // the alias descends
    expect(run(adam({ lr: 0.1 }), [v(3)])[0]).toBeCloseTo(-0.1, 8);
  });
  test('AdaGrad divides by sqrt(initial + Σ g²); RMSProp by sqrt of the running mean of g²', () => {
    expect(run(scaleByAdagrad({ initialAccumulator: 0, eps: 1e-300 }), [v(3), v(4)])[0]).toBeCloseTo(4 / 5, 14);
    expect(run(scaleByRmsprop({ decay: 0.5, eps: 1e-300 }), [v(2)])[0]).toBeCloseTo(2 / Math.sqrt(2), 14);
  });
  test('bad hyperparameters name the option', () => {
    expect(() => scaleByAdam({ b1: 1 })).toThrow(/b1/);
    expect(() => scaleByMomentum({ decay: -0.1 })).toThrow(NatgradError);
  });
});

describe('AdaHessian uses the Hessian diagonal, not the squared gradient', () => {
  test('one parameter (Hutchinson exact): first step m̂ / |H| with H = mean x², compared with g / |g|', () => {
    const p = randomProblem(1501, { sizes: [1, 1], activations: ['identity'], likelihood: 'gaussian', N: 5, bias: [false] });
    const params = flattenWeights(p.weights);
    const g = lossAndGradient(p.spec, p.weights, p.inputs, p.targets).gradient;
    const H = p.inputs.reduce((a, x) => a + x[0] * x[0], 0) / p.inputs.length;
    const t = scaleByAdahessian({ eps: 1e-12 });
    const batch: ModelBatch = { spec: p.spec, inputs: p.inputs, targets: p.targets, rng: new Rng(1) };
    const [out] = t.update(g, t.init(params), params, batch);
    expect(out[0]).toBeCloseTo(g[0] / H, 10);
    expect(Math.abs(out[0] - Math.sign(g[0]))).toBeGreaterThan(1e-3);
  });
  test('without an rng in extra it says what is missing', () => {
    const p = randomProblem(1502, { sizes: [1, 1], activations: ['identity'], likelihood: 'gaussian', N: 2 });
    const params = flattenWeights(p.weights);
    const t = scaleByAdahessian();
    expect(() => t.update(params, t.init(params), params, { spec: p.spec, inputs: p.inputs, targets: p.targets })).toThrow(/extra.rng/);
  });
});

describe('natural gradient at tiny damping on a rank-deficient Fisher', () => {
  test('damping 1e-300 with N = 1 (rank <= C of P = 13): the step is finite for every solver that allows it', () => {
    const p = randomProblem(1503, { sizes: [2, 3, 2], activations: ['tanh', 'identity'], likelihood: 'categorical', N: 1 });
    const params = flattenWeights(p.weights);
    expect(eigSymmetric(fisherMatrix(p.spec, p.weights, p.inputs)).values[0]).toBeLessThan(1e-12);
    const g = lossAndGradient(p.spec, p.weights, p.inputs, p.targets).gradient;
    const batch: ModelBatch = { spec: p.spec, inputs: p.inputs, targets: p.targets, rng: new Rng(2) };
    for (const o of [
      { solver: 'direct' as const },
      { solver: 'block-diagonal' as const },
      { solver: 'direct' as const, fisher: 'monte-carlo' as const, emaDecay: 0.9 },
    ]) {
      const t = scaleByNaturalGradient({ ...o, damping: 1e-300 });
      const [out] = t.update(g, t.init(params), params, batch);
      expect(out.every(Number.isFinite)).toBe(true);
    }
    expect(() => scaleByNaturalGradient({ solver: 'low-rank', damping: 0 })).toThrow(/damping/);
  });
});

describe('registry', () => {
  test('every entry builds with its defaults; unknown names list the known ones', () => {
    for (const e of OPTIMIZERS) expect(typeof e.create().init).toBe('function');
    expect(() => createOptimizer('adamw')).toThrow(/must be one of sgd/);
    expect(Object.isFrozen(optimizerEntry('kfac').defaults)).toBe(true);
  });
  test('overrides are checked by the factory', () => {
    expect(() => createOptimizer('kfac', { dampingScheme: 'none' })).toThrow(/dampingScheme/);
    expect(() => createOptimizer('natural-gradient', { solver: 'qr' })).toThrow(/solver/);
  });
});

describe('natural-gradient solvers come from one table', () => {
  test('the solver names are the table rows; a misspelled one is refused with a did-you-mean', () => {
    expect(Object.keys(NATURAL_GRADIENT_SOLVER_TABLE)).toEqual([...NATURAL_GRADIENT_SOLVERS]);
    expect(thrownLine(() => naturalGradient({ solver: 'lowrank' as never }))).toBe(
      'solver: must be one of direct, cg, low-rank, block-diagonal, got "lowrank"; did you mean "low-rank"?',
    );
  });
  test('a solver states what it needs of the damping: cg and low-rank refuse 0, the dense solvers take it', () => {
    for (const solver of ['cg', 'low-rank'] as const) {
      expect(thrownLine(() => naturalGradient({ solver, damping: 0 }))).toBe(
        `damping: the ${solver} solver needs damping > 0 (F is singular when there are fewer outer products than parameters)`,
      );
    }
    for (const solver of ['direct', 'block-diagonal'] as const) expect(() => naturalGradient({ solver, damping: 0 })).not.toThrow();
  });
});

describe('ε is `eps` in every optimizer', () => {
  test('every optimizer with an ε option calls it eps; none calls it epsilon', () => {
    for (const e of OPTIMIZERS) expect(e.optionKeys).not.toContain('epsilon');
    expect(optimizerEntry('shampoo').optionKeys).toContain('eps');
  });
  test('the former name epsilon is refused with a did-you-mean, by the optimizer, its transform and the registry', () => {
    const allowed = '(allowed: "lr", "eps", "emaDecay", "preconditionEvery")';
    expect(thrownLine(() => shampoo({ epsilon: 1e-3 } as never))).toBe(
      `epsilon: is not a field of the shampoo options ${allowed}; did you mean "eps"? ("epsilon" is its former name)`,
    );
    expect(thrownLine(() => scaleByShampoo({ epsilon: 1e-3 } as never))).toMatch(
      /^epsilon: is not a field of the scaleByShampoo options .*; did you mean "eps"\?/,
    );
    expect(thrownLine(() => createOptimizer('shampoo', { epsilon: 1e-3 }))).toMatch(
      /^epsilon: is not a field of the shampoo options \(allowed: .*\); did you mean "eps"\? \("epsilon" is its former name\)$/,
    );
    expect(thrownLine(() => adam({ lr: 0.1, epsilon: 1e-3 } as never))).toMatch(/^epsilon: .*; did you mean "eps"\?/);
    // no hint towards an option the optimizer does not have
    expect(thrownLine(() => createOptimizer('sgd', { epsilon: 1e-3 }))).toBe('epsilon: is not a field of the sgd options (allowed: "lr")');
  });
  test('eps is the value used: a different eps gives a different Shampoo step', () => {
    const p = randomProblem(7, { sizes: [2, 2], activations: ['identity'], likelihood: 'gaussian', N: 4 });
    const params = flattenWeights(p.weights);
    const g = lossAndGradient(p.spec, p.weights, p.inputs, p.targets).gradient;
    const batch: ModelBatch = { spec: p.spec, inputs: p.inputs, targets: p.targets };
    const step = (eps: number) => scaleByShampoo({ eps }).update(g, scaleByShampoo({ eps }).init(params), params, batch)[0];
    expect(Array.from(step(1e-4))).not.toEqual(Array.from(step(1)));
  });
});
