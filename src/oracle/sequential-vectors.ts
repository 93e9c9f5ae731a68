/**
 * The test vectors of contract version 2's `sequential` models: two CNNs
 * (stride, padding, a convolution without bias and with two input channels,
 * flatten or global average pooling) and two attention models (causal with per-position outputs, and
 * pooled with a Bernoulli output), each with the four curvatures, a natural
 * gradient, and K-FAC expand and reduce. Weights, inputs and targets come
 * from a generator seeded by the case's name, with three decimals; the
 * networks are small (at most 41 parameters) to keep the files short.
 */
import { Rng } from '../core/rng.js';
import type { LayerSpec } from '../models/layers/index.js';
import type { Likelihood } from '../models/likelihoods.js';
import { Sequential } from '../models/sequential.js';
import { shapeSize, toNested } from '../models/tensor.js';
import type { JsonRecord, JsonValue } from './json-reader.js';

/** One vector of the group before its result is computed (the group is added by the caller). */
export interface SequentialVector {
  name: string;
  description: string;
  spec: JsonRecord;
}

interface Network {
  name: string;
  what: string;
  input: number[];
  layers: LayerSpec[];
  likelihood: Likelihood;
  N: number;
}

const NETWORKS: Network[] = [
  {
    name: 'cnn',
    what: 'a CNN: conv2d 2->2 (2x2, stride 2), relu, conv2d 2->2 (2x1, no bias), flatten, linear 4->3, categorical',
    input: [2, 4, 4],
    layers: [
      { type: 'conv2d', out: 2, kernel: [2, 2], stride: [2, 2] },
      { type: 'activation', fn: 'relu' },
      { type: 'conv2d', out: 2, kernel: [2, 1], bias: false },
      { type: 'flatten' },
      { type: 'linear', out: 3 },
    ],
    likelihood: 'categorical',
    N: 3,
  },
  {
    name: 'cnn-pooled',
    what: 'a CNN with global average pooling: conv2d 1->2 (3x3, padding 1), tanh, mean, linear 2->2, gaussian',
    input: [1, 4, 4],
    layers: [{ type: 'conv2d', out: 2, kernel: [3, 3], padding: [1, 1] }, { type: 'activation', fn: 'tanh' }, { type: 'mean' }, { type: 'linear', out: 2 }],
    likelihood: 'gaussian',
    N: 2,
  },
  {
    name: 'attention-causal',
    what: 'causal 2-head self-attention on 4 tokens of width 2, softplus, linear 2->3 at every position, categorical per position',
    input: [4, 2],
    layers: [
      { type: 'attention', heads: 2, causal: true },
      { type: 'activation', fn: 'softplus' },
      { type: 'linear', out: 3 },
    ],
    likelihood: 'categorical',
    N: 2,
  },
  {
    name: 'attention-pooled',
    what: 'linear 3->2 per token, 1-head self-attention on 3 tokens, tanh, mean over tokens, linear 2->1, bernoulli',
    input: [3, 3],
    layers: [{ type: 'linear', out: 2 }, { type: 'attention', heads: 1 }, { type: 'activation', fn: 'tanh' }, { type: 'mean' }, { type: 'linear', out: 1 }],
    likelihood: 'bernoulli',
    N: 3,
  },
];

const dec3 = (x: number): number => Math.round(x * 1000) / 1000 || 0;

/** The spec fields model, weights, inputs and targets of a network, drawn from its seed. */
function problem(net: Network): JsonRecord {
  const model = new Sequential({ input: net.input, layers: net.layers, likelihood: net.likelihood }, `vectors/${net.name}`);
  const rng = new Rng(`natgrad-vectors/sequential/${net.name}`);
  const u = (scale: number): number => dec3((2 * rng.uniform() - 1) * scale);
  const weights: JsonValue[] = model.layers.map((layer) => {
    const w: JsonRecord = {};
    for (const p of layer.params) {
      // fan-in scaling keeps the activations away from saturation
      const scale = p.shape.length > 1 ? 1.5 / Math.sqrt(shapeSize(p.shape.slice(1))) : 0.3;
      w[p.name] = toNested(
        Array.from({ length: shapeSize(p.shape) }, () => u(scale)),
        p.shape,
      ) as JsonValue;
    }
    return w;
  });
  const inputs = Array.from(
    { length: net.N },
    () =>
      toNested(
        Array.from({ length: shapeSize(model.inputShape) }, () => u(1.5)),
        model.inputShape,
      ) as JsonValue,
  );
  const K = model.loss.K;
  const one = (): JsonValue => {
    if (net.likelihood === 'categorical') return Math.min(K - 1, Math.floor(rng.uniform() * K));
    if (net.likelihood === 'bernoulli') return rng.uniform() < 0.5 ? 0 : 1;
    return Array.from({ length: K }, () => u(1));
  };
  const perPosition = model.outputShape.length === 2;
  const targets = Array.from({ length: net.N }, (): JsonValue => (perPosition ? Array.from({ length: model.loss.positions }, one) : one()));
  const spec: JsonRecord = { type: 'sequential', input: net.input, layers: net.layers as unknown as JsonValue, likelihood: net.likelihood };
  return { model: spec, weights, inputs, targets };
}

const CURVATURES = ['fisher', 'empirical-fisher', 'ggn', 'hessian'] as const;

/** Every vector of the `sequential` group. */
export function sequentialVectors(): SequentialVector[] {
  const out: SequentialVector[] = [];
  for (const net of NETWORKS) {
    const p = problem(net);
    for (const curvature of CURVATURES) {
      out.push({ name: `${net.name}--fisher--${curvature}`, description: `fisher (${curvature}) of ${net.what}`, spec: { kind: 'fisher', ...p, curvature } });
    }
    out.push({
      name: `${net.name}--natural-gradient`,
      description: `natural-gradient (fisher, damping 0.01) of ${net.what}`,
      spec: { kind: 'natural-gradient', ...p, damping: 0.01 },
    });
    for (const approximation of ['expand', 'reduce'] as const) {
      out.push({
        name: `${net.name}--kfac--${approximation}`,
        description: `kfac ${approximation} (fisher, factored, damping 0.1) of ${net.what}`,
        spec: { kind: 'kfac', ...p, fisher: 'fisher', damping: 0.1, dampingScheme: 'factored', approximation },
      });
    }
  }
  const cnn = problem(NETWORKS[0]);
  out.push({
    name: 'cnn--kfac--reduce--empirical--pi-factored',
    description: `kfac reduce (empirical-fisher, pi-factored, damping 0.05) of ${NETWORKS[0].what}`,
    spec: { kind: 'kfac', ...cnn, fisher: 'empirical-fisher', damping: 0.05, dampingScheme: 'pi-factored', approximation: 'reduce' },
  });
  const att = problem(NETWORKS[2]);
  out.push({
    name: 'attention-causal--kfac--expand--exact',
    description: `kfac expand (fisher, exact damping 0.01; approximation left to its default) of ${NETWORKS[2].what}`,
    spec: { kind: 'kfac', ...att, fisher: 'fisher', damping: 0.01, dampingScheme: 'exact' },
  });
  return out;
}
