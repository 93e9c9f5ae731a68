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
import { normal } from '../../src/families/catalogue/normal.js';
import { cite, exponentialFamily, parameterization } from '../../src/families/declare.js';
import { derivationOf } from '../../src/families/derivation-cache.js';
import { deriveFisher, exponentialFamilyRoute } from '../../src/families/derive.js';
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

describe('a wrong catalogue entry fails the derivation, at the step that shows it', () => {
  const rateOf = () => {
    const inst = exponential.instance();
    return { inst, p: inst.parameterizations[0] };
  };
  const verdicts = (d: ReturnType<typeof deriveFisher>) => [...d.steps, ...d.exponentialFamilySteps].map((s) => [s.title, s.check?.ok]);

  test('a literature Fisher 1% off: both routes refute it entry by entry, the check of E[s sᵀ] fails, nothing else does', () => {
    const { inst, p } = rateOf();
    const d = deriveFisher(inst, { ...p, literatureFisher: [['1.01/lambda^2']] });
    expect(d.comparisons.map((c) => [c.lhs, c.rhs, c.equal])).toEqual([
      ['hessian', 'literature', false],
      ['exponential-family', 'literature', false],
    ]);
    for (const c of d.comparisons) {
      expect(c.entries.map((e) => [e.i, e.j, e.equal])).toEqual([[0, 0, false]]);
      expect(c.entries[0].counterexample).toBeDefined();
    }
    expect(verdicts(d)).toEqual([
      ['Log-density', true],
      ['Score', true],
      ['Hessian', true],
      ['Moments', true],
      ['Expectation', true],
      ['Fisher information', false],
      ['Natural parameters', true],
      ['Hessian of the log-partition', true],
      ['Pullback', true],
    ]);
    expect(d.steps.find((s) => s.title === 'Fisher information')?.check?.detail).toMatch(
      /^E\[s_i s_j\] of the score above equal to quadrature, at 12 random points: largest difference/,
    );
    expect(d.verified).toBe(false);
  });

  test('a numeric log-density off by 1e-3: the log-density step fails and names the difference; the routes still agree; not verified', () => {
    const { inst, p } = rateOf();
    const shifted = { ...inst, logpdf: (x: number | Float64Array, b: Float64Array, f: Readonly<Record<string, number>>) => inst.logpdf(x, b, f) + 1e-3 };
    const d = deriveFisher(shifted, p);
    expect(d.comparisons.every((c) => c.equal)).toBe(true);
    const logDensity = d.steps[0];
    expect(logDensity.check?.ok).toBe(false);
    expect(logDensity.check?.detail).toMatch(
      /^equal to the numeric log-density of the catalogue, at 12 random points: largest difference 1\.0e-3, [0-9.e+]+ of its tolerance/,
    );
    expect(d.steps.find((s) => s.title === 'Score')?.check?.ok).toBe(true);
    expect(d.verified).toBe(false);
  });

  test('a stated log-density that differs from the base form: the log-density step is refuted at a point and fails', () => {
    const inst = normal.instance();
    const p = inst.parameterizations.find((q) => q.logDensity)!;
    const d = deriveFisher(inst, { ...p, logDensity: `${p.logDensity}+eta1/10` });
    const check = d.steps[0].check!;
    expect(check.ok).toBe(false);
    // the step names the check that failed first: the identity test of the two forms
    expect(check.method).toBe('numeric-identity');
    expect(check.detail).toMatch(/^the stated form equals the base density with the map substituted: refuted at \{.*\}; equal to the numeric log-density/);
    expect(d.verified).toBe(false);
  });
});
