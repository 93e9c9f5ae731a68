/**
 * The optimizer engine on Sequential models: K-FAC (KFC for the convolution,
 * expand for the attention projections), EKFAC and natural gradient with
 * each Fisher train a small CNN on the 8x8 digits and a small causal
 * attention model on a synthetic sequence task; mini-batches are shuffled
 * per epoch from a seed and K-FAC keeps running averages across them.
 */
import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import type { Vec } from '../../src/core/vec.js';
import { kfacFactors } from '../../src/curvature/kfac.js';
import { loadDigits } from '../../src/data/datasets.js';
import { ekfac } from '../../src/optim/ekfac.js';
import type { SequentialBatch } from '../../src/optim/extra.js';
import { gaussNewton } from '../../src/optim/gauss-newton.js';
import { kfac, scaleByKfac } from '../../src/optim/kfac.js';
import { naturalGradient } from '../../src/optim/natural-gradient.js';
import { adam } from '../../src/optim/adam.js';
import { momentum } from '../../src/optim/momentum.js';
import { scaleByShampoo, sequentialTensors, shampoo } from '../../src/optim/shampoo.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { symmetricPower } from '../../src/linalg/matrix-function.js';
import { addScaledIdentity, matmul, matmulNT, matmulTN } from '../../src/linalg/ops.js';
import { mlpModel, type MlpSpec } from '../../src/models/mlp.js';
import { miniBatchSchedule, sequentialProblem, train } from '../../src/optim/train.js';
import type { Transform } from '../../src/optim/transform.js';
import type { ExampleTarget } from '../../src/models/output-loss.js';
import { Sequential } from '../../src/models/sequential.js';
import { Tensor } from '../../src/models/tensor.js';

/** The first N training digits as [N, 1, 8, 8] images with pixels in [0, 1]. */
function digits(N: number): { x: Tensor; targets: number[] } {
  const d = loadDigits({ features: 'unit-interval' });
  const x = Tensor.zeros(N, [1, 8, 8]);
  for (let n = 0; n < N; n++) x.data.set(d.trainInputs[n], n * 64);
  return { x, targets: d.trainLabels.slice(0, N) };
}

const cnn = new Sequential({
  input: [1, 8, 8],
  layers: [
    { type: 'conv2d', out: 2, kernel: [3, 3], stride: [2, 2], padding: [1, 1] },
    { type: 'activation', fn: 'tanh' },
    { type: 'flatten' },
    { type: 'linear', out: 10 },
  ],
  likelihood: 'categorical',
});

/**
 * A synthetic sequence task: 5 tokens, each one-hot in 3 symbols; at every
 * position predict the first token's symbol, which only attention (causal:
 * every position sees the first) can carry there.
 */
function firstTokenTask(N: number, seed: number): { x: Tensor; targets: ExampleTarget[] } {
  const rng = new Rng(seed);
  const T = 5;
  const x = Tensor.zeros(N, [T, 3]);
  const targets: number[][] = [];
  for (let n = 0; n < N; n++) {
    const symbols = Array.from({ length: T }, () => rng.integer(3));
    symbols.forEach((s, t) => (x.data[(n * T + t) * 3 + s] = 1));
    targets.push(symbols.map(() => symbols[0]));
  }
  return { x, targets };
}

const attention = new Sequential({
  input: [5, 3],
  layers: [
    { type: 'linear', out: 4 },
    { type: 'attention', heads: 2, causal: true },
    { type: 'activation', fn: 'tanh' },
    { type: 'linear', out: 3 },
  ],
  likelihood: 'categorical',
});

