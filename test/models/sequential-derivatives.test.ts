/**
 * Every layer's derivatives on whole batches: the gradient against central
 * differences of the loss, JVPs against differences of the output (along
 * parameters and inputs), VJP/JVP adjointness to rounding, and the exact
 * Hessian-vector product (R-operator) against differences of the gradient.
 * Each model below exercises one layer type in the setting where its
 * weight sharing or nonlinearity matters; the sensitivity runs at the end
 * show the checks catch a wrong answer.
 */
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { Tensor } from '../../src/models/tensor.js';
import { fdMismatches } from './fixtures.js';
import {
  LAYER_MODELS,
  type SeqProblem,
  centralDifference,
  dot,
  norm,
  randomProblem,
  randomTensor,
  randomVec,
  shifted,
  shiftedInput,
  smoothAlong,
} from './sequential-fixtures.js';

/**
 * Step of the central differences: truncation O(h²) and round-off O(ε/h)
 * balance near ε^(1/3) ≈ 6e-6; at 1e-4 both stay below 1e-7 of the values
 * here, and the bound is estimated from the differences themselves.
 */
const H = 1e-4;
/**
 * Adjointness and symmetry hold exactly in real arithmetic; in floating point
 * the two sides are sums over at most a few thousand products taken in
 * different orders through at most five layers, each with relative error of
 * order (terms) ε. 2^-40 ≈ 4500 ε of the norm-product scale covers that with a
 * margin, and a wrong adjoint (sensitivity runs below) is off by O(1).
 */
const ROUNDING = 2 ** -40;

const N = 3;
const DIRECTIONS = 4;

function problems(): [string, SeqProblem][] {
  return Object.entries(LAYER_MODELS).map(([name, spec], i) => [name, randomProblem(1000 + i, spec, N)]);
}

describe.each(problems())('%s', (name, p) => {
  const { model, theta, x, targets } = p;
  const P = model.paramCount;
  const rng = new Rng(`directions ${name}`);
  const dirs = Array.from({ length: DIRECTIONS }, () => ({
    v: randomVec(rng, P),
    dx: randomTensor(rng, x.shape),
    u: randomTensor(rng, [N, ...model.outputShape]),
  }));

  test('gradient of the mean loss along random directions (parameters and inputs)', () => {
    const { gradient, trace } = model.lossAndGradient(theta, x, targets);
    const N = x.batch;
    const g = model.loss.lossAndGradient(trace.output, targets).gradient;
    for (let i = 0; i < g.data.length; i++) g.data[i] /= N;
    const inputGradient = model.vjp(theta, trace, g, { inputGradient: true }).inputGradient as Tensor;
    for (const { v, dx } of dirs) {
      expect(smoothAlong(p, v, null, H)).toBe(true);
      const fd = centralDifference((t) => [model.lossValue(shifted(theta, v, t), x, targets)], H);
      expect(fdMismatches([dot(gradient, v)], fd), `seed 1000+, ${name}`).toEqual([]);
      const fdx = centralDifference((t) => [model.lossValue(theta, shiftedInput(x, dx, t), targets)], H);
      expect(fdMismatches([dot(inputGradient.data, dx.data)], fdx)).toEqual([]);
    }
  });

  test('the gradient entry by entry', () => {
    const { gradient } = model.lossAndGradient(theta, x, targets);
    const e = new Float64Array(P);
    for (let i = 0; i < P; i++) {
      e.fill(0);
      e[i] = 1;
      const fd = centralDifference((t) => [model.lossValue(shifted(theta, e, t), x, targets)], H);
      expect(fdMismatches([gradient[i]], fd), `entry ${i} (${model.paramNames()[i]})`).toEqual([]);
    }
  });

  test('JVP (parameters and inputs) against differences of the output', () => {
    const trace = model.forward(theta, x);
    for (const { v, dx } of dirs) {
      const Jv = model.jvp(theta, trace, v, dx);
      const fd = centralDifference((t) => model.predict(shifted(theta, v, t), shiftedInput(x, dx, t)).data, H);
      expect(fdMismatches(Jv.data, fd)).toEqual([]);
    }
  });

  test('VJP is the adjoint of JVP: <u, J v> = <Jᵀ u, v> for parameters and inputs', () => {
    const trace = model.forward(theta, x);
    for (const { v, dx, u } of dirs) {
      const Jv = model.jvp(theta, trace, v, null);
      const Jx = model.jvp(theta, trace, null, dx);
      const { gradient: JTu, inputGradient: dxu } = model.vjp(theta, trace, u, { inputGradient: true });
      const inputGradient = dxu as Tensor;
      expect(Math.abs(dot(u.data, Jv.data) - dot(JTu, v))).toBeLessThanOrEqual(ROUNDING * (norm(u.data) * norm(Jv.data) + norm(JTu) * norm(v)));
      expect(Math.abs(dot(u.data, Jx.data) - dot(inputGradient.data, dx.data))).toBeLessThanOrEqual(
        ROUNDING * (norm(u.data) * norm(Jx.data) + norm(inputGradient.data) * norm(dx.data)),
      );
    }
  });

  test('per-row VJPs: each row is the VJP of that row alone, and the rows sum to the VJP', () => {
    const trace = model.forward(theta, x);
    const u = dirs[0].u;
    const rows = model.vjpRows(theta, trace, u);
    const total = model.vjp(theta, trace, u).gradient;
    const O = u.exampleSize;
    for (let n = 0; n < N; n++) {
      const only = new Tensor(u.shape);
      only.data.set(u.example(n), n * O);
      const g = model.vjp(theta, trace, only).gradient;
      const row = rows.data.subarray(n * P, (n + 1) * P);
      expect(norm(Array.from(row, (r, i) => r - g[i]))).toBeLessThanOrEqual(ROUNDING * norm(g));
    }
    const sum = new Float64Array(P);
    for (let n = 0; n < N; n++) for (let i = 0; i < P; i++) sum[i] += rows.data[n * P + i];
    expect(norm(Array.from(sum, (s, i) => s - total[i]))).toBeLessThanOrEqual(ROUNDING * norm(total));
  });

  test('Hessian-vector product (R-operator) against differences of the gradient', () => {
    for (const { v } of dirs) {
      const Hv = model.hessianVectorProduct(theta, x, targets, v);
      const fd = centralDifference((t) => model.lossAndGradient(shifted(theta, v, t), x, targets).gradient, H);
      expect(fdMismatches(Hv, fd)).toEqual([]);
    }
  });

  test('the Hessian is symmetric: uᵀ(H v) = vᵀ(H u)', () => {
    const [a, b] = dirs;
    const Ha = model.hessianVectorProduct(theta, x, targets, a.v);
    const Hb = model.hessianVectorProduct(theta, x, targets, b.v);
    expect(Math.abs(dot(a.v, Hb) - dot(b.v, Ha))).toBeLessThanOrEqual(ROUNDING * (norm(a.v) * norm(Hb) + norm(b.v) * norm(Ha)));
  });

  test('GGN- and Fisher-vector products equal (1/N) Jᵀ H J v from the explicit output Jacobians', () => {
    const trace = model.forward(theta, x);
    const J = model.outputJacobians(theta, trace);
    const v = dirs[0].v;
    const Jv = new Tensor([N, ...model.outputShape]);
    for (let r = 0; r < J.rows; r++) Jv.data[r] = dot(J.data.subarray(r * P, (r + 1) * P), v);
    const HJv = model.loss.hessianProduct(trace.output, targets, Jv);
    const expected = new Float64Array(P);
    for (let r = 0; r < J.rows; r++) for (let i = 0; i < P; i++) expected[i] += (J.data[r * P + i] * HJv.data[r]) / N;
    const ggn = model.ggnVectorProduct(theta, x, targets, v);
    const fisher = model.fisherVectorProduct(theta, x, v);
    expect(norm(Array.from(ggn, (g, i) => g - expected[i]))).toBeLessThanOrEqual(ROUNDING * norm(expected));
    // the three likelihoods are canonical: the output Hessian is the output Fisher
    expect(norm(Array.from(fisher, (g, i) => g - expected[i]))).toBeLessThanOrEqual(ROUNDING * norm(expected));
  });
});

