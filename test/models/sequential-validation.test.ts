/**
 * Bad input to a Sequential model: every error is a NatgradError naming the
 * JSON path of the field and what is allowed (the layer, the shapes), never a
 * TypeError or a silently wrong number. Also the parameter names and the
 * weights' JSON form of the oracle contract.
 */
import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { Conv2dLayer } from '../../src/models/layers/index.js';
import { Sequential, type SequentialSpec, sequentialFromSpec } from '../../src/models/sequential.js';
import { Tensor, tensorFromNested, toNested } from '../../src/models/tensor.js';
import { thrownError as thrown } from '../natgrad-error.js';

const build = (spec: unknown) => sequentialFromSpec(spec);
const conv = (extra: Record<string, unknown>, input = [1, 6, 6]) =>
  build({ input, layers: [{ type: 'conv2d', out: 2, kernel: [3, 3], ...extra }, { type: 'flatten' }, { type: 'linear', out: 3 }], likelihood: 'categorical' });

describe('the model spec', () => {
  test('an unknown layer type, with the closest one suggested', () => {
    const e = thrown(() =>
      build({
        input: [3],
        layers: [
          { type: 'linear', out: 2 },
          { type: 'lineer', out: 2 },
        ],
        likelihood: 'gaussian',
      }),
    );
    expect(e.path).toBe('spec.model.layers[1].type');
    expect(e.reason).toMatch(/linear, conv2d, activation, flatten, mean, attention/);
    expect(e.reason).toMatch(/did you mean "linear"/);
  });

  test('an unknown field of a layer names the field and the one meant', () => {
    const e = thrown(() => conv({ kernal: [3, 3] }));
    expect(e.path).toBe('spec.model.layers[0].kernal');
    expect(e.reason).toMatch(/did you mean "kernel"/);
    expect(thrown(() => build({ input: [3], layers: [{ type: 'activation', fn: 'tanh', out: 2 }], likelihood: 'gaussian' })).path).toBe(
      'spec.model.layers[0].out',
    );
  });

  test('a kernel larger than the padded input names both shapes', () => {
    const e = thrown(() => conv({ kernel: [7, 3] }));
    expect(e.path).toBe('spec.model.layers[0].kernel');
    expect(e.reason).toMatch(/kernel \[7, 3\] is larger than the padded input \[6, 6\]/);
    // padding makes room
    expect(() => conv({ kernel: [7, 3], padding: [1, 0] })).not.toThrow();
  });

  test('a stride or kernel that is not a positive integer; a negative padding', () => {
    expect(thrown(() => conv({ stride: [0, 1] })).path).toBe('spec.model.layers[0].stride[0]');
    expect(thrown(() => conv({ kernel: [3, 1.5] })).path).toBe('spec.model.layers[0].kernel[1]');
    expect(thrown(() => conv({ kernel: 3 })).reason).toMatch(/two positive integers \[height, width\]/);
    expect(thrown(() => conv({ padding: [-1, 0] })).path).toBe('spec.model.layers[0].padding[0]');
    expect(thrown(() => conv({ bias: 'yes' })).path).toBe('spec.model.layers[0].bias');
    expect(thrown(() => conv({ out: 0 })).path).toBe('spec.model.layers[0].out');
  });

  test('heads that do not divide D', () => {
    const e = thrown(() => build({ input: [4, 6], layers: [{ type: 'attention', heads: 4 }], likelihood: 'gaussian' }));
    expect(e.path).toBe('spec.model.layers[0].heads');
    expect(e.reason).toMatch(/must divide the model width D = 6.*got 4/);
  });

  test('a layer given an input of a rank it does not take', () => {
    const mean = thrown(() => build({ input: [5], layers: [{ type: 'mean' }], likelihood: 'gaussian' }));
    expect(mean.path).toBe('spec.model.layers[0]');
    expect(mean.reason).toMatch(/mean layer takes a \[T, D\] sequence or a \[C, H, W\] image, got an input of shape \[5\]/);
    const attn = thrown(() => build({ input: [2, 4, 4], layers: [{ type: 'attention', heads: 1 }], likelihood: 'gaussian' }));
    expect(attn.reason).toMatch(/attention layer takes a \[T, D\] sequence, got an input of shape \[2, 4, 4\]/);
    const c = thrown(() => build({ input: [4, 4], layers: [{ type: 'conv2d', out: 1, kernel: [2, 2] }], likelihood: 'gaussian' }));
    expect(c.reason).toMatch(/conv2d layer takes a \[C, H, W\] image/);
    // the shape a layer sees is the previous layer's output
    const after = thrown(() => build({ input: [3, 4], layers: [{ type: 'flatten' }, { type: 'mean' }], likelihood: 'gaussian' }));
    expect(after.path).toBe('spec.model.layers[1]');
    expect(after.reason).toMatch(/got an input of shape \[12\]/);
  });

  test('an output that is not [K] or [T, K], and a K the likelihood does not take', () => {
    const e = thrown(() => build({ input: [1, 4, 4], layers: [{ type: 'conv2d', out: 2, kernel: [2, 2] }], likelihood: 'categorical' }));
    expect(e.path).toBe('spec.model.layers');
    expect(e.reason).toMatch(/output of the last layer has shape \[2, 3, 3\].*add a flatten or mean layer/);
    const b = thrown(() => build({ input: [3], layers: [{ type: 'linear', out: 2 }], likelihood: 'bernoulli' }));
    expect(b.reason).toMatch(/bernoulli needs exactly one output/);
  });

  test('input shape, layers and likelihood', () => {
    expect(thrown(() => build({ input: [3, 0], layers: [{ type: 'flatten' }], likelihood: 'gaussian' })).path).toBe('spec.model.input[1]');
    expect(thrown(() => build({ input: [1, 2, 3, 4], layers: [{ type: 'flatten' }], likelihood: 'gaussian' })).path).toBe('spec.model.input');
    expect(thrown(() => build({ input: [3], layers: [], likelihood: 'gaussian' })).path).toBe('spec.model.layers');
    expect(thrown(() => build({ input: [3], layers: [3], likelihood: 'gaussian' })).path).toBe('spec.model.layers[0]');
    expect(thrown(() => build({ input: [3], layers: [{ type: 'flatten' }], likelihood: 'poisson' })).path).toBe('spec.model.likelihood');
  });
});

