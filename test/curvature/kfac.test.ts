import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { addScaledIdentity, kron, maxAbs, maxAbsDiff, trace, transpose, vecRow } from '../../src/linalg/ops.js';
import { pseudoInverseSolve, solve, solveMatrix } from '../../src/linalg/solve.js';
import { empiricalFisherMatrix, fisherMatrix } from '../../src/curvature/dense-curvature.js';
import {
  blockIndex,
  kfacFactors,
  kfacLayers,
  kfacOperator,
  kfacUpdate,
  mlpKfacLayouts,
  paramsFromLayerMatrices,
  piFactor,
  type KfacFactors,
} from '../../src/curvature/kfac.js';
import { ACTIVATIONS, type Activation } from '../../src/models/activations.js';
import { LIKELIHOODS, type Likelihood, likelihoodModel } from '../../src/models/likelihoods.js';
import { backward, forward, lossAndGradient, layerCount, meanLoss, mlpProblem, paramCount, paramNames, type MlpSpec } from '../../src/models/mlp.js';
import { EPS, randomProblem, type Problem } from '../models/fixtures.js';
import { thrownError as thrown } from '../natgrad-error.js';

const roundoff = (M: Matrix, terms: number) => 8 * terms * EPS * Math.max(maxAbs(M), 1e-300);

const problemArb = (N: number) =>
  fc
    .record({
      seed: fc.integer(),
      hidden: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 2 }),
      acts: fc.array(fc.constantFrom(...ACTIVATIONS), { minLength: 3, maxLength: 3 }),
      likelihood: fc.constantFrom(...LIKELIHOODS),
      d: fc.integer({ min: 1, max: 3 }),
      D: fc.integer({ min: 2, max: 3 }),
      bias: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
    })
    .map(({ seed, hidden, acts, likelihood, d, D, bias }) => {
      const sizes = [d, ...hidden, likelihood === 'bernoulli' ? 1 : D];
      const L = sizes.length - 1;
      return randomProblem(seed, { sizes, activations: acts.slice(0, L) as Activation[], likelihood: likelihood as Likelihood, bias: bias.slice(0, L), N });
    });

/** The parameter-vector indices of layer l's [W b], row-major (the order of vecRow([W b]), the order of G ⊗ A). */
function layerIndices(spec: MlpSpec, l: number): number[] {
  const b = mlpKfacLayouts(spec)[l];
  return Array.from({ length: b.out * b.cols }, (_, k) => blockIndex(b, Math.floor(k / b.cols), k % b.cols));
}

/**
 * Parameter p of an MLP as (layer, row i, column j of [W b]), read from its
 * name (W2[i][j], b2[i]): the parameter order, independently of the K-FAC layouts.
 */
function parameterPositions(spec: MlpSpec): { layer: number; i: number; j: number }[] {
  return paramNames(spec).map((name) => {
    const w = /^W(\d+)\[(\d+)\]\[(\d+)\]$/.exec(name);
    if (w) return { layer: Number(w[1]) - 1, i: Number(w[2]), j: Number(w[3]) };
    const b = /^b(\d+)\[(\d+)\]$/.exec(name) as RegExpExecArray;
    const layer = Number(b[1]) - 1;
    return { layer, i: Number(b[2]), j: spec.sizes[layer] };
  });
}

/** The dense K-FAC matrix in parameter order, entry by entry: (G_l)_{i i'} (A_l)_{j j'} within a layer, 0 across layers. */
function denseKfacByNames(spec: MlpSpec, layers: readonly { A: Matrix; G: Matrix }[]): Matrix {
  const pos = parameterPositions(spec);
  const P = pos.length;
  const K = new Matrix(P, P);
  pos.forEach((a, p) => {
    pos.forEach((b, q) => {
      if (a.layer === b.layer) K.set(p, q, layers[a.layer].G.get(a.i, b.i) * layers[a.layer].A.get(a.j, b.j));
    });
  });
  return K;
}

