/**
 * Properties of the engine's curvature-based transforms: solvers agree,
 * trust regions hold, K-FAC inside the engine is exact where theory says so,
 * Shampoo obeys the bound of Gupta et al. (2018), Newton converges
 * quadratically. Each has a sensitivity check that a known mistake fails.
 */
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { dot, type Vec } from '../../src/core/vec.js';
import { curvatureVectorProduct } from '../../src/curvature/curvature-products.js';
import { fisherMatrix } from '../../src/curvature/dense-curvature.js';
import { kfacFactors } from '../../src/curvature/kfac.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { symmetricPower } from '../../src/linalg/matrix-function.js';
import { eigSymmetric } from '../../src/linalg/eigen-symmetric.js';
import { addScaledIdentity, kron, matmulNT, scale, sub } from '../../src/linalg/ops.js';
import { dampedSolve } from '../../src/linalg/solve.js';
import { flattenWeights, lossAndGradient, paramCount, type MlpSpec } from '../../src/models/mlp.js';
import type { ModelBatch } from '../../src/optim/extra.js';
import { scaleByKfac, type ScaleByKfacOptions } from '../../src/optim/kfac.js';
import { naturalGradient, scaleByNaturalGradient, type ScaleByNaturalGradientOptions } from '../../src/optim/natural-gradient.js';
import { newton } from '../../src/optim/newton.js';
import { sgd } from '../../src/optim/sgd.js';
import { scaleByShampoo } from '../../src/optim/shampoo.js';
import { scaleByLevenbergMarquardt } from '../../src/optim/gauss-newton.js';
import { modelProblem, train } from '../../src/optim/train.js';
import { randomProblem, type Problem } from '../models/fixtures.js';
import { logisticRegression, mlpClassifier } from './problems.js';

const batchOf = (p: Problem, seed = 1): ModelBatch => ({ spec: p.spec, inputs: p.inputs, targets: p.targets, rng: new Rng(seed) });
const gradOf = (p: Problem) => lossAndGradient(p.spec, p.weights, p.inputs, p.targets).gradient;
const maxDiff = (a: Vec, b: Vec) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));
const maxAbsV = (a: Vec) => Math.max(...a.map(Math.abs));

function naturalStep(p: Problem, o: ScaleByNaturalGradientOptions): Vec {
  const t = scaleByNaturalGradient(o);
  const params = flattenWeights(p.weights);
  return t.update(gradOf(p), t.init(params), params, batchOf(p))[0];
}

describe('natural-gradient solvers agree with the direct solve', () => {
  const p = randomProblem(1301, { sizes: [2, 3, 3], activations: ['tanh', 'identity'], likelihood: 'categorical', N: 5 });
  const lambda = 1e-2;
  const F = fisherMatrix(p.spec, p.weights, p.inputs);
  const direct = dampedSolve(F, lambda, gradOf(p)).x;
  // cond(F + λI) <= (λ_max + λ)/λ; CG stops at relative residual rtol, so the error is at most cond · rtol.
  const cond = ((eigSymmetric(F).values.at(-1) as number) + lambda) / lambda;

  test('the direct solver is (F + λ I)⁻¹ g', () => {
    expect(maxDiff(naturalStep(p, { damping: lambda }), direct)).toBeLessThan(1e3 * cond * 2 ** -52 * maxAbsV(direct));
  });
  test('CG (Hessian-free, matrix-free Fisher products), to relative residual 1e-10', () => {
    const x = naturalStep(p, { damping: lambda, solver: 'cg', cg: { rtol: 1e-10, maxIterations: 500 } });
    expect(maxDiff(x, direct)).toBeLessThan(cond * 1e-10 * maxAbsV(direct) * 10);
  });
  test('low-rank (Woodbury on the Fisher factor)', () => {
    expect(maxDiff(naturalStep(p, { damping: lambda, solver: 'low-rank' }), direct)).toBeLessThan(1e3 * cond * 2 ** -52 * maxAbsV(direct));
  });
  test('sensitivity: CG stopped after 2 iterations, or the empirical Fisher, does not give the solve', () => {
    expect(maxDiff(naturalStep(p, { damping: lambda, solver: 'cg', cg: { rtol: 1e-10, maxIterations: 2 } }), direct)).toBeGreaterThan(1e-3 * maxAbsV(direct));
    expect(maxDiff(naturalStep(p, { damping: lambda, fisher: 'empirical' }), direct)).toBeGreaterThan(1e-3 * maxAbsV(direct));
  });
});

