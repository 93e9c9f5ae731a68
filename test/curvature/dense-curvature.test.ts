import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import type { Vec } from '../../src/core/vec.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { maxAbs, maxAbsDiff, scale } from '../../src/linalg/ops.js';
import { curvatureOperator } from '../../src/curvature/curvature-products.js';
import { MODEL_CURVATURES, empiricalFisherMatrix, fisherMatrix, ggnMatrix, hessianMatrix, modelCurvature } from '../../src/curvature/dense-curvature.js';
import type { Activation } from '../../src/models/activations.js';
import { LIKELIHOODS, type Likelihood } from '../../src/models/likelihoods.js';
import { thrownError as thrown } from '../natgrad-error.js';
import {
  exampleLossAndGradient,
  flattenWeights,
  lossAndGradient,
  meanLoss,
  paramCount,
  sampleTargets,
  unflattenWeights,
  type MlpSpec,
} from '../../src/models/mlp.js';
import { bonferroniZ, centralDerivativeVec, EPS, fdMismatches, randomProblem, shiftTheta, type Problem } from '../models/fixtures.js';

/** Round-off allowance for two computations of the same P x P sum of N·R rank-one terms. */
const roundoff = (M: Matrix, terms: number) => 8 * terms * EPS * Math.max(maxAbs(M), 1e-300);

const oneLayer = (likelihood: Likelihood, seed: number, bias = true): Problem => {
  const rng = new Rng(seed);
  const d = 1 + rng.integer(3);
  const D = likelihood === 'bernoulli' ? 1 : likelihood === 'categorical' ? 2 + rng.integer(2) : 1 + rng.integer(3);
  return randomProblem(seed, { sizes: [d, D], activations: ['identity'], likelihood, bias: [bias], N: 1 + rng.integer(4) });
};

describe('canonical likelihoods, one linear layer: Fisher = GGN = Hessian', () => {
  test.each(LIKELIHOODS)('identity/%s', (likelihood) => {
    fc.assert(
      fc.property(fc.integer(), fc.boolean(), (seed, bias) => {
        const p = oneLayer(likelihood, seed, bias);
        const F = fisherMatrix(p.spec, p.weights, p.inputs);
        const G = ggnMatrix(p.spec, p.weights, p.inputs, p.targets);
        const H = hessianMatrix(p.spec, p.weights, p.inputs, p.targets);
        const tol = roundoff(F, p.inputs.length * (paramCount(p.spec) + 4));
        return maxAbsDiff(F, G) <= tol && maxAbsDiff(F, H) <= tol;
      }),
      { seed: 401, numRuns: 60 },
    );
  });

  test('logistic regression by hand: F = (1/N) sum sigma(1 - sigma) [x; 1][x; 1]ᵀ', () => {
    const p = randomProblem(402, { sizes: [2, 1], activations: ['identity'], likelihood: 'bernoulli', N: 3 });
    const F = modelCurvature(p.spec, p.weights, p.inputs, p.targets, 'fisher').matrix;
    const expected = Matrix.zeros(3, 3);
    for (const x of p.inputs) {
      const f = p.weights[0].W.get(0, 0) * x[0] + p.weights[0].W.get(0, 1) * x[1] + p.weights[0].b[0];
      const s = 1 / (1 + Math.exp(-f));
      const xb = [x[0], x[1], 1];
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expected.data[i * 3 + j] += (s * (1 - s) * xb[i] * xb[j]) / 3;
    }
    expect(maxAbsDiff(F, expected)).toBeLessThanOrEqual(roundoff(expected, 12));
  });

  test('linear regression by hand: F = (1/N) sum [x; 1][x; 1]ᵀ', () => {
    const p = randomProblem(403, { sizes: [2, 1], activations: ['identity'], likelihood: 'gaussian', N: 2 });
    const F = modelCurvature(p.spec, p.weights, p.inputs, p.targets, 'fisher').matrix;
    const expected = Matrix.zeros(3, 3);
    for (const x of p.inputs) {
      const xb = [x[0], x[1], 1];
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expected.data[i * 3 + j] += (xb[i] * xb[j]) / 2;
    }
    expect(maxAbsDiff(F, expected)).toBeLessThanOrEqual(roundoff(expected, 8));
  });
});