/** The sub-matrix F[idx, idx]. */
function block(F: Matrix, idx: number[]): Matrix {
  const B = new Matrix(idx.length, idx.length);
  idx.forEach((p, i) => idx.forEach((q, j) => B.set(i, j, F.get(p, q))));
  return B;
}

/** Whether G ⊗ A equals the exact block of every layer within round-off. */
function kfacMatchesBlocks(p: Problem, kind: 'fisher' | 'empirical-fisher', build = (f: KfacFactors) => kron(f.G, f.A)): boolean {
  const F = kind === 'fisher' ? fisherMatrix(p.spec, p.weights, p.inputs) : empiricalFisherMatrix(p.spec, p.weights, p.inputs, p.targets);
  const { layers } = kfacFactors(p.spec, p.weights, p.inputs, p.targets, kind);
  return layers.every((f, l) => {
    const exact = block(F, layerIndices(p.spec, l));
    const approx = build(f);
    if (approx.rows !== exact.rows || approx.cols !== exact.cols) return false;
    return maxAbsDiff(approx, exact) <= roundoff(exact, 4 * (paramCount(p.spec) + 4));
  });
}

describe('K-FAC is exact for one example (G ⊗ A = Fisher block, row-major [W b])', () => {
  test.each(['fisher', 'empirical-fisher'] as const)('%s, random networks, with and without biases', (kind) => {
    fc.assert(
      fc.property(problemArb(1), (p) => kfacMatchesBlocks(p, kind)),
      { seed: 501, numRuns: 100 },
    );
  });

  test('at N = 3 the same check fails (a test at batch size 3 would be vacuous, not exact)', () => {
    const p = randomProblem(502, { sizes: [2, 3, 2], activations: ['tanh', 'identity'], likelihood: 'categorical', N: 3 });
    expect(kfacMatchesBlocks(p, 'fisher')).toBe(false);
  });

  describe('known wrong variants do not match (sensitivity)', () => {
    // out = in + 1 in layer 1, so swapped factors have the right shape and only their values can fail
    const p = randomProblem(503, { sizes: [3, 4, 3], activations: ['tanh', 'identity'], likelihood: 'categorical', N: 1 });

    test('the right variant matches', () => {
      expect(kfacMatchesBlocks(p, 'fisher')).toBe(true);
    });

    test('A and G swapped', () => {
      expect(kfacMatchesBlocks(p, 'fisher', (f) => kron(f.A, f.G))).toBe(false);
    });

    test('column-major flattening of [W b] (G ⊗ A against the block in column-major order)', () => {
      const F = fisherMatrix(p.spec, p.weights, p.inputs);
      const { layers } = kfacFactors(p.spec, p.weights, p.inputs, p.targets, 'fisher');
      const rowMajor = layerIndices(p.spec, 0);
      const out = 4,
        cols = 4;
      const colMajor = Array.from({ length: out * cols }, (_, k) => rowMajor[(k % out) * cols + Math.floor(k / out)]);
      const exactColMajor = block(F, colMajor);
      expect(maxAbsDiff(kron(layers[0].G, layers[0].A), exactColMajor)).toBeGreaterThan(1e-3 * maxAbs(exactColMajor));
      expect(maxAbsDiff(kron(layers[0].A, layers[0].G), exactColMajor)).toBeLessThanOrEqual(roundoff(exactColMajor, 100));
    });

    test('bias column dropped (A of the inputs alone, bias rows left zero) or placed first', () => {
      const dropped = (f: KfacFactors) => {
        const k = f.A.rows - 1;
        const A0 = new Matrix(f.A.rows, f.A.cols);
        for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) A0.set(i, j, f.A.get(i, j));
        return kron(f.G, A0);
      };
      const biasFirst = (f: KfacFactors) => {
        const n = f.A.rows;
        const perm = [n - 1, ...Array.from({ length: n - 1 }, (_, i) => i)];
        const Ap = new Matrix(n, n);
        perm.forEach((pi, i) => perm.forEach((pj, j) => Ap.set(i, j, f.A.get(pi, pj))));
        return kron(f.G, Ap);
      };
      expect(kfacMatchesBlocks(p, 'fisher', dropped)).toBe(false);
      expect(kfacMatchesBlocks(p, 'fisher', biasFirst)).toBe(false);
    });

    test('the empirical G where the Fisher G was asked', () => {
      const emp = kfacFactors(p.spec, p.weights, p.inputs, p.targets, 'empirical-fisher').layers;
      expect(kfacMatchesBlocks(p, 'fisher', (_f) => kron(emp[0].G, emp[0].A))).toBe(false);
    });
  });
});

