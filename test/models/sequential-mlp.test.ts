/**
 * An MLP built as Sequential(linear, activation, ...) is the MLP of
 * src/models/mlp.ts: same parameter vector, and the same loss, gradient,
 * per-example gradients, JVPs, output Jacobians, GGN-vector and
 * Hessian-vector products and sampled targets, to rounding, on every
 * activation and likelihood (with and without biases).
 */
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { ACTIVATIONS } from '../../src/models/activations.js';
import { LIKELIHOODS, likelihoodModel } from '../../src/models/likelihoods.js';
import * as mlp from '../../src/models/mlp.js';
import { Sequential, sequentialSpecFromMlp } from '../../src/models/sequential.js';
import { stackExamples } from '../../src/models/tensor.js';
import { randomDirection, randomProblem } from './fixtures.js';

/**
 * Both compute the same sums (at most 5 terms per product, 3 layers) in
 * different orders (GEMM blocks against plain loops); each result is within a
 * few ε per stage times the network's sensitivity of order 1-10. 2^-44 ≈ 256 ε
 * of the largest entry (plus 2^-44 absolute, for entries that cancel to 0)
 * covers that; the sensitivity test shows a 1e-10 change is already caught.
 */
const TOL = 2 ** -44;

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= TOL * (scale + 1))) {
      throw new Error(`${what}: entry ${i} is ${actual[i]}, expected ${expected[i]} (tolerance ${TOL * (scale + 1)})`);
    }
  }
}

const CASES = ACTIVATIONS.flatMap((act) => LIKELIHOODS.map((lik) => [act, lik] as const));

describe.each(CASES)('MLP with %s hidden layers and a %s likelihood', (act, likelihood) => {
  const K = likelihood === 'bernoulli' ? 1 : 3;
  const p = randomProblem(2000 + ACTIVATIONS.indexOf(act) * 3 + LIKELIHOODS.indexOf(likelihood), {
    sizes: [4, 5, 3, K],
    activations: [act, act, act === 'relu' ? 'identity' : act],
    likelihood,
    bias: [true, false, true],
    N: 4,
  });
  const model = new Sequential(sequentialSpecFromMlp(p.spec));
  const theta = mlp.flattenWeights(p.weights);
  const x = stackExamples(p.inputs, [4]);
  const rng = new Rng(`mlp ${act} ${likelihood}`);
  const v = randomDirection(rng, p.spec);

  test('same parameter vector and names (W<l> is L<2l-1>.W)', () => {
    expect(model.paramCount).toBe(mlp.paramCount(p.spec));
    const renamed = mlp.paramNames(p.spec).map((n) => n.replace(/^([Wb])(\d+)/, (_m, t: string, l: string) => `L${2 * Number(l) - 1}.${t}`));
    expect(model.paramNames()).toEqual(renamed);
  });

  test('same loss, gradient and per-example gradients', () => {
    const a = model.lossAndGradient(theta, x, p.targets);
    const b = mlp.lossAndGradient(p.spec, p.weights, p.inputs, p.targets);
    expectClose([a.loss], [b.loss], 'loss');
    expectClose(a.gradient, b.gradient, 'gradient');
    expectClose([model.lossValue(theta, x, p.targets)], [b.loss], 'meanLoss');
    const rows = model.exampleLossGradients(theta, x, p.targets);
    mlp
      .perExampleGradients(p.spec, p.weights, p.inputs, p.targets)
      .forEach((g, n) => expectClose(rows.data.subarray(n * g.length, (n + 1) * g.length), g, `example ${n}`));
  });

  test('same outputs, JVPs and output Jacobians', () => {
    const trace = model.forward(theta, x);
    const Jv = model.jvp(theta, trace, v);
    const J = model.outputJacobians(theta, trace);
    p.inputs.forEach((xi, n) => {
      expectClose(trace.output.example(n), mlp.predict(p.spec, p.weights, xi), `output ${n}`);
      expectClose(Jv.example(n), mlp.jvp(p.spec, p.weights, xi, v), `jvp ${n}`);
      const Jn = mlp.outputJacobian(p.spec, p.weights, xi);
      expectClose(J.data.subarray(n * Jn.data.length, (n + 1) * Jn.data.length), Jn.data, `Jacobian ${n}`);
    });
  });

  test('same GGN-vector and Hessian-vector products', () => {
    const lik = likelihoodModel(likelihood);
    const ggn = new Float64Array(theta.length);
    p.inputs.forEach((xi, n) => {
      const f = mlp.predict(p.spec, p.weights, xi);
      const H = lik.hessian(f, p.targets[n]);
      const Jvn = mlp.jvp(p.spec, p.weights, xi, v);
      const HJv = Float64Array.from({ length: K }, (_, i) => H.row(i).reduce((s, h, j) => s + h * Jvn[j], 0));
      const g = mlp.vjp(p.spec, p.weights, xi, HJv);
      for (let i = 0; i < g.length; i++) ggn[i] += g[i] / p.inputs.length;
    });
    expectClose(model.ggnVectorProduct(theta, x, p.targets, v), ggn, 'GGN v');
    expectClose(model.hessianVectorProduct(theta, x, p.targets, v), mlp.hessianVectorProduct(p.spec, p.weights, p.inputs, p.targets, v), 'H v');
  });

  test('the same targets sampled from the same seed', () => {
    const a = model.sampleTargets(theta, x, new Rng(9));
    const b = mlp.sampleTargets(p.spec, p.weights, p.inputs, new Rng(9));
    // gaussian draws are f + noise, so they carry the outputs' rounding
    if (likelihood === 'gaussian') b.forEach((y, n) => expectClose(a[n] as Float64Array, y as Float64Array, `sample ${n}`));
    else expect(a).toEqual(b);
  });
});

test('sensitivity: a 1e-10 relative change of the gradient is outside the tolerance', () => {
  const p = randomProblem(2100, { sizes: [3, 4, 2], activations: ['tanh', 'identity'], likelihood: 'categorical', N: 3 });
  const model = new Sequential(sequentialSpecFromMlp(p.spec));
  const a = model.lossAndGradient(mlp.flattenWeights(p.weights), stackExamples(p.inputs, [3]), p.targets).gradient;
  const b = mlp.lossAndGradient(p.spec, p.weights, p.inputs, p.targets).gradient;
  expectClose(a, b, 'gradient');
  const i = a.reduce((best, g, k) => (Math.abs(g) > Math.abs(a[best]) ? k : best), 0);
  a[i] *= 1 + 1e-10;
  expect(() => expectClose(a, b, 'gradient')).toThrow(/entry/);
});
