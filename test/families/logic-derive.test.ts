/**
 * The derivation (derive.ts) on families built for the test: shapes the
 * catalogue does not have today but a new family may (a log-partition with
 * independent blocks), and wrong catalogue entries, whose refusals a family's
 * author relies on.
 */
import { describe, expect, test } from 'vitest';
import { NEGATIVE, POSITIVE } from '../../src/core/domain.js';
import { exponential } from '../../src/families/catalogue/exponential.js';
import { gamma } from '../../src/families/catalogue/gamma.js';
import { cite, exponentialFamily, parameterization } from '../../src/families/declare.js';
import { derivationOf } from '../../src/families/derivation-cache.js';
import { exponentialFamilyRoute } from '../../src/families/derive.js';
import type { FamilyInstance } from '../../src/families/types.js';
import { compileExpr } from '../../src/symbolic/index.js';

/** Two independent exponentials with rates a and b: ∇²A is diagonal, its off-diagonal entry the expression 0. */
function twoExponentials(): FamilyInstance {
  const e = exponential.instance();
  const p = parameterization(
    'rates',
    { a: POSITIVE, b: POSITIVE },
    cite('independence', [
      ['1/a^2', '0'],
      ['0', '1/b^2'],
    ]),
    e.parameterizations[0].numeric as never,
  );
  return {
    ...e,
    family: 'two-exponentials',
    dataVars: ['x', 'y'],
    logDensity: 'log(a)+log(b)-a*x-b*y',
    base: 'rates',
    parameterizations: [p],
    expFamily: exponentialFamily({ e1: ['x', '-a', NEGATIVE], e2: ['y', '-b', NEGATIVE] }, '-log(-e1)-log(-e2)'),
  };
}

describe('the exponential-family route', () => {
  test('a log-partition with a zero mixed partial: F = J_etaᵀ ∇²A J_eta leaves the zero out and keeps the other entries', () => {
    const inst = twoExponentials();
    const route = exponentialFamilyRoute(inst, inst.parameterizations[0]);
    expect(route.route).toBe('exponential-family');
    const F = route.matrix!;
    expect(F[0][1]).toBe('0');
    expect(F[1][0]).toBe('0');
    const scope = { a: 1.5, b: 0.25 };
    expect(compileExpr(F[0][0])(scope)).toBeCloseTo(1 / 1.5 ** 2, 14);
    expect(compileExpr(F[1][1])(scope)).toBeCloseTo(1 / 0.25 ** 2, 12);
  });
});

describe('the steps as `natgrad derive` prints them', () => {
  test('gamma shape-rate: each step names its equations in text (the terminal and --json show these names), and says how it was checked', () => {
    const d = derivationOf(gamma, 'shape-rate');
    const shown = [...d.steps, ...d.exponentialFamilySteps].map((s) => [s.title, s.equations.map((e) => e.text), s.check?.method, s.check?.ok]);
    expect(shown).toEqual([
      ['Log-density', ['log p(x | alpha, beta)'], 'numeric-density', true],
      ['Score', ['d log p / d alpha', 'd log p / d beta'], 'finite-differences', true],
      ['Hessian', ['Hessian of log p'], 'finite-differences', true],
      ['Moments', ['E[log(x)] = dA/deta1', 'E[x] = dA/deta2'], 'quadrature', true],
      ['Expectation', ['F = -E[Hessian]'], 'exact-sum', true],
      ['Fisher information', ['F (literature)'], 'quadrature', true],
      ['Natural parameters', ['eta1', 'eta2', 'J_eta'], 'finite-differences', true],
      ['Hessian of the log-partition', ['Hessian of A'], 'finite-differences', true],
      ['Pullback', ['F = J_etaᵀ (Hessian of A) J_eta'], 'numeric-identity', true],
    ]);
  });
});
