/**
 * The facade's own rewrites, each held to the numeric identity test: the
 * expectation's collection by data monomials, tidy, simplification through
 * abbreviated sums, and naming subexpressions to fit a length.
 */
import { describe, expect, test } from 'vitest';
import { POSITIVE, REAL, UNIT_INTERVAL } from '../../src/core/domain.js';
import { expandNames, expectationByMoments, freeVariables, nameSubexpressions, proveEqual, simplify, tidy, toLatex } from '../../src/symbolic/index.js';
import { collectByMonomials } from '../../src/symbolic/moments.js';

const equal = (a: string, b: string, domains: Parameters<typeof proveEqual>[2]): boolean => proveEqual(a, b, domains, { numericOnly: true }).equal;

describe('collecting an expression by the monomials of the data', () => {
  test('a square of a sum, divided by a parameter: every coefficient', () => {
    const c = collectByMonomials('-(x-mu)^2/(2*sigma^4)', ['x'])!;
    const coeff = (k: string): string =>
      c
        .get(k)!
        .coeff.map((t) => `(${t})`)
        .join('+');
    const d = { mu: REAL, sigma: POSITIVE };
    expect([...c.keys()].sort()).toEqual(['', 'x^1', 'x^2']);
    expect(equal(coeff('x^2'), '-1/(2*sigma^4)', d)).toBe(true);
    // a nested sum of coefficients: -(mu) - (mu) is -2 mu (a sign was once lost here)
    expect(equal(coeff('x^1'), 'mu/sigma^4', d)).toBe(true);
    expect(equal(coeff(''), '-mu^2/(2*sigma^4)', d)).toBe(true);
  });
  test('the normal Fisher by moments: 2/sigma^2, and a wrong moment is visible', () => {
    const H = '1/sigma^2-3*(x-mu)^2/sigma^4';
    const moments = { 'x^1': 'mu', 'x^2': 'mu^2+sigma^2' };
    expect(equal(expectationByMoments(`-(${H})`, ['x'], moments), '2/sigma^2', { mu: REAL, sigma: POSITIVE })).toBe(true);
    expect(equal(expectationByMoments(`-(${H})`, ['x'], { ...moments, 'x^1': '-mu' }), '2/sigma^2', { mu: REAL, sigma: POSITIVE })).toBe(false);
  });
  test('a denominator in the data that is a monomial is a negative power; any other is refused', () => {
    expect([...collectByMonomials('lambda*(x-mu)^2/(mu^2*x)', ['x'])!.keys()].sort()).toEqual(['', 'x^-1', 'x^1']);
    expect(collectByMonomials('1/(1+x)', ['x'])).toBeNull();
  });
});

