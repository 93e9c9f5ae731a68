/**
 * Bad input of version-2 `sequential` specs: exit 2, nothing on stdout, one
 * `natgrad: <path>: <reason>` line naming what is wrong and what is allowed,
 * for every case the contract lists, and unknown fields at every depth.
 */
import { describe, expect, test } from 'vitest';
import { badInputLine, clone, oracle, oracleOk } from './fixtures.js';

const grid = (rows: number, cols: number, f: (i: number, j: number) => number): number[][] =>
  Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => f(i, j)));

/** conv2d 1 -> 2 (3 x 3) on 1 x 4 x 4, tanh, flatten, linear 8 -> 3; categorical. */
const cnn = {
  kind: 'fisher',
  curvature: 'fisher',
  model: {
    type: 'sequential',
    input: [1, 4, 4],
    layers: [{ type: 'conv2d', out: 2, kernel: [3, 3] }, { type: 'activation', fn: 'tanh' }, { type: 'flatten' }, { type: 'linear', out: 3 }],
    likelihood: 'categorical',
  },
  weights: [
    { W: [[grid(3, 3, (i, j) => 0.1 * (i + j))], [grid(3, 3, (i, j) => 0.2 * (i - j))]], b: [0.1, -0.1] },
    {},
    {},
    { W: grid(3, 8, (i, j) => 0.1 * (i - j)), b: [0, 0.1, 0.2] },
  ],
  inputs: [[grid(4, 4, (i, j) => 0.1 * i - 0.2 * j)], [grid(4, 4, (i, j) => Math.sin(i + j))]],
  targets: [1, 2],
};

/** causal 2-head attention on 3 x 4 tokens, linear 4 -> 2 per position; kfac. */
const attention = {
  kind: 'kfac',
  fisher: 'fisher',
  damping: 0.1,
  dampingScheme: 'factored',
  model: {
    type: 'sequential',
    input: [3, 4],
    layers: [
      { type: 'attention', heads: 2, causal: true },
      { type: 'linear', out: 2 },
    ],
    likelihood: 'categorical',
  },
  weights: [
    {
      in_proj_weight: grid(12, 4, (i, j) => Math.sin(i + 2 * j)),
      in_proj_bias: Array.from({ length: 12 }, (_, i) => 0.1 * Math.cos(i)),
      out_proj_weight: grid(4, 4, (i, j) => Math.cos(i - j)),
      out_proj_bias: [0.1, 0.2, 0.3, 0.4],
    },
    { W: grid(2, 4, (i, j) => 0.1 * (i + j)), b: [0.1, -0.1] },
  ],
  inputs: [grid(3, 4, (t, d) => Math.sin(4 * t + d))],
  targets: [[0, 1, 1]],
};

function edited<T>(base: T, edit: (s: any) => void): T {
  const s = clone(base);
  edit(s);
  return s;
}

async function errorLine(spec: unknown): Promise<string> {
  return badInputLine(await oracle(spec));
}

test('the two base specs are answered', async () => {
  expect((await oracleOk(cnn)).paramNames).toHaveLength(2 * 9 + 2 + 3 * 8 + 3);
  expect((await oracleOk(attention)).layers).toHaveLength(3);
});

