/**
 * K-FAC, KFC and EKFAC of Sequential models against the exact curvature:
 * with one position K-FAC is version-1 K-FAC on the flattened input; `expand`
 * and `reduce` are exact where Eschenhagen et al. (2023) prove it and not
 * elsewhere; the reduction of the loss goes into G; the damping schemes are
 * the damped inverses they name; a Monte Carlo G is within its exact standard
 * errors; EKFAC is never farther from the exact block than K-FAC.
 */
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import type { Vec } from '../../src/core/vec.js';
import { ekfacBlockMatrix as ekfacBlockMatrixOf, ekfacResult } from '../../src/curvature/ekfac.js';
import { type KfacBlock, type KfacBlockLayout, blockIndex, kfacFactors, kfacLayers, kfacResult } from '../../src/curvature/kfac.js';
import { curvatureMatrix } from '../../src/curvature/model-curvature.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { kron, matmul, matmulTN } from '../../src/linalg/ops.js';
import { solve, solveMatrix } from '../../src/linalg/solve.js';
import type { LayerWeights, MlpSpec } from '../../src/models/mlp.js';
import type { Batch, Sequential, SequentialSpec } from '../../src/models/sequential.js';
import { withinStdError, zForFalseAlarm } from '../../src/numeric/statistics.js';
import { EPS } from '../models/fixtures.js';
import { LAYER_MODELS, randomProblem } from '../models/sequential-fixtures.js';
import { relGap } from './relative-gap.js';

/** Sums of at most a few hundred products in other orders: 2^-40 (≈ 4500 ε) of the scale; a modelling error is O(1). */
const TOL = 2 ** -40;

/** The exact curvature's block of one weight matrix, over the row-major [W b] of the layout. */
function exactBlock(C: Matrix, b: KfacBlockLayout): Matrix {
  const n = b.out * b.cols;
  const B = new Matrix(n, n);
  const P = C.cols;
  for (let p = 0; p < n; p++) {
    const ip = blockIndex(b, Math.floor(p / b.cols), p % b.cols);
    for (let q = 0; q < n; q++) B.data[p * n + q] = C.data[ip * P + blockIndex(b, Math.floor(q / b.cols), q % b.cols)];
  }
  return B;
}

const kfacBlockMatrix = (b: KfacBlock): Matrix => kron(b.G, b.A);

function problem(seed: number, spec: SequentialSpec, N: number): { model: Sequential; theta: Vec; batch: Batch } {
  const p = randomProblem(seed, spec, N);
  return { model: p.model, theta: p.theta, batch: { x: p.x, targets: p.targets } };
}

describe('KFC with one position (a kernel as large as the input) is version-1 K-FAC on the flattened input', () => {
  const conv: SequentialSpec = {
    input: [2, 3, 3],
    layers: [{ type: 'conv2d', out: 4, kernel: [3, 3] }, { type: 'activation', fn: 'tanh' }, { type: 'flatten' }, { type: 'linear', out: 3 }],
    likelihood: 'categorical',
  };
  const mlp: MlpSpec = { sizes: [18, 4, 3], activations: ['tanh', 'identity'], likelihood: 'categorical' };
  const { model, theta, batch } = problem(5100, conv, 4);
  const N = batch.x.batch;
  // the same numbers as MLP weights: the conv kernel reshaped (out, C kh kw) is W of the first layer
  const weights: LayerWeights[] = [
    { W: new Matrix(4, 18, theta.slice(0, 72)), b: theta.slice(72, 76) },
    { W: new Matrix(3, 4, theta.slice(76, 88)), b: theta.slice(88, 91) },
  ];
  const inputsIn = (order: 'chw' | 'hwc'): Float64Array[] =>
    Array.from({ length: N }, (_, n) => {
      const x = batch.x.data.subarray(n * 18, (n + 1) * 18);
      if (order === 'chw') return Float64Array.from(x);
      // channel last: entry (h, w, c) of the flattened input
      return Float64Array.from({ length: 18 }, (_, k) => x[(k % 2) * 9 + Math.floor(k / 2)]);
    });
  const targets = batch.targets as number[];

  test.each(['fisher', 'empirical-fisher'] as const)('%s: A, G and the gradient of both layers, expand and reduce', (fisher) => {
    const v1 = kfacFactors(mlp, weights, inputsIn('chw'), targets, fisher);
    for (const approximation of ['expand', 'reduce'] as const) {
      const set = kfacFactors(model, theta, batch, { fisher, approximation });
      expect(set.blocks.map((b) => b.positions)).toEqual([1, 1]);
      set.blocks.forEach((b, l) => {
        expect(relGap(b.A.data, v1.layers[l].A.data)).toBeLessThanOrEqual(TOL);
        expect(relGap(b.G.data, v1.layers[l].G.data)).toBeLessThanOrEqual(TOL);
      });
      expect(set.loss).toBeCloseTo(v1.loss, 13);
    }
  });

  test('the damped updates of the three schemes', () => {
    for (const scheme of ['factored', 'pi-factored', 'exact'] as const) {
      const v1 = kfacLayers(mlp, weights, inputsIn('chw'), targets, 'fisher', 0.01, scheme);
      const r = kfacResult(model, theta, batch, { fisher: 'fisher', damping: 0.01, dampingScheme: scheme });
      r.blocks.forEach((b, l) => expect(relGap((b.update as Matrix).data, v1.layers[l].update.data)).toBeLessThanOrEqual(TOL));
    }
  });

  test('sensitivity: the input flattened channel-last (the other patch order) gives another A', () => {
    const wrong = kfacFactors(mlp, weights, inputsIn('hwc'), targets, 'fisher');
    const set = kfacFactors(model, theta, batch, { fisher: 'fisher' });
    expect(relGap(set.blocks[0].A.data, wrong.layers[0].A.data)).toBeGreaterThan(1e-3);
  });
});

