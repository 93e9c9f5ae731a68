/**
 * Ridders' tableau inside the finite differences: where it stops, how many
 * evaluations it spends, how tight its error estimate is, and that the
 * components of a Jacobian keep their own tableaux.
 */
import { describe, expect, test } from 'vitest';
import { vec, type Vec } from '../../src/core/vec.js';
import { centralDifference, derivativeFD, gradientFD, hessianFD, jacobianFD } from '../../src/numeric/finite-differences.js';
import { thrownLine } from '../natgrad-error.js';

/** f with a counter of its evaluations. */
function counted(f: (t: number) => number): { f: (t: number) => number; calls: () => number } {
  let calls = 0;
  return { f: (t) => (calls++, f(t)), calls: () => calls };
}

describe("Ridders' tableau", () => {
  test('stops once round-off dominates: without a round-off floor (noise 0) and a small step, before its 12 rows', () => {
    const exp = counted(Math.exp);
    const r = derivativeFD(exp.f, 0.5, { h: 1e-3, noise: 0 });
    // two evaluations per row; 12 rows would be 24
    expect(exp.calls()).toBeLessThan(24);
    expect(Math.abs(r.value - Math.exp(0.5))).toBeLessThanOrEqual(r.error);
    expect(r.error).toBeLessThan(1e-13);
  });

  test('never more than 12 rows: an odd linear function at 0, whose differences are exactly 2 in every row, uses all of them', () => {
    const line = counted((t) => 2 * t);
    const r = derivativeFD(line.f, 0);
    expect(line.calls()).toBe(24);
    expect(r.value).toBe(2);
  });

  test('a gradient spends at most one tableau (24 evaluations) per coordinate', () => {
    // an odd linear function at 0 with power-of-two coefficients: every difference quotient is exact, so every row of each tableau is used
    let calls = 0;
    const r = gradientFD((x) => (calls++, 2 * x[0] - 4 * x[1] + 0.5 * x[2]), vec([0, 0, 0]));
    expect(calls).toBe(3 * 24);
    expect([...r.value]).toEqual([2, -4, 0.5]);
  });

  test('the error estimate is tight: the extrapolated derivative of exp at 0.5 is good to about 1e-13', () => {
    // the first column alone, (f(t+h) - f(t-h)) / 2h at h = 0.1, is off by h² e^t / 6 = 2.7e-3
    const r = derivativeFD(Math.exp, 0.5);
    expect(Math.abs(r.value - Math.exp(0.5))).toBeLessThanOrEqual(r.error);
    expect(r.error).toBeLessThan(1e-12);
    const s = derivativeFD((t) => Math.sin(3 * t), 0.2);
    expect(Math.abs(s.value - 3 * Math.cos(0.6))).toBeLessThanOrEqual(s.error);
    expect(s.error).toBeLessThan(1e-12);
  });

  test('the estimate is the entry with the smallest error: its error is no larger than any later row would give', () => {
    // with the tableau stopped after fewer rows, the error can only be the same or larger
    const full = derivativeFD(Math.exp, 0.5, { noise: 0, h: 0.1 });
    const coarse = derivativeFD(Math.exp, 0.5, { noise: 0, h: 0.1 * 1.4 ** 4 });
    expect(full.error).toBeLessThan(1e-13);
    expect(Math.abs(full.value - Math.exp(0.5))).toBeLessThanOrEqual(full.error);
    expect(Math.abs(coarse.value - Math.exp(0.5))).toBeLessThanOrEqual(coarse.error);
  });

  test("the round-off floor of a Hessian entry: 4 noise times the sum of |f| over the stencil, over the difference's denominator", () => {
    // f = 2 everywhere: every quotient is 0, so the error is the floor of the first extrapolated row, h = 0.1 / 1.4
    const noise = 1e-3;
    const r = hessianFD(() => 2, vec([0.3, -0.2]), { noise, h: 0.1 });
    const h = 0.1 / 1.4;
    // diagonal: (|f(x+h)| + 2|f(x)| + |f(x-h)|) / h²; off the diagonal: four values over 4 h_i h_j
    expect(r.error.get(0, 0) / ((4 * noise * 8) / (h * h))).toBeCloseTo(1, 12);
    expect(r.error.get(1, 1) / ((4 * noise * 8) / (h * h))).toBeCloseTo(1, 12);
    expect(r.error.get(0, 1) / ((4 * noise * 8) / (4 * h * h))).toBeCloseTo(1, 12);
    expect(r.value.get(0, 1)).toBe(0);
  });

  test('each output of a Jacobian keeps its own tableau and stops on its own: the same numbers as one derivative at a time', () => {
    const parts: ((t: number) => number)[] = [Math.exp, (t) => Math.sin(3 * t), (t) => 2 * t, (t) => t * t, (t) => Math.log(1 + t)];
    const g = (x: Vec): Vec => vec(parts.map((p) => p(x[0])));
    for (const opts of [{}, { h: 1e-3, noise: 0 }, { h: 1e-4, noise: 0 }]) {
      const J = jacobianFD(g, vec([0.5]), opts);
      parts.forEach((p, k) => {
        const r = derivativeFD(p, 0.5, opts);
        expect(J.value.get(k, 0), `output ${k}, ${JSON.stringify(opts)}`).toBe(r.value);
        expect(J.error.get(k, 0), `output ${k}, ${JSON.stringify(opts)}`).toBe(r.error);
      });
    }
  });
});