/** The factories take the problem's step size for plain first-order methods (the CNN loss is a mean over examples, the attention loss also sums over positions). */
const OPTIMIZERS: [string, (firstOrderLr: number) => Transform<unknown, SequentialBatch>][] = [
  ['kfac', () => kfac({ damping: 1e-2 }) as Transform<unknown, SequentialBatch>],
  ['ekfac', () => ekfac({ damping: 1e-2 }) as Transform<unknown, SequentialBatch>],
  [
    'kfac, plain step -lr (F̃ + λ I)⁻¹ g (no rescaling, fixed damping, no KL clip)',
    () => kfac({ lr: 0.3, damping: 1e-1, rescale: 'none', adaptiveDamping: false, klClip: null }) as Transform<unknown, SequentialBatch>,
  ],
  ['kfac, reduce', () => kfac({ damping: 1e-2, approximation: 'reduce' }) as Transform<unknown, SequentialBatch>],
  ['kfac, Monte Carlo Fisher', () => kfac({ damping: 1e-2, fisher: 'monte-carlo' }) as Transform<unknown, SequentialBatch>],
  ['shampoo', () => shampoo({ lr: 0.1 }) as Transform<unknown, SequentialBatch>],
  ['adam', () => adam({ lr: 0.05 }) as Transform<unknown, SequentialBatch>],
  ['sgd with momentum', (lr) => momentum({ lr, decay: 0.9 }) as Transform<unknown, SequentialBatch>],
  ['natural gradient, exact Fisher, direct', () => naturalGradient({ lr: 0.5, damping: 1e-2, trustRegion: 1 }) as Transform<unknown, SequentialBatch>],
  [
    'natural gradient, exact Fisher, cg',
    () => naturalGradient({ lr: 0.5, damping: 1e-2, solver: 'cg', cg: { maxIterations: 20 }, trustRegion: 1 }) as Transform<unknown, SequentialBatch>,
  ],
  [
    'natural gradient, empirical Fisher, low-rank',
    () => naturalGradient({ lr: 0.5, damping: 1e-1, fisher: 'empirical', solver: 'low-rank' }) as Transform<unknown, SequentialBatch>,
  ],
  [
    'natural gradient, Monte Carlo Fisher, block-diagonal',
    () => naturalGradient({ lr: 0.5, damping: 1e-1, fisher: 'monte-carlo', samples: 2, solver: 'block-diagonal' }) as Transform<unknown, SequentialBatch>,
  ],
];

describe.each([
  ['a small CNN on the 8x8 digits (64 images)', cnn, () => digits(64), 0.5],
  ['a causal attention model on the first-token task (64 sequences)', attention, () => firstTokenTask(64, 7), 0.1],
] as const)('%s', (_name, model, data, firstOrderLr) => {
  const { x, targets } = data();
  const theta0 = model.initParams(new Rng(11));
  const loss0 = model.lossValue(theta0, x, targets);

  test.each(OPTIMIZERS)('%s: 8 full-batch steps lower the loss by at least 20%%', (_o, make) => {
    const { objective, extra } = sequentialProblem(model, x, targets, { seed: 3 });
    const r = train(make(firstOrderLr), theta0, { objective, extra, maxIterations: 8 });
    expect(r.history[0].loss).toBeCloseTo(loss0, 12);
    expect(r.finalLoss).toBeLessThan(0.8 * loss0);
  });
});

test('kfac and ekfac pass the approximation on: reduce factors the shared attention projections otherwise than expand', () => {
  const { x, targets } = firstTokenTask(16, 3);
  const { extra } = sequentialProblem(attention, x, targets);
  const theta = attention.initParams(new Rng(4));
  const g = new Float64Array(theta.length).fill(1e-2);
  const step = (approximation: 'expand' | 'reduce') =>
    scaleByKfac({ damping: 1e-2, approximation }).update(g, scaleByKfac().init(theta), theta, extra(theta, 0))[0];
  const e = step('expand');
  const r = step('reduce');
  expect(Math.max(...e.map((v, i) => Math.abs(v - r[i])))).toBeGreaterThan(1e-6);
  expect(() => kfac({ approximation: 'reduced' as never })).toThrow(/approximation/);
  expect(() => ekfac({ approximation: 'reduced' as never })).toThrow(/approximation/);
});