describe('trust region: Δᵀ F Δ <= δ²', () => {
  const p = randomProblem(1302, { sizes: [2, 3, 2], activations: ['tanh', 'identity'], likelihood: 'categorical', N: 4 });
  const params = flattenWeights(p.weights);
  const quad = (d: Vec) => dot(d, curvatureVectorProduct(p.spec, p.weights, p.inputs, p.targets, 'fisher', d));
  test.each([0.5, 2] as const)('at lr %s the whole step obeys the bound, with equality when the bound is active', (lr) => {
    for (const delta of [1e-3, 1e-2, 0.1]) {
      const t = naturalGradient({ lr, damping: 1e-3, trustRegion: delta });
      const step = t.update(gradOf(p), t.init(params), params, batchOf(p))[0];
      const q = quad(step);
      expect(q).toBeLessThanOrEqual(delta ** 2 * (1 + 1e-10));
      expect(q).toBeGreaterThanOrEqual(delta ** 2 * (1 - 1e-10));
    }
  });
  test('sensitivity: bounding d instead of lr · d breaks the bound for lr = 2', () => {
    const t = scaleByNaturalGradient({ damping: 1e-3, trustRegion: 1e-2 });
    const d = t.update(gradOf(p), t.init(params), params, batchOf(p))[0];
    expect(quad(scale(2, new Matrix(1, d.length, d)).data)).toBeGreaterThan(1e-4 * 1.01);
  });
});

describe('K-FAC in the engine is the exact natural gradient where theory says so', () => {
  /** One K-FAC step direction (no running average). */
  function kfacStep(p: Problem, o: ScaleByKfacOptions): Vec {
    const t = scaleByKfac({ emaDecay: 0, dampingScheme: 'exact', ...o });
    const params = flattenWeights(p.weights);
    return t.update(gradOf(p), t.init(params), params, batchOf(p))[0];
  }
  const lambda = 1e-3;
  const exactNg = (p: Problem) => dampedSolve(fisherMatrix(p.spec, p.weights, p.inputs), lambda, gradOf(p)).x;

  test('one layer, one example: K-FAC step = (F + λ I)⁻¹ g, every likelihood, with and without bias', () => {
    for (const [likelihood, D] of [
      ['categorical', 3],
      ['bernoulli', 1],
      ['gaussian', 2],
    ] as const) {
      for (const bias of [true, false]) {
        const p = randomProblem(1310, { sizes: [2, D], activations: ['tanh'], likelihood, N: 1, bias: [bias] });
        const ng = exactNg(p);
        expect(maxDiff(kfacStep(p, { damping: lambda }), ng)).toBeLessThan(1e-7 * maxAbsV(ng));
      }
    }
  });

  test('one-layer linear regression: K-FAC is exact at any batch size (G = I)', () => {
    const p = randomProblem(1311, { sizes: [3, 2], activations: ['identity'], likelihood: 'gaussian', N: 7 });
    const ng = exactNg(p);
    expect(maxDiff(kfacStep(p, { damping: lambda }), ng)).toBeLessThan(1e-8 * maxAbsV(ng));
  });

  describe('sensitivity: known K-FAC mistakes give a different step', () => {
    /** (M + λ I)⁻¹ g in the block layout for a dense Kronecker product M, mapped back to parameter order. */
    const pOne = randomProblem(1312, { sizes: [2, 3], activations: ['tanh'], likelihood: 'categorical', N: 1 });
    const layer = (p: Problem) => kfacFactors(p.spec, p.weights, p.inputs, p.targets, 'fisher').layers[0];
    const solveInBlockLayout = (p: Problem, M: Matrix) => {
      const f = layer(p);
      return dampedSolve(M, lambda, f.gradient.data).x; // [W b] row-major = block layout of a one-layer net
    };
    const blockLayoutNg = (p: Problem) => solveInBlockLayout(p, kron(layer(p).G, layer(p).A));
    test('A and G swapped (3 x 3 factors, so the swap is dimensionally valid)', () => {
      const f = layer(pOne);
      const right = blockLayoutNg(pOne);
      expect(maxDiff(solveInBlockLayout(pOne, kron(f.A, f.G)), right)).toBeGreaterThan(1e-3 * maxAbsV(right));
    });
    test('the batch-size scale wrong (A summed, not averaged) in linear regression with N = 7', () => {
      const p = randomProblem(1311, { sizes: [3, 2], activations: ['identity'], likelihood: 'gaussian', N: 7 });
      const f = layer(p);
      const right = blockLayoutNg(p);
      expect(maxDiff(solveInBlockLayout(p, kron(f.G, scale(7, f.A))), right)).toBeGreaterThan(1e-3 * maxAbsV(right));
    });
    test('the bias left out of A (no homogeneous coordinate: bias rows get the identity)', () => {
      const f = layer(pOne);
      const k = f.A.rows;
      const noBias = new Matrix(k, k);
      for (let i = 0; i < k - 1; i++) for (let j = 0; j < k - 1; j++) noBias.set(i, j, f.A.get(i, j));
      noBias.set(k - 1, k - 1, 1);
      const right = blockLayoutNg(pOne);
      const wrong = solveInBlockLayout(pOne, kron(f.G, noBias));
      expect(maxDiff(wrong, right)).toBeGreaterThan(1e-3 * maxAbsV(right));
    });
    test('the empirical Fisher in place of the Fisher (the engine option)', () => {
      const ng = exactNg(pOne);
      expect(maxDiff(kfacStep(pOne, { damping: lambda, fisher: 'empirical-fisher' }), ng)).toBeGreaterThan(1e-3 * maxAbsV(ng));
    });
  });
});

