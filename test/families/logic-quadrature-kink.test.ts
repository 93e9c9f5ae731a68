/**
 * The expectation checks by quadrature split the integral at the density's
 * kinks (the Laplace's at mu): the check then keeps the power to see a small
 * mistake. Without the split the adaptive rule still converges, but to a
 * difference of about 4e-6 with an error estimate (and so a tolerance) of the
 * same size.
 */
import { describe, expect, test } from 'vitest';
import { laplace } from '../../src/families/catalogue/laplace.js';
import { derivationOf } from '../../src/families/derivation-cache.js';

describe('quadrature across a kink', () => {
  test('laplace: E[s sᵀ] by quadrature agrees to 1e-10, under a tolerance below 1e-8', () => {
    const d = derivationOf(laplace, 'location-scale');
    const check = [...d.steps, ...d.exponentialFamilySteps].find((s) => s.title === 'Fisher information')?.check;
    expect(check?.method).toBe('quadrature');
    expect(check?.ok).toBe(true);
    const m = /largest difference ([0-9.e+-]+), [0-9.e+-]+ of its tolerance ([0-9.e+-]+)$/.exec(check?.detail ?? '');
    expect(m, check?.detail).not.toBeNull();
    expect(Number(m![1]), check?.detail).toBeLessThan(1e-10);
    expect(Number(m![2]), check?.detail).toBeLessThan(1e-8);
  });
});