describe('K-FAC factors', () => {
  const p = randomProblem(510, { sizes: [3, 4, 3], activations: ['softplus', 'identity'], likelihood: 'categorical', N: 4 });
  const { loss, layers } = kfacFactors(p.spec, p.weights, p.inputs, p.targets, 'fisher');

  test('G for the Fisher is the probability-weighted sum over classes, computed independently', () => {
    const lik = likelihoodModel('categorical');
    const L = layerCount(p.spec);
    const Gs = p.spec.sizes.slice(1).map((n) => Matrix.zeros(n, n));
    for (const x of p.inputs) {
      const tr = forward(p.spec, p.weights, x);
      for (const { target, probability } of lik.support(tr.output)!) {
        const deltas = backward(p.spec, p.weights, tr, lik.gradient(tr.output, target));
        for (let l = 0; l < L; l++) {
          const d = deltas[l];
          for (let i = 0; i < d.length; i++) for (let j = 0; j < d.length; j++) Gs[l].data[i * d.length + j] += (probability * d[i] * d[j]) / p.inputs.length;
        }
      }
    }
    Gs.forEach((G, l) => expect(maxAbsDiff(layers[l].G, G)).toBeLessThanOrEqual(roundoff(G, 4 * 3 * 4)));
  });

  test('A is the mean of [a; 1][a; 1]ᵀ: its last diagonal entry is 1, and the loss is the mean loss', () => {
    for (const f of layers) expect(f.A.get(f.A.rows - 1, f.A.cols - 1)).toBeCloseTo(1, 15);
    expect(loss).toBeCloseTo(meanLoss(p.spec, p.weights, p.inputs, p.targets), 14);
  });

  test('the gradients [dL/dW, dL/db] reassemble to the loss gradient (bias last column)', () => {
    const g = paramsFromLayerMatrices(
      p.spec,
      layers.map((f) => f.gradient),
    );
    const { gradient } = lossAndGradient(p.spec, p.weights, p.inputs, p.targets);
    for (let i = 0; i < g.length; i++)
      expect(Math.abs(g[i] - gradient[i])).toBeLessThanOrEqual(16 * EPS * (Math.abs(gradient[i]) + maxAbs(layers[0].gradient)));
    expect(layers[0].gradient.get(2, 3)).toBeCloseTo(gradient[12 + 2], 15);
    expect(layers[0].gradient.get(2, 1)).toBeCloseTo(gradient[2 * 3 + 1], 15);
  });

  test('the layouts of the MLP place each entry of [W b] at its parameter (named W1[i][j], b1[i]), every parameter once', () => {
    const names = paramNames(p.spec);
    const seen = new Set<number>();
    for (const b of mlpKfacLayouts(p.spec)) {
      for (let i = 0; i < b.out; i++) {
        for (let j = 0; j < b.cols; j++) {
          const at = blockIndex(b, i, j);
          expect(names[at]).toBe(j < b.fanIn ? `W${b.layer + 1}[${i}][${j}]` : `b${b.layer + 1}[${i}]`);
          seen.add(at);
        }
      }
    }
    expect(seen.size).toBe(paramCount(p.spec));
  });
});

