import { expect, test } from 'vitest';
import { secularRoots } from '../../src/linalg/eigen/secular.js';

const EPS = 2 ** -52;
/**
 * The solver stops at |f| <= 8 eps (1 + |psi| + |phi|), so a root is off by at most that over f'(λ): below
 * 64 eps for these cases (f' >= 1/4 and 1 + |psi| + |phi| <= 2 near the roots); twice that is the tolerance.
 */
const TOL = 128 * EPS;

test('the last secular root is bracketed by rho |z|², also when |z|² exceeds the number of poles', () => {
  // one pole: 1 + rho z² / (d - λ) = 0 at λ = d + rho z²
  const one = secularRoots(Float64Array.from([1]), Float64Array.from([2]), 1);
  expect(Math.abs(one.lambda[0] - 5)).toBeLessThanOrEqual(TOL * 5);
  // two poles, |z|² = 8 > 2: the largest root of 1 + z0²/(d0 - λ) + z1²/(d1 - λ) = 0 lies in (d1, d1 + |z|²)
  const d = Float64Array.from([0, 1]);
  const z = Float64Array.from([2, 2]);
  const { lambda } = secularRoots(d, z, 1);
  // the roots of λ² - 9 λ + 4 = 0 (multiply out): (9 ± sqrt(65)) / 2
  expect(Math.abs(lambda[1] - (9 + Math.sqrt(65)) / 2)).toBeLessThanOrEqual(TOL * 9);
  expect(Math.abs(lambda[0] - (9 - Math.sqrt(65)) / 2)).toBeLessThanOrEqual(TOL * 9);
});