describe('Shampoo on a Sequential model: one preconditioner pair per weight matrix', () => {
  test('the tensors: a conv kernel [out, in, kh, kw] is the matrix out x in·kh·kw, attention in_proj_weight is 3E x E, biases are vectors', () => {
    expect(sequentialTensors(cnn).map((t) => t.shape)).toEqual([[2, 9], [2], [10, 32], [10]]);
    expect(sequentialTensors(cnn).map((t) => t.offset)).toEqual([0, 18, 20, 340]);
    expect(sequentialTensors(attention).map((t) => t.shape)).toEqual([[4, 3], [4], [12, 4], [12], [4, 4], [4], [3, 4], [3]]);
  });

  test('the conv kernel steps along (εI + G Gᵀ)^(-1/4) G (εI + Gᵀ G)^(-1/4), G the kernel gradient as out x in·kh·kw', () => {
    const { x, targets } = digits(16);
    const theta = cnn.initParams(new Rng(5));
    const g = cnn.lossAndGradient(theta, x, targets).gradient;
    const eps = 1e-3;
    const t = scaleByShampoo({ eps: eps });
    const step = t.update(g, t.init(theta), theta, { model: cnn, x, targets })[0];
    const G = new Matrix(2, 9, g.slice(0, 18));
    const expected = matmul(
      matmul(symmetricPower(addScaledIdentity(matmulNT(G, G), eps), -0.25), G),
      symmetricPower(addScaledIdentity(matmulTN(G, G), eps), -0.25),
    );
    const scaleOf = Math.max(...expected.data.map(Math.abs));
    for (let i = 0; i < 18; i++) expect(Math.abs(step[i] - expected.data[i])).toBeLessThan(1e-10 * scaleOf);
    // sensitivity: the kernel read as a 6 x 3 matrix (in·kh rows) preconditions otherwise
    const Gw = new Matrix(6, 3, g.slice(0, 18));
    const wrong = matmul(
      matmul(symmetricPower(addScaledIdentity(matmulNT(Gw, Gw), eps), -0.25), Gw),
      symmetricPower(addScaledIdentity(matmulTN(Gw, Gw), eps), -0.25),
    );
    expect(Math.max(...wrong.data.map((v, i) => Math.abs(v - step[i])))).toBeGreaterThan(1e-3 * scaleOf);
  });

  test('an MLP as a Sequential model gets the same Shampoo steps as its spec', () => {
    const spec: MlpSpec = { sizes: [3, 4, 2], activations: ['tanh', 'identity'], likelihood: 'categorical' };
    const model = mlpModel(spec);
    const rng = new Rng(8);
    const theta = model.initParams(rng);
    const t = scaleByShampoo({ eps: 1e-3, emaDecay: 0.9 });
    let a = t.init(theta);
    let b = t.init(theta);
    for (let k = 0; k < 3; k++) {
      const g = Float64Array.from({ length: theta.length }, () => rng.normal());
      const [sa, na] = t.update(g, a, theta, { spec, inputs: [], targets: [] });
      const [sb, nb] = t.update(g, b, theta, { model, x: Tensor.zeros(1, [3]), targets: [0] });
      a = na;
      b = nb;
      expect(Array.from(sb)).toEqual(Array.from(sa));
    }
  });

  test('a model of another size is named', () => {
    const t = scaleByShampoo();
    expect(() =>
      t.update(new Float64Array(3), t.init(new Float64Array(3)), new Float64Array(3), { model: cnn, x: Tensor.zeros(1, [1, 8, 8]), targets: [0] }),
    ).toThrow(/extra.model.*350 parameters/);
  });
});

