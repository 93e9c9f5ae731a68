import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { empiricalFisherMatrix, fisherMatrix, ggnMatrix } from '../../src/curvature/dense-curvature.js';
import {
  curvatureFactor,
  eigenpairsOperator,
  factorDampedInverse,
  factorOperator,
  topEigenpairs,
  truncatedDampedOperators,
} from '../../src/curvature/low-rank.js';
import { eigSymmetric } from '../../src/linalg/eigen-symmetric.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { matmul, maxAbs, maxAbsDiff, matvec } from '../../src/linalg/ops.js';
import { dampedSolve } from '../../src/linalg/solve.js';
import { paramCount } from '../../src/models/mlp.js';
import { EPS, randomProblem } from '../models/fixtures.js';

const problemArb = fc
  .record({
    seed: fc.integer(),
    N: fc.integer({ min: 1, max: 6 }),
    likelihood: fc.constantFrom('categorical' as const, 'bernoulli' as const, 'gaussian' as const),
  })
  .map(({ seed, N, likelihood }) =>
    randomProblem(seed, { sizes: [2, 3, likelihood === 'bernoulli' ? 1 : 2], activations: ['tanh', 'identity'], likelihood, N }),
  );

describe('the curvature factor, C = (1/N) U Uᵀ', () => {
  test('matches the dense Fisher, empirical Fisher and GGN computed another way', () => {
    fc.assert(
      fc.property(problemArb, (p) => {
        const pairs = [
          ['fisher', fisherMatrix(p.spec, p.weights, p.inputs)],
          ['empirical-fisher', empiricalFisherMatrix(p.spec, p.weights, p.inputs, p.targets)],
          ['ggn', ggnMatrix(p.spec, p.weights, p.inputs, p.targets)],
        ] as const;
        return pairs.every(([kind, dense]) => {
          const op = factorOperator(curvatureFactor(p.spec, p.weights, p.inputs, p.targets, kind));
          return maxAbsDiff(op.dense(), dense) <= 64 * EPS * paramCount(p.spec) * p.inputs.length * Math.max(maxAbs(dense), 1e-300);
        });
      }),
      { seed: 801, numRuns: 60 },
    );
  });

  test('sensitivity: the factor without the 1/N (a sum, not a mean) does not match for N > 1', () => {
    const p = randomProblem(802, { sizes: [2, 3, 2], activations: ['tanh', 'identity'], likelihood: 'categorical', N: 3 });
    const f = curvatureFactor(p.spec, p.weights, p.inputs, p.targets, 'fisher');
    expect(maxAbsDiff(factorOperator({ ...f, weight: 1 }).dense(), fisherMatrix(p.spec, p.weights, p.inputs))).toBeGreaterThan(1e-3);
  });
});

describe('Woodbury and top-k eigenpairs', () => {
  test('(C + λ I)⁻¹ b by Woodbury equals the direct (eigendecomposition) solve', () => {
    fc.assert(
      fc.property(problemArb, fc.constantFrom(1e-4, 1e-2, 1), fc.integer(), (p, lambda, s) => {
        const f = curvatureFactor(p.spec, p.weights, p.inputs, p.targets, 'fisher');
        const F = fisherMatrix(p.spec, p.weights, p.inputs);
        const rng = new Rng(s);
        const b = Float64Array.from({ length: F.rows }, () => rng.normal());
        const x = factorDampedInverse(f, lambda).matvec(b);
        const y = dampedSolve(F, lambda, b).x;
        // Both are backward stable: relative error about cond(C + λI) · eps.
        const cond = (eigSymmetric(F).values.at(-1) as number) / lambda + 1;
        return maxAbsDiff(new Matrix(1, x.length, x), new Matrix(1, y.length, y)) <= 1e3 * cond * EPS * Math.max(...y.map(Math.abs));
      }),
      { seed: 803, numRuns: 60 },
    );
  });

  test('top-k eigenpairs satisfy C q = λ q, are the k largest, and all of them rebuild C', () => {
    fc.assert(
      fc.property(problemArb, (p) => {
        const f = curvatureFactor(p.spec, p.weights, p.inputs, p.targets, 'fisher');
        const F = fisherMatrix(p.spec, p.weights, p.inputs);
        const ref = Array.from(eigSymmetric(F).values).reverse();
        const pairs = topEigenpairs(f, 3);
        const scale = Math.max(ref[0], 1e-300);
        const tol = 1e3 * EPS * paramCount(p.spec) * scale;
        for (let i = 0; i < pairs.values.length; i++) {
          if (Math.abs(pairs.values[i] - ref[i]) > tol) return false;
          const q = Float64Array.from({ length: F.rows }, (_, r) => pairs.vectors.get(r, i));
          const Fq = matvec(F, q);
          if (Fq.some((v, r) => Math.abs(v - pairs.values[i] * q[r]) > tol)) return false;
        }
        const all = topEigenpairs(f, F.rows);
        return maxAbsDiff(eigenpairsOperator(all).dense(), F) <= tol;
      }),
      { seed: 804, numRuns: 60 },
    );
  });

  test('the truncated, damped inverse inverts the truncated, damped operator', () => {
    const p = randomProblem(805, { sizes: [2, 3, 2], activations: ['tanh', 'identity'], likelihood: 'categorical', N: 5 });
    const { operator, inverse } = truncatedDampedOperators(topEigenpairs(curvatureFactor(p.spec, p.weights, p.inputs, p.targets, 'fisher'), 2), 1e-3);
    const prod = matmul(inverse.dense(), operator.dense());
    expect(maxAbsDiff(prod, Matrix.identity(prod.rows))).toBeLessThan(1e-9);
  });

  test('a negative rank throws', () => {
    const p = randomProblem(806, { sizes: [1, 1], activations: ['identity'], likelihood: 'gaussian', N: 2 });
    expect(() => topEigenpairs(curvatureFactor(p.spec, p.weights, p.inputs, p.targets, 'fisher'), -1)).toThrow(NatgradError);
  });
});
