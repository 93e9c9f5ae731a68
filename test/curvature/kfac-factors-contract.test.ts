/**
 * The K-FAC factors' smaller contracts: the options' defaults and refusals,
 * A and G of the expand and reduce approximations on numbers worked by hand,
 * the Monte Carlo G as the mean of the empirical G at the labels drawn, the
 * gradient returned or not, the bias helpers, and the refusals of the
 * standard errors.
 */
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import {
  blockBias,
  blockIndex,
  inputFactor,
  kfacFactorOptions,
  kfacFactors,
  monteCarloGStandardErrors,
  outputFactor,
  reducedGradients,
} from '../../src/curvature/kfac-factors.js';
import { sampleLabelSets } from '../../src/curvature/monte-carlo-fisher.js';
import { LAYER_MODELS, randomProblem } from '../models/sequential-fixtures.js';
import { thrownError, thrownLine } from '../natgrad-error.js';
import { expectClose } from './expect-close.js';

const p = randomProblem(2001, LAYER_MODELS['linear shared over positions, softplus, per-position categorical'], 3);
const batch = { x: p.x, targets: p.targets };

describe('options', () => {
  test('defaults: fisher, expand, joint, one sample, with the gradient', () => {
    const o = kfacFactorOptions();
    expect(o).toEqual({ fisher: 'fisher', approximation: 'expand', bias: 'joint', samples: 1, rng: undefined, gradient: true });
    expect(kfacFactorOptions({ gradient: false }).gradient).toBe(false);
  });

  test('refusals name the option', () => {
    expect(thrownError(() => kfacFactorOptions({ fisher: 'ggn' as 'fisher' })).path).toBe('fisher');
    expect(thrownError(() => kfacFactorOptions({ approximation: 'mean' as 'expand' })).path).toBe('approximation');
    expect(thrownError(() => kfacFactorOptions({ bias: 'shared' as 'joint' })).path).toBe('bias');
    expect(thrownError(() => kfacFactorOptions({ samples: 0 })).path).toBe('samples');
    expect(thrownLine(() => kfacFactorOptions({ fisher: 'monte-carlo' }))).toBe('rng: a Monte Carlo K-FAC draws labels and needs a seeded rng');
  });
});

describe('factors by hand', () => {
  // N = 2 examples, R = 2 positions, fanIn 1: inputs a = (1, 3 | 2, -2)
  const inputs = Float64Array.of(1, 3, 2, -2);

  test('expand: A = mean over the N R rows of [a; 1][a; 1]ᵀ', () => {
    // mean a² = (1 + 9 + 4 + 4) / 4 = 4.5, mean a = 1
    expect(inputFactor(inputs, 2, 2, 1, 2, 'expand').toArray()).toEqual([
      [4.5, 1],
      [1, 1],
    ]);
    expect(inputFactor(inputs, 2, 2, 1, 1, 'expand').toArray()).toEqual([[4.5]]);
  });

  test('reduce: A = mean over examples of [â; 1][â; 1]ᵀ, â the mean over positions', () => {
    // â = (2, 0): mean â² = 2, mean â = 1
    expect(inputFactor(inputs, 2, 2, 1, 2, 'reduce').toArray()).toEqual([
      [2, 1],
      [1, 1],
    ]);
  });

  test('reduce with two inputs per position: â averages each input over the positions', () => {
    // N = 2, R = 2, fanIn 2: rows (1, 2), (3, 0) | (0, 4), (2, -2); â = (2, 1) | (1, 1)
    const wide = Float64Array.of(1, 2, 3, 0, 0, 4, 2, -2);
    expect(inputFactor(wide, 2, 2, 2, 3, 'reduce').toArray()).toEqual([
      [2.5, 1.5, 1.5],
      [1.5, 1, 1],
      [1.5, 1, 1],
    ]);
  });

  test('G: expand keeps the N R rows, reduce sums each example’s positions', () => {
    // out 2; rows (n, r): (1, 0), (0, 2) | (1, 1), (1, 1)
    const grads = Float64Array.of(1, 0, 0, 2, 1, 1, 1, 1);
    expect(Array.from(reducedGradients(grads, 2, 2, 2, 'reduce').data)).toEqual([1, 2, 2, 2]);
    expect(reducedGradients(grads, 2, 2, 2, 'reduce').rows).toBe(2);
    expect(reducedGradients(grads, 2, 2, 2, 'expand').rows).toBe(4);
    expect(reducedGradients(grads, 2, 1, 4, 'reduce').rows).toBe(2);
    expect(outputFactor(grads, 2, 2, 2, 'expand', 0.5).toArray()).toEqual([
      [1.5, 1],
      [1, 3],
    ]);
    expect(outputFactor(grads, 2, 2, 2, 'reduce', 0.5).toArray()).toEqual([
      [2.5, 3],
      [3, 4],
    ]);
    expect(outputFactor(new Float64Array(0), 0, 2, 2, 'expand', 1).toArray()).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });
});

describe('factors of a model', () => {
  test('the Monte Carlo G is the mean of the empirical G at the labels drawn', () => {
    const M = 3;
    const mc = kfacFactors(p.model, p.theta, batch, { fisher: 'monte-carlo', samples: M, rng: new Rng(2002) });
    const sets = sampleLabelSets(p.model, p.theta, p.x, M, new Rng(2002));
    const per = sets.map((targets) => kfacFactors(p.model, p.theta, { x: p.x, targets }, { fisher: 'empirical-fisher' }));
    mc.blocks.forEach((b, k) => {
      expectClose(
        b.G.data,
        b.G.data.map((_, q) => per.reduce((a, s) => a + s.blocks[k].G.data[q], 0) / M),
        1e-13,
      );
      expect(Array.from(b.A.data)).toEqual(Array.from(per[0].blocks[k].A.data));
    });
  });

  test('the gradient: the loss gradient for every Fisher, null when not asked for', () => {
    const { gradient, loss } = p.model.lossAndGradient(p.theta, p.x, p.targets);
    for (const fisher of ['fisher', 'empirical-fisher'] as const) {
      const set = kfacFactors(p.model, p.theta, batch, { fisher });
      expectClose(set.gradient as Float64Array, gradient, 1e-14);
      expect(set.loss).toBeCloseTo(loss, 13);
      expect(kfacFactors(p.model, p.theta, batch, { fisher, gradient: false }).gradient).toBeNull();
    }
  });

  test('bias helpers: no bias gives null; the bias column indexes the bias', () => {
    const set = kfacFactors(p.model, p.theta, batch);
    const [withBias, without] = set.blocks;
    expect(without.biasOffset).toBeNull();
    expect(blockBias(without, new Float64Array(p.model.paramCount))).toBeNull();
    expect(blockIndex(withBias, 1, withBias.fanIn)).toBe((withBias.biasOffset as number) + 1);
    expect(blockIndex(withBias, 1, 0)).toBe(withBias.weightOffset + withBias.fanIn);
  });

  test('the standard errors refuse zero samples and an unknown approximation', () => {
    expect(thrownError(() => monteCarloGStandardErrors(p.model, p.theta, batch, 'expand', 0)).path).toBe('samples');
    expect(thrownError(() => monteCarloGStandardErrors(p.model, p.theta, batch, 'mean' as 'expand', 2)).path).toBe('approximation');
  });
});