describe('mini-batches', () => {
  test('each epoch visits every example once, in a new order; the same seed gives the same batches', () => {
    const N = 10;
    const batches = miniBatchSchedule(N, 4, 'a');
    const again = miniBatchSchedule(N, 4, 'a');
    const epochs: number[][] = [[], [], []];
    for (let t = 0; t < 9; t++) {
      const b = batches(t) as number[];
      expect(b).toHaveLength(t % 3 === 2 ? 2 : 4);
      expect(again(t)).toEqual(b);
      epochs[Math.floor(t / 3)].push(...b);
    }
    for (const e of epochs) expect([...e].sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(epochs[1]).not.toEqual(epochs[0]);
    expect(miniBatchSchedule(N, 4, 'b')(0)).not.toEqual(batches(0));
    expect(miniBatchSchedule(N, undefined, 'a')(5)).toBeNull();
  });

  test('sensitivity: the epoch check catches batches drawn with replacement', () => {
    const rng = new Rng(1);
    const drawn = Array.from({ length: 10 }, () => rng.integer(10)).sort((a, b) => a - b);
    expect(drawn).not.toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  test('the objective and the extra of an iteration see the same batch', () => {
    const { x, targets } = digits(40);
    const { objective, extra } = sequentialProblem(cnn, x, targets, { seed: 5, batchSize: 16 });
    const theta = cnn.initParams(new Rng(2));
    for (const t of [0, 1, 2, 3]) {
      const b = extra(theta, t) as SequentialBatch;
      expect(b.x.batch).toBe(t % 3 === 2 ? 8 : 16);
      expect(objective(theta, t).loss).toBeCloseTo(cnn.lossValue(theta, b.x, b.targets), 13);
    }
  });

  test('K-FAC keeps running averages of the factors across batches: A₂ = ε A(batch 0) + (1 - ε) A(batch 1)', () => {
    const { x, targets } = digits(32);
    const { extra } = sequentialProblem(cnn, x, targets, { seed: 5, batchSize: 16 });
    const theta = cnn.initParams(new Rng(3));
    const eps = 0.9;
    const t = scaleByKfac({ damping: 1e-2, emaDecay: eps });
    let s = t.init(theta);
    const g = new Float64Array(theta.length).fill(1e-3);
    [, s] = t.update(g, s, theta, extra(theta, 0));
    [, s] = t.update(g, s, theta, extra(theta, 1));
    const f0 = kfacFactors(
      cnn,
      theta,
      { x: (extra(theta, 0) as SequentialBatch).x, targets: (extra(theta, 0) as SequentialBatch).targets },
      { gradient: false },
    );
    const f1 = kfacFactors(
      cnn,
      theta,
      { x: (extra(theta, 1) as SequentialBatch).x, targets: (extra(theta, 1) as SequentialBatch).targets },
      { gradient: false },
    );
    f0.blocks.forEach((b, l) => {
      const expected = b.A.data.map((a, i) => eps * a + (1 - eps) * f1.blocks[l].A.data[i]);
      const got = (s.A as { data: Float64Array }[])[l].data;
      for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - expected[i])).toBeLessThanOrEqual(1e-14 * (1 + Math.abs(expected[i])));
      // sensitivity: the second batch's factor alone is not the average
      expect(Math.max(...got.map((v, i) => Math.abs(v - f1.blocks[l].A.data[i])))).toBeGreaterThan(1e-6);
    });
  });

  test('mini-batch K-FAC (batches of 24, 3 epochs) lowers the full-batch loss of the CNN', () => {
    const { x, targets } = digits(96);
    const theta0 = cnn.initParams(new Rng(11));
    const { objective, extra } = sequentialProblem(cnn, x, targets, { seed: 9, batchSize: 24 });
    const r = train(kfac({ damping: 1e-2 }), theta0, { objective, extra, maxIterations: 12 });
    expect(cnn.lossValue(r.params, x, targets)).toBeLessThan(0.8 * cnn.lossValue(theta0, x, targets));
  });

  test('bad options are named', () => {
    const { x, targets } = digits(8);
    expect(() => sequentialProblem(cnn, x, targets, { batchSize: 9 })).toThrow(NatgradError);
    expect(() => sequentialProblem(cnn, x, targets, { batchSize: 0 })).toThrow(/batchSize/);
    expect(() => sequentialProblem(cnn, x, targets, { batchsize: 4 } as never)).toThrow(/batchSize/);
  });
});

test('a transform written for MLPs only refuses a Sequential batch by name', () => {
  const { x, targets } = firstTokenTask(4, 1);
  const { objective, extra } = sequentialProblem(attention, x, targets);
  const theta: Vec = attention.initParams(new Rng(1));
  expect(() => train(gaussNewton() as Transform<unknown, SequentialBatch>, theta, { objective, extra, maxIterations: 1 })).toThrow(/supports MLP batches/);
});