describe('where theory separates the curvatures, they differ (sensitivity)', () => {
  const deep = randomProblem(404, { sizes: [2, 3, 3], activations: ['tanh', 'identity'], likelihood: 'categorical', N: 3, weightScale: 2 });

  test('Fisher = GGN for any network with these likelihoods (f is the natural parameter), computed two ways', () => {
    const F = fisherMatrix(deep.spec, deep.weights, deep.inputs);
    const G = ggnMatrix(deep.spec, deep.weights, deep.inputs, deep.targets);
    expect(maxAbsDiff(F, G)).toBeLessThanOrEqual(roundoff(F, 3 * 24));
  });

  test('the Hessian differs from the GGN when the network is not linear in its parameters', () => {
    const G = ggnMatrix(deep.spec, deep.weights, deep.inputs, deep.targets);
    const H = hessianMatrix(deep.spec, deep.weights, deep.inputs, deep.targets);
    expect(maxAbsDiff(G, H)).toBeGreaterThan(1e-3 * maxAbs(G));
  });

  test('the Hessian differs from the Fisher for one layer with a non-identity activation', () => {
    const p = randomProblem(405, { sizes: [2, 2], activations: ['tanh'], likelihood: 'gaussian', N: 2, weightScale: 2 });
    const F = fisherMatrix(p.spec, p.weights, p.inputs);
    const H = hessianMatrix(p.spec, p.weights, p.inputs, p.targets);
    expect(maxAbsDiff(F, H)).toBeGreaterThan(1e-3 * maxAbs(F));
  });

  test('the empirical Fisher differs from the Fisher in general', () => {
    fc.assert(
      fc.property(fc.integer(), fc.constantFrom(...LIKELIHOODS), (seed, likelihood) => {
        const p = oneLayer(likelihood, seed);
        const F = fisherMatrix(p.spec, p.weights, p.inputs);
        const E = empiricalFisherMatrix(p.spec, p.weights, p.inputs, p.targets);
        return maxAbsDiff(F, E) > 1e-6 * maxAbs(F);
      }),
      { seed: 406, numRuns: 50 },
    );
  });

  test('the empirical Fisher is the mean of per-example outer products, not divided by N again', () => {
    const p = randomProblem(407, { sizes: [2, 2, 2], activations: ['softplus', 'identity'], likelihood: 'gaussian', N: 4 });
    const E = modelCurvature(p.spec, p.weights, p.inputs, p.targets, 'empirical-fisher').matrix;
    const P = paramCount(p.spec);
    const expected = Matrix.zeros(P, P);
    p.inputs.forEach((x, n) => {
      const g = exampleLossAndGradient(p.spec, p.weights, x, p.targets[n]).gradient;
      for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) expected.data[i * P + j] += (g[i] * g[j]) / 4;
    });
    expect(maxAbsDiff(E, expected)).toBeLessThanOrEqual(roundoff(expected, 4));
    expect(maxAbsDiff(scale(1 / 4, E), expected)).toBeGreaterThan(0.1 * maxAbs(expected));
  });
});

/**
 * Monte Carlo Fisher: per example, M draws y ~ p(.|x_n) and their gradient
 * outer products; the mean over n and draws, with its standard error per entry
 * from the sample variances.
 */
function monteCarloFisher(p: Problem, M: number, seed: number): { mean: Matrix; se: Matrix } {
  const rng = new Rng(seed);
  const P = paramCount(p.spec);
  const N = p.inputs.length;
  const mean = Matrix.zeros(P, P);
  const variance = Matrix.zeros(P, P);
  p.inputs.forEach((x) => {
    const s1 = new Float64Array(P * P);
    const s2 = new Float64Array(P * P);
    for (let m = 0; m < M; m++) {
      const [y] = sampleTargets(p.spec, p.weights, [x], rng);
      const g = exampleLossAndGradient(p.spec, p.weights, x, y).gradient;
      for (let i = 0; i < P; i++) {
        for (let j = 0; j < P; j++) {
          const v = g[i] * g[j];
          s1[i * P + j] += v;
          s2[i * P + j] += v * v;
        }
      }
    }
    for (let k = 0; k < P * P; k++) {
      const mu = s1[k] / M;
      mean.data[k] += mu / N;
      // variance of the per-example mean, summed into the variance of the average over n
      variance.data[k] += (s2[k] / M - mu * mu) / (M - 1) / (N * N);
    }
  });
  return { mean, se: new Matrix(P, P, variance.data.map(Math.sqrt)) };
}

