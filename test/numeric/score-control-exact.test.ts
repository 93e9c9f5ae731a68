/**
 * The control-variate estimator on a few fixed samples, against the textbook
 * formulas computed directly (two-pass co-moments, the normal equations solved
 * by elimination): value Ȳ − βᵀḡ with β = S_gg⁻¹ S_gY, residual variance
 * S_YY − S_gYᵀ S_gg⁻¹ S_gY over n − 1 − d degrees of freedom, the plain mean's
 * standard error, the dropped dependent controls, the batch means, and every
 * refusal by name. The statistical behaviour over many draws is in
 * score-control.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { ControlledMean, ScoreOuterProduct, symmetricEstimate } from '../../src/numeric/score-control.js';

interface Reference {
  value: number[];
  stdError: number[];
  plainValue: number[];
  plainStdError: number[];
  beta: number[][];
}

/** Solves the small system A x = b by Gaussian elimination with partial pivoting. */
function solveSmall(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = c + 1; r < n; r++) {
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let k = r + 1; k < n; k++) s -= M[r][k] * x[k];
    x[r] = s / M[r][r];
  }
  return x;
}

/** The regression estimator from its definition, on the controls listed in `use` (the others get β = 0). */
function reference(ys: number[][], gs: number[][], use: number[] = gs[0].map((_, i) => i)): Reference {
  const n = ys.length;
  const P = ys[0].length;
  const d = gs[0].length;
  const mean = (xs: number[][], k: number): number => xs.reduce((s, x) => s + x[k], 0) / n;
  const my = ys[0].map((_, p) => mean(ys, p));
  const mg = gs[0].map((_, i) => mean(gs, i));
  const co = (a: (s: number) => number, b: (s: number) => number): number => {
    let s = 0;
    for (let t = 0; t < n; t++) s += a(t) * b(t);
    return s;
  };
  const gc = (i: number) => (t: number) => gs[t][i] - mg[i];
  const yc = (p: number) => (t: number) => ys[t][p] - my[p];
  const Sgg = use.map((i) => use.map((j) => co(gc(i), gc(j))));
  const out: Reference = { value: [], stdError: [], plainValue: my, plainStdError: [], beta: [] };
  for (let p = 0; p < P; p++) {
    const sgy = use.map((i) => co(gc(i), yc(p)));
    const b = solveSmall(Sgg, sgy);
    const beta = new Array<number>(d).fill(0);
    use.forEach((i, k) => {
      beta[i] = b[k];
    });
    const syy = co(yc(p), yc(p));
    const explained = sgy.reduce((s, v, k) => s + v * b[k], 0);
    out.beta.push(beta);
    out.value.push(my[p] - beta.reduce((s, v, i) => s + v * mg[i], 0));
    out.stdError.push(Math.sqrt(Math.max(0, syy - explained) / (n - 1 - d) / n));
    out.plainStdError.push(Math.sqrt(syy / (n - 1) / n));
  }
  return out;
}

function expectClose(got: ArrayLike<number>, want: number[], rtol: number, scale = 1): void {
  expect(got.length).toBe(want.length);
  for (let k = 0; k < want.length; k++) {
    expect(Math.abs(got[k] - want[k]), `entry ${k}: ${got[k]} vs ${want[k]}`).toBeLessThanOrEqual(rtol * Math.max(Math.abs(want[k]), scale));
  }
}

// eight samples of two controls with nonzero sample means and three entries of Y
const G = [
  [0.3, -1.2],
  [1.7, 0.4],
  [-0.8, 2.1],
  [2.2, -0.3],
  [-1.5, -0.9],
  [0.6, 1.3],
  [-0.2, -2.4],
  [1.1, 0.8],
];
const Y = G.map(([a, b], t) => [a * a + 0.5 * b + Math.sin(t), a * b - Math.cos(3 * t), 3 + 0.25 * t * t]);

