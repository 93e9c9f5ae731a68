import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { empiricalFisherMatrix, fisherMatrix } from '../../src/curvature/dense-curvature.js';
import { ekfacInverseOperator, ekfacLayers, ekfacOperator, type EkfacLayer } from '../../src/curvature/ekfac.js';
import { blockIndex, kfacFactors, kfacOperator, mlpKfacLayouts } from '../../src/curvature/kfac.js';
import { blockDiagonalCurvatureOperator, layerBlocksOf } from '../../src/curvature/block-diagonal.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { frobeniusNorm, kron, matmul, matmulTN, maxAbs, maxAbsDiff, sub } from '../../src/linalg/ops.js';
import { dampedOperator } from '../../src/linalg/operators.js';
import { ACTIVATIONS, type Activation } from '../../src/models/activations.js';
import { LIKELIHOODS, type Likelihood } from '../../src/models/likelihoods.js';
import { paramCount } from '../../src/models/mlp.js';
import { EPS, randomProblem, type Problem } from '../models/fixtures.js';

const problemArb = (minN: number, maxN: number) =>
  fc
    .record({
      seed: fc.integer(),
      hidden: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 2 }),
      acts: fc.array(fc.constantFrom(...ACTIVATIONS), { minLength: 3, maxLength: 3 }),
      likelihood: fc.constantFrom(...LIKELIHOODS),
      d: fc.integer({ min: 1, max: 3 }),
      bias: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      N: fc.integer({ min: minN, max: maxN }),
    })
    .map(({ seed, hidden, acts, likelihood, d, bias, N }) => {
      const sizes = [d, ...hidden, likelihood === 'bernoulli' ? 1 : 2];
      const L = sizes.length - 1;
      return randomProblem(seed, { sizes, activations: acts.slice(0, L) as Activation[], likelihood: likelihood as Likelihood, bias: bias.slice(0, L), N });
    });

/** The exact Fisher restricted to its layer blocks (cross-layer terms zero), in parameter order. */
const exactBlockDiagonal = (p: Problem, F: Matrix): Matrix => blockDiagonalCurvatureOperator(layerBlocksOf(p.spec, F)).dense();

/** ||F - approx||_F for the K-FAC and EKFAC approximations in parameter order. */
function distances(p: Problem, kind: 'fisher' | 'empirical-fisher', layers: EkfacLayer[] = ekfacLayers(p.spec, p.weights, p.inputs, p.targets, kind)) {
  const F = kind === 'fisher' ? fisherMatrix(p.spec, p.weights, p.inputs) : empiricalFisherMatrix(p.spec, p.weights, p.inputs, p.targets);
  const kf = kfacOperator(p.spec, kfacFactors(p.spec, p.weights, p.inputs, p.targets, kind).layers).dense();
  const ek = ekfacOperator(p.spec, layers).dense();
  return { F, kfac: frobeniusNorm(sub(F, kf)), ekfac: frobeniusNorm(sub(F, ek)), ek };
}

describe('EKFAC (George et al. 2018)', () => {
  test.each(['fisher', 'empirical-fisher'] as const)('never farther from the exact %s (Frobenius) than K-FAC', (kind) => {
    fc.assert(
      fc.property(problemArb(1, 6), (p) => {
        const d = distances(p, kind);
        return d.ekfac <= d.kfac + 64 * EPS * paramCount(p.spec) * Math.max(maxAbs(d.F), 1e-300);
      }),
      { seed: 701, numRuns: 80 },
    );
  });

  test('its scalings are diag(Qᵀ F_ll Q) of the exact block, computed another way (dense rotation)', () => {
    fc.assert(
      fc.property(problemArb(1, 5), (p) => {
        const F = fisherMatrix(p.spec, p.weights, p.inputs);
        const layers = ekfacLayers(p.spec, p.weights, p.inputs, p.targets, 'fisher');
        const ek = ekfacOperator(p.spec, layers).dense();
        // The EKFAC block and the exact block agree on the diagonal in the Kronecker basis:
        return layers.every((l, i) => {
          const Q = kron(l.QG, l.QA);
          const blockOf = (M: Matrix) => layerBlocksOfBlockLayout(p, M, i);
          const exact = matmul(matmulTN(Q, blockOf(F)), Q);
          const approx = matmul(matmulTN(Q, blockOf(ek)), Q);
          const n = exact.rows;
          const tol = 64 * EPS * n * Math.max(maxAbs(exact), 1e-300);
          for (let k = 0; k < n; k++)
            if (Math.abs(exact.get(k, k) - approx.get(k, k)) > tol || Math.abs(l.scalings.data[k] - exact.get(k, k)) > tol) return false;
          return true;
        });
      }),
      { seed: 702, numRuns: 50 },
    );
  });

  test('one example: EKFAC = K-FAC = the exact Fisher on each layer block', () => {
    fc.assert(
      fc.property(problemArb(1, 1), (p) => {
        const d = distances(p, 'fisher');
        const exact = exactBlockDiagonal(p, d.F);
        return maxAbsDiff(d.ek, exact) <= 64 * EPS * paramCount(p.spec) * Math.max(maxAbs(exact), 1e-300);
      }),
      { seed: 703, numRuns: 60 },
    );
  });

  test('sensitivity: scalings from the mean gradient squared (not the mean of squares) are farther than K-FAC', () => {
    const p = randomProblem(704, { sizes: [3, 2], activations: ['identity'], likelihood: 'gaussian', N: 6 });
    const layers = ekfacLayers(p.spec, p.weights, p.inputs, p.targets, 'empirical-fisher');
    // the mean gradient rotated into the basis, squared (optax#968's mistake, in EKFAC form)
    const { layers: kf } = kfacFactors(p.spec, p.weights, p.inputs, p.targets, 'empirical-fisher');
    const wrong = layers.map((l) => {
      const Gm = matmul(matmulTN(l.QG, kf[0].gradient), l.QA);
      return {
        ...l,
        scalings: new Matrix(
          Gm.rows,
          Gm.cols,
          Gm.data.map((v) => v * v),
        ),
      };
    });
    const right = distances(p, 'empirical-fisher', layers);
    const bad = distances(p, 'empirical-fisher', wrong);
    expect(right.ekfac).toBeLessThanOrEqual(right.kfac);
    expect(bad.ekfac).toBeGreaterThan(bad.kfac);
  });

  test('the damped inverse inverts the damped operator', () => {
    const p = randomProblem(705, { sizes: [2, 3, 2], activations: ['tanh', 'identity'], likelihood: 'categorical', N: 4 });
    const layers = ekfacLayers(p.spec, p.weights, p.inputs, p.targets, 'fisher');
    const lambda = 1e-2;
    const prod = matmul(ekfacInverseOperator(p.spec, layers, { damping: lambda }).dense(), dampedOperator(ekfacOperator(p.spec, layers), lambda).dense());
    expect(maxAbsDiff(prod, Matrix.identity(prod.rows))).toBeLessThan(1e-10);
  });
});

/** Layer i's block of a parameter-order matrix, rows and columns in the order of vecRow([W b]). */
function layerBlocksOfBlockLayout(p: Problem, M: Matrix, i: number): Matrix {
  const b = mlpKfacLayouts(p.spec)[i];
  const idx = Array.from({ length: b.out * b.cols }, (_, k) => blockIndex(b, Math.floor(k / b.cols), k % b.cols));
  const B = new Matrix(idx.length, idx.length);
  idx.forEach((a, r) => idx.forEach((c, col) => B.set(r, col, M.get(a, c))));
  return B;
}
