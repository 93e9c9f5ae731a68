import { describe, expect, test } from 'vitest';
import { biasCorrection, emaMoment, scaleByBiasCorrectedMoments, scaleByRootSecondMoment, updateMoment } from '../../src/optim/moments.js';
import type { Vec } from '../../src/core/vec.js';
import { thrownLine } from '../natgrad-error.js';

const v = (...xs: number[]) => Float64Array.from(xs);

describe('moments of the gradient', () => {
  test('updateMoment: decay · m + weight · x^order, by hand', () => {
    expect(Array.from(updateMoment(v(1, 2), v(3, -4), 0.5, 0.25, 1))).toEqual([0.5 + 0.75, 1 - 1]);
    expect(Array.from(updateMoment(v(1, 2), v(3, -4), 0.5, 0.25, 2))).toEqual([0.5 + 2.25, 1 + 4]);
    // a running sum (AdaGrad) and a trace (momentum) are the same update with weight 1
    expect(Array.from(updateMoment(v(1), v(3), 1, 1, 2))).toEqual([10]);
    expect(Array.from(updateMoment(v(1), v(3), 0.9, 1, 1))).toEqual([0.9 + 3]);
  });
  test('an EMA of a constant x started at 0, divided by its bias correction, is x at every step', () => {
    let m: Vec = v(0);
    for (let t = 1; t <= 5; t++) {
      m = emaMoment(m, v(2), 0.8, 1);
      expect(m[0] / biasCorrection(0.8, t)).toBeCloseTo(2, 14);
    }
    expect(biasCorrection(0.8, 1)).toBeCloseTo(0.2, 15);
  });
  test('bias-corrected moments: the first step is g / (root(|g|²) + ε)', () => {
    const t = scaleByBiasCorrectedMoments({ b1: 0.9, b2: 0.99, eps: 1e-3, root: Math.sqrt });
    const [out, s] = t.update(v(2, -0.5), t.init(v(0, 0)), v(0, 0), undefined);
    expect(out[0]).toBeCloseTo(2 / (2 + 1e-3), 14);
    expect(out[1]).toBeCloseTo(-0.5 / (0.5 + 1e-3), 14);
    expect(s.count).toBe(1);
  });
  test('the second moment may be of another vector (AdaHessian: the Hessian diagonal)', () => {
    const t = scaleByBiasCorrectedMoments<number>({
      b1: 0.9,
      b2: 0.99,
      eps: 1e-12,
      root: Math.sqrt,
      secondMomentOf: (g, _p, scale) => g.map((x) => scale * x),
    });
    const [out] = t.update(v(2), t.init(v(0)), v(0), 4);
    expect(out[0]).toBeCloseTo(2 / 8, 12);
  });
  test('decays are checked by requireDecay, ε by requirePositive', () => {
    expect(thrownLine(() => scaleByBiasCorrectedMoments({ b1: 1, b2: 0.9, eps: 1e-8, root: Math.sqrt }))).toBe('b1: must be a number in [0, 1), got 1');
    expect(thrownLine(() => scaleByBiasCorrectedMoments({ b1: 0.9, b2: -0.1, eps: 1e-8, root: Math.sqrt }))).toBe('b2: must be a number in [0, 1), got -0.1');
    expect(thrownLine(() => scaleByBiasCorrectedMoments({ b1: 0.9, b2: 0.9, eps: 0, root: Math.sqrt }))).toMatch(/^eps: /);
  });
  test('root of the second moment: g / (sqrt(initial + weight g²) + ε) on the first step', () => {
    const t = scaleByRootSecondMoment({ decay: 1, weight: 1, initial: 0.1, eps: 0 });
    const [out] = t.update(v(3), t.init(v(0)), v(0), undefined);
    expect(out[0]).toBeCloseTo(3 / Math.sqrt(9.1), 15);
  });
});