describe('the cases the contract lists', () => {
  test.each([
    [
      'an unknown layer type',
      edited(cnn, (s) => (s.model.layers[1] = { type: 'tanh' })),
      'natgrad: spec.model.layers[1].type: must be one of linear, conv2d, activation, flatten, mean, attention, got "tanh"',
    ],
    [
      'a misspelled layer type',
      edited(cnn, (s) => (s.model.layers[1].type = 'activaton')),
      /^natgrad: spec\.model\.layers\[1\]\.type: must be one of .*; did you mean "activation"\?$/,
    ],
    [
      'a kernel larger than the padded input',
      edited(cnn, (s) => (s.model.layers[0].kernel = [5, 3])),
      'natgrad: spec.model.layers[0].kernel: kernel [5, 3] is larger than the padded input [4, 4] (input [1, 4, 4], padding [0, 0])',
    ],
    ['a stride of 0', edited(cnn, (s) => (s.model.layers[0].stride = [0, 1])), 'natgrad: spec.model.layers[0].stride[0]: must be an integer >= 1, got 0'],
    [
      'a fractional stride',
      edited(cnn, (s) => (s.model.layers[0].stride = [1, 1.5])),
      'natgrad: spec.model.layers[0].stride[1]: must be an integer >= 1, got 1.5',
    ],
    ['a negative kernel', edited(cnn, (s) => (s.model.layers[0].kernel = [-1, 3])), 'natgrad: spec.model.layers[0].kernel[0]: must be an integer >= 1, got -1'],
    [
      'a conv weight with too few output channels',
      edited(cnn, (s) => (s.weights[0].W = s.weights[0].W.slice(0, 1))),
      'natgrad: spec.weights[0].W: must be an array of shape [2, 1, 3, 3] (W of layer 1 (conv2d) has shape [2, 1, 3, 3]), got an array of length 1',
    ],
    [
      'a linear weight row too short',
      edited(cnn, (s) => s.weights[3].W[0].pop()),
      'natgrad: spec.weights[3].W[0]: must be an array of 8 numbers (W of layer 4 (linear) has shape [3, 8]), got an array of length 7',
    ],
    ['a missing bias', edited(cnn, (s) => delete s.weights[0].b), 'natgrad: spec.weights[0].b: is missing: the conv2d layer 1 needs b of shape [2]'],
    [
      'an attention weight of the wrong shape',
      edited(attention, (s) => s.weights[0].in_proj_weight.pop()),
      /^natgrad: spec\.weights\[0\]\.in_proj_weight: must be an array of shape \[12, 4\] .*got an array of length 11$/,
    ],
    [
      'heads that do not divide D',
      edited(attention, (s) => (s.model.layers[0].heads = 3)),
      'natgrad: spec.model.layers[0].heads: must divide the model width D = 4 (the last axis of the input [3, 4]), got 3',
    ],
    [
      'mean on a vector',
      edited(cnn, (s) => ((s.model.layers[3] = { type: 'mean' }), (s.weights[3] = {}))),
      'natgrad: spec.model.layers[3]: a mean layer takes a [T, D] sequence or a [C, H, W] image, got an input of shape [8]',
    ],
    [
      'attention on an image',
      edited(cnn, (s) => (s.model.layers.unshift({ type: 'attention', heads: 1 }), s.weights.unshift({}))),
      'natgrad: spec.model.layers[0]: an attention layer takes a [T, D] sequence, got an input of shape [1, 4, 4]',
    ],
    [
      'per-position targets of the wrong length',
      edited(attention, (s) => (s.targets = [[0, 1]])),
      'natgrad: spec.targets[0]: must be an array of 3 targets, one per position of the output [3, 2], got an array of length 2',
    ],
    [
      'per-position targets for a single output',
      edited(cnn, (s) => (s.targets = [[0, 1, 1], 2])),
      'natgrad: spec.targets[0]: must be a class index, an integer in 0..2, got an array of length 3',
    ],
    [
      'a class index out of range at one position',
      edited(attention, (s) => (s.targets = [[0, 1, 2]])),
      'natgrad: spec.targets[0][2]: must be a class index, an integer in 0..1, got 2',
    ],
    [
      'an input of the wrong shape',
      edited(cnn, (s) => s.inputs[0][0].pop()),
      'natgrad: spec.inputs[0][0]: must be an array of shape [4, 4] (an example has shape [1, 4, 4]), got an array of length 3',
    ],
  ])('%s', async (_what, spec, expected) => {
    const line = await errorLine(spec);
    if (typeof expected === 'string') expect(line).toBe(expected);
    else expect(line).toMatch(expected);
  });
});

describe('the size limit of 2^26 entries, checked before any weight is read', () => {
  test('a parameter count whose P x P matrix is too large; the weights are never read', async () => {
    const spec = edited(cnn, (s) => {
      s.model.layers[3].out = 3000;
      s.weights = 'not read';
    });
    expect(await errorLine(spec)).toMatch(
      /^natgrad: spec\.model: the result would have 7\.30e8 entries \(a 27020 x 27020 matrix of 27020 parameters\); the contract allows at most 2\^26 = 67108864 entries in one result$/,
    );
  });

  test('N times the output size: the per-output rows of the exact Fisher', async () => {
    const spec = edited(attention, (s) => {
      s.kind = 'fisher';
      s.curvature = 'fisher';
      for (const k of ['fisher', 'damping', 'dampingScheme']) delete s[k];
      s.model.input = [3000, 4];
      s.inputs = Array.from({ length: 400 }, () => 'not read');
    });
    expect(await errorLine(spec)).toMatch(
      /^natgrad: spec\.model: computing it holds the 2400000 x 12000 back-propagated rows of the widest layer, 2\.88e10 entries; /,
    );
  });

  test('kfac of a convolution at many positions: the patches are counted', async () => {
    const spec = edited(attention, (s) => {
      s.model = { type: 'sequential', input: [3, 600, 600], layers: [{ type: 'conv2d', out: 4, kernel: [3, 3] }, { type: 'mean' }], likelihood: 'categorical' };
      s.inputs = Array.from({ length: 20 }, () => 'not read');
    });
    expect(await errorLine(spec)).toMatch(/^natgrad: spec\.model: computing it holds .*entries/);
  });
});

