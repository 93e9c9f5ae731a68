import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { modelCurvature, MODEL_CURVATURES } from '../../src/curvature/dense-curvature.js';
import { curvatureDiagonal, diagonalCurvatureOperator } from '../../src/curvature/diagonal.js';
import { maxAbs } from '../../src/linalg/ops.js';
import { lossAndGradient, paramCount } from '../../src/models/mlp.js';
import { EPS, randomProblem } from '../models/fixtures.js';

describe('exact curvature diagonals', () => {
  test.each(MODEL_CURVATURES)('%s: equals the diagonal of the dense matrix', (kind) => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 4 }), fc.constantFrom('categorical' as const, 'gaussian' as const), (seed, N, likelihood) => {
        const p = randomProblem(seed, { sizes: [2, 3, 2], activations: ['tanh', 'identity'], likelihood, N });
        const C = modelCurvature(p.spec, p.weights, p.inputs, p.targets, kind).matrix;
        const d = curvatureDiagonal(p.spec, p.weights, p.inputs, p.targets, kind);
        const tol = 64 * EPS * N * paramCount(p.spec) * Math.max(maxAbs(C), 1e-300);
        return (
          d.every((v, i) => Math.abs(v - C.get(i, i)) <= tol) &&
          diagonalCurvatureOperator(p.spec, p.weights, p.inputs, p.targets, kind).dense().get(0, 0) === d[0]
        );
      }),
      { seed: 1001, numRuns: 30 },
    );
  });

  test('sensitivity (optax#968): the squared mean gradient is neither the empirical Fisher diagonal nor the Hessian diagonal', () => {
    const p = randomProblem(1002, { sizes: [2, 3, 2], activations: ['tanh', 'identity'], likelihood: 'categorical', N: 4 });
    const g = lossAndGradient(p.spec, p.weights, p.inputs, p.targets).gradient;
    const sq = g.map((v) => v * v);
    const ef = curvatureDiagonal(p.spec, p.weights, p.inputs, p.targets, 'empirical-fisher');
    const h = curvatureDiagonal(p.spec, p.weights, p.inputs, p.targets, 'hessian');
    const gap = (a: Float64Array, b: Float64Array) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));
    expect(gap(sq, ef)).toBeGreaterThan(1e-3);
    expect(gap(sq, h)).toBeGreaterThan(1e-3);
  });
});
