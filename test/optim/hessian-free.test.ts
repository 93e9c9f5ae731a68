/**
 * Hessian-free (Martens 2010): the Levenberg-Marquardt damping moves the way
 * the reduction ratio says, the truncated CG stops by the relative-progress
 * rule on the true quadratic model, one undamped converged step on a linear
 * least-squares problem is the least-squares solution, and the safeguards
 * (adaptive damping, line search) are what keeps the MLP from diverging.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { dot, norm2, type Vec } from '../../src/core/vec.js';
import { ggnMatrix } from '../../src/curvature/dense-curvature.js';
import { Cholesky } from '../../src/linalg/cholesky.js';
import { eigSymmetric } from '../../src/linalg/eigen-symmetric.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { addScaledIdentity, matmulNT, matvec } from '../../src/linalg/ops.js';
import { denseOperator } from '../../src/linalg/operators.js';
import { flattenWeights, initWeights, lossAndGradient, unflattenWeights } from '../../src/models/mlp.js';
import { adaptDamping, dampingRule, reductionRatio } from '../../src/optim/damping.js';
import type { ModelBatch } from '../../src/optim/extra.js';
import {
  hessianFreeCg,
  type HessianFreeState,
  progressWindow,
  relativeProgressReached,
  scaleByHessianFree,
  type ScaleByHessianFreeOptions,
} from '../../src/optim/hessian-free.js';
import { createOptimizer } from '../../src/optim/registry.js';
import { modelProblem, train } from '../../src/optim/train.js';
import { illConditionedRegression, mlpClassifier, type TestProblem } from './problems.js';

const batchOf = (p: TestProblem): ModelBatch => ({ spec: p.spec, inputs: p.inputs, targets: p.targets, rng: new Rng(1) });
const gradientAt = (p: TestProblem, params: Vec): { loss: number; gradient: Vec } =>
  lossAndGradient(p.spec, unflattenWeights(p.spec, params), p.inputs, p.targets);

/** One update of scaleByHessianFree from a fresh state, with the gradient optionally replaced. */
function oneStep(p: TestProblem, o: ScaleByHessianFreeOptions, params = p.params0, gradient?: Vec): { step: Vec; state: HessianFreeState } {
  const t = scaleByHessianFree(o);
  const g = gradient ?? gradientAt(p, params).gradient;
  const [step, state] = t.update(g, t.init(params), params, batchOf(p));
  return { step, state };
}

describe('Levenberg-Marquardt damping rule (damping.ts)', () => {
  const rule = dampingRule({ boost: 1.5, minDamping: 1e-6, maxDamping: 1e3 }, 1);

  test('λ·3/2 below ρ = 1/4 (and for NaN), λ·2/3 above 3/4, unchanged between, clamped', () => {
    expect(adaptDamping(1, 0.1, rule)).toBeCloseTo(1.5, 15);
    expect(adaptDamping(1, -2, rule)).toBeCloseTo(1.5, 15);
    expect(adaptDamping(1, Number.NaN, rule)).toBeCloseTo(1.5, 15);
    expect(adaptDamping(1, 0.9, rule)).toBeCloseTo(1 / 1.5, 15);
    expect(adaptDamping(1, 0.5, rule)).toBe(1);
    expect(adaptDamping(1e3, -1, rule)).toBe(1e3);
    expect(adaptDamping(1e-6, 1, rule)).toBe(1e-6);
  });

  test('ρ is actual over predicted change, NaN when the model predicts no decrease', () => {
    expect(reductionRatio(-1, -2)).toBe(0.5);
    expect(reductionRatio(1, -2)).toBe(-0.5);
    expect(reductionRatio(-1, 0)).toBeNaN();
    expect(reductionRatio(-1, 3)).toBeNaN();
    expect(reductionRatio(Number.POSITIVE_INFINITY, -1)).toBeNaN();
  });

  test('bad rules are NatgradErrors naming the option', () => {
    expect(() => dampingRule({ boost: 1 }, 1)).toThrow(/boost/);
    expect(() => dampingRule({ minDamping: 0 }, 1)).toThrow(NatgradError);
    expect(() => dampingRule({}, 1e9)).toThrow(/damping/);
  });
});

