/**
 * The expectation checks of a derivation's steps (step-checks.ts) on each
 * route, the correct moment accepted and a planted mistake rejected, with the
 * verdict's wording: Monte Carlo on the simplex (the Dirichlet), exact sums
 * over categories and over a count support. The planted mistakes are sized
 * from each route's own error: 5% of a Dirichlet mean is 2.5 to 4 standard
 * errors of 10,000 draws scaled by z (5.3 for a false-alarm rate of 1e-6 over
 * the comparisons), so the check must use the standard error it states.
 */
import { describe, expect, test } from 'vitest';
import { categorical } from '../../src/families/catalogue/categorical.js';
import { dirichlet } from '../../src/families/catalogue/dirichlet.js';
import { poisson } from '../../src/families/catalogue/poisson.js';
import { normal } from '../../src/families/catalogue/normal.js';
import { checkDerivatives, checkExpectations, parameterSteps, samplePoints, validTheta } from '../../src/families/step-checks.js';

describe('expectation checks, route by route', () => {
  test('Monte Carlo (Dirichlet, K = 3): E[x_i] = alpha_i / sum(alpha) holds; 5% off is rejected, with the sample size and z named', () => {
    const inst = dirichlet.instance(3);
    const p = inst.parameterizations[0];
    const [a0, a1, a2] = p.symbols;
    const points = samplePoints(inst, p, 11);
    const mean = (c: number) => `${c}*${a0}/(${a0}+${a1}+${a2})`;
    const pairs = (c: number) => [
      { integrand: inst.dataVars[0], closedForm: mean(c) },
      { integrand: inst.dataVars[1], closedForm: `${c}*${a1}/(${a0}+${a1}+${a2})` },
    ];
    const ok = checkExpectations('each mean', inst, pairs(1), points, 5);
    expect(ok.ok, ok.detail).toBe(true);
    expect(ok.method).toBe('monte-carlo');
    expect(ok.points).toBe(3);
    expect(ok.detail).toMatch(/^each mean equal to Monte Carlo \(10000 samples, z = 5\.\d\d\), at 3 random points: largest difference /);
    const worstOk = Number(/, ([0-9.e+-]+) of its tolerance/.exec(ok.detail)![1]);
    // a correct moment uses a fair share of its tolerance (not a tolerance inflated far past its standard error)
    expect(worstOk).toBeGreaterThan(0.02);
    for (const c of [1.05, 0.95]) {
      const wrong = checkExpectations('each mean', inst, pairs(c), points, 5);
      expect(wrong.ok, `${c}: ${wrong.detail}`).toBe(false);
      expect(wrong.detail).toMatch(/of its tolerance/);
    }
  });
  test('exact sums over categories (K = 3): E[x_0] = p_0 holds; off by 1e-9 is rejected', () => {
    const inst = categorical.instance(3);
    const p = inst.parameterizations.find((q) => q.name === 'mean')!;
    const points = samplePoints(inst, p, 3);
    const ok = checkExpectations('E[x0]', inst, [{ integrand: inst.dataVars[0], closedForm: p.symbols[0] }], points, 1);
    expect(ok.ok, ok.detail).toBe(true);
    expect(ok.method).toBe('exact-sum');
    expect(ok.detail).toMatch(/^E\[x0\] equal to exact sums over the support, at 12 random points: /);
    const wrong = checkExpectations('E[x0]', inst, [{ integrand: inst.dataVars[0], closedForm: `${p.symbols[0]}*(1+1e-9)` }], points, 1);
    expect(wrong.ok, wrong.detail).toBe(false);
  });
  test('exact sums over a count support (Poisson): E[x] = lambda and E[x^2] = lambda + lambda^2 hold; 1e-8 relative off is rejected', () => {
    const inst = poisson.instance();
    const p = inst.parameterizations.find((q) => q.name === 'rate')!;
    const points = samplePoints(inst, p, 3);
    const pairs = (c: string) => [
      { integrand: 'x', closedForm: 'lambda' },
      { integrand: 'x^2', closedForm: `${c}*(lambda+lambda^2)` },
    ];
    const ok = checkExpectations('the moments', inst, pairs('1'), points, 1);
    expect(ok.ok, ok.detail).toBe(true);
    expect(ok.method).toBe('exact-sum');
    const wrong = checkExpectations('the moments', inst, pairs('(1+1e-8)'), points, 1);
    expect(wrong.ok, wrong.detail).toBe(false);
  });
});

describe('difference steps inside a domain with a joint constraint', () => {
  // the normal's expectation parameters (m1, m2) must keep m2 > m1^2; at m2 - m1^2 = 0.01 the steps must be
  // found at the point itself, one coordinate at a time (a probe left behind in m1 shifts m2's boundary)
  test('each step h keeps theta +- 2h inside the domain, and is the largest such (theta +- 4h is not)', () => {
    const p = normal.instance().parameterizations.find((q) => q.name === 'expectation')!;
    expect(p.symbols).toEqual(['m1', 'm2']);
    for (const m1 of [-1, 1]) {
      const theta = Float64Array.of(m1, m1 * m1 + 0.01);
      const steps = parameterSteps(p)({ m1: theta[0], m2: theta[1] });
      steps.forEach((h, i) => {
        const at = (t: number): boolean[] =>
          [1, -1].map((sign) => {
            const moved = theta.slice();
            moved[i] += sign * t;
            return validTheta(p, moved);
          });
        expect(at(2 * h), `m1 = ${m1}, coordinate ${i}, step ${h}: theta +- 2h`).toEqual([true, true]);
        expect(at(4 * h), `m1 = ${m1}, coordinate ${i}, step ${h}: theta +- 4h`).toContain(false);
      });
    }
  });
});

describe('derivative checks of values computed with cancellation', () => {
  // f's values lose 6 to 12 digits to cancellation (its propagated rounding bound says how many); the differences' round-off
  // floor must be sized from that relative accuracy, or a correct derivative fails where the tableau happens to agree
  const points = Array.from({ length: 40 }, (_, k) => ({ a: 10 ** (-3 + (3 * k) / 39) }));
  const steps = (): Float64Array => Float64Array.of(0.1);
  test.each([
    ['log(1e6+a)-log(1e6)', '1/(1e6+a)'],
    ['(a+1e3)^2-1e6-2e3*a', '2*a'],
  ])('d/da of %s = %s holds at 40 points a in [1e-3, 1]; 1% off is rejected', (f, df) => {
    const right = checkDerivatives('f', [f], [[df]], ['a'], points, steps);
    expect(right.ok, right.detail).toBe(true);
    const wrong = checkDerivatives('f', [f], [[`1.01*(${df})`]], ['a'], points, steps);
    expect(wrong.ok, wrong.detail).toBe(false);
  });
});
