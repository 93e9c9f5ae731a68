import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { compileExpr, evaluateWithError } from '../../src/symbolic/ast.js';

/** Random expressions of the language, over x, y, z > 0 */
const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom('x', 'y', 'z', 'pi', '2', '0.5', '3'),
    fc.tuple(tie('e'), fc.constantFrom('+', '-', '*', '/', '^'), tie('e')).map(([a, op, b]) => `(${a})${op}(${b})`),
    fc
      .tuple(fc.constantFrom('exp', 'log', 'sqrt', 'abs', 'sin', 'cos', 'atan', 'tanh', 'lgamma', 'digamma', 'trigamma'), tie('e'))
      .map(([f, a]) => `${f}(${a})`),
    tie('e').map((a) => `-(${a})`),
  ),
})).e;

describe('compiled evaluation', () => {
  test('the compiled value is bit-for-bit the value of the error-tracking evaluator', () => {
    fc.assert(
      fc.property(expr, fc.double({ min: 0.1, max: 4, noNaN: true }), fc.double({ min: 0.1, max: 4, noNaN: true }), (text, x, y) => {
        const scope = { x, y, z: x + y };
        expect(Object.is(compileExpr(text)(scope), evaluateWithError(text, scope).value)).toBe(true);
      }),
      { seed: 1607, numRuns: 300 },
    );
  });

  test('each operator and function computes its own value', () => {
    const s = { x: 1.5, y: 0.25 };
    const cases: [string, number][] = [
      ['x+y', 1.75],
      ['x-y', 1.25],
      ['x*y', 0.375],
      ['x/y', 6],
      ['x^y', Math.pow(1.5, 0.25)],
      ['-x', -1.5],
      ['exp(x)', Math.exp(1.5)],
      ['log(y)', Math.log(0.25)],
      ['sqrt(y)', 0.5],
      ['abs(-x)', 1.5],
      ['pi*y', Math.PI / 4],
      ['lgamma(x+y*2)', 0],
      ['x-(y-x)', 2.75],
      ['x/(y/x)', 9],
    ];
    for (const [text, v] of cases) expect(compileExpr(text)(s)).toBeCloseTo(v, 14);
  });

  test('the error bound of a catastrophic cancellation is carried through', () => {
    const r = evaluateWithError('(1+x)-1', { x: 1e-10 });
    expect(r.error).toBeGreaterThan(1e-16);
    expect(evaluateWithError('x', { x: 3 }).error).toBeCloseTo(3 * 2.220446049250313e-16, 30);
  });

  test('a missing variable and an unknown function are errors naming them', () => {
    expect(() => compileExpr('x+w')({ x: 1 })).toThrow(NatgradError);
    expect(() => compileExpr('x+w')({ x: 1 })).toThrow(/'w'/);
    expect(() => compileExpr('foo(x)')).toThrow(/unknown function 'foo'/);
    expect(() => compileExpr('x==1')).toThrow(NatgradError);
  });

  test('variable names reach the generated code only as data', () => {
    // a name that would be code if pasted into the function body
    const f = compileExpr('a_b1 + c');
    expect(f({ a_b1: 1, c: 2 })).toBe(3);
  });
});