describe('tidy and simplify', () => {
  test.each([
    ['log(exp(s))+exp(log(x))', 's+x'],
    ['-log(sqrt(m2-m1^2))', '-log(m2-m1^2)/2'],
    ['sqrt(v)^4*exp(s)^2', 'v^2*exp(2*s)'],
    ['exp(log(p)-log(1-p))', 'p/(1-p)'],
  ])('tidy(%s) holds and is shorter', (input, expected) => {
    const out = tidy(input);
    expect(out.length).toBeLessThanOrEqual(input.length);
    expect(out).not.toMatch(/log\(exp|exp\(log/);
    const d = { s: REAL, x: POSITIVE, m1: interval(), m2: POSITIVE, v: POSITIVE, p: UNIT_INTERVAL };
    expect(equal(out, expected, d)).toBe(true);
  });
  test('the categorical moment reduces to p0 (through the abbreviated sum 1 - p0 - p1)', () => {
    expect(simplify('exp(log(p0/(1-(p0+p1))))/(1+exp(log(p0/(1-(p0+p1))))+exp(log(p1/(1-(p0+p1)))))')).toBe('p0');
  });
});

function interval() {
  return { kind: 'interval', lo: -0.4, hi: 0.4 } as const;
}

describe('named subexpressions', () => {
  const long = Array.from({ length: 12 }, (_, k) => `exp(eta${k % 3})/(1+exp(eta0)+exp(eta1)+exp(eta2))^${(k % 2) + 1}`).join('+');
  test('every expression fits the limit, and the names expand back to the original', () => {
    const limit = 120;
    expect(toLatex(long).length).toBeGreaterThan(limit);
    const named = nameSubexpressions([long], limit);
    for (const e of [...named.exprs, ...named.definitions.map((d) => d.expr)]) expect(toLatex(e).length).toBeLessThanOrEqual(limit);
    // the shared sum is named once
    expect(named.definitions.some((d) => d.expr.includes('1+exp(eta0)+exp(eta1)+exp(eta2)'))).toBe(true);
    const back = expandNames(named.exprs[0], named.definitions);
    expect(freeVariables(back)).toEqual(new Set(['eta0', 'eta1', 'eta2']));
    expect(equal(back, long, { eta0: REAL, eta1: REAL, eta2: REAL })).toBe(true);
  });
});

describe('naming subexpressions: an earlier naming is reused only when it checks', () => {
  test('a remembered naming that expands back to the inputs is returned; a wrong one is searched again', async () => {
    const { nameSubexpressions, namingsUsed, rememberNamings } = await import('../../src/symbolic/subexpressions.js');
    const inputs = ['(a + b) ^ 2 * (a + b) ^ 3 + sin(a + b) * (c + d) * (c + d)'];
    const fresh = nameSubexpressions(inputs, 20);
    expect(fresh.definitions.length).toBeGreaterThan(0);
    const entry = namingsUsed().find((e) => e.named === fresh)!;
    // a forged naming under the same key: its expansion is not the input, so it is not used
    const forged = { exprs: ['u1'], definitions: [{ name: 'u1', expr: 'a + c' }] };
    rememberNamings([{ key: entry.key, named: forged }]);
    const again = nameSubexpressions(inputs, 20);
    expect(again).not.toBe(forged);
    expect(again.exprs).toEqual(fresh.exprs);
    // a correct one is taken as it is
    rememberNamings([{ key: entry.key, named: fresh }]);
    expect(nameSubexpressions(inputs, 20)).toBe(fresh);
  });

  /** The naming nameSubexpressions would remember for `inputs`, replaced by `forged`: whether it is taken. */
  async function takes(inputs: string[], forged: { exprs: string[]; definitions: { name: string; expr: string }[] }): Promise<boolean> {
    const { nameSubexpressions, namingsUsed, rememberNamings } = await import('../../src/symbolic/subexpressions.js');
    const fresh = nameSubexpressions(inputs, 1000);
    const entry = namingsUsed().find((e) => e.named === fresh)!;
    rememberNamings([{ key: entry.key, named: forged }]);
    return nameSubexpressions(inputs, 1000) === forged;
  }

  /** A naming of one expression by its definitions, in the order given. */
  const naming = (expr: string, ...definitions: [string, string][]) => ({ exprs: [expr], definitions: definitions.map(([name, e]) => ({ name, expr: e })) });

  test('a name stands for its whole definition: c - u1 with u1 = a - b is c - (a - b), never c - a - b', async () => {
    const named = naming('c-u1*u2', ['u1', 'a-b'], ['u2', '-d^2']);
    expect(await takes(['c-(a-b)*(-d^2)'], named)).toBe(true);
    expect(await takes(['c-a-b*(-d^2)'], named)).toBe(false);
    expect(await takes(['c-(a-b)*-d^2'], naming('c-u1*u2^2', ['u1', 'a-b'], ['u2', '-d']))).toBe(false);
  });

  test('definitions are in reading order: one that uses a name defined after it is refused', async () => {
    expect(await takes(['sin(a+b)*2'], naming('u2*2', ['u1', 'a+b'], ['u2', 'sin(u1)']))).toBe(true);
    expect(await takes(['sin(a+b)*2'], naming('u2*2', ['u2', 'sin(u1)'], ['u1', 'a+b']))).toBe(false);
  });
});