describe('ControlledMean against the regression estimator computed from its definition', () => {
  test('value, standard errors, plain mean and coefficients of every entry', () => {
    const acc = new ControlledMean(3, 2);
    for (let t = 0; t < G.length; t++) acc.add(Y[t], G[t]);
    expect(acc.count).toBe(8);
    const e = acc.estimate();
    const ref = reference(Y, G);
    expectClose(e.value, ref.value, 1e-12);
    expectClose(e.stdError, ref.stdError, 1e-10);
    expectClose(e.plain.value, ref.plainValue, 1e-13);
    expectClose(e.plain.stdError, ref.plainStdError, 1e-12);
    expectClose(e.beta, ref.beta.flat(), 1e-11);
  });

  test('three controls (the elimination below the second pivot)', () => {
    const g3 = G.map(([a, b], t) => [a, b, Math.cos(t) + 0.2 * a]);
    const y3 = g3.map(([a, b, c]) => [a * c + b * b, Math.exp(0.3 * c) - a]);
    const acc = new ControlledMean(2, 3);
    for (let t = 0; t < g3.length; t++) acc.add(y3[t], g3[t]);
    const e = acc.estimate();
    const ref = reference(y3, g3);
    expectClose(e.value, ref.value, 1e-11);
    expectClose(e.stdError, ref.stdError, 1e-9, 1e-12);
    expectClose(e.beta, ref.beta.flat(), 1e-10);
  });

  test('stable co-moments far from the origin (Welford)', () => {
    const shift = 1e6;
    const acc = new ControlledMean(1, 1);
    const ys = G.map(([a, b]) => [shift + a + 0.3 * b * b]);
    const gs = G.map(([a]) => [a]);
    for (let t = 0; t < G.length; t++) acc.add(ys[t], gs[t]);
    const e = acc.estimate();
    const centred = reference(
      ys.map(([y]) => [y - shift]),
      gs,
    );
    expect(Math.abs(e.value[0] - shift - centred.value[0])).toBeLessThan(1e-8);
    expect(e.stdError[0] / centred.stdError[0]).toBeCloseTo(1, 8);
  });

  test('the smallest number of samples, d + 2: one degree of freedom for the residual', () => {
    const acc = new ControlledMean(3, 2);
    for (let t = 0; t < 4; t++) acc.add(Y[t], G[t]);
    const ref = reference(Y.slice(0, 4), G.slice(0, 4));
    const e = acc.estimate();
    expectClose(e.value, ref.value, 1e-12);
    expectClose(e.stdError, ref.stdError, 1e-9, 1e-12);
  });

  test('a control that is a multiple of another is dropped: its coefficient is 0', () => {
    // for 0.7 and 7.3 the eliminated pivot is a rounding residual of either sign, not 0: the relative cut drops it
    // (and at a scale of 1e3, where the cut relative to the largest co-moment differs from an absolute one)
    for (const [c, scale] of [
      [3, 1],
      [0.7, 1],
      [7.3, 1],
      [0.7, 1e3],
      [7.3, 1e3],
    ]) {
      const gs = G.map(([a]) => [scale * a, scale * c * a]);
      const acc = new ControlledMean(3, 2);
      for (let t = 0; t < G.length; t++) acc.add(Y[t], gs[t]);
      const e = acc.estimate();
      const ref = reference(Y, gs, [0]);
      for (let p = 0; p < 3; p++) expect(e.beta[2 * p + 1]).toBe(0);
      expectClose(e.value, ref.value, 1e-12);
      expectClose(e.beta, ref.beta.flat(), 1e-11);
    }
  });

  test('a dependent first control, large scores: the second one is kept', () => {
    // g0 = 0 throughout (no information), g1 large: only control 1 is used
    const gs = G.map(([, b]) => [0, 1e4 * b]);
    const acc = new ControlledMean(3, 2);
    for (let t = 0; t < G.length; t++) acc.add(Y[t], gs[t]);
    const e = acc.estimate();
    const ref = reference(Y, gs, [1]);
    for (let p = 0; p < 3; p++) expect(e.beta[2 * p]).toBe(0);
    expectClose(e.value, ref.value, 1e-12);
  });

  test('a score that is identically zero controls nothing: the plain mean', () => {
    const acc = new ControlledMean(1, 1);
    for (let t = 0; t < 5; t++) acc.add([t], [0]);
    const e = acc.estimate();
    expect(e.value[0]).toBe(2);
    expect(e.beta[0]).toBe(0);
    // residual = S_YY = 10 over n - 1 - d = 3 degrees of freedom
    expect(e.stdError[0]).toBeCloseTo(Math.sqrt(10 / 3 / 5), 14);
    expect(e.plain.stdError[0]).toBeCloseTo(Math.sqrt(10 / 4 / 5), 14);
  });

  test('refusals, by name and with the sample that is wrong', () => {
    expect(() => new ControlledMean(1, 0)).toThrow('dim: must be an integer >= 1, got 0');
    expect(() => new ControlledMean(1, 1.5)).toThrow('dim: must be an integer >= 1, got 1.5');
    expect(() => new ControlledMean(0, 1)).toThrow('size: must be an integer >= 1, got 0');
    expect(() => new ControlledMean(2.5, 1)).toThrow('size: must be an integer >= 1, got 2.5');
    const acc = new ControlledMean(2, 2);
    acc.add([1, 2], [3, 4]);
    expect(() => acc.add([1, NaN], [0, 0])).toThrow('estimate: entry 1 of sample 1 is not finite (NaN)');
    expect(() => acc.add([1, 1], [0, Infinity])).toThrow('score: component 1 of sample 1 is not finite (Infinity)');
    acc.add([1, 1], [1, 1]);
    acc.add([1, 1], [2, 1]);
    expect(() => acc.estimate()).toThrow('samples: the control-variate estimate needs at least 4 samples, got 3');
  });
});

