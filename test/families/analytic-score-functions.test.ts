/**
 * Every function and operator the analytic score differentiates, each in a
 * log-density of its own (a stand-in family built from the exponential's
 * instance, with the expression replaced): the generated score equals central
 * differences of the compiled expression. The catalogue's own log-densities
 * use only some of them, so without this a wrong derivative of the others
 * would go unnoticed until a family used it.
 */
import { describe, expect, test } from 'vitest';
import { analyticBaseScore } from '../../src/families/analytic-score.js';
import { parsePoint } from '../../src/families/json-points.js';
import type { FamilyInstance } from '../../src/families/types.js';
import { gradientFD } from '../../src/numeric/index.js';
import { compileExpr } from '../../src/symbolic/index.js';

const exponential = parsePoint('exponential', 'rate', { lambda: 1.5 }, {}, 'spec').inst;

/** the analytic d/dlambda of `logDensity` at (x, lambda) against Ridders' differences of the compiled expression */
function expectScore(logDensity: string, x: number, lambda: number): void {
  const inst: FamilyInstance = { ...exponential, logDensity };
  const score = analyticBaseScore(inst);
  expect(score, logDensity).not.toBeNull();
  const out = new Float64Array(1);
  score!(x, Float64Array.from([lambda]), {}, out);
  const f = compileExpr(logDensity);
  const fd = gradientFD((b) => f({ x, lambda: b[0] }), Float64Array.from([lambda]), { maxStep: Float64Array.from([0.01 * lambda]) });
  expect(Math.abs(out[0] - fd.value[0]), `${logDensity}: ${out[0]} against ${fd.value[0]}`).toBeLessThanOrEqual(
    10 * fd.error[0] + 1e-9 * (1 + Math.abs(fd.value[0])),
  );
}

describe('the analytic score differentiates each function by the chain rule', () => {
  test.each([
    'exp(lambda*x)',
    'log(lambda*x)',
    'sqrt(lambda*x)',
    'abs(lambda-x)',
    'sin(lambda*x)',
    'cos(lambda*x)',
    'tan(lambda*x)',
    'atan(lambda*x)',
    'sinh(lambda*x)',
    'cosh(lambda*x)',
    'tanh(lambda*x)',
    'lgamma(lambda*x)',
    'digamma(lambda*x)',
    'sign(lambda-x)*lambda',
    'trigamma(x)*lambda',
  ])('%s', (expr) => expectScore(expr, 0.7, 1.3));

  test.each([
    'lambda+x',
    'lambda-x',
    'x-lambda',
    'lambda*x',
    'lambda/x',
    'x/lambda',
    '(lambda*x)/(lambda+x)',
    'lambda^x',
    'x^lambda',
    'lambda^lambda',
    '-lambda*x',
  ])('operator: %s', (expr) => expectScore(expr, 0.7, 1.3));

  test('a function outside the table leaves the family without an analytic score (the numeric derivative is kept)', () => {
    expect(analyticBaseScore({ ...exponential, logDensity: 'erf(lambda*x)' })).toBeNull();
    expect(analyticBaseScore({ ...exponential, logDensity: 'trigamma(lambda*x)' })).toBeNull();
  });
  test('so does a unary operator other than a sign (a factorial)', () => {
    expect(analyticBaseScore({ ...exponential, logDensity: 'log(lambda)-(lambda*x)!' })).toBeNull();
  });
  test('the score is built once per instance', () => {
    const inst: FamilyInstance = { ...exponential, logDensity: 'log(lambda)-lambda*x' };
    expect(analyticBaseScore(inst)).toBe(analyticBaseScore(inst));
  });
});