describe('K-FAC updates', () => {
  const p = randomProblem(520, { sizes: [2, 3, 2], activations: ['tanh', 'identity'], likelihood: 'gaussian', N: 3 });
  const damping = 0.3;
  const factors = kfacFactors(p.spec, p.weights, p.inputs, p.targets, 'fisher').layers;
  const solveBoth = (f: KfacFactors, cg: number, ca: number) =>
    transpose(solveMatrix(addScaledIdentity(f.A, ca), transpose(solveMatrix(addScaledIdentity(f.G, cg), f.gradient))));
  const close = (a: Matrix, b: Matrix) => maxAbsDiff(a, b) <= 1e-12 * Math.max(maxAbs(b), 1);

  test('exact: vecRow(update) = (G ⊗ A + λ I)^-1 vecRow(grad), the dense solve', () => {
    fc.assert(
      fc.property(problemArb(3), fc.double({ min: 1e-3, max: 10, noNaN: true }), (q, lambda) => {
        const { layers } = kfacLayers(q.spec, q.weights, q.inputs, q.targets, 'fisher', lambda, 'exact');
        return layers.every((f) => {
          const K = addScaledIdentity(kron(f.G, f.A), lambda);
          const x = solve(K, vecRow(f.gradient));
          const u = vecRow(f.update);
          // error bound of a backward-stable solve: cond(K) ε ||x||, cond <= ||K|| / λ
          const tol = 64 * K.rows * EPS * ((maxAbs(K) * K.rows) / lambda) * Math.max(...Array.from(x, Math.abs), 1e-300);
          return x.every((xi, i) => Math.abs(xi - u[i]) <= tol);
        });
      }),
      { seed: 521, numRuns: 50 },
    );
  });

  test('factored: (G + sqrt(λ) I)^-1 grad (A + sqrt(λ) I)^-1', () => {
    for (const f of factors) {
      const c = Math.sqrt(damping);
      expect(close(kfacUpdate(f, damping, 'factored').update, solveBoth(f, c, c))).toBe(true);
    }
  });

  test('pi-factored: pi = sqrt((tr A/(in+1)) / (tr G/out)), (G + sqrt(λ)/pi I)^-1 grad (A + pi sqrt(λ) I)^-1', () => {
    for (const f of factors) {
      const pi = Math.sqrt(trace(f.A) / f.A.rows / (trace(f.G) / f.G.rows));
      expect(piFactor(f.A, f.G)).toBeCloseTo(pi, 14);
      expect(pi).not.toBeCloseTo(1, 2);
      const c = Math.sqrt(damping);
      expect(close(kfacUpdate(f, damping, 'pi-factored').update, solveBoth(f, c / pi, c * pi))).toBe(true);
    }
  });

  test('the three schemes, λ in place of sqrt(λ), and damping applied twice all differ (sensitivity)', () => {
    for (const f of factors) {
      const [fa, pf, ex] = (['factored', 'pi-factored', 'exact'] as const).map((s) => kfacUpdate(f, damping, s).update);
      expect(close(fa, pf)).toBe(false);
      expect(close(fa, ex)).toBe(false);
      expect(close(pf, ex)).toBe(false);
      expect(close(fa, solveBoth(f, damping, damping))).toBe(false);
      expect(close(ex, kfacUpdate(f, 2 * damping, 'exact').update)).toBe(false);
    }
  });

  test('zero damping on a singular block: the minimum-norm solution and singular = true', () => {
    const q = randomProblem(522, { sizes: [2, 2], activations: ['identity'], likelihood: 'categorical', N: 1 });
    const { layers } = kfacLayers(q.spec, q.weights, q.inputs, q.targets, 'fisher', 0, 'exact');
    const f = layers[0];
    expect(f.singular).toBe(true);
    const { x } = pseudoInverseSolve(kron(f.G, f.A), vecRow(f.gradient));
    expect(maxAbsDiff(f.update, new Matrix(f.update.rows, f.update.cols, x))).toBeLessThanOrEqual(1e-10 * Math.max(...Array.from(x, Math.abs)));
    expect(kfacLayers(q.spec, q.weights, q.inputs, q.targets, 'fisher', 0.1, 'exact').layers[0].singular).toBe(false);
  });
});

