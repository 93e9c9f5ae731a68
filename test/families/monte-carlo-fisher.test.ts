/**
 * The Monte Carlo Fisher of a family point (estimators.ts): the score outer
 * product and the negative Hessian from independent streams of one seed, the
 * negative Hessian the same as the one computed alone for that seed, and the
 * score the same whether or not the negative Hessian is asked for.
 */
import { describe, expect, test } from 'vitest';
import { familyMonteCarloFisher, monteCarloNegHessian } from '../../src/families/estimators.js';
import { parsePoint } from '../../src/families/json-points.js';

const pt = parsePoint('gamma', 'shape-rate', { alpha: 2.5, beta: 1.5 }, {}, 'spec');

describe('familyMonteCarloFisher', () => {
  test('both estimates, on the streams of the seed', () => {
    const both = familyMonteCarloFisher(pt, 300, 17);
    const scoreOnly = familyMonteCarloFisher(pt, 300, 17, { negHessian: false });
    const alone = monteCarloNegHessian(pt, 300, 17);
    expect(both.samples).toBe(300);
    expect(scoreOnly.samples).toBe(300);
    expect(scoreOnly.negHessian).toBeUndefined();
    expect(Array.from(both.score.value.data)).toEqual(Array.from(scoreOnly.score.value.data));
    expect(Array.from(both.score.stdError.data)).toEqual(Array.from(scoreOnly.score.stdError.data));
    expect(Array.from(both.negHessian!.value.data)).toEqual(Array.from(alone.negHessian.value.data));
    expect(Array.from(both.negHessianBias!.data)).toEqual(Array.from(alone.negHessianBias.data));
    // the gamma's Fisher entry trigamma(2.5) = 0.4903, from 300 draws of -∇² log p (exact: it does not depend on x)
    expect(both.negHessian!.value.get(0, 0)).toBeCloseTo(0.4903, 3);
  });
});