describe('steps', () => {
  test('the default first step is 0.1 max(1, |t|): the first two evaluations are at t +- that step', () => {
    for (const [t, h] of [
      [0.5, 0.1],
      [-20, 2],
      [300, 30],
    ]) {
      const at: number[] = [];
      derivativeFD((x) => (at.push(x), Math.exp(x / 1000)), t);
      expect(at[0]).toBe(t + h);
      expect(at[1]).toBe(t - h);
    }
    const seen: number[][] = [];
    gradientFD((x) => (seen.push([...x]), x[0] * x[1]), vec([-20, 0.5]));
    expect(seen[0]).toEqual([-20 + 2, 0.5]);
    expect(seen[1]).toEqual([-20 - 2, 0.5]);
  });

  test('per-coordinate steps: h and maxStep given as arrays, the smaller of the two per coordinate', () => {
    const seen: number[][] = [];
    gradientFD((x) => (seen.push([...x]), x[0] + x[1]), vec([1, 2]), { h: [0.5, 0.25], maxStep: [1, 0.125] });
    expect(seen[0]).toEqual([1.5, 2]);
    const second = seen.findIndex((x) => x[1] !== 2);
    expect(seen[second]).toEqual([1, 2.125]);
  });
});

describe('bad input', () => {
  test('per-coordinate options of the wrong length, steps that are not finite and > 0, and a non-finite point are refused by name', () => {
    const f = (x: Vec): number => x[0] * x[1];
    expect(thrownLine(() => gradientFD(f, vec([1, 2]), { h: [0.1] }))).toBe('options.h: must have one entry per coordinate (2), got 1');
    expect(thrownLine(() => hessianFD(f, vec([1, 2]), { maxStep: [0.1, 0.1, 0.1] }))).toBe('options.maxStep: must have one entry per coordinate (2), got 3');
    expect(thrownLine(() => gradientFD(f, vec([1, 2]), { h: [0.1, 0] }))).toBe('options.h[1]: must be a finite number > 0 (a step), got 0');
    expect(thrownLine(() => gradientFD(f, vec([1, 2]), { maxStep: Number.POSITIVE_INFINITY }))).toBe(
      'options.maxStep: must be a finite number > 0 (a step), got Infinity',
    );
    expect(thrownLine(() => jacobianFD((x) => x, vec([1, Number.NaN])))).toBe('theta[1]: must be a finite number, got NaN');
  });

  test('a negative or NaN noise is refused by name', () => {
    for (const noise of [-1e-16, Number.NaN]) {
      expect(thrownLine(() => derivativeFD(Math.exp, 0, { noise }))).toBe(`options.noise: must be a finite number >= 0, got ${noise}`);
    }
    expect(derivativeFD(Math.exp, 0, { noise: 0 }).value).toBeCloseTo(1, 12);
  });

  test('a Jacobian whose function changes its number of outputs is refused, naming both counts', () => {
    let calls = 0;
    const g = (x: Vec): Vec => vec(++calls === 1 ? [x[0], x[0]] : [x[0], x[0], x[0]]);
    expect(thrownLine(() => jacobianFD(g, vec([0.5])))).toBe('f: returned 3 and 3 outputs, expected 2 every time');
    // calls: f(theta) for the count, then f(theta + h e_0) and f(theta - h e_0)
    for (const [wrongCall, counts] of [
      [2, '3 and 2'],
      [3, '2 and 3'],
    ] as const) {
      let n = 0;
      const h = (x: Vec): Vec => vec(++n === wrongCall ? [x[0], x[0], x[0]] : [x[0], x[0]]);
      expect(thrownLine(() => jacobianFD(h, vec([0.5])))).toBe(`f: returned ${counts} outputs, expected 2 every time`);
    }
  });
});

describe('centralDifference: the round-off term of its bound', () => {
  test('2 noise max|f| / h, with max|f| over the whole vector and raised to `magnitude`', () => {
    // exact differences (dyadic steps and values): the truncation term |D(h) - D(h/2)| is 0, the bound is the round-off term
    const f = (t: number): number[] => [1e6 + 2 * t, t];
    const r = centralDifference(f, 0.5, { noise: 1e-10 });
    expect([...r.value]).toEqual([2, 1]);
    const roundOff = (2 * 1e-10 * (1e6 + 1)) / 0.5;
    expect(r.bound[0] / roundOff).toBeCloseTo(1, 14);
    expect(r.bound[1] / roundOff).toBeCloseTo(1, 14);
    const raised = centralDifference(f, 0.5, { noise: 1e-10, magnitude: 1e9 });
    expect(raised.bound[1] / ((2 * 1e-10 * 1e9) / 0.5)).toBeCloseTo(1, 14);
    // a magnitude below the values changes nothing
    expect(centralDifference(f, 0.5, { noise: 1e-10, magnitude: 1 }).bound[1]).toBe(r.bound[1]);
  });
});