describe('weights, inputs and targets', () => {
  const spec: SequentialSpec = {
    input: [1, 4, 4],
    layers: [{ type: 'conv2d', out: 2, kernel: [3, 3] }, { type: 'activation', fn: 'tanh' }, { type: 'flatten' }, { type: 'linear', out: 3, bias: false }],
    likelihood: 'categorical',
  };
  const model = new Sequential(spec);
  const theta = model.initParams(new Rng(1));
  const json = model.paramsToJson(theta) as Record<string, unknown>[];

  test('the JSON form round-trips, one object per layer, {} without parameters', () => {
    expect(json.map((w) => Object.keys(w))).toEqual([['W', 'b'], [], [], ['W']]);
    expect(model.paramsFromJson(JSON.parse(JSON.stringify(json)))).toEqual(theta);
  });

  test('a weight of the wrong shape names the shape expected', () => {
    const bad = JSON.parse(JSON.stringify(json));
    bad[0].W[1][0][2] = [1, 2];
    const e = thrown(() => model.paramsFromJson(bad));
    expect(e.path).toBe('spec.weights[0].W[1][0][2]');
    expect(e.reason).toMatch(/must be an array of 3 numbers \(W of layer 1 \(conv2d\) has shape \[2, 1, 3, 3\]\), got an array of length 2/);
    const channels = JSON.parse(JSON.stringify(json));
    channels[0].W[1].push(channels[0].W[1][0]);
    expect(thrown(() => model.paramsFromJson(channels)).path).toBe('spec.weights[0].W[1]');
    const flat = JSON.parse(JSON.stringify(json));
    flat[3].W = flat[3].W.flat();
    expect(thrown(() => model.paramsFromJson(flat)).reason).toMatch(/shape \[3, 8\]/);
  });

  test('a missing, extra or misspelled weight', () => {
    const noB = JSON.parse(JSON.stringify(json));
    delete noB[0].b;
    expect(thrown(() => model.paramsFromJson(noB)).path).toBe('spec.weights[0].b');
    const extra = JSON.parse(JSON.stringify(json));
    extra[3].b = [0, 0, 0];
    const e = thrown(() => model.paramsFromJson(extra));
    expect(e.path).toBe('spec.weights[3].b');
    expect(e.reason).toMatch(/allowed: "W"/);
    const act = JSON.parse(JSON.stringify(json));
    act[1] = { W: [] };
    expect(thrown(() => model.paramsFromJson(act)).reason).toMatch(/allowed: none/);
    expect(thrown(() => model.paramsFromJson(json.slice(0, 3))).path).toBe('spec.weights');
    const nan = JSON.parse(JSON.stringify(json));
    nan[0].b[1] = 'x';
    expect(thrown(() => model.paramsFromJson(nan)).path).toBe('spec.weights[0].b[1]');
  });

  test('inputs of the wrong shape name the entry', () => {
    const x = toNested(new Float64Array(16), [1, 4, 4]);
    expect(tensorFromNested([x, x], [1, 4, 4], 'spec.inputs').shape).toEqual([2, 1, 4, 4]);
    const e = thrown(() =>
      tensorFromNested(
        [
          x,
          [
            [
              [0, 1, 2, 3],
              [0, 1, 2, 3],
              [0, 1, 2],
            ],
          ],
        ],
        [1, 4, 4],
        'spec.inputs',
      ),
    );
    expect(e.path).toBe('spec.inputs[1][0]');
    expect(e.reason).toMatch(/an example has shape \[1, 4, 4\]/);
    expect(thrown(() => model.forward(theta, Tensor.zeros(2, [4, 4]))).reason).toMatch(/\[1, 4, 4\]/);
  });

  test('a layer used on its own refuses a batch of another shape, naming the layer and both shapes', () => {
    const layer = new Conv2dLayer({ C: 2, H: 6, W: 6, out: 1, kh: 3, kw: 3, sh: 1, sw: 1, ph: 0, pw: 0 }, true);
    const e = thrown(() => layer.forward(new Float64Array(layer.paramCount), Tensor.zeros(3, [1, 6, 6])));
    expect(e.reason).toBe('a conv2d layer built for inputs of shape [2, 6, 6] got a batch of shape [3, 1, 6, 6] (batch first)');
  });

  test('targets whose shape does not match the output', () => {
    const seq = new Sequential({ input: [3, 2], layers: [{ type: 'linear', out: 4 }], likelihood: 'categorical' });
    expect(seq.loss.targetsFromJson([[0, 1, 3]], 1)).toEqual([[0, 1, 3]]);
    expect(thrown(() => seq.loss.targetsFromJson([2], 1)).path).toBe('spec.targets[0]');
    expect(thrown(() => seq.loss.targetsFromJson([[0, 1]], 1)).reason).toMatch(/array of 3 targets, one per position of the output \[3, 4\]/);
    expect(thrown(() => seq.loss.targetsFromJson([[0, 4, 1]], 1)).path).toBe('spec.targets[0][1]');
    expect(
      thrown(() =>
        seq.loss.targetsFromJson(
          [
            [0, 1, 1],
            [0, 0, 0],
          ],
          1,
        ),
      ).path,
    ).toBe('spec.targets');
    const gauss = new Sequential({ input: [3, 2], layers: [{ type: 'linear', out: 2 }], likelihood: 'gaussian' });
    const t = gauss.loss.targetsFromJson(
      [
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
      ],
      1,
    );
    expect(t[0]).toEqual([Float64Array.of(1, 2), Float64Array.of(3, 4), Float64Array.of(5, 6)]);
    expect(thrown(() => gauss.loss.targetsFromJson([[[1, 2], [3], [5, 6]]], 1)).path).toBe('spec.targets[0][1]');
    expect(() => seq.lossValue(seq.initParams(new Rng(2)), Tensor.zeros(1, [3, 2]), [[0, 1]])).toThrow(NatgradError);
  });
});

