/** The paths the block-diagonal and diagonal curvatures name in their refusals. */
import { describe, expect, test } from 'vitest';
import { blockDiagonalInverse } from '../../src/curvature/block-diagonal.js';
import type { ModelCurvatureKind } from '../../src/curvature/dense-curvature.js';
import { curvatureDiagonal } from '../../src/curvature/diagonal.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { randomProblem } from '../models/fixtures.js';
import { thrownError } from '../natgrad-error.js';

describe('refusals name their path', () => {
  test('blockDiagonalInverse names the block it cannot stabilize', () => {
    const good = Matrix.identity(2);
    const bad = Matrix.from([
      [1, Number.NaN],
      [Number.NaN, 1],
    ]);
    expect(thrownError(() => blockDiagonalInverse([good, bad])).path).toBe('blocks[1]');
  });

  test('curvatureDiagonal refuses an unknown kind at `kind`', () => {
    const p = randomProblem(1401, { sizes: [2, 2], activations: ['identity'], likelihood: 'gaussian', N: 2 });
    const e = thrownError(() => curvatureDiagonal(p.spec, p.weights, p.inputs, p.targets, 'fischer' as ModelCurvatureKind));
    expect(e.path).toBe('kind');
    expect(e.reason).toMatch(/fisher/);
  });
});