describe('damping of the optimizer follows the reduction ratio', () => {
  // On a linear Gaussian model the loss is exactly quadratic with Hessian G (the
  // GGN), so with the true gradient ρ = 1; with the gradient scaled by s the CG
  // step is s·n (n the damped Newton step) and ρ = (s - s²/2)/(s² - s²/2) = (2 - s)/s.
  const p = illConditionedRegression();
  const o: ScaleByHessianFreeOptions = { damping: 1e-6, cg: { rtol: 1e-12, maxIterations: 100 } };
  const g = gradientAt(p, p.params0).gradient;

  test('a good step (ρ = 1 on a quadratic) is taken in full and lowers λ by 2/3', () => {
    const { step, state } = oneStep(p, o);
    expect(state.ratio).toBeCloseTo(1, 6);
    expect(state.damping).toBeCloseTo(1e-6 / 1.5, 18);
    expect(state.stepScale).toBe(1);
    expect(norm2(step)).toBeGreaterThan(0);
  });

  test('a step that increases the loss (gradient of the wrong sign) is rejected and raises λ by 3/2', () => {
    const { step, state } = oneStep(
      p,
      o,
      p.params0,
      g.map((v) => -v),
    );
    expect(state.ratio).toBeLessThan(0);
    expect(state.damping).toBeCloseTo(1.5e-6, 18);
    expect(state.stepScale).toBe(0);
    expect(state.rejected).toBe(1);
    expect(Array.from(step)).toEqual(Array.from(new Float64Array(step.length)));
  });

  test('a poor but decreasing step (gradient × 1.8, ρ = 1/9) is accepted and still raises λ', () => {
    const { state } = oneStep(
      p,
      o,
      p.params0,
      g.map((v) => 1.8 * v),
    );
    expect(state.ratio).toBeCloseTo(0.2 / 1.8, 6);
    expect(state.damping).toBeCloseTo(1.5e-6, 18);
    expect(state.stepScale).toBe(1);
  });

  test('along an MLP run, every λ change has the sign the ratio asks for (random initial weights)', () => {
    const mlp = mlpClassifier();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (seed) => {
        const t = scaleByHessianFree({ damping: 1e-3 });
        let params = flattenWeights(initWeights(mlp.spec, new Rng(seed)));
        let s = t.init(params);
        for (let it = 0; it < 6; it++) {
          const [u, next] = t.update(gradientAt(mlp, params).gradient, s, params, batchOf(mlp));
          const expected = next.ratio >= 0.25 ? (next.ratio > 0.75 ? s.damping / 1.5 : s.damping) : s.damping * 1.5;
          if (Math.abs(next.damping - expected) > 1e-12 * expected) return false;
          params = params.map((v, i) => v - u[i]);
          s = next;
        }
        return true;
      }),
      { seed: 41, numRuns: 8 },
    );
  });
});

