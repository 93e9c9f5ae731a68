/**
 * The Monte Carlo Fisher on its own draws: the operator is the mean of the
 * per-draw estimates and the standard error their sample standard deviation
 * over sqrt(M), computed here from the returned factor; the labels drawn;
 * the diagonal moments as the diagonal of the full ones; and the refusals.
 */
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { monteCarloDiagonalMoments, monteCarloFisher, monteCarloFisherMoments, sampleLabelSets } from '../../src/curvature/monte-carlo-fisher.js';
import { curvatureDiagonal } from '../../src/curvature/model-curvature.js';
import { maxAbs } from '../../src/linalg/ops.js';
import { mlpProblem } from '../../src/models/mlp.js';
import { randomProblem } from '../models/fixtures.js';
import { thrownLine } from '../natgrad-error.js';

const p = randomProblem(1701, { sizes: [2, 3, 3], activations: ['tanh', 'identity'], likelihood: 'categorical', N: 3 });
const { model, theta, batch } = mlpProblem(p.spec, p.weights, p.inputs, p.targets);
const N = 3;
const P = model.paramCount;
const c = model.scale(N);

describe('the Monte Carlo Fisher from its draws', () => {
  const M = 4;
  const mc = monteCarloFisher(model, theta, batch.x, M, new Rng(1702));
  /** F_s = c sum_n g_ns g_nsᵀ from the factor's rows, draw by draw. */
  const perDraw = Array.from({ length: M }, (_, s) => {
    const F = new Float64Array(P * P);
    for (let n = 0; n < N; n++) {
      const g = mc.factor.U.data.subarray((s * N + n) * P, (s * N + n + 1) * P);
      for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) F[i * P + j] += c * g[i] * g[j];
    }
    return F;
  });

  test('M label sets of N labels, a factor of M N rows weighted c / M, the operator the mean of the per-draw estimates', () => {
    expect(mc.samples).toBe(M);
    expect(mc.targets.length).toBe(M);
    for (const ys of mc.targets) expect(ys.length).toBe(N);
    expect(mc.factor.U.rows).toBe(M * N);
    expect(mc.factor.weight).toBe(c / M);
    const dense = mc.operator.dense();
    const scale = maxAbs(dense);
    for (let k = 0; k < P * P; k++) {
      const mean = perDraw.reduce((a, F) => a + F[k], 0) / M;
      expect(Math.abs(dense.data[k] - mean)).toBeLessThanOrEqual(1e-13 * scale);
    }
  });

  test('the standard error is the sample standard deviation of the per-draw estimates over sqrt(M), and a copy each time', () => {
    const se = mc.stdError();
    let scale = 0;
    const want = new Float64Array(P * P);
    for (let k = 0; k < P * P; k++) {
      const mean = perDraw.reduce((a, F) => a + F[k], 0) / M;
      const v = perDraw.reduce((a, F) => a + (F[k] - mean) ** 2, 0) / (M - 1);
      want[k] = Math.sqrt(v / M);
      scale = Math.max(scale, want[k]);
    }
    expect(scale).toBeGreaterThan(0);
    for (let k = 0; k < P * P; k++) expect(Math.abs(se.data[k] - want[k])).toBeLessThanOrEqual(1e-12 * scale);
    se.data.fill(-1);
    const again = mc.stdError();
    for (let k = 0; k < P * P; k++) expect(Math.abs(again.data[k] - want[k])).toBeLessThanOrEqual(1e-12 * scale);
  });

  test('the MLP form draws the same labels and factor as the Sequential form', () => {
    const a = monteCarloFisher(p.spec, p.weights, p.inputs, 2, new Rng(1703));
    const b = monteCarloFisher(model, theta, batch.x, 2, new Rng(1703));
    expect(a.targets).toEqual(b.targets);
    expect(Array.from(a.factor.U.data)).toEqual(Array.from(b.factor.U.data));
  });

  test('sampleLabelSets draws M sets of N labels in the order of monteCarloFisher', () => {
    const sets = sampleLabelSets(model, theta, batch.x, 3, new Rng(1704));
    expect(sets).toEqual(monteCarloFisher(model, theta, batch.x, 3, new Rng(1704)).targets);
  });
});

describe('moments', () => {
  test('the diagonal moments are the diagonal of the full moments, the value the Fisher diagonal', () => {
    const full = monteCarloFisherMoments(model, theta, batch, 5);
    const diag = monteCarloDiagonalMoments(model, theta, batch, 5);
    expect(diag.samples).toBe(5);
    const exact = curvatureDiagonal(model, theta, batch, 'fisher');
    for (let i = 0; i < P; i++) {
      expect(diag.value[i]).toBe(exact[i]);
      expect(Math.abs(diag.standardError[i] - full.standardError.get(i, i))).toBeLessThanOrEqual(1e-14 * maxAbs(full.standardError));
    }
    // M draws shrink the standard error by sqrt(M)
    const one = monteCarloFisherMoments(model, theta, batch, 1);
    for (let k = 0; k < P * P; k++)
      expect(Math.abs(full.standardError.data[k] * Math.sqrt(5) - one.standardError.data[k])).toBeLessThanOrEqual(1e-14 * maxAbs(one.standardError));
  });
});

describe('the exact standard error of a categorical model', () => {
  test('one draw: c sqrt(sum_n Var_y(g_i g_j)), the variance over the K labels weighted by their probabilities', () => {
    const K = 3;
    const logits = model.predict(theta, batch.x).data;
    const grads = Array.from({ length: K }, (_, k) => model.exampleLossGradients(theta, batch.x, new Array(N).fill(k)).data);
    const want = new Float64Array(P * P);
    for (let n = 0; n < N; n++) {
      const f = logits.subarray(n * K, (n + 1) * K);
      const top = Math.max(...f);
      const e = Array.from(f, (v) => Math.exp(v - top));
      const z = e.reduce((a, b) => a + b, 0);
      for (let i = 0; i < P; i++) {
        for (let j = 0; j < P; j++) {
          let m1 = 0;
          let m2 = 0;
          for (let k = 0; k < K; k++) {
            const q = grads[k][n * P + i] * grads[k][n * P + j];
            m1 += (e[k] / z) * q;
            m2 += (e[k] / z) * q * q;
          }
          want[i * P + j] += m2 - m1 * m1;
        }
      }
    }
    const se = monteCarloFisherMoments(model, theta, batch, 1).standardError;
    const scale = c * Math.sqrt(Math.max(...want));
    for (let q = 0; q < P * P; q++) expect(Math.abs(se.data[q] - c * Math.sqrt(Math.max(want[q], 0)))).toBeLessThanOrEqual(1e-7 * scale);
  });
});

describe('refusals', () => {
  test('two draws are enough for a standard error', () => {
    expect(monteCarloFisher(model, theta, batch.x, 2, new Rng(3)).stdError().rows).toBe(P);
  });

  test('a standard error needs two draws; samples must be a positive integer', () => {
    expect(thrownLine(() => monteCarloFisher(model, theta, batch.x, 1, new Rng(1)).stdError())).toBe('samples: a standard error needs at least 2 draws, got 1');
    expect(thrownLine(() => sampleLabelSets(model, theta, batch.x, 0, new Rng(1)))).toMatch(/^samples: /);
    expect(thrownLine(() => monteCarloFisherMoments(model, theta, batch, 0))).toMatch(/^samples: /);
    expect(thrownLine(() => monteCarloDiagonalMoments(model, theta, batch, 1.5))).toMatch(/^samples: /);
  });
});
