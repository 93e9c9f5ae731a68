/**
 * Sequential models against PyTorch's own modules (nn.Conv2d, nn.Linear,
 * nn.MultiheadAttention, float64), from the fixture that
 * scripts/sequential-reference.py wrote: outputs, mean loss, its gradient in
 * parameters_to_vector order and a Hessian-vector product (double backward).
 * This pins the layouts: NCHW, conv weights [out, C, kh, kw], attention's
 * in_proj rows (q, k, v), the head split, the 1/sqrt(head_dim) scale and the
 * causal mask. Regenerate with
 *   /usr/bin/python3 scripts/sequential-reference.py > test/models/fixtures/sequential-pytorch.json
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { Sequential, sequentialFromSpec } from '../../src/models/sequential.js';
import { tensorFromNested } from '../../src/models/tensor.js';

interface Case {
  name: string;
  spec: unknown;
  weights: unknown;
  inputs: unknown;
  targets: unknown;
  output: number[];
  loss: number;
  gradient: number[];
  direction: number[];
  hessianVectorProduct: number[];
  paramCount: number;
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/sequential-pytorch.json', import.meta.url), 'utf8')) as { cases: Case[] };

/** Agreement to 1e-12 of the field's largest entry: float64 rounding in two different summation orders is far below it. */
function maxRelGap(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  expect(actual.length).toBe(expected.length);
  let scale = 0;
  let gap = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    gap = Math.max(gap, Math.abs(actual[i] - expected[i]));
  }
  return gap / Math.max(scale, 1e-300);
}

function load(c: Case) {
  const model = sequentialFromSpec(c.spec);
  const theta = model.paramsFromJson(c.weights);
  const x = tensorFromNested(c.inputs, model.inputShape, 'inputs');
  const targets = model.loss.targetsFromJson(c.targets, x.batch);
  return { model, theta, x, targets };
}

test('the fixture covers conv2d, mean, flatten, attention (causal or not), and all three output kinds', () => {
  const types = new Set(fixture.cases.flatMap((c) => (c.spec as { layers: { type: string }[] }).layers.map((l) => l.type)));
  expect([...types].sort()).toEqual(['activation', 'attention', 'conv2d', 'flatten', 'linear', 'mean']);
});

describe.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  const { model, theta, x, targets } = load(c);

  test('parameter count and parameters_to_vector order', () => {
    expect(model.paramCount).toBe(c.paramCount);
    expect(model.paramsFromJson(JSON.parse(JSON.stringify(model.paramsToJson(theta))))).toEqual(theta);
  });

  test('outputs, loss and gradient to 1e-12', () => {
    expect(maxRelGap(model.predict(theta, x).data, c.output)).toBeLessThanOrEqual(1e-12);
    const { loss, gradient } = model.lossAndGradient(theta, x, targets);
    expect(Math.abs(loss - c.loss) / Math.abs(c.loss)).toBeLessThanOrEqual(1e-12);
    expect(maxRelGap(gradient, c.gradient)).toBeLessThanOrEqual(1e-12);
  });

  test('Hessian-vector product to 1e-12', () => {
    expect(maxRelGap(model.hessianVectorProduct(theta, x, targets, Float64Array.from(c.direction)), c.hessianVectorProduct)).toBeLessThanOrEqual(1e-12);
  });
});

describe('sensitivity: layout mistakes are far outside 1e-12', () => {
  const attn = fixture.cases.find((c) => c.name.startsWith('causal attention: 3-head')) as Case;
  const cnn = fixture.cases.find((c) => c.name.startsWith('cnn: conv2d (stride')) as Case;

  test('attention without its causal mask', () => {
    const spec = JSON.parse(JSON.stringify(attn.spec));
    spec.layers[0].causal = false;
    const model = sequentialFromSpec(spec);
    const x = tensorFromNested(attn.inputs, model.inputShape, 'inputs');
    expect(maxRelGap(model.predict(model.paramsFromJson(attn.weights), x).data, attn.output)).toBeGreaterThan(1e-3);
  });

  test('conv kernels read as [out, kh, kw, C] (patches kernel position first)', () => {
    const { model, theta, x } = load(cnn);
    const wrong = theta.slice();
    const [C, kh, kw, out] = [2, 3, 2, 3];
    for (let o = 0; o < out; o++) {
      for (let c = 0; c < C; c++) {
        for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) wrong[o * C * kh * kw + (i * kw + j) * C + c] = theta[((o * C + c) * kh + i) * kw + j];
      }
    }
    expect(maxRelGap(model.predict(wrong, x).data, cnn.output)).toBeGreaterThan(1e-3);
  });

  test('a model of the right layout is not confused with another: the tolerance is met by a margin', () => {
    const { model, theta, x } = load(cnn);
    expect(model).toBeInstanceOf(Sequential);
    expect(maxRelGap(model.predict(theta, x).data, cnn.output)).toBeLessThanOrEqual(1e-14);
  });
});