describe('expand and reduce are exact where Eschenhagen et al. (2023) prove it, and only there', () => {
  // Expand setting: a deep linear network applied to every position with a
  // per-position output and a Gaussian likelihood. Each position is then an
  // independent example, the pulled-back output Fisher W_aboveᵀ W_above is the
  // same for every example and position, so G ⊗ A with A the average of ā āᵀ
  // over examples and positions is the exact block, for any N.
  const expandSpec: SequentialSpec = {
    input: [3, 2],
    layers: [
      { type: 'linear', out: 3 },
      { type: 'linear', out: 2 },
    ],
    likelihood: 'gaussian',
  };
  // Reduce setting: the positions are averaged before the output. For one
  // example (N = 1) and linear layers between the shared matrix and the
  // mean, the gradient with respect to the matrix's output is the same at
  // every position, so the example's gradient is ĝ âᵀ and E[ĝ ĝᵀ] ⊗ â âᵀ is
  // the exact block, for any likelihood.
  const reduceSpec: SequentialSpec = {
    input: [3, 2],
    layers: [{ type: 'linear', out: 3 }, { type: 'mean' }, { type: 'linear', out: 3 }],
    likelihood: 'categorical',
  };

  function gaps(spec: SequentialSpec, N: number, seed: number): Record<'expand' | 'reduce', number[]> {
    const { model, theta, batch } = problem(seed, spec, N);
    const F = curvatureMatrix(model, theta, batch, 'fisher');
    const out = { expand: [] as number[], reduce: [] as number[] };
    for (const approximation of ['expand', 'reduce'] as const) {
      for (const b of kfacFactors(model, theta, batch, { fisher: 'fisher', approximation }).blocks) {
        if (b.positions > 1) out[approximation].push(relGap(kfacBlockMatrix(b).data, exactBlock(F, b).data));
      }
    }
    return out;
  }

  test('expand setting, deep linear network, Gaussian likelihood, 3 examples: expand is exact for both layers, reduce is not', () => {
    const g = gaps(expandSpec, 3, 5200);
    expect(g.expand).toHaveLength(2);
    for (const e of g.expand) expect(e).toBeLessThanOrEqual(TOL);
    for (const r of g.reduce) expect(r).toBeGreaterThan(1e-3);
  });

  test('reduce setting, linear layers, one example, categorical likelihood: reduce is exact, expand is not', () => {
    const g = gaps(reduceSpec, 1, 5300);
    expect(g.reduce).toHaveLength(1);
    expect(g.reduce[0]).toBeLessThanOrEqual(TOL);
    expect(g.expand[0]).toBeGreaterThan(1e-3);
  });

  test('sensitivity: outside the conditions (a categorical likelihood in the expand setting) expand is not exact', () => {
    const g = gaps({ ...expandSpec, likelihood: 'categorical' }, 3, 5400);
    expect(Math.max(...g.expand)).toBeGreaterThan(1e-3);
  });
});

