/**
 * Random problems for Sequential models: a model from a spec, parameters
 * (PyTorch's initialisation plus noise, so zero-initialised biases are
 * exercised too), standard normal inputs and targets of the output's kind.
 */
import { Rng } from '../../src/core/rng.js';
import type { Vec } from '../../src/core/vec.js';
import type { Target } from '../../src/models/likelihoods.js';
import type { ExampleTarget } from '../../src/models/output-loss.js';
import { Sequential, type SequentialSpec } from '../../src/models/sequential.js';
import { Tensor } from '../../src/models/tensor.js';
import { randomTarget } from './fixtures.js';

export interface SeqProblem {
  model: Sequential;
  theta: Vec;
  x: Tensor;
  targets: ExampleTarget[];
}

/** Targets for every example of a batch, per position for [T, K] outputs. */
export function randomTargets(rng: Rng, model: Sequential, N: number): ExampleTarget[] {
  const { positions, K } = model.loss;
  const perPosition = model.outputShape.length === 2;
  return Array.from({ length: N }, () => {
    if (!perPosition) return randomTarget(rng, model.likelihood, K);
    const ys: Target[] = [];
    for (let t = 0; t < positions; t++) ys.push(randomTarget(rng, model.likelihood, K));
    return ys;
  });
}

export function randomProblem(seed: number, spec: SequentialSpec, N: number, noise = 0.3): SeqProblem {
  const rng = new Rng(seed);
  const model = new Sequential(spec);
  const theta = model.initParams(rng);
  for (let i = 0; i < theta.length; i++) theta[i] += noise * rng.normal();
  const x = Tensor.zeros(N, model.inputShape);
  for (let i = 0; i < x.data.length; i++) x.data[i] = rng.normal();
  return { model, theta, x, targets: randomTargets(rng, model, N) };
}

export const randomVec = (rng: Rng, n: number): Vec => Float64Array.from({ length: n }, () => rng.normal());

export const randomTensor = (rng: Rng, shape: readonly number[]): Tensor => {
  const t = new Tensor(shape);
  for (let i = 0; i < t.data.length; i++) t.data[i] = rng.normal();
  return t;
};

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export const norm = (a: ArrayLike<number>): number => Math.sqrt(dot(a, a));

/** theta + t v */
export function shifted(theta: ArrayLike<number>, v: ArrayLike<number>, t: number): Vec {
  const out = new Float64Array(theta.length);
  for (let i = 0; i < theta.length; i++) out[i] = theta[i] + t * v[i];
  return out;
}

/** x + t dx, a new batch */
export function shiftedInput(x: Tensor, dx: Tensor, t: number): Tensor {
  return new Tensor(x.shape, shifted(x.data, dx.data, t));
}

/**
 * True when no relu input changes sign between theta - h v and theta + h v
 * (input x + t dx), checked at five points: central differences across a kink
 * do not estimate the derivative.
 */
export function smoothAlong(p: SeqProblem, v: Vec | null, dx: Tensor | null, h: number): boolean {
  const reluInputs = p.model.layers.flatMap((layer, l) => (layer.type === 'activation' && (layer as { fn?: string }).fn === 'relu' ? [l] : []));
  if (reluInputs.length === 0) return true;
  const signs = (t: number): string => {
    const theta = v === null ? p.theta : shifted(p.theta, v, t);
    const x = dx === null ? p.x : shiftedInput(p.x, dx, t);
    const trace = p.model.forward(theta, x);
    return reluInputs.map((l) => Array.from(l === 0 ? x.data : trace.outputs[l - 1].data, (s) => (s > 0 ? '1' : '0')).join('')).join('|');
  };
  const at0 = signs(0);
  return [-h, -h / 2, h / 2, h].every((t) => signs(t) === at0);
}

/** Central differences with a derived error bound (src/numeric/finite-differences.ts). */
export { centralDifference } from '../../src/numeric/finite-differences.js';

/** One model per layer type, each in the setting where its weight sharing or nonlinearity matters. */
export const LAYER_MODELS: Record<string, SequentialSpec> = {
  'linear on vectors, tanh, categorical': {
    input: [3],
    layers: [
      { type: 'linear', out: 4 },
      { type: 'activation', fn: 'tanh' },
      { type: 'linear', out: 3 },
    ],
    likelihood: 'categorical',
  },
  'linear shared over positions, softplus, per-position categorical': {
    input: [3, 2],
    layers: [
      { type: 'linear', out: 3 },
      { type: 'activation', fn: 'softplus' },
      { type: 'linear', out: 2, bias: false },
    ],
    likelihood: 'categorical',
  },
  'conv2d with stride and padding, sigmoid, flatten, bernoulli': {
    input: [2, 5, 4],
    layers: [
      { type: 'conv2d', out: 3, kernel: [3, 2], stride: [2, 1], padding: [1, 0] },
      { type: 'activation', fn: 'sigmoid' },
      { type: 'flatten' },
      { type: 'linear', out: 1 },
    ],
    likelihood: 'bernoulli',
  },
  'conv2d without bias, two convs, mean pooling, gaussian': {
    input: [1, 5, 5],
    layers: [
      { type: 'conv2d', out: 2, kernel: [2, 2], bias: false },
      { type: 'activation', fn: 'tanh' },
      { type: 'conv2d', out: 3, kernel: [2, 3], stride: [1, 2], padding: [1, 1] },
      { type: 'mean' },
      { type: 'linear', out: 2 },
    ],
    likelihood: 'gaussian',
  },
  'attention (2 heads), mean over positions, categorical': {
    input: [4, 4],
    layers: [{ type: 'attention', heads: 2 }, { type: 'activation', fn: 'tanh' }, { type: 'mean' }, { type: 'linear', out: 3 }],
    likelihood: 'categorical',
  },
  'causal attention, per-position categorical (a small transformer block)': {
    input: [4, 6],
    layers: [
      { type: 'linear', out: 4 },
      { type: 'attention', heads: 2, causal: true },
      { type: 'activation', fn: 'softplus' },
      { type: 'linear', out: 3 },
    ],
    likelihood: 'categorical',
  },
  'attention alone, per-position gaussian': {
    input: [3, 2],
    layers: [{ type: 'attention', heads: 1 }],
    likelihood: 'gaussian',
  },
  'flatten of a sequence, relu, gaussian': {
    input: [3, 2],
    layers: [{ type: 'flatten' }, { type: 'linear', out: 4 }, { type: 'activation', fn: 'relu' }, { type: 'linear', out: 2 }],
    likelihood: 'gaussian',
  },
  'per-position bernoulli on a sequence': {
    input: [5, 3],
    layers: [
      { type: 'attention', heads: 3 },
      { type: 'activation', fn: 'identity' },
      { type: 'linear', out: 1 },
    ],
    likelihood: 'bernoulli',
  },
};
