/**
 * The reduction of the loss (`mean`, `sum`, `mean-elements`) through the
 * whole library: an MlpSpec or Sequential that says `sum` has a loss,
 * gradient and every curvature (dense, diagonal, layer blocks, products,
 * low-rank factor, K-FAC joint and separate, EKFAC, the Monte Carlo Fisher's
 * moments, per-example gradients) exactly N times those of the mean, and
 * `mean-elements` divides by the number of predictions (times D for mse).
 * Each check compares the ratio with the factor and with the factor dropped
 * (1) and applied twice, so a missing or doubled factor fails. The
 * optimizers then train on a sum loss without hand rescaling: SGD at lr/N
 * follows the mean's trajectory, and natural gradient and K-FAC with the
 * damping scaled by N take the mean's steps.
 */
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import type { Vec } from '../../src/core/vec.js';
import { curvatureLayerBlocks } from '../../src/curvature/block-diagonal.js';
import { curvatureVectorProduct, gaussNewtonForms } from '../../src/curvature/curvature-products.js';
import { MODEL_CURVATURES, modelCurvature } from '../../src/curvature/dense-curvature.js';
import { curvatureDiagonal } from '../../src/curvature/diagonal.js';
import { ekfacBlocks } from '../../src/curvature/ekfac.js';
import { kfacResult } from '../../src/curvature/kfac.js';
import { curvatureFactor, factorOperator } from '../../src/curvature/low-rank.js';
import { curvatureMatrix, perExampleGradients } from '../../src/curvature/model-curvature.js';
import { monteCarloFisherMoments } from '../../src/curvature/monte-carlo-fisher.js';
import { type MlpSpec, flattenWeights, lossAndGradient, meanLoss, mlpProblem } from '../../src/models/mlp.js';
import type { Reduction } from '../../src/models/output-loss.js';
import { Sequential } from '../../src/models/sequential.js';
import { kfac } from '../../src/optim/kfac.js';
import { naturalGradient } from '../../src/optim/natural-gradient.js';
import { sgd } from '../../src/optim/sgd.js';
import { modelProblem, sequentialProblem, train } from '../../src/optim/train.js';
import { randomProblem } from '../models/fixtures.js';
import { randomProblem as randomSequentialProblem } from '../models/sequential-fixtures.js';

/** Sums of a few hundred products in another order: 2^-40 of the scale; a wrong factor is off by O(1). */
const TOL = 2 ** -40;

/** max |a - f b| / max |f b|. */
function gap(a: ArrayLike<number>, b: ArrayLike<number>, f: number): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  let scale = 1e-300;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - f * b[i]));
    scale = Math.max(scale, Math.abs(f * b[i]));
  }
  return worst / scale;
}

/** a = f b to rounding, and neither a = b (factor dropped) nor a = f² b (applied twice). */
function expectFactor(a: ArrayLike<number>, b: ArrayLike<number>, f: number, what: string): void {
  expect(gap(a, b, f), `${what}: scaled by ${f}`).toBeLessThan(TOL);
  expect(gap(a, b, 1), `${what}: the factor dropped`).toBeGreaterThan(1e-3);
  expect(gap(a, b, f * f), `${what}: the factor applied twice`).toBeGreaterThan(1e-3);
}

const N = 5;
const withReduction = (spec: MlpSpec, reduction: Reduction): MlpSpec => ({ ...spec, reduction });

