/**
 * The analytic score-outer-product estimate on known draws: the batch size
 * of the control-variate regression at its bounds, the controlled estimate
 * equal to the regression fed the same scores (whole batches), exact where
 * s sᵀ is a linear function of s (two outcomes), the plain estimate equal to
 * the sample mean of s sᵀ, and the refusals by name.
 */
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { controlBatch, monteCarloFisherAnalytic } from '../../src/families/analytic-monte-carlo.js';
import { analyticBaseScore } from '../../src/families/analytic-score.js';
import { parsePoint } from '../../src/families/json-points.js';
import { chainRuleAt, type FisherPoint } from '../../src/families/estimators.js';
import type { FamilyInstance } from '../../src/families/types.js';
import { ScoreOuterProduct } from '../../src/numeric/score-control.js';

/** the scores the estimator draws: analytic base scores of Rng(seed).split(), carried by Jᵀ */
function scoresOf(pt: FisherPoint, count: number, seed: number): Float64Array[] {
  const cr = chainRuleAt(pt);
  const score = analyticBaseScore(pt.inst)!;
  const rng = new Rng(seed).split();
  const m = cr.J.rows;
  const d = cr.J.cols;
  const sb = new Float64Array(m);
  return Array.from({ length: count }, () => {
    score(pt.inst.sample(rng, cr.base, pt.fixed), cr.base, pt.fixed, sb);
    return Float64Array.from({ length: d }, (_, i) => {
      let v = 0;
      for (let k = 0; k < m; k++) v += cr.J.get(k, i) * sb[k];
      return v;
    });
  });
}

describe('controlBatch', () => {
  test('one score per batch below 8,000 samples, then samples / 4000 rounded down, at most 64', () => {
    expect(controlBatch(2)).toBe(1);
    expect(controlBatch(7999)).toBe(1);
    expect(controlBatch(8000)).toBe(2);
    expect(controlBatch(12_345)).toBe(3);
    expect(controlBatch(64 * 4000)).toBe(64);
    expect(controlBatch(1e9)).toBe(64);
  });
});

describe('the plain estimate', () => {
  test.each([
    ['normal natural (the chain rule)', 'normal', 'natural', { eta1: 0.5, eta2: -0.8 }],
    ['dirichlet K = 3 (d = 3)', 'dirichlet', 'standard', { alpha: [2, 3, 4] }],
  ] as const)('%s: the sample mean of s sᵀ with the standard error of that mean', (_, family, p, params) => {
    const pt = parsePoint(family, p, params, {}, 'spec');
    const N = 50;
    const scores = scoresOf(pt, N, 5);
    const r = monteCarloFisherAnalytic(pt, N, 5)!;
    const d = scores[0].length;
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        const v = scores.map((g) => g[i] * g[j]);
        const mean = v.reduce((a, b) => a + b, 0) / N;
        const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / (N - 1);
        expect(r.value.get(i, j), `value[${i}][${j}]`).toBeCloseTo(mean, 10);
        expect(r.stdError.get(i, j), `stdError[${i}][${j}]`).toBeCloseTo(Math.sqrt(variance / N), 10);
      }
  });
});

describe('the control-variate estimate', () => {
  test('equals the regression fed the same scores, in whole batches (8,001 samples at batch 2 draw 8,002)', () => {
    const pt = parsePoint('gamma', 'shape-scale', { k: 3, theta: 0.7 }, {}, 'spec');
    const N = 8001;
    const r = monteCarloFisherAnalytic(pt, N, 9, { controlVariate: true })!;
    const ref = new ScoreOuterProduct(2, controlBatch(N));
    for (const g of scoresOf(pt, 8002, 9)) ref.add(g);
    const e = ref.estimate();
    for (let k = 0; k < 4; k++) {
      expect(r.value.data[k]).toBeCloseTo(e.value.data[k], 12);
      expect(r.stdError.data[k]).toBeCloseTo(e.stdError.data[k], 12);
    }
  });

  test('is exact for the Bernoulli (s² is linear in s on two outcomes): 1/(p(1 - p)) with a standard error at rounding level', () => {
    const pt = parsePoint('bernoulli', 'mean', { p: 0.3 }, {}, 'spec');
    const r = monteCarloFisherAnalytic(pt, 1000, 3, { controlVariate: true })!;
    expect(r.value.get(0, 0)).toBeCloseTo(1 / (0.3 * 0.7), 10);
    // rounding in the regression leaves ~1e-9 relative; without the control the standard error is ~0.1
    expect(r.stdError.get(0, 0)).toBeLessThan(1e-6 * r.value.get(0, 0));
  });
});

describe('refusals', () => {
  test('a score that is not finite names the sample and the component', () => {
    const pt = parsePoint('gamma', 'shape-rate', { alpha: 2.5, beta: 1.5 }, {}, 'spec');
    // x = 0 lies on the edge of the support, where d/dalpha log p = log(x) + ... is -Infinity
    const inst: FamilyInstance = { ...pt.inst, sample: () => 0 };
    expect(() => monteCarloFisherAnalytic({ ...pt, inst }, 10, 1)).toThrow('score: the analytic score is not finite at sample 0 (component 0: -Infinity)');
  });

  test('a family without an analytic score gets null', () => {
    const pt = parsePoint('exponential', 'rate', { lambda: 1.5 }, {}, 'spec');
    const inst: FamilyInstance = { ...pt.inst, logDensity: 'no_such_function(lambda*x)' };
    expect(analyticBaseScore(inst)).toBeNull();
    expect(monteCarloFisherAnalytic({ ...pt, inst }, 10, 1)).toBeNull();
  });
});
