/**
 * The analytic score (forward differentiation of each family's log-density
 * expression, compiled once) against finite differences of the family's
 * separate numeric log-density, and the analytic Monte Carlo Fisher against
 * the numeric-derivative one: on independent draws they agree within their
 * standard errors; a score off by half a percent (a Fisher off by 1%) is
 * caught on common draws.
 */
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { analyticBaseScore, baseScoreSource } from '../../src/families/analytic-score.js';
import { monteCarloFisherAnalytic } from '../../src/families/analytic-monte-carlo.js';
import { parsePoint } from '../../src/families/json-points.js';
import { chainRuleAt, familyMonteCarloFisher, type FisherPoint } from '../../src/families/estimators.js';
import { FAMILIES } from '../../src/families/catalogue/index.js';
import { gradientFD, zForFalseAlarm } from '../../src/numeric/index.js';
import { SCORE_POINTS as POINTS } from './score-points.js';

const label = ([f, p]: (typeof POINTS)[number]) => `${f} ${p}`;
const at = ([f, p, params, fixed]: (typeof POINTS)[number]): FisherPoint => parsePoint(f, p, params, fixed, 'spec');

describe('analytic score', () => {
  test('every catalogue family gets one (vector families at their verify dimensions too)', () => {
    for (const def of FAMILIES) for (const dim of def.verifyDimensions ?? [undefined]) expect(analyticBaseScore(def.instance(dim)), def.name).not.toBeNull();
  });

  test.each(POINTS.filter(([, _p], i) => POINTS.findIndex(([f2]) => f2 === POINTS[i][0]) === i).map((c) => [label(c), c] as const))(
    '%s: equals Ridders finite differences of the numeric log-density at sampled points',
    (_, c) => {
      const pt = at(c);
      const { inst, fixed } = pt;
      const base = chainRuleAt(pt).base;
      const score = analyticBaseScore(inst)!;
      const rng = new Rng(`score-${label(c)}`);
      const out = new Float64Array(base.length);
      for (let s = 0; s < 12; s++) {
        const x = inst.sample(rng, base, fixed);
        score(x, base, fixed, out);
        // steps inside the domain: 1% of each coordinate (interval parameters stay below their bound)
        const steps = base.map((v) => 0.01 * Math.max(1e-3, Math.min(Math.abs(v), Math.abs(1 - v))));
        const fd = gradientFD((b) => inst.logpdf(x, b, fixed), base, { maxStep: steps });
        for (let k = 0; k < base.length; k++) {
          expect(Math.abs(out[k] - fd.value[k]), `${label(c)} sample ${s} component ${k}`).toBeLessThanOrEqual(
            10 * fd.error[k] + 1e-9 * (1 + Math.abs(fd.value[k])),
          );
        }
      }
    },
  );

  test('the generated code keeps the formula: (x - mu)^2 is not expanded (no cancellation for |mu| >> sigma)', () => {
    const pt = parsePoint('normal', 'mean-std', { mu: 1e8, sigma: 1 }, {}, 'spec');
    const out = new Float64Array(2);
    analyticBaseScore(pt.inst)!(1e8 + 0.5, pt.theta, {}, out);
    // d/dsigma = ((x - mu)^2 - sigma^2) / sigma^3 = 0.25 - 1
    expect(out[1]).toBeCloseTo(-0.75, 12);
    expect(out[0]).toBeCloseTo(0.5, 12);
    expect(baseScoreSource(pt.inst)).not.toMatch(/x0\*x0/);
  });
});

describe('analytic Monte Carlo Fisher against the numeric-derivative one', () => {
  test.each(POINTS.map((c) => [label(c), c] as const))('%s: independent draws agree within their standard errors', (_, c) => {
    const pt = at(c);
    const N = 4000;
    const analytic = monteCarloFisherAnalytic(pt, N, 11)!;
    const numeric = familyMonteCarloFisher(pt, N, 12, { negHessian: false }).score;
    const d = analytic.value.rows;
    // Bonferroni over the d(d+1)/2 entries: P(false alarm) <= 1e-6 per case
    const Z = zForFalseAlarm(1e-6, (d * (d + 1)) / 2);
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) {
        const diff = Math.abs(analytic.value.get(i, j) - numeric.value.get(i, j));
        const se = Math.hypot(analytic.stdError.get(i, j), numeric.stdError.get(i, j));
        expect(diff, `${label(c)} entry (${i}, ${j})`).toBeLessThanOrEqual(Z * se + 1e-12);
      }
    }
  });

  test('same draws as the numeric estimate: equal up to the finite-difference error; a score off by 0.5% (Fisher off by 1%) is caught', () => {
    const pt = parsePoint('gamma', 'shape-rate', { alpha: 2.5, beta: 1.5 }, {}, 'spec');
    const N = 20000;
    const analytic = monteCarloFisherAnalytic(pt, N, 21)!;
    const numeric = familyMonteCarloFisher(pt, N, 21, { negHessian: false }).score;
    const gap = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]) / Math.abs(b[i])));
    expect(gap(Array.from(analytic.value.data), Array.from(numeric.value.data))).toBeLessThan(1e-5);
    const scaled = Array.from(analytic.value.data, (v) => v * 1.005 ** 2);
    expect(gap(scaled, Array.from(numeric.value.data))).toBeGreaterThan(5e-3);
  });

  test('the sample count is validated', () => {
    const pt = parsePoint('normal', 'mean-std', { mu: 0, sigma: 1 }, {}, 'spec');
    expect(() => monteCarloFisherAnalytic(pt, 1, 1)).toThrow(/samples/);
    expect(() => monteCarloFisherAnalytic(pt, 2.5, 1)).toThrow(/samples/);
  });
});

describe('terms free of the data are computed once per parameter value', () => {
  test('the Dirichlet score computes lgamma and digamma of the parameters outside the per-sample code, and follows a change of parameters', () => {
    const pt = parsePoint('dirichlet', 'standard', { alpha: [1.5, 2, 3] }, {}, 'spec');
    const src = baseScoreSource(pt.inst);
    const perSample = src.slice(src.indexOf('const x0'));
    expect(perSample).not.toMatch(/S\.(lgamma|digamma)/);
    const score = analyticBaseScore(pt.inst)!;
    const x = Float64Array.from([0.2, 0.3, 0.5]);
    const out = new Float64Array(3);
    for (const alpha of [
      [1.5, 2, 3],
      [0.7, 4, 2.5],
      [1.5, 2, 3],
    ]) {
      const b = Float64Array.from(alpha);
      score(x, b, {}, out);
      const fd = gradientFD((v) => pt.inst.logpdf(x, v, {}), b).value;
      for (let k = 0; k < 3; k++) expect(out[k]).toBeCloseTo(fd[k], 7);
    }
  });
});
