/**
 * The K-FAC statistics a Sequential model reports per weight matrix (inputs
 * a_{n,r} per position, output gradients g_{m,r} per back-propagated row)
 * are the ones the parameter gradient is made of: sum_r g_{m,r} ā_{m,r}ᵀ is
 * row m's gradient of [W b] (so the patch order, the attention projections'
 * inputs and the bias column match the parameter vector), and with the
 * output Fisher's square-root rows the pulled-back rows give the exact Fisher.
 */
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import type { Vec } from '../../src/core/vec.js';
import type { KfacStatistics, Sequential } from '../../src/models/sequential.js';
import { LAYER_MODELS, dot, norm, randomProblem, randomVec } from './sequential-fixtures.js';

/** Sums of at most a few hundred products in other orders: 2^-40 (≈ 4500 ε) of the scale, O(1) for any layout mistake. */
const TOL = 2 ** -40;

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= TOL * (scale + 1e-300))) throw new Error(`${what}: entry ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}

/** Row m's gradient of one weight matrix, [dW | db] as out x (fanIn + 1) (no bias column without bias), from the statistics. */
function blockGradientOfRow(s: KfacStatistics, m: number): Float64Array {
  const { out, fanIn, positions: R } = s.block;
  const n = Math.floor(m / s.rowsPerExample);
  const k = fanIn + (s.biasOffset === null ? 0 : 1);
  const G = new Float64Array(out * k);
  for (let r = 0; r < R; r++) {
    const g = s.outputGradients.subarray((m * R + r) * out, (m * R + r + 1) * out);
    const a = s.inputs.subarray((n * R + r) * fanIn, (n * R + r + 1) * fanIn);
    for (let i = 0; i < out; i++) {
      for (let j = 0; j < fanIn; j++) G[i * k + j] += g[i] * a[j];
      if (k > fanIn) G[i * k + fanIn] += g[i];
    }
  }
  return G;
}

/** The same entries read from a parameter-order vector. */
function blockOfParams(s: KfacStatistics, theta: ArrayLike<number>): Float64Array {
  const { out, fanIn } = s.block;
  const k = fanIn + (s.biasOffset === null ? 0 : 1);
  const G = new Float64Array(out * k);
  for (let i = 0; i < out; i++) {
    for (let j = 0; j < fanIn; j++) G[i * k + j] = theta[s.weightOffset + i * fanIn + j];
    if (s.biasOffset !== null) G[i * k + fanIn] = theta[s.biasOffset + i];
  }
  return G;
}

const models = Object.entries(LAYER_MODELS).map(([name, spec], i) => [name, randomProblem(3000 + i, spec, 3)] as const);

describe.each(models)('%s', (_name, p) => {
  const { model, theta, x, targets } = p;
  const trace = model.forward(theta, x);
  const N = x.batch;

  test('one entry per weight matrix, in parameter order, with inputs and output gradients of the right sizes', () => {
    const dOut = model.loss.lossAndGradient(trace.output, targets).gradient;
    const { statistics } = model.collect(theta, trace, dOut);
    const expected = model.layers.flatMap((layer, l) => layer.kfacBlocks.map((b) => [l, b.name]));
    expect(statistics.map((s) => [s.layer, s.block.name])).toEqual(expected);
    let last = -1;
    for (const s of statistics) {
      expect(s.weightOffset).toBeGreaterThan(last);
      last = s.weightOffset;
      expect(s.inputs.length).toBe(N * s.block.positions * s.block.fanIn);
      expect(s.outputGradients.length).toBe(N * s.block.positions * s.block.out);
    }
  });

  test('sum_n sum_r g ā ᵀ / N is the gradient of the mean loss, block by block', () => {
    const dOut = model.loss.lossAndGradient(trace.output, targets).gradient;
    const { statistics, gradient: summed } = model.collect(theta, trace, dOut, { gradient: true });
    const { gradient } = model.lossAndGradient(theta, x, targets);
    for (const s of statistics) {
      const total = new Float64Array(blockOfParams(s, gradient).length);
      for (let n = 0; n < N; n++) blockGradientOfRow(s, n).forEach((g, i) => (total[i] += g / N));
      expectClose(total, blockOfParams(s, gradient), `layer ${s.layer} ${s.block.name}`);
    }
    expectClose(
      summed as Vec,
      gradient.map((g) => g * N),
      'collect gradient',
    );
  });

  test("with the output Fisher's square-root rows: each row's block gradient is its VJP, and the rows give the exact Fisher", () => {
    const { rows, rowsPerExample } = model.loss.fisherSqrtRows(trace.output);
    expect(rows.batch).toBe(N * rowsPerExample);
    const { statistics } = model.collect(theta, trace, rows);
    const J = model.vjpRows(theta, trace, rows);
    const P = model.paramCount;
    for (const s of statistics) {
      expect(s.rowsPerExample).toBe(rowsPerExample);
      for (let m = 0; m < rows.batch; m++) expectClose(blockGradientOfRow(s, m), blockOfParams(s, J.data.subarray(m * P, (m + 1) * P)), `row ${m}`);
    }
    // (1/N) sum_m j_m (j_mᵀ v) is the Fisher-vector product
    const v = randomVec(new Rng(3100), P);
    const Fv = new Float64Array(P);
    for (let m = 0; m < rows.batch; m++) {
      const jm = J.data.subarray(m * P, (m + 1) * P);
      const c = dot(jm, v) / N;
      for (let i = 0; i < P; i++) Fv[i] += c * jm[i];
    }
    expectClose(Fv, model.fisherVectorProduct(theta, x, v), 'F v');
    expect(norm(Fv)).toBeGreaterThan(0);
  });
});

describe('K-FAC on one example and one position is the exact Fisher block', () => {
  const p = randomProblem(3200, LAYER_MODELS['linear on vectors, tanh, categorical'], 1);
  const { model, theta, x } = p;
  const trace = model.forward(theta, x);
  const { rows } = model.loss.fisherSqrtRows(trace.output);
  const J = model.vjpRows(theta, trace, rows);
  const P = model.paramCount;
  const { statistics } = model.collect(theta, trace, rows);

  /** G ⊗ A for [W b] with A = ā āᵀ and G = sum_m g_m g_mᵀ, against sum_m (block of j_m)(block of j_m)ᵀ. */
  function gap(s: KfacStatistics, model: Sequential): number {
    const { out, fanIn } = s.block;
    const k = fanIn + 1;
    const a = Float64Array.from({ length: k }, (_, j) => (j < fanIn ? s.inputs[j] : 1));
    const M = rows.batch;
    let worst = 0;
    let scale = 0;
    const blocks = Array.from({ length: M }, (_, m) => blockOfParams(s, J.data.subarray(m * P, (m + 1) * P)));
    for (let i = 0; i < out; i++) {
      for (let ii = 0; ii < out; ii++) {
        let g = 0;
        for (let m = 0; m < M; m++) g += s.outputGradients[m * out + i] * s.outputGradients[m * out + ii];
        for (let j = 0; j < k; j++) {
          for (let jj = 0; jj < k; jj++) {
            let exact = 0;
            for (let m = 0; m < M; m++) exact += blocks[m][i * k + j] * blocks[m][ii * k + jj];
            worst = Math.max(worst, Math.abs(g * a[j] * a[jj] - exact));
            scale = Math.max(scale, Math.abs(exact));
          }
        }
      }
    }
    expect(model.paramCount).toBe(P);
    return worst / scale;
  }

  test('for every layer', () => {
    for (const s of statistics) expect(gap(s, model)).toBeLessThanOrEqual(TOL);
  });

  test('sensitivity: inputs off by 0.5% (A off by 1%) are caught', () => {
    const [, second] = statistics;
    const off: KfacStatistics = { ...second, inputs: second.inputs.map((a) => a * 1.005) };
    expect(gap(off, model)).toBeGreaterThan(TOL);
  });
});

describe('sensitivity: patches in the wrong order do not reproduce the gradient', () => {
  const p = randomProblem(3300, LAYER_MODELS['conv2d with stride and padding, sigmoid, flatten, bernoulli'], 2);
  const { model, theta, x, targets } = p;
  const trace = model.forward(theta, x);
  const dOut = model.loss.lossAndGradient(trace.output, targets).gradient;
  const [conv] = model.collect(theta, trace, dOut).statistics;
  const { gradient } = model.lossAndGradient(theta, x, targets);

  test('kernel position first, channel last', () => {
    const C = 2;
    const khw = conv.block.fanIn / C;
    const permuted = new Float64Array(conv.inputs.length);
    for (let row = 0; row < conv.inputs.length / conv.block.fanIn; row++) {
      for (let c = 0; c < C; c++)
        for (let q = 0; q < khw; q++) permuted[row * conv.block.fanIn + q * C + c] = conv.inputs[row * conv.block.fanIn + c * khw + q];
    }
    const wrong: KfacStatistics = { ...conv, inputs: permuted };
    const total = new Float64Array(blockOfParams(conv, gradient).length);
    for (let n = 0; n < 2; n++) blockGradientOfRow(wrong, n).forEach((g, i) => (total[i] += g / 2));
    expect(() => expectClose(total, blockOfParams(conv, gradient), 'permuted')).toThrow(/entry/);
  });
});