describe('unknown fields at every depth, with the field meant', () => {
  test.each([
    [
      'the spec',
      edited(attention, (s) => (s.approximaton = 'reduce')),
      /^natgrad: spec\.approximaton: is not a field of a kfac spec of a sequential model \(allowed: .*\); did you mean "approximation"\?$/,
    ],
    [
      'approximation on a fisher spec',
      edited(cnn, (s) => (s.approximation = 'reduce')),
      /^natgrad: spec\.approximation: is not a field of a fisher spec of a sequential model/,
    ],
    ['the model', edited(cnn, (s) => (s.model.laers = [])), /^natgrad: spec\.model\.laers: is not a field of a sequential model .*did you mean "layers"\?$/],
    [
      'a layer',
      edited(cnn, (s) => (s.model.layers[0].kernal = [3, 3])),
      /^natgrad: spec\.model\.layers\[0\]\.kernal: is not a field of a conv2d layer .*did you mean "kernel"\?$/,
    ],
    [
      "a layer's weights",
      edited(cnn, (s) => (s.weights[0].bias = s.weights[0].b)),
      /^natgrad: spec\.weights\[0\]\.bias: is not a field of the weights of layer 1 \(conv2d\)/,
    ],
    [
      'weights on a layer without parameters',
      edited(cnn, (s) => (s.weights[1] = { W: [[1]] })),
      /^natgrad: spec\.weights\[1\]\.W: is not a field of the weights of layer 2 \(activation\)/,
    ],
    [
      'a misspelled model type',
      edited(cnn, (s) => (s.model.type = 'sequental')),
      'natgrad: spec.model.type: must be one of mlp, sequential, got "sequental"; did you mean "sequential"?',
    ],
    [
      'a misspelled layer type key',
      edited(cnn, (s) => (s.model.layers[1] = { tpye: 'activation', fn: 'tanh' })),
      /^natgrad: spec\.model\.layers\[1\]\.tpye: is not a field of a layer .*did you mean "type"\?$/,
    ],
    [
      'a misspelled model type key',
      edited(cnn, (s) => ((s.model.tpye = 'sequential'), delete s.model.type)),
      /^natgrad: spec\.model\.tpye: is not a field of a sequential model .*did you mean "type"\?$/,
    ],
    [
      'a misspelled model key next to approximation',
      edited(attention, (s) => ((s.approximation = 'reduce'), (s.moedl = s.model), delete s.model)),
      /^natgrad: spec\.moedl: is not a field of a kfac spec of a sequential model .*did you mean "model"\?$/,
    ],
    [
      'a misspelled kind next to approximation',
      edited(attention, (s) => ((s.approximation = 'reduce'), (s.knid = 'kfac'), delete s.kind)),
      /^natgrad: spec\.knid: is not a field of a spec of any kind .*did you mean "kind"\?$/,
    ],
    [
      'a family beside the model',
      edited(cnn, (s) => (s.family = 'normal')),
      'natgrad: spec: has both "family" and "model"; give one: a distribution family or a model (mlp or sequential)',
    ],
    [
      'no weights for a model of one layer',
      edited(cnn, (s) => ((s.model.layers = [{ type: 'flatten' }]), delete s.weights)),
      'natgrad: spec.weights: is required: an array of 1 object, one per layer ({} for a layer without parameters)',
    ],
    [
      'a misspelled approximation',
      edited(attention, (s) => (s.approximation = 'reduced')),
      'natgrad: spec.approximation: must be one of expand, reduce, got "reduced"; did you mean "reduce"?',
    ],
  ])('%s', async (_what, spec, expected) => {
    const line = await errorLine(spec);
    if (typeof expected === 'string') expect(line).toBe(expected);
    else expect(line).toMatch(expected);
  });
});
