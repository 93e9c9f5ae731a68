import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { vec, type Vec } from '../../src/core/vec.js';
import { centralDifference, derivativeFD, gradientFD, hessianFD, jacobianFD } from '../../src/numeric/finite-differences.js';

/** Functions with known derivatives, each on a domain given by its left boundary. */
interface Known {
  name: string;
  f: (t: number) => number;
  df: (t: number) => number;
  /** points are drawn from (lo, lo + 4]; lo = -Infinity means the real line around 0 */
  lo: number;
}
const KNOWN: Known[] = [
  { name: 'exp', f: Math.exp, df: Math.exp, lo: -Infinity },
  { name: 'sin(3t)', f: (t) => Math.sin(3 * t), df: (t) => 3 * Math.cos(3 * t), lo: -Infinity },
  { name: 'atan', f: Math.atan, df: (t) => 1 / (1 + t * t), lo: -Infinity },
  { name: 'log', f: Math.log, df: (t) => 1 / t, lo: 0 },
  { name: 't^3.5', f: (t) => t ** 3.5, df: (t) => 3.5 * t ** 2.5, lo: 0 },
  { name: '1/(1+t^2)', f: (t) => 1 / (1 + t * t), df: (t) => (-2 * t) / (1 + t * t) ** 2, lo: -Infinity },
  { name: 'sqrt', f: Math.sqrt, df: (t) => 0.5 / Math.sqrt(t), lo: 0 },
];

const point = (k: Known, u: number): number => (k.lo === -Infinity ? -2 + 4 * u : k.lo + 1e-3 + 4 * u);
/** The domain constraint callers use: half the distance to the boundary. */
const maxStepFor = (k: Known, t: number): number | undefined => (k.lo === -Infinity ? undefined : 0.5 * (t - k.lo));

describe('derivativeFD', () => {
  test.each(KNOWN.map((k) => [k.name, k] as const))('%s: the error estimate bounds the true error', (_name, k) => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (u) => {
        const t = point(k, u);
        const r = derivativeFD(k.f, t, { maxStep: maxStepFor(k, t) });
        const exact = k.df(t);
        // honest, and informative: Ridders reaches about 1e-10 relative or better on smooth functions
        return Math.abs(r.value - exact) <= r.error && r.error <= 1e-8 * (1 + Math.abs(exact));
      }),
      { seed: 31, numRuns: 60 },
    );
  });

  test('sensitivity: a derivative off by one part in 1e7 is outside the bound', () => {
    const r = derivativeFD(Math.exp, 0.7);
    expect(Math.abs(r.value - Math.exp(0.7) * (1 + 1e-7))).toBeGreaterThan(r.error);
  });

  test('never evaluates outside t +- maxStep', () => {
    let farthest = 0;
    const t = 1e-3;
    const r = derivativeFD(
      (x) => {
        farthest = Math.max(farthest, Math.abs(x - t));
        if (x <= 0) throw new Error('outside the domain');
        return Math.log(x);
      },
      t,
      { maxStep: 0.5 * t },
    );
    expect(farthest).toBeLessThanOrEqual(0.5 * t * (1 + Number.EPSILON));
    expect(Math.abs(r.value - 1 / t)).toBeLessThanOrEqual(r.error);
  });

  test('a linear function: the round-off floor keeps the bound honest', () => {
    const r = derivativeFD((x) => 3 * x + 1e8, 0.3);
    expect(Math.abs(r.value - 3)).toBeLessThanOrEqual(r.error);
  });

  test('bad options', () => {
    expect(() => derivativeFD(Math.exp, 0, { h: 0 })).toThrow(NatgradError);
    expect(() => derivativeFD(Math.exp, 0, { maxStep: -1 })).toThrow(NatgradError);
    expect(() => derivativeFD(Math.exp, NaN)).toThrow(NatgradError);
  });
});

// Rosenbrock-like test function on R^3 with log terms (domain: theta_2 > 0), known derivatives.
const f3 = (x: Vec): number => (1 - x[0]) ** 2 + 10 * (x[1] - x[0] ** 2) ** 2 + x[0] * Math.log(x[2]) + Math.sin(x[1] * x[2]);
const grad3 = (x: Vec): number[] => [
  -2 * (1 - x[0]) - 40 * x[0] * (x[1] - x[0] ** 2) + Math.log(x[2]),
  20 * (x[1] - x[0] ** 2) + x[2] * Math.cos(x[1] * x[2]),
  x[0] / x[2] + x[1] * Math.cos(x[1] * x[2]),
];
const hess3 = (x: Vec): number[][] => {
  const c = Math.cos(x[1] * x[2]);
  const s = Math.sin(x[1] * x[2]);
  return [
    [2 - 40 * (x[1] - x[0] ** 2) + 80 * x[0] ** 2, -40 * x[0], 1 / x[2]],
    [-40 * x[0], 20 - x[2] * x[2] * s, c - x[1] * x[2] * s],
    [1 / x[2], c - x[1] * x[2] * s, -x[0] / x[2] ** 2 - x[1] * x[1] * s],
  ];
};
const theta3 = fc
  .tuple(fc.double({ min: -1.5, max: 1.5, noNaN: true }), fc.double({ min: -1.5, max: 1.5, noNaN: true }), fc.double({ min: 0.05, max: 3, noNaN: true }))
  .map((t) => vec(t));