describe('kfacOperator acts on parameter vectors', () => {
  const p = randomProblem(530, { sizes: [2, 3, 2], activations: ['relu', 'identity'], likelihood: 'categorical', bias: [true, false], N: 2 });
  const { layers } = kfacLayers(p.spec, p.weights, p.inputs, p.targets, 'fisher', 0.2, 'exact');
  const P = paramCount(p.spec);

  test('matvec is the dense K-FAC matrix (built in parameter order from the parameter names) times a vector; dense() is that matrix', () => {
    const D = denseKfacByNames(p.spec, layers);
    const K = kfacOperator(p.spec, layers);
    const rng = new Rng(531);
    for (let r = 0; r < 3; r++) {
      const v = Float64Array.from({ length: P }, () => rng.normal());
      const row = (i: number) => D.data.subarray(i * P, (i + 1) * P);
      const want = Float64Array.from({ length: P }, (_, i) => row(i).reduce((a, d, j) => a + d * v[j], 0));
      const got = K.matvec(v);
      // G X A and D v both sum at most P products per entry: each within P EPS Σ_j |D_ij v_j| of the exact value
      for (let i = 0; i < P; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(2 * P * EPS * row(i).reduce((a, d, j) => a + Math.abs(d * v[j]), 0));
      expect(Array.from(K.rmatvec(v))).toEqual(Array.from(got));
    }
    expect(maxAbsDiff(K.dense(), D)).toBe(0);
  });

  test('the operator of the model-level blocks is the same operator', () => {
    const { model, theta, batch } = mlpProblem(p.spec, p.weights, p.inputs, p.targets);
    const blocks = kfacFactors(model, theta, batch, { fisher: 'fisher' }).blocks;
    expect(maxAbsDiff(kfacOperator(P, blocks).dense(), kfacOperator(p.spec, layers).dense())).toBeLessThanOrEqual(
      roundoff(kfacOperator(P, blocks).dense(), 4 * p.inputs.length),
    );
  });

  test('(K + λ I) applied to the exact-scheme update gives back the gradient, all in parameter order', () => {
    const op = kfacOperator(p.spec, layers);
    const u = paramsFromLayerMatrices(
      p.spec,
      layers.map((f) => f.update),
    );
    const g = paramsFromLayerMatrices(
      p.spec,
      layers.map((f) => f.gradient),
    );
    const Ku = op.matvec(u);
    for (let i = 0; i < g.length; i++) expect(Math.abs(Ku[i] + 0.2 * u[i] - g[i])).toBeLessThanOrEqual(1e-12 * Math.max(maxAbs(layers[0].gradient), 1));
  });

  test('the former block-order call (layers alone) is refused, and layers of another shape are named', () => {
    expect(thrown(() => kfacOperator(layers as never, undefined as never))).toMatchObject({
      path: 'spec',
      reason: expect.stringMatching(/^must be the MLP's spec: the operator acts on parameter vectors .*got an array of layers$/),
    });
    expect(thrown(() => kfacOperator(p.spec, layers.slice(1))).path).toBe('layers');
    expect(thrown(() => kfacOperator(p.spec, [layers[1], layers[0]])).path).toBe('layers[0]');
  });
});

describe('validation', () => {
  const p = randomProblem(540, { sizes: [2, 2], activations: ['identity'], likelihood: 'categorical', N: 2 });

  test('bad damping, scheme, Fisher kind and weights are named by path', () => {
    expect(thrown(() => kfacLayers(p.spec, p.weights, p.inputs, p.targets, 'fisher', -1, 'exact')).path).toBe('spec.damping');
    expect(thrown(() => kfacLayers(p.spec, p.weights, p.inputs, p.targets, 'fisher', NaN, 'exact')).path).toBe('spec.damping');
    expect(thrown(() => kfacLayers(p.spec, p.weights, p.inputs, p.targets, 'fisher', 1, 'tikhonov' as 'exact')).path).toBe('spec.dampingScheme');
    expect(thrown(() => kfacLayers(p.spec, p.weights, p.inputs, p.targets, 'true' as 'fisher', 1, 'exact')).path).toBe('spec.fisher');
    expect(thrown(() => kfacLayers(p.spec, [{ W: Matrix.zeros(2, 3), b: new Float64Array(2) }], p.inputs, p.targets, 'fisher', 1, 'exact')).path).toBe(
      'spec.weights[0].W',
    );
  });
});
