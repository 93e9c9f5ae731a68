/**
 * A family's derivation as steps, each checked against an independent
 * computation; and each kind of check rejecting a planted mistake: a score
 * with a wrong sign, a Hessian off by 1%, a moment with the wrong sign of
 * log beta, a Fisher entry off by 1%.
 */
import { describe, expect, test } from 'vitest';
import { gamma } from '../../src/families/catalogue/gamma.js';
import { categorical } from '../../src/families/catalogue/categorical.js';
import { laplace } from '../../src/families/catalogue/laplace.js';
import { dirichlet } from '../../src/families/catalogue/dirichlet.js';
import { poisson } from '../../src/families/catalogue/poisson.js';
import { derivationOf } from '../../src/families/derivation-cache.js';
import { checkDerivatives, checkExpectations, checkIdentities, checkLogDensity, parameterSteps, samplePoints } from '../../src/families/step-checks.js';

const inst = gamma.instance();
const p = inst.parameterizations[0];
const points = samplePoints(inst, p, 7);
const scopes = points.map((pt) => pt.scope);

describe('the steps of a derivation', () => {
  test('gamma shape-rate: log-density, score, Hessian, moments, expectation, Fisher; every check passes', () => {
    const d = derivationOf(gamma, 'shape-rate');
    expect(d.steps.map((s) => s.title)).toEqual(['Log-density', 'Score', 'Hessian', 'Moments', 'Expectation', 'Fisher information']);
    for (const s of [...d.steps, ...d.exponentialFamilySteps]) expect(s.check?.ok, `${s.title}: ${s.check?.detail}`).toBe(true);
    expect(d.verified).toBe(true);
  });
  test('categorical (K = 3): the moments are the probabilities themselves', () => {
    const d = derivationOf(categorical, 'mean', 3);
    const moments = d.steps.find((s) => s.title === 'Moments')!;
    expect(moments.equations.map((e) => ('expr' in e.rhs ? e.rhs.expr : ''))).toEqual(['p0', 'p1']);
    expect(d.verified).toBe(true);
  });
  test('laplace: no Hessian route (the kink), and the literature Fisher checked against E[s sᵀ] by quadrature', () => {
    const d = derivationOf(laplace, 'location-scale');
    const hessian = d.steps.find((s) => s.title === 'Hessian')!;
    expect(hessian.check).toBeNull();
    expect(hessian.reason).toMatch(/not twice differentiable/);
    const fisher = d.steps.find((s) => s.title === 'Fisher information')!;
    expect(fisher.check?.ok).toBe(true);
    expect(fisher.check?.method).toBe('quadrature');
  });
});

describe('each expectation check names how the expectation was taken', () => {
  const check = (d: ReturnType<typeof derivationOf>, title: string) => d.steps.find((s) => s.title === title)?.check;
  test('gamma: the Hessian does not depend on the data (its own value), E[s sᵀ] by quadrature', () => {
    const d = derivationOf(gamma, 'shape-rate');
    expect(check(d, 'Expectation')?.detail).toMatch(
      /^-E\[each Hessian entry\] equal to their values \(the integrands do not depend on the data\), at \d+ random points/,
    );
    expect(check(d, 'Expectation')?.method).toBe('exact-sum');
    expect(check(d, 'Fisher information')?.detail).toMatch(/^E\[s_i s_j\] of the score above equal to quadrature, at \d+ random points/);
    expect(check(d, 'Fisher information')?.method).toBe('quadrature');
  });
  test('poisson: E[x] by exact sums over the support', () => {
    const d = derivationOf(poisson, 'rate');
    expect(check(d, 'Moments')?.detail).toMatch(/^each moment equal to exact sums over the support, at \d+ random points/);
    expect(check(d, 'Moments')?.method).toBe('exact-sum');
  });
  test('dirichlet (K = 2): no quadrature on the simplex, Monte Carlo at 3 points with its sample size and z', () => {
    const d = derivationOf(dirichlet, 'standard', 2);
    const moments = check(d, 'Moments');
    expect(moments?.method).toBe('monte-carlo');
    expect(moments?.ok).toBe(true);
    expect(moments?.points).toBe(3);
    expect(moments?.detail).toMatch(/^each moment equal to Monte Carlo \(10000 samples, z = \d\.\d\d\), at 3 random points: largest difference/);
  });
});

describe('sensitivity: each check rejects a planted mistake', () => {
  test('an identity off by 1e-6 relative (values near 1), or by 1% (values near 1e-6)', () => {
    const at = [{ a: 0.7 }, { a: 1.3 }];
    expect(checkIdentities('expanded square', [{ lhs: '(a+1)^2', rhs: 'a^2+2*a+1' }], at).ok).toBe(true);
    expect(checkIdentities('expanded square', [{ lhs: '(a+1)^2', rhs: '1.000001*(a^2+2*a+1)' }], at).ok).toBe(false);
    expect(checkIdentities('small values', [{ lhs: '1e-6*a*a', rhs: '1e-6*a^2' }], at).ok).toBe(true);
    expect(checkIdentities('small values', [{ lhs: '1e-6*a', rhs: '1.01e-6*a' }], at).ok).toBe(false);
  });
  test('log-density with the sign of log beta flipped', () => {
    expect(checkLogDensity(inst, inst.logDensity, points).ok).toBe(true);
    expect(checkLogDensity(inst, 'alpha*log(beta)-lgamma(alpha)+(alpha-1)*log(x)-beta*x+1e-6', points).ok).toBe(false);
  });
  test('score with a sign error in d/d beta', () => {
    const logp = inst.logDensity;
    expect(checkDerivatives('log p', [logp], [['-digamma(alpha)+log(beta)+log(x)', 'alpha/beta-x']], p.symbols, scopes, parameterSteps(p)).ok).toBe(true);
    expect(checkDerivatives('log p', [logp], [['-digamma(alpha)+log(beta)+log(x)', 'alpha/beta+x']], p.symbols, scopes, parameterSteps(p)).ok).toBe(false);
  });
  test('Hessian entry off by 1%', () => {
    const score = ['-digamma(alpha)+log(beta)+log(x)', 'alpha/beta-x'];
    const H = [
      ['-trigamma(alpha)', '1/beta'],
      ['1/beta', '-alpha/beta^2'],
    ];
    expect(checkDerivatives('score', score, H, p.symbols, scopes, parameterSteps(p)).ok).toBe(true);
    expect(checkDerivatives('score', score, [H[0], ['1/beta', '-1.01*alpha/beta^2']], p.symbols, scopes, parameterSteps(p)).ok).toBe(false);
  });
  test('moment E[log x] with + log beta', () => {
    expect(checkExpectations('E[log x]', inst, [{ integrand: 'log(x)', closedForm: 'digamma(alpha)-log(beta)' }], points, 1).ok).toBe(true);
    expect(checkExpectations('E[log x]', inst, [{ integrand: 'log(x)', closedForm: 'digamma(alpha)+log(beta)' }], points, 1).ok).toBe(false);
  });
  test('Fisher entry off by 1% against E[s sᵀ]', () => {
    const s0 = '(-digamma(alpha)+log(beta)+log(x))';
    expect(checkExpectations('F00', inst, [{ integrand: `${s0}^2`, closedForm: 'trigamma(alpha)' }], points, 1).ok).toBe(true);
    expect(checkExpectations('F00', inst, [{ integrand: `${s0}^2`, closedForm: '1.01*trigamma(alpha)' }], points, 1).ok).toBe(false);
  });
});