/** Entries (upper triangle) where |candidate - mc| exceeds z standard errors (Bonferroni over the entries, false-alarm rate 1e-6). */
function mcViolations(candidate: Matrix, mc: { mean: Matrix; se: Matrix }): number {
  const P = candidate.rows;
  const z = bonferroniZ(1e-6, (P * (P + 1)) / 2);
  let bad = 0;
  for (let i = 0; i < P; i++) {
    for (let j = i; j < P; j++) {
      const k = i * P + j;
      if (Math.abs(candidate.data[k] - mc.mean.data[k]) > z * mc.se.data[k] + 1e-12) bad++;
    }
  }
  return bad;
}

describe('Fisher against Monte Carlo over sampled y', () => {
  test.each([
    ['categorical', [2, 3, 3], ['tanh', 'identity']],
    ['bernoulli', [3, 2, 1], ['sigmoid', 'identity']],
    ['gaussian', [2, 2, 2], ['softplus', 'tanh']],
  ] as const)('%s: exact expectation within z standard errors; the empirical Fisher and F/N are rejected', (likelihood, sizes, acts) => {
    const p = randomProblem(410, { sizes: [...sizes], activations: [...acts] as Activation[], likelihood, N: 3, weightScale: 2 });
    const F = modelCurvature(p.spec, p.weights, p.inputs, p.targets, 'fisher').matrix;
    const mc = monteCarloFisher(p, 6000, 411);
    expect(mcViolations(F, mc)).toBe(0);
    expect(mcViolations(empiricalFisherMatrix(p.spec, p.weights, p.inputs, p.targets), mc)).toBeGreaterThan(0);
    expect(mcViolations(scale(1 / 3, F), mc)).toBeGreaterThan(0);
  });
});

