/**
 * Hessians of a Monte Carlo mean from central differences at h and h/2: the
 * extrapolation cancels the h² term, the mixed partials are averaged, and the
 * bias bound of the mean is the mean of the draws' bounds.
 */
import { describe, expect, test } from 'vitest';
import { JacobianHessianBias, richardsonExtrapolate } from '../../src/numeric/richardson-hessian.js';

/** The gradient of phi(t) = exp(t0) sin(t1) + t0³ t1 + t1⁴ and its Hessian. */
const grad = (t: readonly number[]): number[] => [
  Math.exp(t[0]) * Math.sin(t[1]) + 3 * t[0] ** 2 * t[1],
  Math.exp(t[0]) * Math.cos(t[1]) + t[0] ** 3 + 4 * t[1] ** 3,
];
const hess = (t: readonly number[]): number[] => {
  const a = Math.exp(t[0]) * Math.sin(t[1]) + 6 * t[0] * t[1];
  const b = Math.exp(t[0]) * Math.cos(t[1]) + 3 * t[0] ** 2;
  const c = -Math.exp(t[0]) * Math.sin(t[1]) + 12 * t[1] ** 2;
  return [a, b, b, c];
};

/** Central-difference Jacobian of the gradient at step h (entry [k][c] = ∂g_k/∂t_c). */
function jacobian(t: readonly number[], h: number): Float64Array {
  const out = new Float64Array(4);
  for (let c = 0; c < 2; c++) {
    const plus = [...t];
    const minus = [...t];
    plus[c] += h;
    minus[c] -= h;
    const gp = grad(plus);
    const gm = grad(minus);
    for (let k = 0; k < 2; k++) out[k * 2 + c] = (gp[k] - gm[k]) / (2 * h);
  }
  return out;
}

describe('richardsonExtrapolate', () => {
  test('cancels an error c h² exactly and adds |c| (h/2)² to the bias', () => {
    const exact = [1.5, -2];
    const c = [0.3, -4];
    const h = 0.1;
    const d1 = exact.map((v, k) => v + c[k] * h * h);
    const d2 = Float64Array.from(exact, (v, k) => v + (c[k] * h * h) / 4);
    const bias = new Float64Array([1, 0]);
    richardsonExtrapolate(d1, d2, bias);
    for (let k = 0; k < 2; k++) expect(d2[k]).toBeCloseTo(exact[k], 14);
    expect(bias[0]).toBeCloseTo(1 + (0.3 * h * h) / 4, 14);
    expect(bias[1]).toBeCloseTo((4 * h * h) / 4, 14);
  });
});

describe('JacobianHessianBias', () => {
  test('a smooth gradient: the extrapolated Hessian is symmetric and within the bound, which is O(h²) and not zero', () => {
    const t = [0.4, 0.9];
    const h = 0.05;
    const acc = new JacobianHessianBias(2);
    const H = acc.add(jacobian(t, h), jacobian(t, h / 2));
    const bias = acc.bias();
    const exact = hess(t);
    expect(H[1]).toBe(H[2]);
    for (let k = 0; k < 4; k++) {
      expect(Math.abs(H[k] - exact[k])).toBeLessThanOrEqual(bias[k]);
      expect(bias[k]).toBeGreaterThan(0);
      expect(bias[k]).toBeLessThan(h * h * 10);
    }
  });

  test('the bound of a mean of draws is the mean of the draws bounds, not the largest', () => {
    const acc = new JacobianHessianBias(1);
    acc.add([2], Float64Array.of(2)); // exact: no correction
    acc.add([2.3], Float64Array.of(2)); // correction -0.1
    acc.add([2], Float64Array.of(2));
    acc.add([2], Float64Array.of(2));
    expect(acc.count).toBe(4);
    expect(acc.bias()[0]).toBeCloseTo(0.1 / 4, 15);
  });

  test('the two mixed partials are averaged and half their gap, beside the larger correction, is counted as bias', () => {
    const acc = new JacobianHessianBias(2);
    // [0][1] = 1 with correction 0.01 (d1 = 0.97), [1][0] = 1.2 with no correction
    const H = acc.add([5, 0.97, 1.2, 7], Float64Array.of(5, 1, 1.2, 7));
    expect(H[1]).toBeCloseTo(1.1 + 0.005, 14);
    expect(H[2]).toBe(H[1]);
    const bias = acc.bias();
    expect(bias[0]).toBe(0);
    expect(bias[3]).toBe(0);
    expect(bias[1]).toBeCloseTo(0.01 + Math.abs(1.01 - 1.2) / 2, 14);
    expect(bias[2]).toBe(bias[1]);
  });
});