describe('the derivative checks can fail', () => {
  const spec = LAYER_MODELS['attention alone, per-position gaussian'];
  const p = randomProblem(1100, spec, N);
  const { model, theta, x, targets } = p;
  const v = randomVec(new Rng(1101), model.paramCount);
  const fdGrad = centralDifference((t) => model.lossAndGradient(shifted(theta, v, t), x, targets).gradient, H);

  test("the GGN (no second-order terms of attention's softmax and products) fails the Hessian check", () => {
    // with a gaussian output directly after attention, the GGN differs from the Hessian only by attention's own curvature
    const Gv = model.ggnVectorProduct(theta, x, targets, v);
    expect(fdMismatches(Gv, fdGrad).length).toBeGreaterThan(0);
    expect(fdMismatches(model.hessianVectorProduct(theta, x, targets, v), fdGrad)).toEqual([]);
  });

  test('a Hessian-vector product with one entry off by 0.1% is caught', () => {
    const Hv = model.hessianVectorProduct(theta, x, targets, v);
    const i = Hv.reduce((best, h, k) => (Math.abs(h) > Math.abs(Hv[best]) ? k : best), 0);
    Hv[i] *= 1.001;
    expect(fdMismatches(Hv, fdGrad)).toEqual([i]);
  });

  test('a gradient with one entry off by 0.1% is caught', () => {
    const { gradient } = model.lossAndGradient(theta, x, targets);
    const i = gradient.reduce((best, g, k) => (Math.abs(g) > Math.abs(gradient[best]) ? k : best), 0);
    const e = new Float64Array(model.paramCount);
    e[i] = 1;
    const fd = centralDifference((t) => [model.lossValue(shifted(theta, e, t), x, targets)], H);
    expect(fdMismatches([gradient[i] * 1.001], fd)).toEqual([0]);
  });

  test('a transposed adjoint (the VJP of the transposed out_proj) fails adjointness', () => {
    const trace = model.forward(theta, x);
    const rng = new Rng(1102);
    const u = randomTensor(rng, [N, ...model.outputShape]);
    const Jv = model.jvp(theta, trace, v, null);
    const wrong = theta.slice();
    const D = 2;
    const off = 3 * D * D + 3 * D;
    for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) wrong[off + i * D + j] = theta[off + j * D + i];
    const JTu = model.vjp(wrong, model.forward(wrong, x), u).gradient;
    const gap = Math.abs(dot(u.data, Jv.data) - dot(JTu, v));
    expect(gap).toBeGreaterThan(ROUNDING * (norm(u.data) * norm(Jv.data) + norm(JTu) * norm(v)));
  });
});
