/**
 * The difference steps near a kink of the density (the Laplace's at mu): a
 * step must not carry x across the kink, so the pointwise derivatives are
 * taken, not a smoothed delta. The cap is a quarter of x's distance to the kink.
 */
import { describe, expect, test } from 'vitest';
import { Matrix } from '../../src/linalg/matrix.js';
import { laplace } from '../../src/families/catalogue/laplace.js';
import { kinkCap } from '../../src/families/estimators.js';

describe('steps near a kink', () => {
  const inst = laplace.instance();
  // the chain rule at (mu, b) = (2, 1) in the base parameterization: only its base point is read
  const cr = { base: Float64Array.of(2, 1), J: Matrix.identity(2), H: [] };
  test('x at 0.01 from a kink away from 0: every step capped at a quarter of that distance', () => {
    for (const x of [2.01, 1.99])
      expect(Array.from(kinkCap(inst, cr)(x, Float64Array.of(0.1, 1e-3))), String(x)).toEqual([0.0025, 1e-3].map((v) => expect.closeTo(v, 15)));
  });
  test('x far from the kink: the steps are kept', () => {
    expect(Array.from(kinkCap(inst, cr)(-3, Float64Array.of(0.1, 0.2)))).toEqual([0.1, 0.2]);
  });
});
