/**
 * The exact curvatures of Sequential models (CNN, attention, per-position
 * outputs) against their definitions built from explicit output Jacobians
 * and per-example gradients, the Hessian against finite differences of the
 * gradient, the operators against the dense matrices, the reductions, and a
 * Monte Carlo Fisher against its exact standard errors.
 */
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import type { Vec } from '../../src/core/vec.js';
import { MODEL_CURVATURES, curvatureMatrix, curvatureOperator } from '../../src/curvature/model-curvature.js';
import { monteCarloFisher, monteCarloFisherMoments } from '../../src/curvature/monte-carlo-fisher.js';
import { Matrix } from '../../src/linalg/matrix.js';
import type { Batch, Sequential, SequentialSpec } from '../../src/models/sequential.js';
import { withinStdError, zForFalseAlarm } from '../../src/numeric/statistics.js';
import { LAYER_MODELS, centralDifference, randomProblem, randomVec } from '../models/sequential-fixtures.js';
import { relGap } from './relative-gap.js';

/** Sums of at most a few thousand products in other orders: 2^-38 of the scale; a wrong factor or term is O(1). */
const TOL = 2 ** -38;

/**
 * c sum_n J_nᵀ M_n J_n from the explicit output Jacobians, M_n block-diagonal
 * over positions: the output Fisher (fisher) or the output Hessian at the target (ggn).
 */
function fromJacobians(model: Sequential, theta: Vec, batch: Batch, kind: 'fisher' | 'ggn'): Matrix {
  const trace = model.forward(theta, batch.x);
  const J = model.outputJacobians(theta, trace);
  const { positions: T, K } = model.loss;
  const O = T * K;
  const P = model.paramCount;
  const N = batch.x.batch;
  const C = new Matrix(P, P);
  const c = model.scale(N);
  for (let n = 0; n < N; n++) {
    for (let t = 0; t < T; t++) {
      const f = trace.output.data.subarray((n * T + t) * K, (n * T + t + 1) * K);
      const lik = model.loss.likelihood;
      const M = kind === 'fisher' ? lik.fisher(f) : lik.hessian(f, model.loss.target(batch.targets, n, t));
      for (let a = 0; a < K; a++) {
        for (let b = 0; b < K; b++) {
          const w = c * M.data[a * K + b];
          if (w === 0) continue;
          const ra = (n * O + t * K + a) * P;
          const rb = (n * O + t * K + b) * P;
          for (let i = 0; i < P; i++) {
            const ji = w * J.data[ra + i];
            for (let j = 0; j < P; j++) C.data[i * P + j] += ji * J.data[rb + j];
          }
        }
      }
    }
  }
  return C;
}

/** c sum_n g_n g_nᵀ from the per-example gradients. */
function empiricalFromGradients(model: Sequential, theta: Vec, batch: Batch): Matrix {
  const G = model.exampleLossGradients(theta, batch.x, batch.targets);
  const P = model.paramCount;
  const c = model.scale(batch.x.batch);
  const C = new Matrix(P, P);
  for (let n = 0; n < G.rows; n++) for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) C.data[i * P + j] += c * G.data[n * P + i] * G.data[n * P + j];
  return C;
}

const NAMES = [
  'conv2d with stride and padding, sigmoid, flatten, bernoulli',
  'attention (2 heads), mean over positions, categorical',
  'causal attention, per-position categorical (a small transformer block)',
  'linear shared over positions, softplus, per-position categorical',
  'per-position bernoulli on a sequence',
];