describe('the truncated CG stops by the relative-progress rule on the quadratic model', () => {
  /** A = L Lᵀ + 0.05 I, n in [15, 40], and g, from fast-check. */
  const spdSystem = fc
    .integer({ min: 15, max: 40 })
    .chain((n) =>
      fc.record({
        n: fc.constant(n),
        l: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: n * n, maxLength: n * n }),
        g: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
      }),
    )
    .map(({ n, l, g }) => {
      const L = new Matrix(n, n, Float64Array.from(l));
      return { A: addScaledIdentity(matmulNT(L, L), 0.05), g: Float64Array.from(g) };
    })
    .filter(({ g }) => norm2(g) > 1e-3);

  const phi = (A: Matrix, g: Vec, x: Vec): number => 0.5 * dot(x, matvec(A, x)) - dot(g, x);

  test('φ of the returned x is the tracked model value, and the rule first holds where CG stopped', () => {
    fc.assert(
      fc.property(spdSystem, ({ A, g }) => {
        const eps = 5e-3;
        const r = hessianFreeCg(denseOperator(A), g, { progressTolerance: eps, maxIterations: 200, rtol: 1e-14 });
        // the recursive residual drifts by O(n κ u) relative; φ is O(||g||²/λmin) in size
        const exact = phi(A, g, r.x);
        if (!(Math.abs(exact - r.model[r.iterations]) <= 1e-8 * Math.max(1, Math.abs(exact)))) return false;
        for (let i = 1; i < r.iterations; i++) if (relativeProgressReached(r.model, i, eps)) return false;
        if (r.reason === 'relative-progress') return relativeProgressReached(r.model, r.iterations, eps) && r.model[r.iterations] < 0;
        if (r.reason === 'residual') return norm2(g.map((v, i) => v - matvec(A, r.x)[i])) <= 1e-10 * norm2(g);
        return false;
      }),
      { seed: 7, numRuns: 25 },
    );
  });

  test('the rule can fail: not before the window, not while progress is large; it holds on a stalled trace', () => {
    const stalled = Array.from({ length: 30 }, (_, i) => -1 + 1e-9 / (i + 1));
    const improving = Array.from({ length: 30 }, (_, i) => -(i + 1));
    expect(progressWindow(5)).toBe(10);
    expect(progressWindow(250)).toBe(25);
    expect(relativeProgressReached(stalled, 10, 5e-4)).toBe(false);
    expect(relativeProgressReached(stalled, 11, 5e-4)).toBe(true);
    expect(relativeProgressReached(improving, 25, 5e-4)).toBe(false);
    expect(
      relativeProgressReached(
        stalled.map((v) => -v),
        20,
        5e-4,
      ),
    ).toBe(false);
  });

  /** Eight updates, checking each against the dense damped GGN model A = G + λ I at its θ. */
  const run8 = (
    mlp: TestProblem,
    o: ScaleByHessianFreeOptions,
    check: (A: Matrix, g: Vec, before: HessianFreeState, after: HessianFreeState) => void,
  ): void => {
    const t = scaleByHessianFree(o);
    let params = mlp.params0;
    let s = t.init(params);
    for (let it = 0; it < 8; it++) {
      const g = gradientAt(mlp, params).gradient;
      const [u, next] = t.update(g, s, params, batchOf(mlp));
      check(addScaledIdentity(ggnMatrix(mlp.spec, unflattenWeights(mlp.spec, params), mlp.inputs, mlp.targets), s.damping), g, s, next);
      params = params.map((v, i) => v - u[i]);
      s = next;
    }
  };

  test('the optimizer step d satisfies the rule on the damped GGN model of the MLP', () => {
    run8(mlpClassifier(), { damping: 1e-3, cg: { maxIterations: 200 } }, (A, g, _, next) => {
      const d = next.previous as Vec;
      expect(next.lastCg?.reason).toBe('relative-progress');
      expect(Math.abs(phi(A, g, d) - (next.lastCg?.model as number))).toBeLessThanOrEqual(1e-8 * Math.abs(phi(A, g, d)));
      expect(phi(A, g, d)).toBeLessThan(0);
    });
  });

  test('CG warm-starts from 0.95 d_prev exactly when that beats the zero start (φ(x₀) < 0); with decay 0 never', () => {
    // Heavily damped steps stop short (the new gradient is λ d_prev on a quadratic), so the
    // warm start pays on the regression problem; on the MLP the undamped steps overshoot
    // along d_prev and the rule must fall back to zero.
    let warm = 0;
    let cold = 0;
    const count = (A: Matrix, g: Vec, before: HessianFreeState, next: HessianFreeState): void => {
      const x0 = before.previous ? before.previous.map((v) => 0.95 * v) : null;
      expect(next.lastCg?.warmStarted).toBe(x0 !== null && phi(A, g, x0) < 0);
      if (next.lastCg?.warmStarted) warm++;
      else if (x0) cold++;
    };
    run8(illConditionedRegression(), { damping: 10, adaptDamping: false }, count);
    expect(warm).toBeGreaterThan(3); // 6 of the 7 later solves, measured
    run8(mlpClassifier(), { damping: 1e-3 }, count);
    expect(cold).toBeGreaterThan(0);
    const mlp = mlpClassifier();
    const never = scaleByHessianFree({ damping: 1e-3, cg: { warmStartDecay: 0 } });
    const g0 = gradientAt(mlp, mlp.params0).gradient;
    const [, s1] = never.update(g0, never.init(mlp.params0), mlp.params0, batchOf(mlp));
    expect(s1.previous).not.toBeNull();
    const [, s2] = never.update(g0, s1, mlp.params0, batchOf(mlp));
    expect(s2.lastCg?.warmStarted).toBe(false);
  });
});