describe('parameter names: L<l>.<name>[i][j]... in parameter-vector order', () => {
  test('conv2d, linear and attention', () => {
    const model = new Sequential({
      input: [2, 3, 3],
      layers: [{ type: 'conv2d', out: 2, kernel: [2, 3] }, { type: 'flatten' }, { type: 'linear', out: 4, bias: false }],
      likelihood: 'categorical',
    });
    const names = model.paramNames();
    expect(names.length).toBe(model.paramCount);
    expect(names.slice(0, 3)).toEqual(['L1.W[0][0][0][0]', 'L1.W[0][0][0][1]', 'L1.W[0][0][0][2]']);
    expect(names[1 * 12 + 0 * 6 + 1 * 3 + 2]).toBe('L1.W[1][0][1][2]');
    expect(names.slice(24, 26)).toEqual(['L1.b[0]', 'L1.b[1]']);
    expect(names[26]).toBe('L3.W[0][0]');
    expect(names.at(-1)).toBe('L3.W[3][3]');
    const attn = new Sequential({
      input: [3, 2],
      layers: [
        { type: 'linear', out: 4 },
        { type: 'attention', heads: 2 },
      ],
      likelihood: 'gaussian',
    });
    const an = attn.paramNames();
    expect(an[12 + 5 * 4 + 0]).toBe('L2.in_proj_weight[5][0]');
    expect(an[12 + 48]).toBe('L2.in_proj_bias[0]');
    expect(an[12 + 60]).toBe('L2.out_proj_weight[0][0]');
    expect(an.at(-1)).toBe('L2.out_proj_bias[3]');
  });
});