describe.each(NAMES.map((name, i) => [name, i] as const))('%s', (name, i) => {
  const p = randomProblem(6000 + i, LAYER_MODELS[name], 3);
  const { model, theta } = p;
  const batch: Batch = { x: p.x, targets: p.targets };
  const P = model.paramCount;

  test('Fisher and GGN are c sum_n J_nᵀ M_n J_n, the empirical Fisher c sum_n g_n g_nᵀ', () => {
    expect(relGap(curvatureMatrix(model, theta, batch, 'fisher').data, fromJacobians(model, theta, batch, 'fisher').data)).toBeLessThanOrEqual(TOL);
    expect(relGap(curvatureMatrix(model, theta, batch, 'ggn').data, fromJacobians(model, theta, batch, 'ggn').data)).toBeLessThanOrEqual(TOL);
    expect(relGap(curvatureMatrix(model, theta, batch, 'empirical-fisher').data, empiricalFromGradients(model, theta, batch).data)).toBeLessThanOrEqual(TOL);
  });

  test('the Hessian, column by column, against central differences of the gradient (steps h, h/2; bound from their difference)', () => {
    const H = curvatureMatrix(model, theta, batch, 'hessian');
    const h = 1e-3;
    for (let j = 0; j < P; j++) {
      const { value, bound } = centralDifference((t) => {
        const th = Float64Array.from(theta);
        th[j] += t;
        return model.lossAndGradient(th, batch.x, batch.targets).gradient;
      }, h);
      for (let i = 0; i < P; i++) {
        if (!(Math.abs(H.data[i * P + j] - value[i]) <= bound[i]))
          throw new Error(`${name}: H[${i}][${j}] = ${H.data[i * P + j]}, differences ${value[i]} ± ${bound[i]}`);
      }
    }
  });

  test('every operator applies its dense matrix', () => {
    const v = randomVec(new Rng(6100 + i), P);
    for (const kind of MODEL_CURVATURES) {
      const op = curvatureOperator(model, theta, batch, kind);
      const C = curvatureMatrix(model, theta, batch, kind);
      const Cv = new Float64Array(P);
      for (let r = 0; r < P; r++) for (let c = 0; c < P; c++) Cv[r] += C.data[r * P + c] * v[c];
      expect(relGap(op.matvec(v), Cv)).toBeLessThanOrEqual(TOL);
    }
  });

  test('reductions: sum is N times mean, mean-elements is mean / T (positions)', () => {
    const N = batch.x.batch;
    const T = model.loss.positions;
    for (const kind of MODEL_CURVATURES) {
      const mean = curvatureMatrix(model, theta, batch, kind);
      expect(
        relGap(
          curvatureMatrix(model.withReduction('sum'), theta, batch, kind).data,
          mean.data.map((m) => m * N),
        ),
      ).toBeLessThanOrEqual(TOL);
      expect(
        relGap(
          curvatureMatrix(model.withReduction('mean-elements'), theta, batch, kind).data,
          mean.data.map((m) => m / T),
        ),
      ).toBeLessThanOrEqual(TOL);
    }
  });

  test('sensitivity: a Fisher off by 1% is caught', () => {
    const F = fromJacobians(model, theta, batch, 'fisher');
    expect(
      relGap(
        curvatureMatrix(model, theta, batch, 'fisher').data.map((f) => f * 1.01),
        F.data,
      ),
    ).toBeGreaterThan(TOL);
  });
});

test('sensitivity: the GGN is not the Hessian of attention (second-order terms of the softmax)', () => {
  const p = randomProblem(6200, LAYER_MODELS['attention (2 heads), mean over positions, categorical'], 3);
  const batch: Batch = { x: p.x, targets: p.targets };
  expect(relGap(curvatureMatrix(p.model, p.theta, batch, 'ggn').data, curvatureMatrix(p.model, p.theta, batch, 'hessian').data)).toBeGreaterThan(1e-3);
});

test('mean-elements with mse divides by the number of elements N T D (PyTorch MSELoss)', () => {
  const spec: SequentialSpec = {
    input: [3, 2],
    layers: [
      { type: 'linear', out: 4 },
      { type: 'activation', fn: 'tanh' },
      { type: 'linear', out: 2 },
    ],
    likelihood: 'mse',
  };
  const p = randomProblem(6300, spec, 3);
  const batch: Batch = { x: p.x, targets: p.targets };
  const sum = curvatureMatrix(p.model.withReduction('sum'), p.theta, batch, 'ggn');
  const elements = curvatureMatrix(p.model.withReduction('mean-elements'), p.theta, batch, 'ggn');
  expect(
    relGap(
      elements.data,
      sum.data.map((s) => s / (3 * 3 * 2)),
    ),
  ).toBeLessThanOrEqual(TOL);
  // the mse Fisher is its GGN (a normal of covariance I/2)
  expect(relGap(curvatureMatrix(p.model, p.theta, batch, 'fisher').data, curvatureMatrix(p.model, p.theta, batch, 'ggn').data)).toBeLessThanOrEqual(TOL);
  expect(p.model.withReduction('mean-elements').lossValue(p.theta, p.x, p.targets) * 18).toBeCloseTo(
    p.model.withReduction('sum').lossValue(p.theta, p.x, p.targets),
    12,
  );
});

describe('Monte Carlo Fisher of a CNN', () => {
  const p = randomProblem(6400, LAYER_MODELS['conv2d with stride and padding, sigmoid, flatten, bernoulli'], 3);
  const batch: Batch = { x: p.x, targets: p.targets };
  const M = 300;
  const moments = monteCarloFisherMoments(p.model, p.theta, batch, M);
  const z = zForFalseAlarm(1e-6, moments.value.data.length);

  test('is within its exact standard errors of the exact Fisher (z for a 1e-6 false-alarm rate over all entries)', () => {
    expect(relGap(moments.value.data, curvatureMatrix(p.model, p.theta, batch, 'fisher').data)).toBeLessThanOrEqual(TOL);
    const mc = monteCarloFisher(p.model, p.theta, p.x, M, new Rng(6401));
    expect(withinStdError(mc.operator.dense(), moments.standardError, moments.value, z).ok).toBe(true);
  });

  test('sensitivity: each draw weighted twice by 1/N (curvlinops#111) is caught', () => {
    const mc = monteCarloFisher(p.model, p.theta, p.x, M, new Rng(6402));
    const wrong = mc.operator.dense().data.map((v) => v / 3);
    expect(withinStdError(new Matrix(moments.value.rows, moments.value.cols, wrong), moments.standardError, moments.value, z).ok).toBe(false);
  });
});
