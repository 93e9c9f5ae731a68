/**
 * The library's boundary beyond train(): each optimizer's update, the MLP,
 * the model curvature and the evolution strategies refuse NaN, wrong shapes
 * and impossible sizes with a NatgradError naming the value.
 */
import { describe, expect, test } from 'vitest';
import {
  createOptimizer,
  flattenWeights,
  forward,
  initWeights,
  lossAndGradient,
  type MlpSpec,
  modelCurvature,
  modelFisherMatrix,
  loadBreastCancer,
  loadDigits,
  Matrix,
  modelProblem,
  OPTIMIZERS,
  Rng,
} from '../../src/index.js';
import { snes, sphere, xnes } from '../../src/es/index.js';
import { onePlusOneEs } from '../../src/es/one-plus-one-es.js';
import { thrownLine as thrown } from '../natgrad-error.js';

const spec: MlpSpec = { sizes: [3, 4, 2], activations: ['tanh', 'identity'], likelihood: 'categorical' };
const inputs = [Float64Array.of(1, 2, 3), Float64Array.of(0, 1, 0), Float64Array.of(1, 0, 0)];
const targets = [0, 1, 0];
const weights = initWeights(spec, new Rng(3));
const params = flattenWeights(weights);

describe('every optimizer refuses non-finite parameters and gradients at update', () => {
  const { extra } = modelProblem(spec, inputs, targets);
  const batch = extra(params, 0);
  const P = params.length;

  test.each(OPTIMIZERS.map((e) => e.name))('%s', (name) => {
    const opt = createOptimizer(name);
    const state = opt.init(params);
    const g = new Float64Array(P).fill(0.1);
    const nanGradient = Float64Array.from(g);
    nanGradient[0] = NaN;
    const nanParams = Float64Array.from(params);
    nanParams[5] = Infinity;
    expect(thrown(() => opt.update(nanGradient, state, params, batch))).toBe('gradient[0]: must be a finite number, got NaN');
    expect(thrown(() => opt.update(g, state, nanParams, batch))).toBe('params[5]: must be a finite number, got Infinity');
    expect(thrown(() => opt.update(g.subarray(1), state, params, batch))).toBe(`gradient: must have ${P} entries (one per parameter), got ${P - 1}`);
    expect(() => opt.update(g, state, params, batch)).not.toThrow();
  });

  test.each(OPTIMIZERS.filter((e) => e.needsModel && e.name !== 'shampoo').map((e) => e.name))('%s refuses NaN data in the batch', (name) => {
    const opt = createOptimizer(name);
    const bad = inputs.map((x) => Float64Array.from(x));
    bad[1][2] = NaN;
    const badBatch = { spec, inputs: bad, targets, rng: new Rng(1) };
    expect(thrown(() => opt.update(new Float64Array(params.length), opt.init(params), params, badBatch))).toBe(
      'extra.inputs[1][2]: must be a finite number, got NaN',
    );
  });
});

describe('the MLP', () => {
  test('a forward pass refuses an input of the wrong width, or with NaN', () => {
    expect(thrown(() => forward(spec, weights, Float64Array.of(1, 2)))).toBe('x: must have 3 entries (the input width, sizes[0]), got 2');
    expect(thrown(() => forward(spec, weights, Float64Array.of(1, NaN, 2)))).toBe('x[1]: must be a finite number, got NaN');
    expect(forward(spec, weights, Float64Array.of(1, 2, 3)).output).toHaveLength(2);
  });

  test('lossAndGradient refuses NaN weights and NaN inputs', () => {
    const nan = weights.map(({ W, b }) => ({ W: W.clone(), b: Float64Array.from(b) }));
    nan[1].W.data[3] = NaN;
    expect(thrown(() => lossAndGradient(spec, nan, inputs, targets))).toBe('weights[1].W: entries must be finite numbers, entry 3 is NaN');
    const bad = inputs.map((x) => Float64Array.from(x));
    bad[2][0] = Infinity;
    expect(thrown(() => lossAndGradient(spec, weights, bad, targets))).toBe('inputs[2][0]: must be a finite number, got Infinity');
  });

  test('a spec with an unknown field, or too many parameters, is refused', () => {
    expect(thrown(() => initWeights({ ...spec, sizez: [1] } as MlpSpec, new Rng(1)))).toMatch(
      /^spec.sizez: is not a field of an MLP spec.*did you mean "sizes"\?$/,
    );
    expect(thrown(() => initWeights({ sizes: [100000, 100000, 2], activations: ['tanh', 'identity'], likelihood: 'categorical' }, new Rng(1)))).toMatch(
      /^spec.sizes: the parameter vector of this model would have 10000300002 entries, more than the limit of 2\^26/,
    );
  });
});

