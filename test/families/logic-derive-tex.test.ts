/**
 * The moments step of an exponential family's derivation as the pages show it
 * in TeX: each moment E[T_k] named as the derivative of the log-partition in
 * its own natural parameter; and the natural parameters' Jacobian, whose
 * entries a page names one by one when the matrix is too wide for a line.
 */
import { describe, expect, test } from 'vitest';
import { gamma } from '../../src/families/catalogue/gamma.js';
import { derivationOf } from '../../src/families/derivation-cache.js';

describe('the moments step in TeX', () => {
  test('gamma shape-rate: E[log x] and E[x], each dA / d eta_k', () => {
    const d = derivationOf(gamma, 'shape-rate');
    const moments = [...d.steps, ...d.exponentialFamilySteps].find((s) => s.title === 'Moments');
    const lhs = moments?.equations.map((e) => e.lhs) ?? [];
    expect(lhs.length).toBe(2);
    for (const [k, l] of lhs.entries())
      expect(l, `moment ${k + 1}`).toMatch(new RegExp(`^\\\\mathbb\\{E\\}\\[.+\\] = \\\\frac\\{\\\\partial A\\}\\{\\\\partial .*${k + 1}.*\\}$`));
  });
});

describe('the natural parameters step in TeX', () => {
  test('gamma shape-rate: the Jacobian entry (k, i) is named d eta_k / d theta_i', () => {
    const d = derivationOf(gamma, 'shape-rate');
    const step = [...d.steps, ...d.exponentialFamilySteps].find((s) => s.title === 'Natural parameters');
    const J = step?.equations.find((e) => e.lhs === 'J_\\eta');
    expect(J?.entryLhs, 'the Jacobian names its entries').toBeDefined();
    const names = [0, 1].map((k) => [0, 1].map((i) => J!.entryLhs!(k, i)));
    expect(names).toEqual([
      ['\\frac{\\partial \\eta_{1}}{\\partial \\alpha}', '\\frac{\\partial \\eta_{1}}{\\partial \\beta}'],
      ['\\frac{\\partial \\eta_{2}}{\\partial \\alpha}', '\\frac{\\partial \\eta_{2}}{\\partial \\beta}'],
    ]);
  });
});