describe('Shampoo obeys the bound of Gupta et al. (2018)', () => {
  /**
   * Lemma 8 and operator monotonicity of the square root: for gradients of rank <= r,
   * (ε I + (1/r) Σ g gᵀ)^(1/2) ⪯ (ε I + Σ G Gᵀ)^(1/4) ⊗ (ε I + Σ Gᵀ G)^(1/4), g = vecRow(G).
   * Checked with the engine's own preconditioners (inverted), as the smallest eigenvalue of the difference.
   */
  const spec: MlpSpec = { sizes: [3, 4], activations: ['identity'], likelihood: 'gaussian', bias: [false] };
  function margin(gradScale: number, rootPower: number, seed: number): number {
    const rng = new Rng(seed);
    const eps = 1e-3;
    const t = scaleByShampoo({ eps: eps });
    let s = t.init(new Float64Array(12));
    const grads: Vec[] = [];
    for (let k = 0; k < 6; k++) {
      const g = Float64Array.from({ length: 12 }, () => gradScale * rng.normal());
      grads.push(g);
      s = t.update(g, s, new Float64Array(12), { spec } as ModelBatch)[1];
    }
    const [Lr, Rr] = (s.roots as Matrix[][])[0];
    // the engine stores (εI + L)^(-1/4); raise back to the power under test
    const Lp = symmetricPower(Lr, -4 * rootPower);
    const Rp = symmetricPower(Rr, -4 * rootPower);
    // W is 4 x 3, so every gradient has rank r <= 3.
    const S = Matrix.zeros(12, 12);
    for (const g of grads) for (let i = 0; i < 12; i++) for (let j = 0; j < 12; j++) S.data[i * 12 + j] += (g[i] * g[j]) / 3;
    const rhs = symmetricPower(addScaledIdentity(S, eps), 0.5);
    return eigSymmetric(sub(kron(Lp, Rp), rhs)).values[0] / Math.max(...eigSymmetric(rhs).values);
  }
  test('with the exponent 1/4 per side, for gradient scales 1e-2 to 1e2', () => {
    for (const [k, gs] of [1e-2, 1, 1e2].entries()) expect(margin(gs, 0.25, 1400 + k)).toBeGreaterThanOrEqual(-1e-10);
  });
  test('sensitivity: the exponent 1/2 per side (-1/k in place of -1/(2k), torch-optimizer#502) fails for small gradients', () => {
    expect(margin(1e-2, 0.5, 1400)).toBeLessThan(-1e-3);
  });
  test('the engine uses the statistics εI + Σ G Gᵀ and εI + Σ Gᵀ G', () => {
    const t = scaleByShampoo({ eps: 0.5 });
    const G = Float64Array.from({ length: 12 }, (_, i) => i - 5);
    const s = t.update(G, t.init(new Float64Array(12)), new Float64Array(12), { spec } as ModelBatch)[1];
    const Lstat = addScaledIdentity(matmulNT(new Matrix(4, 3, G), new Matrix(4, 3, G)), 0.5);
    const back = symmetricPower((s.roots as Matrix[][])[0][0], -4);
    expect(Math.max(...sub(back, Lstat).data.map(Math.abs))).toBeLessThan(1e-9 * Math.max(...Lstat.data));
  });
});