const steps3 = (x: Vec): number[] => [0.1, 0.1, 0.5 * x[2]];

describe('gradientFD, hessianFD, jacobianFD', () => {
  test('gradient within its bound', () => {
    fc.assert(
      fc.property(theta3, (x) => {
        const r = gradientFD(f3, x, { maxStep: steps3(x) });
        const g = grad3(x);
        return g.every((gi, i) => Math.abs(r.value[i] - gi) <= r.error[i] && r.error[i] <= 1e-7 * (1 + Math.abs(gi)));
      }),
      { seed: 41, numRuns: 40 },
    );
  });

  test('Hessian within its bound, and exactly symmetric', () => {
    fc.assert(
      fc.property(theta3, (x) => {
        const r = hessianFD(f3, x, { maxStep: steps3(x) });
        const h = hess3(x);
        for (let i = 0; i < 3; i++) {
          for (let j = 0; j < 3; j++) {
            if (r.value.get(i, j) !== r.value.get(j, i)) return false;
            if (!(Math.abs(r.value.get(i, j) - h[i][j]) <= r.error.get(i, j))) return false;
            if (!(r.error.get(i, j) <= 1e-5 * (1 + Math.abs(h[i][j])))) return false;
          }
        }
        return true;
      }),
      { seed: 42, numRuns: 30 },
    );
  });

  test('sensitivity: the Hessian check rejects a wrong mixed partial', () => {
    const x = vec([0.3, -0.4, 1.2]);
    const r = hessianFD(f3, x, { maxStep: steps3(x) });
    const wrong = hess3(x)[0][2] + 1e-4;
    expect(Math.abs(r.value.get(0, 2) - wrong)).toBeGreaterThan(r.error.get(0, 2));
  });

  test('Jacobian of a map R^2 -> R^3 (rows = outputs)', () => {
    const g = (x: Vec): Vec => vec([x[0] * x[1], Math.exp(x[0]) - x[1] ** 3, Math.log(x[1])]);
    const jac = (x: Vec): number[][] => [
      [x[1], x[0]],
      [Math.exp(x[0]), -3 * x[1] ** 2],
      [0, 1 / x[1]],
    ];
    fc.assert(
      fc.property(fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: 0.01, max: 3, noNaN: true }), (a, b) => {
        const x = vec([a, b]);
        const r = jacobianFD(g, x, { maxStep: [1, 0.5 * b] });
        const J = jac(x);
        if (r.value.rows !== 3 || r.value.cols !== 2) return false;
        return J.every((row, i) => row.every((v, j) => Math.abs(r.value.get(i, j) - v) <= r.error.get(i, j)));
      }),
      { seed: 43, numRuns: 40 },
    );
  });

  test('per-coordinate options must match the dimension', () => {
    expect(() => gradientFD(f3, vec([0, 0, 1]), { maxStep: [0.1, 0.1] })).toThrow(NatgradError);
  });
});

describe('centralDifference: a two-step central difference with its derived bound', () => {
  test('the bound covers the true error along any point, and is O(h²) plus round-off', () => {
    fc.assert(
      fc.property(fc.double({ min: -3, max: 3, noNaN: true }), fc.constantFrom(1e-2, 1e-3, 1e-4), (t0, h) => {
        const f = (t: number): number[] => [Math.sin(3 * (t0 + t)), Math.exp(t0 + t), (t0 + t) ** 3];
        const exact = [3 * Math.cos(3 * t0), Math.exp(t0), 3 * t0 * t0];
        const { value, bound } = centralDifference(f, h);
        for (let i = 0; i < 3; i++) {
          expect(Math.abs(value[i] - exact[i])).toBeLessThanOrEqual(bound[i]);
          // truncation (h/2)² f'''/6 with |f'''| <= 27 e^3, times the safety factor 3 of the bound, plus 64 ε max|f| / h
          expect(bound[i]).toBeLessThanOrEqual(3 * 2 * ((h * h) / 4 / 6) * 27 * Math.exp(3) + (64 * 2 ** -52 * 30) / h);
        }
      }),
      { seed: 20261207, numRuns: 60 },
    );
  });

  test('sensitivity: a derivative off by 0.1% is outside the bound at h = 1e-4', () => {
    const { value, bound } = centralDifference((t) => [Math.exp(0.5 + t)], 1e-4);
    expect(Math.abs(value[0] - Math.exp(0.5))).toBeLessThanOrEqual(bound[0]);
    expect(Math.abs(value[0] - 1.001 * Math.exp(0.5))).toBeGreaterThan(bound[0]);
  });

  test('a step that is not a finite positive number is refused by name', () => {
    expect(() => centralDifference((t) => [t], 0)).toThrow(NatgradError);
    expect(() => centralDifference((t) => [t], Number.NaN)).toThrow(/h: must be a finite number > 0 \(the step\)/);
  });
});
