import { expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { eigSymmetric } from '../../src/linalg/eigen-symmetric.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { secularRoots } from '../../src/linalg/eigen/secular.js';
import { tridiagonalQr } from '../../src/linalg/eigen/tridiagonal-qr.js';

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

test('a root in the right half of its interval is found from the right pole, with d_j − λ accurate to the last bits', () => {
  // 1 + 4/(0 − λ) + 0.01/(1 − λ) = 0: f < 0 at the midpoint 1/2, so the root between the poles lies right of it.
  // With μ = 1 − λ: μ² + 3.01 μ − 0.01 = 0, whose small root is 0.02 / (3.01 + sqrt(9.1001)); the large root
  // λ = 4 / λ_small (the product of the roots of λ² − 5.01 λ + 4).
  const d = Float64Array.from([0, 1]);
  const z = Float64Array.from([2, 0.1]);
  const { lambda, delta } = secularRoots(d, z, 1);
  const mu = 0.02 / (3.01 + Math.sqrt(9.1001));
  expect(lambda[0]).toBeGreaterThan(0.5);
  expect(Math.abs(delta[1] - mu)).toBeLessThanOrEqual(TOL * mu * 16);
  expect(Math.abs(lambda[0] - (1 - mu))).toBeLessThanOrEqual(TOL);
  expect(Math.abs(lambda[1] - 4 / (1 - mu))).toBeLessThanOrEqual(TOL * 5);
});

test('an implicit QR that cannot converge stops after 30 n steps with an error naming the path and the step count', () => {
  // a NaN off-diagonal never tests as negligible, so no step deflates it: the loop must end on its count
  const d = Float64Array.from([1, 2, 3]);
  const e = Float64Array.from([Number.NaN, 1, 0]);
  const Zt = Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const run = () => tridiagonalQr(d, e, Zt, 3, 'fisher');
  expect(run).toThrow(NatgradError);
  expect(run).toThrow('symmetric eigendecomposition did not converge in 90 QR steps');
  try {
    run();
  } catch (err) {
    expect((err as NatgradError).path).toBe('fisher');
  }
});

test('the eigenvalues of a diagonal matrix are its entries exactly, down to a subnormal one', () => {
  // The solver scales the matrix by 2^-e with 2^e <= max|a| < 2^(e+1), exactly (a power of two), and back.
  // With max|a| = 3 that is 2^-1, which keeps 2^-1073 exact (2^-1074, the least subnormal); a scaling by
  // 2^-2 (the exponent one too large) would round it to 0.
  const tiny = 2 ** -1073;
  for (const big of [3, 2.5, 3.75]) {
    const { values } = eigSymmetric(new Matrix(2, 2, Float64Array.from([big, 0, 0, tiny])));
    expect(Array.from(values)).toEqual([tiny, big]);
  }
});