describe('exactness on linear least squares', () => {
  test('with λ → 0 and CG to convergence, one step is the least-squares solution', () => {
    const p = illConditionedRegression();
    const lambda = 1e-12;
    const { step, state } = oneStep(p, { damping: lambda, minDamping: 1e-12, cg: { rtol: 1e-13, maxIterations: 100 } });
    const G = ggnMatrix(p.spec, unflattenWeights(p.spec, p.params0), p.inputs, p.targets);
    const g = gradientAt(p, p.params0).gradient;
    const theta = p.params0.map((v, i) => v - new Cholesky(G).solve(g)[i]);
    // scaleByHessianFree returns α d; the alias negates it, so the new parameters are θ₀ - step
    const after = p.params0.map((v, i) => v - step[i]);
    const ev = eigSymmetric(G).values;
    const kappa = Math.max(...ev) / Math.min(...ev);
    // relative error of the solve: κ (rtol + λ / λ_min), times 10 for rounding in the products
    const tol = 10 * kappa * (1e-13 + lambda / Math.min(...ev)) + 1e-12;
    expect(state.stepScale).toBe(1);
    expect(norm2(after.map((v, i) => v - theta[i]))).toBeLessThanOrEqual(tol * norm2(theta));
    // and the gradient there vanishes
    expect(norm2(gradientAt(p, after).gradient)).toBeLessThanOrEqual(tol * norm2(g) * kappa);
  });

  test('sensitivity: CG truncated after 2 iterations is not the least-squares solution', () => {
    const p = illConditionedRegression();
    const { step } = oneStep(p, { damping: 1e-12, minDamping: 1e-12, cg: { maxIterations: 2 } });
    const G = ggnMatrix(p.spec, unflattenWeights(p.spec, p.params0), p.inputs, p.targets);
    const newtonStep = new Cholesky(G).solve(gradientAt(p, p.params0).gradient);
    expect(norm2(step.map((v, i) => v - newtonStep[i]))).toBeGreaterThan(1e-3 * norm2(newtonStep));
  });
});

describe('safeguards on the MLP', () => {
  const p = mlpClassifier();
  const run = (options: Record<string, unknown>, iterations: number) => {
    const { objective, extra } = modelProblem(p.spec, p.inputs, p.targets, 7);
    return train(createOptimizer('hessian-free', options), p.params0, { objective, extra, maxIterations: iterations });
  };

  test('with the line search the training loss never increases', () => {
    const r = run({}, 20);
    const losses = r.history.map((h) => h.loss);
    for (let i = 1; i < losses.length; i++) expect(losses[i]).toBeLessThanOrEqual(losses[i - 1]);
    expect(r.finalLoss).toBeLessThan(0.2);
  });

  test('sensitivity: fixed damping 1e-3 without a line search (the former registry entry) diverges', () => {
    const r = run({ adaptDamping: false, lineSearch: false }, 20);
    const losses = r.history.map((h) => h.loss);
    expect(losses.some((v, i) => i > 0 && !(v <= losses[i - 1]))).toBe(true);
    expect(r.finalLoss > losses[0] || !Number.isFinite(r.finalLoss)).toBe(true);
  });

  test('options are validated with NatgradErrors naming the path', () => {
    expect(() => createOptimizer('hessian-free', { lr: 0.5 })).toThrow(/lr/);
    expect(() => scaleByHessianFree({ curvature: 'bogus' as never })).toThrow(/curvature/);
    expect(() => scaleByHessianFree({ cg: { progressTolerance: 0 } })).toThrow(/cg.progressTolerance/);
    expect(() => scaleByHessianFree({ lineSearch: { shrink: 1 } })).toThrow(/lineSearch.shrink/);
    expect(() => scaleByHessianFree({ damping: 0 })).toThrow(NatgradError);
  });
});