describe('ScoreOuterProduct', () => {
  const scores = G.concat(G.map(([a, b]) => [b - 0.5, a * 0.7]));

  test('the entries of g gᵀ row by row, with the score as control', () => {
    const acc = new ScoreOuterProduct(2);
    for (const g of scores) acc.add(g);
    expect(acc.count).toBe(16);
    const ys = scores.map(([a, b]) => [a * a, a * b, b * b]);
    const ref = reference(ys, scores);
    const e = acc.estimate();
    const at = (k: number): [number, number] =>
      [
        [0, 0],
        [0, 1],
        [1, 1],
      ][k] as [number, number];
    for (let k = 0; k < 3; k++) {
      const [i, j] = at(k);
      for (const [a, b] of [
        [i, j],
        [j, i],
      ]) {
        expect(e.value.get(a, b)).toBeCloseTo(ref.value[k], 12);
        expect(e.stdError.get(a, b)).toBeCloseTo(ref.stdError[k], 12);
        expect(e.plain.value.get(a, b)).toBeCloseTo(ref.plainValue[k], 12);
        expect(e.plain.stdError.get(a, b)).toBeCloseTo(ref.plainStdError[k], 12);
      }
    }
  });

  test('batches: the regression on the means of consecutive batches', () => {
    const batch = 2;
    const acc = new ScoreOuterProduct(2, batch);
    for (const g of scores) acc.add(g);
    expect(acc.count).toBe(16);
    const gs: number[][] = [];
    const ys: number[][] = [];
    for (let s = 0; s < scores.length; s += batch) {
      const part = scores.slice(s, s + batch);
      const avg = (f: (g: number[]) => number): number => part.reduce((t, g) => t + f(g), 0) / batch;
      gs.push([avg((g) => g[0]), avg((g) => g[1])]);
      ys.push([avg((g) => g[0] * g[0]), avg((g) => g[0] * g[1]), avg((g) => g[1] * g[1])]);
    }
    const ref = reference(ys, gs);
    const e = acc.estimate();
    expect(e.value.get(0, 0)).toBeCloseTo(ref.value[0], 12);
    expect(e.value.get(1, 0)).toBeCloseTo(ref.value[1], 12);
    expect(e.value.get(1, 1)).toBeCloseTo(ref.value[2], 12);
    expect(e.stdError.get(0, 1)).toBeCloseTo(ref.stdError[1], 12);
    expect(e.plain.value.get(1, 1)).toBeCloseTo(ref.plainValue[2], 12);
  });

  test('refusals: batch size, a partial batch, a non-finite component in batch mode', () => {
    expect(() => new ScoreOuterProduct(2, 0)).toThrow('batch: must be an integer >= 1, got 0');
    expect(() => new ScoreOuterProduct(2, 1.5)).toThrow('batch: must be an integer >= 1, got 1.5');
    expect(() => new ScoreOuterProduct(0)).toThrow('dim: must be an integer >= 1, got 0');
    const acc = new ScoreOuterProduct(2, 3);
    for (let s = 0; s < 13; s++) acc.add(scores[s]);
    expect(() => acc.estimate()).toThrow('samples: 13 scores are not a whole number of batches of 3');
    expect(() => acc.add([1, NaN])).toThrow('score: component 1 of sample 13 is not finite (NaN)');
  });
});

test('symmetricEstimate fills both triangles from the upper one, row by row', () => {
  const e = symmetricEstimate(3, Float64Array.from([1, 2, 3, 4, 5, 6]), Float64Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]));
  expect(Array.from(e.value.data)).toEqual([1, 2, 3, 2, 4, 5, 3, 5, 6]);
  expect(Array.from(e.stdError.data)).toEqual([0.1, 0.2, 0.3, 0.2, 0.4, 0.5, 0.3, 0.5, 0.6]);
});
