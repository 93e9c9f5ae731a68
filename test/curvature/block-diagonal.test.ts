import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { blockDiagonalCurvatureOperator, blockDiagonalInverse, curvatureLayerBlocks, layerBlocksOf } from '../../src/curvature/block-diagonal.js';
import { empiricalFisherMatrix, fisherMatrix } from '../../src/curvature/dense-curvature.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { addScaledIdentity, matmul, maxAbs, maxAbsDiff } from '../../src/linalg/ops.js';
import { ACTIVATIONS, type Activation } from '../../src/models/activations.js';
import { paramCount } from '../../src/models/mlp.js';
import { EPS, randomProblem } from '../models/fixtures.js';

const tol = (M: Matrix, terms: number) => 64 * terms * EPS * Math.max(maxAbs(M), 1e-300);

describe('block-diagonal Fisher', () => {
  test('its blocks are the layer blocks of the dense exact Fisher and empirical Fisher', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 5 }), fc.boolean(), (seed, N, bias) => {
        const p = randomProblem(seed, {
          sizes: [2, 3, 2, 2],
          activations: ['tanh', 'sigmoid', 'identity'],
          likelihood: 'categorical',
          N,
          bias: [bias, true, bias],
        });
        const F = fisherMatrix(p.spec, p.weights, p.inputs);
        const E = empiricalFisherMatrix(p.spec, p.weights, p.inputs, p.targets);
        const okF = curvatureLayerBlocks(p.spec, p.weights, p.inputs, p.targets, 'fisher').every(
          (B, l) => maxAbsDiff(B, layerBlocksOf(p.spec, F)[l]) <= tol(F, N * paramCount(p.spec)),
        );
        const okE = curvatureLayerBlocks(p.spec, p.weights, p.inputs, p.targets, 'empirical-fisher').every(
          (B, l) => maxAbsDiff(B, layerBlocksOf(p.spec, E)[l]) <= tol(E, N * paramCount(p.spec)),
        );
        return okF && okE;
      }),
      { seed: 601, numRuns: 50 },
    );
  });

  test('equals the full Fisher for a one-layer network', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 5 }), fc.constantFrom(...ACTIVATIONS), (seed, N, act) => {
        const p = randomProblem(seed, { sizes: [3, 2], activations: [act as Activation], likelihood: 'categorical', N });
        const F = fisherMatrix(p.spec, p.weights, p.inputs);
        const B = blockDiagonalCurvatureOperator(curvatureLayerBlocks(p.spec, p.weights, p.inputs, p.targets, 'fisher')).dense();
        return maxAbsDiff(B, F) <= tol(F, N * paramCount(p.spec));
      }),
      { seed: 602, numRuns: 60 },
    );
  });

  test('sensitivity: with two layers the cross-layer terms are missing, so it differs from the full Fisher', () => {
    const p = randomProblem(603, { sizes: [2, 3, 2], activations: ['tanh', 'identity'], likelihood: 'categorical', N: 3 });
    const F = fisherMatrix(p.spec, p.weights, p.inputs);
    const B = blockDiagonalCurvatureOperator(curvatureLayerBlocks(p.spec, p.weights, p.inputs, p.targets, 'fisher')).dense();
    expect(maxAbsDiff(B, F)).toBeGreaterThan(1e-3);
  });

  test('its damped inverse times the damped blocks is the identity', () => {
    const p = randomProblem(604, { sizes: [2, 3, 2], activations: ['tanh', 'identity'], likelihood: 'categorical', N: 3 });
    const blocks = curvatureLayerBlocks(p.spec, p.weights, p.inputs, p.targets, 'fisher');
    const prod = matmul(blockDiagonalInverse(blocks, { damping: 1e-3 }).dense(), addScaledIdentity(blockDiagonalCurvatureOperator(blocks).dense(), 1e-3));
    expect(maxAbsDiff(prod, Matrix.identity(prod.rows))).toBeLessThan(1e-9);
  });
});