describe.each([
  ['categorical', [3, 4, 3], 1],
  ['bernoulli', [3, 4, 1], 1],
  ['gaussian', [3, 4, 2], 1],
  ['mse', [3, 4, 2], 2],
] as const)('an MLP with the %s likelihood', (likelihood, sizes, elements) => {
  const p = randomProblem(1400 + sizes[2], { sizes: [...sizes], activations: ['tanh', 'identity'], likelihood, N });
  const mean = p.spec;
  // mean-elements divides by N predictions, and for mse by N·D elements
  const cases: [Reduction, number][] = [
    ['sum', N],
    ['mean-elements', 1 / elements],
  ];
  const realCases = cases.filter(([, f]) => f !== 1);

  test.each(realCases)('%s: the loss and its gradient are the mean ones times the factor', (reduction, f) => {
    const a = lossAndGradient(withReduction(mean, reduction), p.weights, p.inputs, p.targets);
    const b = lossAndGradient(mean, p.weights, p.inputs, p.targets);
    expectFactor([a.loss], [b.loss], f, 'loss');
    expectFactor(a.gradient, b.gradient, f, 'gradient');
    expect(meanLoss(withReduction(mean, reduction), p.weights, p.inputs, p.targets)).toBeCloseTo(a.loss, 12);
  });

  test.each(realCases)('%s: every dense curvature, diagonal, layer block, product and low-rank factor carries the factor', (reduction, f) => {
    const spec = withReduction(mean, reduction);
    const v = Float64Array.from({ length: p.weights.reduce((s, w) => s + w.W.data.length + w.b.length, 0) }, (_, i) => Math.sin(i + 1));
    for (const kind of MODEL_CURVATURES) {
      expectFactor(
        modelCurvature(spec, p.weights, p.inputs, p.targets, kind).matrix.data,
        modelCurvature(mean, p.weights, p.inputs, p.targets, kind).matrix.data,
        f,
        kind,
      );
      expectFactor(
        curvatureDiagonal(spec, p.weights, p.inputs, p.targets, kind),
        curvatureDiagonal(mean, p.weights, p.inputs, p.targets, kind),
        f,
        `${kind} diagonal`,
      );
      expectFactor(
        curvatureVectorProduct(spec, p.weights, p.inputs, p.targets, kind, v),
        curvatureVectorProduct(mean, p.weights, p.inputs, p.targets, kind, v),
        f,
        `${kind} product`,
      );
    }
    for (const kind of ['fisher', 'empirical-fisher', 'ggn'] as const) {
      const blocks = curvatureLayerBlocks(spec, p.weights, p.inputs, p.targets, kind);
      const meanBlocks = curvatureLayerBlocks(mean, p.weights, p.inputs, p.targets, kind);
      blocks.forEach((B, l) => expectFactor(B.data, meanBlocks[l].data, f, `${kind} block ${l}`));
      const op = factorOperator(curvatureFactor(spec, p.weights, p.inputs, p.targets, kind));
      expectFactor(op.matvec(v), factorOperator(curvatureFactor(mean, p.weights, p.inputs, p.targets, kind)).matvec(v), f, `${kind} low-rank factor`);
    }
    expectFactor(
      gaussNewtonForms(spec, p.weights, p.inputs, p.targets, 'ggn', [v]).flat(),
      gaussNewtonForms(mean, p.weights, p.inputs, p.targets, 'ggn', [v]).flat(),
      f,
      'quadratic form',
    );
  });

  test.each(realCases)(
    '%s: K-FAC (joint and separate bias) keeps A and puts the factor into G; EKFAC, the Monte Carlo moments and per-example gradients carry it',
    (reduction, f) => {
      const a = mlpProblem(withReduction(mean, reduction), p.weights, p.inputs, p.targets);
      const b = mlpProblem(mean, p.weights, p.inputs, p.targets);
      for (const bias of ['joint', 'separate'] as const) {
        for (const fisher of ['fisher', 'empirical-fisher'] as const) {
          const ka = kfacResult(a.model, a.theta, a.batch, { fisher, bias, damping: 0.1 });
          const kb = kfacResult(b.model, b.theta, b.batch, { fisher, bias, damping: 0.1 });
          ka.blocks.forEach((blk, k) => {
            expect(gap(blk.A.data, kb.blocks[k].A.data, 1), `${bias} ${fisher} A`).toBeLessThan(TOL);
            expectFactor(blk.G.data, kb.blocks[k].G.data, f, `${bias} ${fisher} G`);
            expectFactor(blk.gradient.data, kb.blocks[k].gradient.data, f, `${bias} ${fisher} gradient`);
            if (blk.biasGradient) expectFactor(blk.biasGradient, kb.blocks[k].biasGradient as Vec, f, `${bias} bias gradient`);
          });
        }
      }
      const ea = ekfacBlocks(a.model, a.theta, a.batch, { fisher: 'fisher' });
      const eb = ekfacBlocks(b.model, b.theta, b.batch, { fisher: 'fisher' });
      ea.blocks.forEach((blk, k) => expectFactor(blk.scalings.data, eb.blocks[k].scalings.data, f, 'EKFAC scalings'));
      const ma = monteCarloFisherMoments(a.model, a.theta, a.batch, 3);
      const mb = monteCarloFisherMoments(b.model, b.theta, b.batch, 3);
      expectFactor(ma.value.data, mb.value.data, f, 'Monte Carlo expectation');
      expectFactor(ma.standardError.data, mb.standardError.data, f, 'Monte Carlo standard error');
      expectFactor(perExampleGradients(a.model, a.theta, a.batch).data, perExampleGradients(b.model, b.theta, b.batch).data, f, 'per-example gradients');
    },
  );
});