describe('the reduction of the loss goes into G, A stays an average', () => {
  const { model, theta, batch } = problem(5500, LAYER_MODELS['causal attention, per-position categorical (a small transformer block)'], 3);
  const N = batch.x.batch;
  const T = model.loss.positions;
  const mean = kfacFactors(model, theta, batch, { fisher: 'fisher' });

  test.each([
    ['sum', N],
    ['mean-elements', 1 / T],
  ] as const)('%s: G is the mean reduction G times %d, A and the layout unchanged, loss and gradient scaled alike', (reduction, factor) => {
    const other = kfacFactors(model.withReduction(reduction), theta, batch, { fisher: 'fisher' });
    other.blocks.forEach((b, k) => {
      expect(relGap(b.A.data, mean.blocks[k].A.data)).toBeLessThanOrEqual(TOL);
      expect(
        relGap(
          b.G.data,
          mean.blocks[k].G.data.map((g) => g * factor),
        ),
      ).toBeLessThanOrEqual(TOL);
    });
    expect(
      relGap(
        other.gradient as Vec,
        (mean.gradient as Vec).map((g) => g * factor),
      ),
    ).toBeLessThanOrEqual(TOL);
    expect(other.loss / mean.loss).toBeCloseTo(factor, 12);
  });

  test('sensitivity: the sum-reduced G is not the mean-reduced one', () => {
    const other = kfacFactors(model.withReduction('sum'), theta, batch, { fisher: 'fisher' });
    expect(relGap(other.blocks[0].G.data, mean.blocks[0].G.data)).toBeGreaterThan(0.5);
  });
});

describe('the damping schemes on a convolution block are the damped inverses they name', () => {
  const { model, theta, batch } = problem(5600, LAYER_MODELS['conv2d with stride and padding, sigmoid, flatten, bernoulli'], 3);
  const lambda = 0.05;
  const sq = Math.sqrt(lambda);
  const plus = (M: Matrix, d: number): Matrix => {
    const out = M.clone();
    for (let i = 0; i < M.rows; i++) out.data[i * M.cols + i] += d;
    return out;
  };

  test('exact: vecRow(update) = (G ⊗ A + λ I)^-1 vecRow(gradient); factored: (G + √λ I)^-1 grad (A + √λ I)^-1', () => {
    const exact = kfacResult(model, theta, batch, { damping: lambda, dampingScheme: 'exact' }).blocks[0];
    const direct = solve(plus(kron(exact.G, exact.A), lambda), exact.gradient.data);
    expect(relGap((exact.update as Matrix).data, direct)).toBeLessThanOrEqual(2 ** -36);
    const factored = kfacResult(model, theta, batch, { damping: lambda, dampingScheme: 'factored' }).blocks[0];
    const inverse = (M: Matrix): Matrix => solveMatrix(M, Matrix.identity(M.rows));
    const expected = matmul(matmul(inverse(plus(factored.G, sq)), factored.gradient), inverse(plus(factored.A, sq)));
    expect(relGap((factored.update as Matrix).data, expected.data)).toBeLessThanOrEqual(2 ** -36);
    // sensitivity: the factored update is not the exact one
    expect(relGap((factored.update as Matrix).data, direct)).toBeGreaterThan(1e-3);
  });

  test('a separate bias: the weight block from the inputs alone, the bias preconditioned by (G + λ I)^-1 (exact)', () => {
    const r = kfacResult(model, theta, batch, { damping: lambda, dampingScheme: 'exact', bias: 'separate' }).blocks[0];
    expect(r.cols).toBe(r.fanIn);
    expect(relGap(r.biasUpdate as Vec, solve(plus(r.G, lambda), r.biasGradient as Vec))).toBeLessThanOrEqual(2 ** -36);
  });
});