describe('Newton converges quadratically on logistic regression near the optimum', () => {
  const p = logisticRegression();
  const { objective, extra } = modelProblem(p.spec, p.inputs, p.targets, 1);
  const optimum = train(newton({ damping: 0 }), p.params0, { objective, extra, maxIterations: 50, gradientTolerance: 1e-13 }).params;
  const start = optimum.map((v, i) => v + 0.4 * Math.cos(i + 1));
  function errors(transform: Parameters<typeof train>[0], steps: number): number[] {
    const errs: number[] = [];
    train(transform, start, {
      objective,
      extra,
      maxIterations: steps,
      onIteration: (_, params) => void errs.push(Math.sqrt(params.reduce((a, v, i) => a + (v - optimum[i]) ** 2, 0))),
    });
    return errs;
  }
  /** max over k of e_{k+1} / e_k² while e_k is above round-off. */
  const worstRatio = (errs: number[]) =>
    Math.max(
      ...errs
        .slice(0, -1)
        .filter((e) => e > 1e-7)
        .map((e, k) => errs[k + 1] / (e * e)),
    );

  test('e_{k+1} / e_k² stays bounded (below 2; measured 0.51) and the error reaches round-off in a few steps', () => {
    const errs = errors(newton({ damping: 0 }), 6);
    expect(worstRatio(errs)).toBeLessThan(2);
    expect(errs.at(-1) as number).toBeLessThan(1e-10);
  });
  test('sensitivity: gradient descent, and Newton with a large damping, converge only linearly: the ratio blows up', () => {
    expect(worstRatio(errors(sgd({ lr: 4 }), 400))).toBeGreaterThan(100);
    expect(worstRatio(errors(newton({ damping: 0.5 }), 150))).toBeGreaterThan(100);
  });
});

describe('Levenberg-Marquardt adapts its damping', () => {
  test('a step that increases the loss is rejected (zero update) and the damping grows; good steps shrink it', () => {
    const p = mlpClassifier();
    const params = p.params0;
    const t = scaleByLevenbergMarquardt({ damping: 1e-8 });
    const batch: ModelBatch = { spec: p.spec, inputs: p.inputs, targets: p.targets };
    const { objective } = modelProblem(p.spec, p.inputs, p.targets);
    const [step, s] = t.update(objective(params, 0).gradient, t.init(params), params, batch);
    // at damping 1e-8 the Gauss-Newton step overshoots on this network
    expect(s.rejected + s.accepted).toBe(1);
    if (s.rejected === 1) expect(step.every((v) => v === 0)).toBe(true);
    expect(s.damping === 1e-8 * 1.5 || s.ratio > 0.25).toBe(true);
    const t2 = scaleByLevenbergMarquardt({ damping: 10 });
    const [, s2] = t2.update(objective(params, 0).gradient, t2.init(params), params, batch);
    expect(s2.accepted).toBe(1);
    expect(s2.damping).toBeCloseTo(10 / 1.5, 12);
    expect(paramCount(p.spec)).toBe(params.length);
  });
});
