/**
 * The analytic score (analytic-score.ts) of constant powers, which the code
 * generator writes out by hand (products for small integer exponents, square
 * roots for ±½, Math.pow otherwise): each against Ridders' differences of the
 * compiled expression, in a stand-in family built from the exponential's
 * instance with the log-density replaced.
 */
import { describe, expect, test } from 'vitest';
import { analyticBaseScore } from '../../src/families/analytic-score.js';
import { parsePoint } from '../../src/families/json-points.js';
import type { FamilyInstance } from '../../src/families/types.js';
import { gradientFD } from '../../src/numeric/index.js';
import { compileExpr } from '../../src/symbolic/index.js';

const exponential = parsePoint('exponential', 'rate', { lambda: 1.5 }, {}, 'spec').inst;

describe('the analytic score of a constant power', () => {
  test.each(['x*lambda^2', 'x*lambda^3', 'x*lambda^4', 'x*lambda^5', 'x*lambda^0.5', 'x*lambda^1.5', 'x*lambda^2.5', 'x/lambda^3', 'x*(lambda+x)^0.25'])(
    '%s',
    (logDensity) => {
      const inst: FamilyInstance = { ...exponential, logDensity };
      const score = analyticBaseScore(inst);
      expect(score, `${logDensity}: no analytic score generated`).not.toBeNull();
      const f = compileExpr(logDensity);
      for (const [x, lambda] of [
        [0.7, 1.3],
        [2.5, 0.4],
      ]) {
        const out = new Float64Array(1);
        score!(x, Float64Array.of(lambda), {}, out);
        const fd = gradientFD((b) => f({ x, lambda: b[0] }), Float64Array.of(lambda), { maxStep: Float64Array.of(0.01 * lambda) });
        expect(Math.abs(out[0] - fd.value[0]), `${logDensity} at x = ${x}, lambda = ${lambda}: ${out[0]} against ${fd.value[0]}`).toBeLessThanOrEqual(
          10 * fd.error[0] + 1e-9 * (1 + Math.abs(fd.value[0])),
        );
      }
    },
  );
});

describe('the product rule with both factors depending on the parameter', () => {
  test.each(['x*lambda*log(lambda)', 'sin(lambda)*cos(lambda*x)', 'lambda*exp(-lambda*x)'])('%s', (logDensity) => {
    const inst: FamilyInstance = { ...exponential, logDensity };
    const score = analyticBaseScore(inst);
    expect(score, logDensity).not.toBeNull();
    const f = compileExpr(logDensity);
    const out = new Float64Array(1);
    score!(0.7, Float64Array.of(1.3), {}, out);
    const fd = gradientFD((b) => f({ x: 0.7, lambda: b[0] }), Float64Array.of(1.3), { maxStep: Float64Array.of(0.013) });
    expect(Math.abs(out[0] - fd.value[0]), `${logDensity}: ${out[0]} against ${fd.value[0]}`).toBeLessThanOrEqual(
      10 * fd.error[0] + 1e-9 * (1 + Math.abs(fd.value[0])),
    );
  });
});