describe('modelCurvature', () => {
  const p = randomProblem(420, { sizes: [3, 2, 2], activations: ['tanh', 'identity'], likelihood: 'categorical', N: 3 });

  test('loss and gradient: mean loss with constants, gradient against central differences', () => {
    const r = modelCurvature(p.spec, p.weights, p.inputs, p.targets, 'ggn');
    expect(r.loss).toBe(meanLoss(p.spec, p.weights, p.inputs, p.targets));
    expect(r.paramNames[0]).toBe('W1[0][0]');
    expect(r.paramNames.length).toBe(r.matrix.rows);
    const theta = flattenWeights(p.weights);
    const P = theta.length;
    for (let i = 0; i < P; i++) {
      const e = new Float64Array(P);
      e[i] = 1;
      const fd = centralDerivativeVec((t) => [meanLoss(p.spec, unflattenWeights(p.spec, shiftTheta(theta, e, t)), p.inputs, p.targets)], 1e-3);
      expect(fdMismatches([r.gradient[i]], fd)).toEqual([]);
    }
  });

  test('gaussian loss includes (D/2) log 2π', () => {
    const q = randomProblem(421, { sizes: [1, 2], activations: ['identity'], likelihood: 'gaussian', N: 1 });
    const f = [0, 1].map((i) => q.weights[0].W.get(i, 0) * q.inputs[0][i * 0] + q.weights[0].b[i]);
    const y = q.targets[0] as Float64Array;
    const expected = Math.log(2 * Math.PI) + 0.5 * ((y[0] - f[0]) ** 2 + (y[1] - f[1]) ** 2);
    expect(modelCurvature(q.spec, q.weights, q.inputs, q.targets, 'fisher').loss).toBeCloseTo(expected, 13);
  });

  test('Hessian columns match central differences of the gradient, and the raw columns are symmetric', () => {
    const raw = hessianMatrix(p.spec, p.weights, p.inputs, p.targets, { symmetric: false });
    const P = raw.rows;
    for (let i = 0; i < P; i++)
      for (let j = 0; j < i; j++) {
        expect(Math.abs(raw.get(i, j) - raw.get(j, i))).toBeLessThanOrEqual(roundoff(raw, 3 * P));
      }
    const theta = flattenWeights(p.weights);
    for (let i = 0; i < P; i++) {
      const e = new Float64Array(P);
      e[i] = 1;
      const fd = centralDerivativeVec((t) => lossAndGradient(p.spec, unflattenWeights(p.spec, shiftTheta(theta, e, t)), p.inputs, p.targets).gradient, 1e-3);
      const column = Float64Array.from({ length: P }, (_, k) => raw.get(k, i));
      expect(fdMismatches(column, fd)).toEqual([]);
    }
  });

  test.each(MODEL_CURVATURES)('%s: the matrix-free operator agrees with the dense matrix', (kind) => {
    const op = curvatureOperator(p.spec, p.weights, p.inputs, p.targets, kind);
    const C = modelCurvature(p.spec, p.weights, p.inputs, p.targets, kind).matrix;
    const rng = new Rng(422);
    const v: Vec = Float64Array.from({ length: op.shape[1] }, () => rng.normal());
    const Cv = op.matvec(v);
    for (let i = 0; i < C.rows; i++) {
      let t = 0;
      for (let j = 0; j < C.cols; j++) t += C.get(i, j) * v[j];
      expect(Math.abs(Cv[i] - t)).toBeLessThanOrEqual(roundoff(C, 8 * C.rows) * 10);
    }
    expect(maxAbsDiff(op.dense(), C)).toBe(0);
  });

  test('curvatures are symmetric; Fisher, empirical Fisher and GGN are positive semidefinite', () => {
    for (const kind of MODEL_CURVATURES) {
      const C = modelCurvature(p.spec, p.weights, p.inputs, p.targets, kind).matrix;
      for (let i = 0; i < C.rows; i++) for (let j = 0; j < i; j++) expect(C.get(i, j)).toBe(C.get(j, i));
      if (kind !== 'hessian') {
        const rng = new Rng(423);
        for (let r = 0; r < 20; r++) {
          const v = Float64Array.from({ length: C.rows }, () => rng.normal());
          let q = 0;
          for (let i = 0; i < C.rows; i++) for (let j = 0; j < C.cols; j++) q += v[i] * C.get(i, j) * v[j];
          expect(q).toBeGreaterThanOrEqual(-roundoff(C, C.rows * C.rows));
        }
      }
    }
  });

  test('layers without bias: one-layer canonical equality still holds and the sizes shrink', () => {
    const q = randomProblem(424, { sizes: [3, 4, 2], activations: ['relu', 'identity'], likelihood: 'categorical', bias: [false, true], N: 2 });
    const r = modelCurvature(q.spec, q.weights, q.inputs, q.targets, 'fisher');
    expect(r.matrix.rows).toBe(12 + 8 + 2);
    expect(r.paramNames.some((n) => n.startsWith('b1'))).toBe(false);
    const G = ggnMatrix(q.spec, q.weights, q.inputs, q.targets);
    expect(maxAbsDiff(r.matrix, G)).toBeLessThanOrEqual(roundoff(G, 2 * 30));
  });

  test('bad input throws a NatgradError naming the JSON path and what is expected', () => {
    const badW = [p.weights[0], { W: Matrix.zeros(2, 3), b: p.weights[1].b }];
    const e = thrown(() => modelCurvature(p.spec, badW, p.inputs, p.targets, 'fisher'));
    expect(e.path).toBe('spec.weights[1].W');
    expect(e.reason).toMatch(/2 x 2/);
    expect(thrown(() => modelCurvature(p.spec, p.weights, p.inputs, [0, 1, 5], 'fisher')).path).toBe('spec.targets[2]');
    expect(thrown(() => modelCurvature(p.spec, p.weights, p.inputs, p.targets, 'fim' as 'fisher')).path).toBe('spec.curvature');
    const spec: MlpSpec = { ...p.spec, activations: ['tanh'] };
    expect(thrown(() => modelCurvature(spec, p.weights, p.inputs, p.targets, 'fisher')).path).toBe('spec.model.activations');
  });
});
