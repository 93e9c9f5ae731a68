import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { sgd } from '../../src/optim/sgd.js';
import { train } from '../../src/optim/train.js';

/** L(θ) = ½ Σ c_i θ_i², gradient c ⊙ θ. */
const quadratic = (c: number[]) => (theta: Float64Array) => ({
  loss: 0.5 * theta.reduce((a, t, i) => a + c[i] * t * t, 0),
  gradient: theta.map((t, i) => c[i] * t),
});

describe('train()', () => {
  const objective = quadratic([1, 2]);
  const x0 = Float64Array.of(1, 1);

  test('max iterations: exactly that many updates, history has one record per evaluation', () => {
    const r = train(sgd({ lr: 0.1 }), x0, { objective, maxIterations: 5 });
    expect(r.stopReason).toBe('max-iterations');
    expect(r.iterations).toBe(5);
    expect(r.history.map((h) => h.iteration)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(r.params[0]).toBeCloseTo(0.9 ** 5, 14);
    expect(r.params[1]).toBeCloseTo(0.8 ** 5, 14);
    expect(r.reachedTarget).toBeNull();
  });

  test('target loss: stops at the first evaluation at or below it and records when', () => {
    const r = train(sgd({ lr: 0.1 }), x0, { objective, targetLoss: 0.5, maxIterations: 100 });
    expect(r.stopReason).toBe('target-loss');
    const k = r.history.findIndex((h) => h.loss <= 0.5);
    expect(r.iterations).toBe(k);
    expect(r.reachedTarget?.iteration).toBe(k);
    expect(r.history[k - 1].loss).toBeGreaterThan(0.5);
  });

  test('gradient tolerance', () => {
    const r = train(sgd({ lr: 0.4 }), x0, { objective, gradientTolerance: 1e-6, maxIterations: 1000 });
    expect(r.stopReason).toBe('gradient-tolerance');
    expect(r.history.at(-1)?.gradientNorm).toBeLessThanOrEqual(1e-6);
  });

  test('time budget, with an injected clock (10 ms per reading)', () => {
    let t = 0;
    const r = train(sgd({ lr: 0.1 }), x0, { objective, timeBudgetMs: 45, clock: () => (t += 10) });
    expect(r.stopReason).toBe('time-budget');
    expect(r.history.at(-1)?.timeMs).toBeGreaterThanOrEqual(45);
    expect(r.history.at(-2)?.timeMs).toBeLessThan(45);
  });

  test('a callback can stop the run', () => {
    expect(train(sgd({ lr: 0.1 }), x0, { objective, onIteration: (rec) => rec.iteration === 3 }).iterations).toBe(3);
  });

  test("a diverging run throws a NatgradError naming the iteration, or stops as non-finite with onNonFinite: 'stop'", () => {
    expect(() => train(sgd({ lr: 10 }), x0, { objective, maxIterations: 10_000 })).toThrow(
      /^loss: is Infinity at iteration \d+ \(the loss was .* at iteration \d+\); the run diverged/,
    );
    const r = train(sgd({ lr: 10 }), x0, { objective, maxIterations: 10_000, onNonFinite: 'stop' });
    expect(r.stopReason).toBe('non-finite');
    expect(Number.isFinite(r.finalLoss)).toBe(false);
  });

  test('bad options name their path', () => {
    expect(() => train(sgd({ lr: 0.1 }), x0, { objective, maxIterations: -1 })).toThrow(NatgradError);
    expect(() => train(sgd({ lr: 0.1 }), x0, { objective, timeBudgetMs: 0 })).toThrow(/timeBudgetMs/);
  });
});