describe('per-position outputs of a sequential model', () => {
  const T = 3;
  const K = 2;
  const spec = (likelihood: 'categorical' | 'mse') => ({
    input: [T, 3],
    layers: [
      { type: 'linear' as const, out: 4 },
      { type: 'activation' as const, fn: 'tanh' as const },
      { type: 'linear' as const, out: K },
    ],
    likelihood,
  });

  test.each([
    ['categorical', 'sum', N],
    ['categorical', 'mean-elements', 1 / T],
    ['mse', 'sum', N],
    ['mse', 'mean-elements', 1 / (T * K)],
  ] as const)('%s, %s: the loss, gradient and every curvature are the mean ones times %d (mean sums over positions)', (likelihood, reduction, f) => {
    const p = randomSequentialProblem(1450, spec(likelihood), N);
    const other = p.model.withReduction(reduction);
    const batch = { x: p.x, targets: p.targets };
    const a = other.lossAndGradient(p.theta, p.x, p.targets);
    const b = p.model.lossAndGradient(p.theta, p.x, p.targets);
    expectFactor([a.loss], [b.loss], f, 'loss');
    expectFactor(a.gradient, b.gradient, f, 'gradient');
    for (const kind of MODEL_CURVATURES)
      expectFactor(curvatureMatrix(other, p.theta, batch, kind).data, curvatureMatrix(p.model, p.theta, batch, kind).data, f, kind);
  });
});

describe('the optimizers train on a sum loss without hand rescaling', () => {
  const p = randomProblem(1460, { sizes: [3, 4, 3], activations: ['tanh', 'identity'], likelihood: 'categorical', N: 8 });
  const theta0 = flattenWeights(p.weights);
  const run = (reduction: Reduction, transform: Parameters<typeof train>[0]) => {
    const { objective, extra } = modelProblem(p.spec, p.inputs, p.targets, 3, { reduction });
    return train(transform as never, theta0, { objective, extra, maxIterations: 6 } as never);
  };

  test('SGD on the sum at lr/N follows the trajectory of SGD on the mean at lr; at lr it does not', () => {
    const mean = run('mean', sgd({ lr: 0.3 }));
    const sum = run('sum', sgd({ lr: 0.3 / 8 }));
    expect(gap(sum.params, mean.params, 1)).toBeLessThan(1e-12);
    sum.history.forEach((r, i) => expect(r.loss / 8).toBeCloseTo(mean.history[i].loss, 12));
    const unscaled = run('sum', sgd({ lr: 0.3 }));
    expect(gap(unscaled.params, mean.params, 1)).toBeGreaterThan(1e-3);
  });

  test.each([
    ['natural gradient', (d: number) => naturalGradient({ lr: 0.5, damping: d })],
    // the plain damped step: K-FAC's KL clip bounds Δᵀ F Δ by a constant, which no reduction leaves unchanged
    ['K-FAC (exact damping)', (d: number) => kfac({ lr: 0.5, damping: d, dampingScheme: 'exact', adaptiveDamping: false, rescale: 'none', klClip: null })],
    [
      'K-FAC (step rescaled by the quadratic model, adaptive damping)',
      (d: number) => kfac({ lr: 1, damping: d, dampingScheme: 'exact', rescale: 'alpha-mu', klClip: null }),
    ],
  ] as const)('%s on the sum with damping N λ takes the steps of the mean with λ; with λ it does not', (_name, make) => {
    const mean = run('mean', make(0.1));
    const sum = run('sum', make(0.8));
    expect(gap(sum.params, mean.params, 1)).toBeLessThan(1e-9);
    const unscaled = run('sum', make(0.1));
    expect(gap(unscaled.params, mean.params, 1)).toBeGreaterThan(1e-6);
  });

  test('sequentialProblem takes the reduction too, and bad reductions are named', () => {
    const model = new Sequential({ input: [3], layers: [{ type: 'linear', out: 2 }], likelihood: 'categorical' });
    const x = randomSequentialProblem(1461, model.spec, 4).x;
    const targets = [0, 1, 1, 0];
    const theta = model.initParams(new Rng(2));
    const mean = sequentialProblem(model, x, targets).objective(theta, 0);
    const sum = sequentialProblem(model, x, targets, { reduction: 'sum' }).objective(theta, 0);
    expectFactor([sum.loss], [mean.loss], 4, 'loss');
    expect(() => sequentialProblem(model, x, targets, { reduction: 'total' as Reduction })).toThrow(/options\.reduction.*mean, sum, mean-elements/);
    expect(() => modelProblem(p.spec, p.inputs, p.targets, 0, { reduction: 'avg' as Reduction })).toThrow(/options\.reduction/);
    expect(() => lossAndGradient({ ...p.spec, reduction: 'none' as Reduction }, p.weights, p.inputs, p.targets)).toThrow(/spec\.reduction/);
  });
});