describe('model curvature', () => {
  test('null arguments and a bad likelihood are NatgradErrors, not TypeErrors', () => {
    expect(thrown(() => modelCurvature(null as unknown as MlpSpec, weights, inputs, targets, 'fisher'))).toMatch(/^spec.model: must be an MLP spec/);
    expect(thrown(() => modelCurvature(spec, null as never, inputs, targets, 'fisher'))).toMatch(/^spec.weights: must be an array of 2 layers/);
    expect(thrown(() => modelCurvature({ ...spec, likelihood: 'poisson' as never }, weights, inputs, targets, 'fisher'))).toMatch(
      /^spec.model.likelihood: must be one of categorical, bernoulli, gaussian, mse, got "poisson"/,
    );
    expect(thrown(() => modelCurvature(spec, weights, inputs, targets, 'hessain' as never))).toMatch(
      /^spec.curvature: must be one of fisher, empirical-fisher, ggn, hessian/,
    );
    expect(thrown(() => modelFisherMatrix(spec, weights, [Float64Array.of(1)]))).toBe('inputs[0]: must have 3 entries (the input width, sizes[0]), got 1');
  });

  test('a huge curvature request is refused before any work', () => {
    const big: MlpSpec = { sizes: [1000, 9, 2], activations: ['tanh', 'identity'], likelihood: 'categorical' };
    // P = 9029 parameters: the 9029 x 9029 matrix has 8.2e7 > 2^26 entries. Weights of the right shape, no data work.
    const w = initWeights(big, new Rng(1));
    const cpu0 = process.cpuUsage();
    expect(thrown(() => modelCurvature(big, w, [new Float64Array(1000)], [0], 'fisher'))).toMatch(
      /^spec.model.sizes: the 9029 x 9029 curvature matrix of this model would have 81522841 entries/,
    );
    expect(thrown(() => modelFisherMatrix(big, w, [new Float64Array(1000)]))).toMatch(/curvature matrix of this model would have 81522841 entries/);
    // refused by arithmetic, not by running out of memory: CPU time, which a loaded machine does not stretch
    const cpu = process.cpuUsage(cpu0);
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(5000);
  });
});

describe('evolution strategies', () => {
  test.each([
    ['xnes', xnes],
    ['snes', snes],
    ['one-plus-one-es', onePlusOneEs],
  ] as const)('%s refuses a NaN mean and bad options, and never returns a NaN fitness as its best', (name, run) => {
    expect(thrown(() => run(sphere, 2, { mean: Float64Array.of(NaN, 0) }))).toBe('mean[0]: must be a finite number, got NaN');
    expect(thrown(() => run(sphere, 2, { mean: Float64Array.of(0) }))).toBe('mean: must have 2 entries (d), got 1');
    expect(thrown(() => run(sphere, 2, { sigma: -1 }))).toBe('sigma: must be a finite number > 0, got -1');
    expect(thrown(() => run(sphere, 2, { sigmma: 1 } as never))).toMatch(
      new RegExp(`^sigmma: is not a field of the ${name} options.*did you mean "sigma"\\?$`),
    );
    expect(thrown(() => run(null as never, 2))).toMatch(/^f: must be a function/);
    expect(thrown(() => run(sphere, 0))).toBe('d: must be an integer >= 1, got 0');
    expect(thrown(() => run((() => 'x') as never, 2, { maxEvaluations: 50 }))).toMatch(/^f: returned "x" at evaluation 1; a fitness must be a number/);
    if (name === 'one-plus-one-es') {
      expect(thrown(() => run(() => NaN, 2, { maxEvaluations: 50 }))).toMatch(/^f: returned NaN at the start point/);
    } else {
      // a population search stops on a NaN fitness and says so (PyBrain's rule), never returning NaN as the best
      const r = run(() => NaN, 2, { maxEvaluations: 50 }) as { stop: string; best: number };
      expect(r.stop).toBe('NaN fitness');
      expect(Number.isNaN(r.best)).toBe(false);
    }
    expect(run(sphere, 2, { maxEvaluations: 200, seed: 3 }).evaluations).toBeGreaterThan(0);
  });

  test('xNES refuses a dimension whose covariance factor exceeds the size limit', () => {
    expect(thrown(() => xnes(sphere, 10_000))).toMatch(/^d: the 10000 x 10000 search covariance factor would have 100000000 entries/);
  });
});

describe('core types and data loaders', () => {
  test('a matrix larger than the size limit is refused before allocation', () => {
    expect(thrown(() => new Matrix(100_000, 100_000))).toBe(
      'matrix: a 100000 x 100000 matrix would have 10000000000 entries, more than the limit of 2^26 = 67108864',
    );
    expect(thrown(() => new Matrix(2, 2, [1, 2, 3, 4] as unknown as Float64Array))).toBe('matrix: data must be a Float64Array, got an array of length 4');
  });

  test('the loaders check their options', () => {
    expect(thrown(() => loadDigits({ featurs: 'unit-interval' } as never))).toMatch(
      /^featurs: is not a field of the loadDigits options.*did you mean "features"\?$/,
    );
    expect(thrown(() => loadBreastCancer({ testFraction: 0.999 }))).toMatch(/^testFraction: leaves 568 of 569 rows for testing/);
    expect(thrown(() => loadBreastCancer({ dataDir: 3 } as never))).toBe('dataDir: must be the path of a folder (a string), got 3');
    const d = loadBreastCancer({ seed: 2 });
    expect([d.trainInputs.length, d.testInputs.length, d.classes]).toEqual([455, 114, 2]);
  });
});
