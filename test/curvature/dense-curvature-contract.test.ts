/**
 * The dense curvatures' refusals by path and message: the Fisher's own
 * checks of its inputs (it takes no targets), the size limit on the P x P
 * matrix and on the per-output factor, and the default paths.
 */
import { describe, expect, test } from 'vitest';
import { fisherMatrix, modelCurvature, validateModelProblem } from '../../src/curvature/dense-curvature.js';
import { MAX_RESULT_ENTRIES } from '../../src/core/validate.js';
import type { Vec } from '../../src/core/vec.js';
import { Matrix } from '../../src/linalg/matrix.js';
import type { LayerWeights, MlpSpec } from '../../src/models/mlp.js';
import { randomProblem } from '../models/fixtures.js';
import { thrownError, thrownLine } from '../natgrad-error.js';

const p = randomProblem(1601, { sizes: [2, 3, 2], activations: ['tanh', 'identity'], likelihood: 'categorical', N: 3 });

/** A one-layer gaussian model of the given sizes with zero weights, and N zero inputs and targets. */
function zeroProblem(d: number, D: number, N: number) {
  const spec: MlpSpec = { sizes: [d, D], activations: ['identity'], likelihood: 'gaussian' };
  const weights: LayerWeights[] = [{ W: Matrix.zeros(D, d), b: new Float64Array(D) }];
  const inputs: Vec[] = Array.from({ length: N }, () => new Float64Array(d));
  const targets = Array.from({ length: N }, () => new Float64Array(D));
  return { spec, weights, inputs, targets };
}

describe('fisherMatrix checks its inputs', () => {
  test('inputs must be a non-empty array', () => {
    expect(thrownLine(() => fisherMatrix(p.spec, p.weights, []))).toBe('inputs: must be a non-empty array of input vectors');
    expect(thrownLine(() => fisherMatrix(p.spec, p.weights, 'x' as unknown as Vec[]))).toBe('inputs: must be a non-empty array of input vectors');
  });

  test('an input of the wrong width is named by its index and the width asked for', () => {
    const e = thrownError(() => fisherMatrix(p.spec, p.weights, [p.inputs[0], new Float64Array(3)]));
    expect(e.path).toBe('inputs[1]');
    expect(e.reason).toContain('the input width, sizes[0]');
  });

  test('the spec and the weights are checked at `spec` and `weights`', () => {
    expect(thrownError(() => fisherMatrix({ ...p.spec, activations: ['tanh'] }, p.weights, p.inputs)).path).toBe('spec.activations');
    const badW = [p.weights[0], { W: Matrix.zeros(2, 2), b: p.weights[1].b }];
    expect(thrownError(() => fisherMatrix(p.spec, badW, p.inputs)).path).toMatch(/^weights\[1\]/);
  });
});

describe('the size limit', () => {
  test('a P x P matrix above the limit is refused at model.sizes before any work', () => {
    const big = zeroProblem(100, 90, 1); // P = 9090, P² = 82,628,100
    expect(9090 * 9090).toBeGreaterThan(MAX_RESULT_ENTRIES);
    expect(thrownLine(() => modelCurvature(big.spec, big.weights, big.inputs, big.targets, 'fisher', 'run'))).toBe(
      `run.model.sizes: the 9090 x 9090 curvature matrix of this model would have 82628100 entries, more than the limit of 2^26 = ${MAX_RESULT_ENTRIES}`,
    );
    expect(thrownError(() => fisherMatrix(big.spec, big.weights, big.inputs)).path).toBe('spec.model.sizes');
  });

  test('a per-output factor above the limit is refused at inputs', () => {
    const wide = zeroProblem(10, 100, 611); // P = 1100, N D P = 67,210,000
    expect(thrownLine(() => modelCurvature(wide.spec, wide.weights, wide.inputs, wide.targets, 'ggn', 'run'))).toBe(
      `run.inputs: the per-output gradient factor (611 inputs x 100 outputs x 1100 parameters) would have 67210000 entries, more than the limit of 2^26 = ${MAX_RESULT_ENTRIES}`,
    );
  });
});

describe('default paths', () => {
  test('validateModelProblem and modelCurvature report below `spec`', () => {
    const badW = [p.weights[0], { W: Matrix.zeros(2, 2), b: p.weights[1].b }];
    expect(thrownError(() => validateModelProblem(p.spec, badW, p.inputs, p.targets)).path).toBe('spec.weights[1].W');
    expect(thrownError(() => modelCurvature(p.spec, p.weights, p.inputs, [0, 1, 7], 'ggn')).path).toBe('spec.targets[2]');
  });

  test('a path that is not a string is refused', () => {
    expect(() => modelCurvature(p.spec, p.weights, p.inputs, p.targets, 'fisher', 3 as unknown as string)).toThrow();
  });
});