describe('a Monte Carlo K-FAC G is within its exact standard errors of the exact G', () => {
  const { model, theta, batch } = problem(5700, LAYER_MODELS['linear shared over positions, softplus, per-position categorical'], 3);
  const M = 200;
  const exact = kfacResult(model, theta, batch, { fisher: 'monte-carlo', samples: M });
  const comparisons = exact.blocks.reduce((s, b) => s + b.G.data.length, 0);
  const z = zForFalseAlarm(1e-6, comparisons);

  test(`${M} draws per example, expand (z for a 1e-6 false-alarm rate over all entries)`, () => {
    const drawn = kfacFactors(model, theta, batch, { fisher: 'monte-carlo', samples: M, rng: new Rng(5701) });
    drawn.blocks.forEach((b, k) => expect(withinStdError(b.G, (exact.blocks[k].standardError as { G: Matrix }).G, exact.blocks[k].G, z).ok).toBe(true));
  });

  test('the result is the estimator’s expectation only: no update, no bias update, no block reported singular', () => {
    for (const b of exact.blocks) {
      expect(b.update).toBeNull();
      expect(b.biasUpdate).toBeNull();
      expect(b.singular).toBe(false);
    }
  });

  test('sensitivity: the empirical Fisher (the training labels, not draws) is caught', () => {
    const empirical = kfacFactors(model, theta, batch, { fisher: 'empirical-fisher' });
    const caught = empirical.blocks.some((b, k) => !withinStdError(b.G, (exact.blocks[k].standardError as { G: Matrix }).G, exact.blocks[k].G, z).ok);
    expect(caught).toBe(true);
  });
});

describe('EKFAC of a CNN and an attention model', () => {
  test.each(['conv2d without bias, two convs, mean pooling, gaussian', 'attention (2 heads), mean over positions, categorical'])(
    '%s: per block, no farther from the exact Fisher block than K-FAC (Frobenius), and its scalings are the argmin',
    (name) => {
      const { model, theta, batch } = problem(5800, LAYER_MODELS[name], 3);
      const F = curvatureMatrix(model, theta, batch, 'fisher');
      const ek = ekfacResult(model, theta, batch, { fisher: 'fisher' });
      const kf = kfacFactors(model, theta, batch, { fisher: 'fisher' });
      const frob = (a: Matrix, b: Matrix): number => Math.hypot(...a.data.map((v, i) => v - b.data[i]));
      ek.blocks.forEach((b, k) => {
        const exact = exactBlock(F, b);
        const dE = frob(b.matrix, exact);
        const dK = frob(kfacBlockMatrix(kf.blocks[k]), exact);
        // both can be exact (the Gaussian output layer), so rounding of the block's size is allowed
        const scale = Math.hypot(...exact.data);
        expect(dE).toBeLessThanOrEqual(dK + TOL * scale);
        // sensitivity: scalings off by 1% are farther from the block
        const off = {
          ...b,
          scalings: new Matrix(
            b.out,
            b.cols,
            b.scalings.data.map((s) => s * 1.01),
          ),
        };
        expect(frob(ekfacBlockMatrixOf(off), exact)).toBeGreaterThan(dE + TOL * scale);
      });
    },
  );

  test.each(['conv2d with stride and padding, sigmoid, flatten, bernoulli', 'conv2d without bias, two convs, mean pooling, gaussian'])(
    '%s: each block’s scalings are the diagonal of the exact block in the Kronecker eigenbasis (a dense rotation), for every Fisher',
    (name) => {
      const { model, theta, batch } = problem(5810, LAYER_MODELS[name], 3);
      for (const fisher of ['fisher', 'empirical-fisher'] as const) {
        const F = curvatureMatrix(model, theta, batch, fisher);
        ekfacResult(model, theta, batch, { fisher }).blocks.forEach((b) => {
          const Q = kron(b.QG, b.QA);
          const rotated = matmul(matmulTN(Q, exactBlock(F, b)), Q);
          const n = rotated.rows;
          const diagonal = Float64Array.from({ length: n }, (_, k) => rotated.data[k * n + k]);
          // the rotation's rounding: n products of n terms each side, at most |Q| = 1 entrywise
          const tol = 64 * EPS * n * Math.max(...diagonal.map(Math.abs), 1e-300);
          const worst = (s: Float64Array) => Math.max(...s.map((v, k) => Math.abs(v - diagonal[k])));
          expect(worst(b.scalings.data)).toBeLessThanOrEqual(tol);
          // sensitivity: the largest scaling off by 1% is caught
          const big = diagonal.reduce((best, v, k) => (Math.abs(v) > Math.abs(diagonal[best]) ? k : best), 0);
          const off = b.scalings.data.slice();
          off[big] *= 1.01;
          expect(worst(off)).toBeGreaterThan(tol);
        });
      }
    },
  );
});
