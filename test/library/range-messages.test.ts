/**
 * The messages a user sees when a number is out of its range, as printed
 * after `natgrad: `: each argument is checked by the validators of
 * src/core/validate.ts, so the path names the argument and the reason says
 * what is allowed and what was given.
 */
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { kfacPreconditioner } from '../../src/curvature/kfac.js';
import { loadDigits, threeBlobs } from '../../src/data/datasets.js';
import { getFamily } from '../../src/families/point-names.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { expm, symmetricPower } from '../../src/linalg/matrix-function.js';
import { dampedOperator, identityOperator, inverseDenseSpdOperator } from '../../src/linalg/operators.js';
import { lowRankPlusDampingInverse } from '../../src/linalg/woodbury.js';
import { centralDifference } from '../../src/numeric/finite-differences.js';
import { integrate } from '../../src/numeric/quadrature.js';
import { addDecayedWeights, clipByGlobalNorm, scale, scaleByLearningRate } from '../../src/optim/common.js';
import { dampingRule } from '../../src/optim/damping.js';
import { levenbergMarquardt } from '../../src/optim/gauss-newton.js';
import { kfac } from '../../src/optim/kfac.js';
import { validateKlClip } from '../../src/optim/kl-clip.js';
import { naturalGradient } from '../../src/optim/natural-gradient.js';
import { shampoo } from '../../src/optim/shampoo.js';
import { mlpGaussianPolicy } from '../../src/rl/gaussian-policy.js';
import { thrownLine } from '../natgrad-error.js';

const I2 = Matrix.from([
  [1, 0],
  [0, 1],
]);

describe('out-of-range numbers are refused with the argument and the allowed range', () => {
  test.each<[string, () => unknown, string]>([
    ['scale', () => scale(Number.NaN), 'factor: must be a finite number, got NaN'],
    ['clipByGlobalNorm', () => clipByGlobalNorm(0), 'maxNorm: must be a finite number > 0, got 0'],
    ['addDecayedWeights', () => addDecayedWeights(-1), 'weightDecay: must be a finite number >= 0, got -1'],
    ['scaleByLearningRate', () => scaleByLearningRate(-0.1), 'lr: must be a finite number >= 0 or a schedule (a function of the step returning one), got -0.1'],
    ['shampoo eps', () => shampoo({ eps: 0 }), 'eps: must be a finite number > 0 (the roots of a singular statistic do not exist), got 0'],
    ['kfac damping', () => kfac({ damping: -1 }), 'damping: must be a finite number >= 0, got -1'],
    ['kfac adaptiveDamping', () => kfac({ adaptiveDamping: 'yes' as never }), 'adaptiveDamping: must be true or false, got "yes"'],
    ['klClip', () => validateKlClip(-2), 'klClip: must be a finite number > 0, or null for no clip, got -2'],
    ['damping rule boost', () => dampingRule({ boost: 1 }, 1), 'boost: must be a finite number > 1, got 1'],
    ['damping rule floor', () => dampingRule({ minDamping: 0 }, 1), 'minDamping: must be a finite number > 0, got 0'],
    ['damping rule bounds', () => dampingRule({ minDamping: 2, maxDamping: 1 }, 1), 'minDamping: need 0 < minDamping <= maxDamping < ∞, got 2, 1'],
    ['levenberg-marquardt boost', () => levenbergMarquardt({ boost: 0.5 }), 'boost: must be a finite number > 1, got 0.5'],
    [
      'levenberg-marquardt damping',
      () => levenbergMarquardt({ damping: 1e20 }),
      'damping: must lie in [minDamping, maxDamping] = [1e-12, 1000000000000], got 100000000000000000000',
    ],
    [
      'natural gradient trustRegion',
      () => naturalGradient({ trustRegion: Number.POSITIVE_INFINITY }),
      'trustRegion: must be a finite number > 0, got Infinity',
    ],
    ['natural gradient samples', () => naturalGradient({ fisher: 'monte-carlo', samples: 0 }), 'samples: must be an integer >= 1, got 0'],
    ['natural gradient rank', () => naturalGradient({ rank: 1.5 }), 'rank: must be an integer >= 0, got 1.5'],
    [
      'woodbury',
      () => lowRankPlusDampingInverse(I2, 0),
      'lambda: must be a finite number > 0 (the damping; lambda I + U Uᵀ is singular when lambda = 0 and k < n), got 0',
    ],
    ['symmetricPower p', () => symmetricPower(I2, Number.NaN), 'p: must be a finite number (the power), got NaN'],
    ['symmetricPower floor', () => symmetricPower(I2, 0.5, { floor: Number.POSITIVE_INFINITY }), 'floor: must be a finite number, got Infinity'],
    ['expm', () => expm(Matrix.from([[Number.NaN]])), 'matrix: matrix is not finite: entry (0, 0) is NaN'],
    ['dampedOperator', () => dampedOperator(identityOperator(2), Number.NaN), 'lambda: must be a finite number (the damping), got NaN'],
    ['inverseDenseSpdOperator', () => inverseDenseSpdOperator(I2, Number.NEGATIVE_INFINITY), 'lambda: must be a finite number (the damping), got -Infinity'],
    ['kfac preconditioner', () => kfacPreconditioner({ A: I2, G: I2 }, -1, 'pi-factored'), 'damping: must be a finite number >= 0, got -1'],
    ['threeBlobs', () => threeBlobs({ spread: 0 }), 'spread: must be a finite number > 0, got 0'],
    ['loadDigits', () => loadDigits({ features: 'raw' as never }), 'features: must be one of standardized, unit-interval, got "raw"'],
    ['family', () => getFamily('gausian', 'spec.family'), expect.stringMatching(/^spec\.family: must be one of .*normal.*, got "gausian"$/) as never],
    ['policy', () => mlpGaussianPolicy([2, 1], { initialLogStd: Number.NaN }), 'initialLogStd: must be a finite number, got NaN'],
    ['Rng', () => new Rng(Number.POSITIVE_INFINITY), 'seed: must be a finite number or a string, got Infinity'],
    ['integrate', () => integrate(() => 1, 0, 1, { breakpoints: [Number.NaN] }), 'options.breakpoints[0]: must be a finite number, got NaN'],
    ['centralDifference', () => centralDifference((t) => [t], -1), 'h: must be a finite number > 0 (the step), got -1'],
  ])('%s', (_name, f, message) => {
    expect(thrownLine(f)).toEqual(message);
  });
});
