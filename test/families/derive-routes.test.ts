/**
 * What a derivation reports beside its verdict (derive.ts): the routes that
 * apply and why one does not, the comparisons of each route with the
 * literature entry by entry, and the first step as a learner reads it.
 */
import { describe, expect, test } from 'vitest';
import { gamma } from '../../src/families/catalogue/gamma.js';
import { laplace } from '../../src/families/catalogue/laplace.js';
import { normal } from '../../src/families/catalogue/normal.js';
import { clearDerivationCache, derivationOf } from '../../src/families/derivation-cache.js';
import { deriveFisher } from '../../src/families/derive.js';

describe('routes and comparisons', () => {
  test('gamma shape-rate: the Hessian and exponential-family routes are each compared with the literature, every entry proved equal', () => {
    const d = derivationOf(gamma, 'shape-rate');
    expect(d.routes.map((r) => r.route)).toEqual(['hessian', 'exponential-family', 'literature']);
    expect(d.comparisons.map((c) => [c.lhs, c.rhs, c.equal])).toEqual([
      ['hessian', 'literature', true],
      ['exponential-family', 'literature', true],
    ]);
    for (const c of d.comparisons)
      expect(c.entries.map((e) => [e.i, e.j])).toEqual([
        [0, 0],
        [0, 1],
        [1, 1],
      ]);
  });

  test('laplace: the exponential-family route does not apply, with the family’s own reason, and nothing is compared with it', () => {
    const d = derivationOf(laplace, 'location-scale');
    const inst = laplace.instance();
    expect(inst.notExponentialFamily).toBeTruthy();
    expect(d.routes.find((r) => r.route === 'exponential-family')).toEqual({ route: 'exponential-family', matrix: null, note: inst.notExponentialFamily });
    expect(d.comparisons.some((c) => c.lhs === 'exponential-family' || c.rhs === 'exponential-family')).toBe(false);
  });
});

describe('the log-density step', () => {
  test('gamma shape-rate: written log p(x | alpha, beta), and the score step checked against differences of the log-density', () => {
    const d = derivationOf(gamma, 'shape-rate');
    const [logDensity, score] = d.steps;
    expect(logDensity.title).toBe('Log-density');
    expect(logDensity.equations.map((e) => e.text)).toEqual(['log p(x | alpha, beta)']);
    expect(score.title).toBe('Score');
    expect(score.check?.ok).toBe(true);
    // every component compared: a difference was measured (Ridders' never matches the score to the last bit here)
    expect(score.check?.detail).toMatch(/^equal to Ridders' central differences of the log-density, at \d+ random points: largest difference/);
  });
});

describe('the equations as displayed', () => {
  test('gamma shape-rate: the score as partial derivatives of log p, the Jacobian of the natural parameters as J_eta', () => {
    const d = derivationOf(gamma, 'shape-rate');
    const score = d.steps.find((s) => s.title === 'Score')!;
    expect(score.equations.map((e) => e.lhs)).toEqual(['\\frac{\\partial \\log p}{\\partial \\alpha}', '\\frac{\\partial \\log p}{\\partial \\beta}']);
    const natural = d.exponentialFamilySteps.find((s) => s.title === 'Natural parameters')!;
    expect(natural.equations.map((e) => e.lhs).at(-1)).toBe('J_\\eta');
  });
  test('normal natural: a log-density stated in the parameters is proved equal to the base form with the map substituted', () => {
    const p = normal.instance().parameterizations.find((q) => q.logDensity)!;
    const d = derivationOf(normal, p.name);
    const logDensity = d.steps[0];
    expect(logDensity.reason).toBe('The density written directly in these parameters.');
    expect(logDensity.equations.map((e) => ('expr' in e.rhs ? e.rhs.expr : ''))).toEqual([p.logDensity]);
    expect(logDensity.check?.ok).toBe(true);
    expect(logDensity.check?.detail).toMatch(/^the stated form equals the base density with the map substituted, /);
  });
});

describe('a wrong catalogue entry', () => {
  test('a stated log-density that differs from the base form: the Hessian route refuses, naming the parameterization and a counterexample', () => {
    const inst = normal.instance();
    const p = inst.parameterizations.find((q) => q.logDensity)!;
    const wrong = { ...p, logDensity: `${p.logDensity}+eta1/10` };
    const d = deriveFisher(inst, wrong);
    const hessian = d.routes.find((r) => r.route === 'hessian')!;
    expect(hessian.matrix).toBeNull();
    expect(hessian.note).toMatch(new RegExp(`^the stated log-density of ${p.name} differs from the base form: \\{`));
    expect(d.comparisons.some((c) => c.lhs === 'hessian')).toBe(false);
    expect(d.verified).toBe(false);
  });
});

describe('the derivation cache', () => {
  test('a derivation is made once per process, and made again after the cache is cleared', () => {
    const first = derivationOf(gamma, 'shape-rate');
    expect(derivationOf(gamma, 'shape-rate')).toBe(first);
    clearDerivationCache();
    const again = derivationOf(gamma, 'shape-rate');
    expect(again).not.toBe(first);
    expect(again.steps.map((s) => s.title)).toEqual(first.steps.map((s) => s.title));
  });
});
