import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { ControlledMean, ScoreOuterProduct } from '../../src/numeric/score-control.js';
import { zForFalseAlarm } from '../../src/numeric/statistics.js';

const z = zForFalseAlarm(1e-6, 3);

describe('the score as control variate of the Monte Carlo Fisher', () => {
  test('Bernoulli (two points): the estimate is exact up to rounding, where the plain one has a standard error', () => {
    const p = 0.3;
    const rng = new Rng(4);
    const acc = new ScoreOuterProduct(1);
    for (let s = 0; s < 5000; s++) {
      const x = rng.uniform() < p ? 1 : 0;
      acc.add([x / p - (1 - x) / (1 - p)]);
    }
    const e = acc.estimate();
    expect(Math.abs(e.value.get(0, 0) - 1 / (p * (1 - p)))).toBeLessThan(1e-12);
    expect(e.stdError.get(0, 0)).toBeLessThan(1e-12);
    expect(e.plain.stdError.get(0, 0)).toBeGreaterThan(1e-3);
  });

  test('exponential (skewed score): unbiased within its standard error, and the variance halved as theory says (R² = 1/2)', () => {
    // rate 2: score 1/2 − x, Fisher 1/4; Var(g²)/Var_cv = 1/(1 − R²) = 2
    const rng = new Rng(9);
    const acc = new ScoreOuterProduct(1);
    const n = 200_000;
    for (let s = 0; s < n; s++) acc.add([0.5 - rng.exponential() / 2]);
    const e = acc.estimate();
    expect(Math.abs(e.value.get(0, 0) - 0.25)).toBeLessThan(z * e.stdError.get(0, 0));
    const ratio = (e.plain.stdError.get(0, 0) / e.stdError.get(0, 0)) ** 2;
    expect(ratio).toBeGreaterThan(1.8);
    expect(ratio).toBeLessThan(2.2);
  });

  test('a wrong Fisher entry (5%) is rejected at the standard error it reports', () => {
    const rng = new Rng(10);
    const acc = new ScoreOuterProduct(2);
    // normal, mu 0, sigma 1: score (x, x² − 1), Fisher diag(1, 2)
    for (let s = 0; s < 400_000; s++) {
      const x = rng.normal();
      acc.add([x, x * x - 1]);
    }
    const e = acc.estimate();
    expect(Math.abs(e.value.get(1, 1) - 2)).toBeLessThan(z * e.stdError.get(1, 1));
    expect(Math.abs(e.value.get(1, 1) - 2.1)).toBeGreaterThan(z * e.stdError.get(1, 1));
    expect(Math.abs(e.value.get(0, 1))).toBeLessThan(z * e.stdError.get(0, 1));
    // x² = g₁ + 1 is linear in the controls: exact
    expect(Math.abs(e.value.get(0, 0) - 1)).toBeLessThan(1e-12);
  });

  test('controls with a nonzero mean would bias it: the estimate subtracts β ḡ', () => {
    // Y = g exactly: the controlled mean of g is 0 whatever the sample mean was
    const acc = new ControlledMean(1, 1);
    const rng = new Rng(3);
    for (let s = 0; s < 100; s++) {
      const g = rng.normal() + 0.3;
      acc.add([g], [g]);
    }
    const e = acc.estimate();
    expect(Math.abs(e.value[0])).toBeLessThan(1e-12);
    expect(Math.abs(e.plain.value[0])).toBeGreaterThan(0.05);
  });

  test('the regression coefficients are returned, entry by entry (row p: the coefficients of entry p on the controls)', () => {
    // y0 = 2 g0 − g1 + noise, y1 = 0.5 g1 (no noise)
    const rng = new Rng(17);
    const acc = new ControlledMean(2, 2);
    for (let s = 0; s < 5000; s++) {
      const g = [rng.normal(), rng.normal()];
      acc.add([2 * g[0] - g[1] + 0.1 * rng.normal(), 0.5 * g[1]], g);
    }
    const { beta } = acc.estimate();
    expect(beta.length).toBe(4);
    expect(beta[0]).toBeCloseTo(2, 2);
    expect(beta[1]).toBeCloseTo(-1, 2);
    expect(beta[2]).toBeCloseTo(0, 10);
    expect(beta[3]).toBeCloseTo(0.5, 10);
  });

  test('a dependent score component (singular Fisher) is dropped from the controls, not divided by zero', () => {
    const acc = new ScoreOuterProduct(2);
    const rng = new Rng(5);
    for (let s = 0; s < 1000; s++) {
      const x = rng.normal();
      acc.add([x, 2 * x]);
    }
    const e = acc.estimate();
    for (const v of e.value.data) expect(Number.isFinite(v)).toBe(true);
    expect(e.value.get(1, 1)).toBeCloseTo(4 * e.value.get(0, 0), 10);
  });

  test('bad input is refused naming what is wrong', () => {
    expect(() => new ScoreOuterProduct(0)).toThrow(/dim/);
    const acc = new ScoreOuterProduct(1);
    expect(() => acc.add([NaN])).toThrow(/not finite/);
    acc.add([1]);
    expect(() => acc.estimate()).toThrow(/at least 3 samples/);
  });
});

describe('the control-variate regression on batch means', () => {
  test('estimates the same Fisher with a standard error of the same size, and refuses a partial batch', () => {
    // normal, mu 0, sigma 1: score (x, x² − 1), Fisher diag(1, 2)
    const single = new ScoreOuterProduct(2);
    const batched = new ScoreOuterProduct(2, 8);
    const rng = new Rng(11);
    for (let s = 0; s < 400_000; s++) {
      const x = rng.normal();
      single.add([x, x * x - 1]);
      batched.add([x, x * x - 1]);
    }
    const a = single.estimate();
    const b = batched.estimate();
    for (const [i, j, F] of [
      [0, 0, 1],
      [0, 1, 0],
      [1, 1, 2],
    ] as const) {
      expect(Math.abs(b.value.get(i, j) - F)).toBeLessThanOrEqual(z * b.stdError.get(i, j) + 1e-12);
      // batch means estimate the same variance: the standard errors agree to a few percent (50 000 batches)
      if (a.stdError.get(i, j) > 1e-9) expect(Math.abs(b.stdError.get(i, j) / a.stdError.get(i, j) - 1)).toBeLessThan(0.05);
    }
    // x² = g₁ + 1 is linear in the controls, batch by batch: still exact
    expect(Math.abs(b.value.get(0, 0) - 1)).toBeLessThan(1e-12);
    expect(Math.abs(b.value.get(1, 1) - 2.1)).toBeGreaterThan(z * b.stdError.get(1, 1));
    batched.add([1, 0]);
    expect(() => batched.estimate()).toThrow(/whole number of batches of 8/);
    expect(() => new ScoreOuterProduct(2, 0)).toThrow(/batch/);
  });
});
