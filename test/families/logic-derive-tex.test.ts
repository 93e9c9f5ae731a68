/**
 * The moments step of an exponential family's derivation as the pages show it
 * in TeX: each moment E[T_k] named as the derivative of the log-partition in
 * its own natural parameter.
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
