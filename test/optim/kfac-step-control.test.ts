/**
 * The pieces of K-FAC's step control (curvature-step.ts) one at a time: the
 * Levenberg-Marquardt schedule moves λ the way ρ says, the quadratic-model
 * rescaling is the exact minimizer of the model (closed form on a dense
 * problem), the KL clip bounds the step, switching everything off gives the
 * plain preconditioned-gradient step, and unknown options are refused.
 */
import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { dot, type Vec } from '../../src/core/vec.js';
import { gaussNewtonForms } from '../../src/curvature/curvature-products.js';
import { fisherMatrix } from '../../src/curvature/dense-curvature.js';
import type { Matrix } from '../../src/linalg/matrix.js';
import { matvec } from '../../src/linalg/ops.js';
import { flattenWeights, lossAndGradient, type MlpSpec, unflattenWeights } from '../../src/models/mlp.js';
import { scaleByLearningRate } from '../../src/optim/common.js';
import { type CurvatureStepState, curvatureStep, type DampedPreconditioner } from '../../src/optim/curvature-step.js';
import { adaptationDue, adaptDamping, dampingSchedule } from '../../src/optim/damping.js';
import { ekfac, type EkfacState } from '../../src/optim/ekfac.js';
import type { ModelBatch } from '../../src/optim/extra.js';
import { kfac, type KfacState, scaleByKfac } from '../../src/optim/kfac.js';
import { klClipFactor } from '../../src/optim/kl-clip.js';
import { formsFromProduct, minimizeModel, modelChange, quadraticModel } from '../../src/optim/quadratic-model.js';
import { createOptimizer } from '../../src/optim/registry.js';
import { chain, type Transform } from '../../src/optim/transform.js';
import { randomProblem, type Problem } from '../models/fixtures.js';

const batchOf = (p: Problem): ModelBatch => ({ spec: p.spec, inputs: p.inputs, targets: p.targets, rng: new Rng(1) });
const gradOf = (p: Problem): Vec => lossAndGradient(p.spec, p.weights, p.inputs, p.targets).gradient;
const maxAbs = (a: Vec): number => Math.max(...a.map(Math.abs));
const maxDiff = (a: Vec, b: Vec): number => Math.max(...a.map((v, i) => Math.abs(v - b[i])));

/** The dense damped model q(δ) - q(0) = gᵀδ + ½ δᵀ (F + λ I) δ. */
function denseModel(F: Matrix, g: Vec, lambda: number, d: Vec): number {
  const Fd = matvec(F, d);
  return dot(g, d) + 0.5 * (dot(d, Fd) + lambda * dot(d, d));
}

describe('Levenberg-Marquardt schedule (Martens and Grosse 2015, section 6.5)', () => {
  const lambda = 0.1;
  const s = dampingSchedule({}, lambda);
  const omega1 = (19 / 20) ** 5;

  test('defaults: T1 = 5, ω1 = (19/20)^5; λ/ω1 for ρ < 1/4 (and NaN), ω1 λ for ρ > 3/4, unchanged between', () => {
    expect(s.every).toBe(5);
    expect(adaptDamping(lambda, 0.1, s.rule)).toBeCloseTo(lambda / omega1, 14);
    expect(adaptDamping(lambda, -3, s.rule)).toBeCloseTo(lambda / omega1, 14);
    expect(adaptDamping(lambda, Number.NaN, s.rule)).toBeCloseTo(lambda / omega1, 14);
    expect(adaptDamping(lambda, 0.9, s.rule)).toBeCloseTo(lambda * omega1, 14);
    expect(adaptDamping(lambda, 0.5, s.rule)).toBe(lambda);
    expect(adaptDamping(lambda, 0.25, s.rule)).toBe(lambda);
    expect(adaptDamping(lambda, 0.75, s.rule)).toBe(lambda);
  });

  test('ρ is measured on the steps k = T1, 2 T1, ... (0-based count T1 - 1, 2 T1 - 1, ...)', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((k) => adaptationDue(s, k))).toEqual([false, false, false, false, true, false, true]);
    const s1 = dampingSchedule({ every: 1, decay: 0.5 }, lambda);
    expect(adaptDamping(lambda, 0.9, s1.rule)).toBeCloseTo(lambda * 0.5, 14);
  });

  describe('in the optimizer: λ after the first T1 steps', () => {
    const p = randomProblem(1401, { sizes: [2, 4, 3], activations: ['tanh', 'identity'], likelihood: 'categorical', N: 12 });
    const params0 = flattenWeights(p.weights);
    function dampingAfter(steps: number, lr: number): { damping: number; ratio: number } {
      const t = kfac({ lr, damping: lambda, rescale: 'none', klClip: null });
      let state = t.init(params0);
      let params = params0;
      for (let k = 0; k < steps; k++) {
        const g = lossAndGradient(p.spec, unflattenWeights(p.spec, params), p.inputs, p.targets).gradient;
        const [step, next] = t.update(g, state, params, batchOf(p));
        state = next;
        params = params.map((v, i) => v + step[i]);
      }
      return { damping: state.damping, ratio: state.last!.ratio };
    }
    test('tiny steps (lr 1e-4): the model is accurate, ρ > 3/4, λ shrinks by ω1 at step 5 and not before', () => {
      expect(dampingAfter(4, 1e-4).damping).toBe(lambda);
      const r = dampingAfter(5, 1e-4);
      expect(r.ratio).toBeGreaterThan(0.75);
      expect(r.damping).toBeCloseTo(lambda * omega1, 14);
    });
    test('huge steps (lr 30): the loss rises, ρ < 1/4, λ grows by 1/ω1', () => {
      const r = dampingAfter(5, 30);
      expect(r.ratio).toBeLessThan(0.25);
      expect(r.damping).toBeCloseTo(lambda / omega1, 14);
    });
    test('sensitivity: with adaptiveDamping false λ stays put', () => {
      const t = kfac({ lr: 30, damping: lambda, rescale: 'none', klClip: null, adaptiveDamping: false });
      let state = t.init(params0);
      for (let k = 0; k < 5; k++) state = t.update(gradOf(p), state, params0, batchOf(p))[1];
      expect(state.damping).toBe(lambda);
    });
  });
});

describe('quadratic-model rescaling is the exact minimizer of the model (sections 6.4 and 7)', () => {
  const p = randomProblem(1402, { sizes: [3, 4, 3], activations: ['tanh', 'identity'], likelihood: 'categorical', N: 9 });
  const F = fisherMatrix(p.spec, p.weights, p.inputs);
  const g = gradOf(p);
  const params = flattenWeights(p.weights);
  const lambda = 0.05;
  const rng = new Rng(7);
  const P = params.length;
  const Delta = Float64Array.from({ length: P }, () => rng.normal());
  const prev = Float64Array.from({ length: P }, () => rng.normal());
  const forms = (V: readonly Vec[]) => gaussNewtonForms(p.spec, p.weights, p.inputs, p.targets, 'fisher', V);

  test('the forward-mode forms vᵢᵀ F vⱼ equal those of the dense Fisher', () => {
    const K = forms([Delta, prev]);
    const dense = [Delta, prev].map((a) => [Delta, prev].map((b) => dot(a, matvec(F, b))));
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) expect(K[i][j]).toBeCloseTo(dense[i][j], 12);
    // and equal the product-based forms
    const viaProduct = formsFromProduct((v) => matvec(F, v))([Delta, prev]);
    expect(maxDiff(Float64Array.from(K.flat()), Float64Array.from(viaProduct.flat()))).toBeLessThan(1e-12 * maxAbs(Float64Array.from(K.flat())));
  });

  test('one direction: α* = -gᵀΔ / (ΔᵀFΔ + λ ||Δ||²)', () => {
    const [alpha] = minimizeModel(quadraticModel(g, [Delta], forms), lambda);
    const closed = -dot(g, Delta) / (dot(Delta, matvec(F, Delta)) + lambda * dot(Delta, Delta));
    expect(Math.abs(alpha - closed)).toBeLessThan(1e-12 * Math.abs(closed));
  });

  test('two directions: (α, μ) = -(VᵀFV + λVᵀV)⁻¹ Vᵀg, and any perturbation raises the dense model', () => {
    const m = quadraticModel(g, [Delta, prev], forms);
    const [alpha, mu] = minimizeModel(m, lambda);
    const H = [Delta, prev].map((a) => [Delta, prev].map((b) => dot(a, matvec(F, b)) + lambda * dot(a, b)));
    const c = [dot(g, Delta), dot(g, prev)];
    const det = H[0][0] * H[1][1] - H[0][1] * H[1][0];
    const closed = [-(H[1][1] * c[0] - H[0][1] * c[1]) / det, -(H[0][0] * c[1] - H[1][0] * c[0]) / det];
    expect(Math.abs(alpha - closed[0])).toBeLessThan(1e-10 * Math.abs(closed[0]));
    expect(Math.abs(mu - closed[1])).toBeLessThan(1e-10 * Math.abs(closed[1]));
    const at = (a: number, b: number) =>
      denseModel(
        F,
        g,
        lambda,
        Delta.map((v, i) => a * v + b * prev[i]),
      );
    const best = at(alpha, mu);
    expect(modelChange(m, [alpha, mu], lambda)).toBeCloseTo(best, 12);
    for (const [da, db] of [
      [1e-3, 0],
      [-1e-3, 0],
      [0, 1e-3],
      [0, -1e-3],
      [1e-3, -1e-3],
    ])
      expect(at(alpha + da, mu + db)).toBeGreaterThan(best);
  });

  test('parallel directions fall back to the first one alone; a zero direction gives a zero step', () => {
    const m = quadraticModel(g, [Delta, Delta.map((v) => 2 * v)], forms);
    const [alpha, mu] = minimizeModel(m, lambda);
    expect(mu).toBe(0);
    expect(alpha).toBeCloseTo(minimizeModel(quadraticModel(g, [Delta], forms), lambda)[0], 12);
    expect(minimizeModel(quadraticModel(g, [new Float64Array(P)], forms), 0)).toEqual([0]);
  });

  test("kfac({ rescale: 'alpha' }) takes exactly α* times the K-FAC direction", () => {
    const o = { damping: lambda, adaptiveDamping: false, klClip: null, emaDecay: 0 } as const;
    const direction = scaleByKfac(o);
    const Dk = direction.update(g, direction.init(params), params, batchOf(p))[0];
    const t = kfac({ ...o, rescale: 'alpha' });
    const step = t.update(g, t.init(params), params, batchOf(p))[0];
    const closed = -dot(g, Dk) / (dot(Dk, matvec(F, Dk)) + lambda * dot(Dk, Dk));
    expect(
      maxDiff(
        step,
        Dk.map((v) => closed * v),
      ),
    ).toBeLessThan(1e-10 * maxAbs(step));
  });

  test('sensitivity: α from the undamped model, or with the K-FAC curvature in place of the exact Fisher, is measurably different', () => {
    const exact = minimizeModel(quadraticModel(g, [Delta], forms), lambda)[0];
    const undamped = minimizeModel(quadraticModel(g, [Delta], forms), 0)[0];
    expect(Math.abs(undamped - exact)).toBeGreaterThan(1e-3 * Math.abs(exact));
    const scaledFisher = minimizeModel(
      quadraticModel(g, [Delta], (V) => forms(V).map((r) => r.map((v) => 1.01 * v))),
      lambda,
    )[0];
    expect(Math.abs(scaledFisher - exact)).toBeGreaterThan(1e-3 * Math.abs(exact));
  });
});

describe("KL clip (kfac-pytorch): the step's squared Fisher norm is at most κ", () => {
  test('ν = min(1, sqrt(κ / n)) scales a step of squared norm n to at most κ, exactly κ when active, 1 for a zero step', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 200; i++) {
      const kappa = 10 ** (-4 + 4 * rng.uniform());
      const n = (rng.uniform() < 0.1 ? -1 : 1) * 10 ** (-5 + 8 * rng.uniform());
      const nu = klClipFactor(kappa, n);
      expect(nu).toBeLessThanOrEqual(1);
      expect(nu * nu * Math.abs(n)).toBeLessThanOrEqual(kappa * (1 + 1e-12));
      if (Math.abs(n) > kappa) expect(Math.abs(nu * nu * Math.abs(n) - kappa)).toBeLessThan(1e-12 * kappa);
      else expect(nu).toBe(1);
    }
    expect(klClipFactor(1e-3, 0)).toBe(1);
  });

  const p = randomProblem(1403, { sizes: [2, 3, 3], activations: ['tanh', 'identity'], likelihood: 'categorical', N: 6 });
  const params = flattenWeights(p.weights);
  const g = gradOf(p);
  const o = { damping: 1e-2, adaptiveDamping: false, rescale: 'none', emaDecay: 0 } as const;
  const direction = scaleByKfac(o);
  const Delta = direction.update(g, direction.init(params), params, batchOf(p))[0];
  const gD = dot(g, Delta);

  test.each([
    [0.5, 1e-3],
    [2, 1e-2],
    [1, 1e6],
  ])("rescale 'none', lr %s, κ %s: the step is -ν lr Δ with (ν lr)² gᵀΔ = min(lr² gᵀΔ, κ) (kfac-pytorch's formula)", (lr, kappa) => {
    const t = kfac({ ...o, lr, klClip: kappa });
    const step = t.update(g, t.init(params), params, batchOf(p))[0];
    const eta = -dot(step, Delta) / dot(Delta, Delta);
    expect(
      maxDiff(
        step,
        Delta.map((v) => -eta * v),
      ),
    ).toBeLessThan(1e-12 * maxAbs(Delta));
    expect(eta * eta * gD).toBeLessThanOrEqual(kappa * (1 + 1e-12));
    expect(eta).toBeCloseTo(Math.min(lr, Math.sqrt(kappa / gD)), 12);
  });

  test.each(['alpha', 'alpha-mu'] as const)("rescale '%s': the whole step δ has δᵀ(F + λI)δ = κ when the clip is active (dense Fisher)", (rescale) => {
    const kappa = 1e-4;
    const t = kfac({ ...o, rescale, klClip: kappa });
    // two steps from different points, so that 'alpha-mu' has a previous step
    let state = t.init(params);
    let at = params;
    let step: Vec = new Float64Array(params.length);
    for (let k = 0; k < 2; k++) {
      const gk = lossAndGradient(p.spec, unflattenWeights(p.spec, at), p.inputs, p.targets).gradient;
      [step, state] = t.update(gk, state, at, batchOf(p));
      if (k === 0) at = at.map((v, i) => v + step[i]);
    }
    expect(state.last!.klScale).toBeLessThan(1);
    if (rescale === 'alpha-mu') expect(state.last!.mu).not.toBe(0);
    const Fat = fisherMatrix(p.spec, unflattenWeights(p.spec, at), p.inputs);
    const norm = dot(step, matvec(Fat, step)) + 1e-2 * dot(step, step);
    expect(Math.abs(norm - kappa)).toBeLessThan(1e-10 * kappa);
  });

  test('sensitivity: a clip that forgets lr² (ν = sqrt(κ/|gᵀv|)) breaks the bound at lr = 2', () => {
    const kappa = 1e-2;
    const wrongNu = klClipFactor(kappa, gD);
    expect((2 * wrongNu) ** 2 * gD).toBeGreaterThan(kappa * 1.01);
  });
});

describe('every part switchable off', () => {
  const p = randomProblem(1404, { sizes: [2, 4, 3], activations: ['tanh', 'identity'], likelihood: 'categorical', N: 10 });
  const params0 = flattenWeights(p.weights);
  /** Three steps of a transform from params0, the gradient taken at each point. */
  function steps<S>(t: Transform<S, ModelBatch>): Vec[] {
    let state = t.init(params0);
    let params = params0;
    const out: Vec[] = [];
    for (let k = 0; k < 3; k++) {
      const g = lossAndGradient(p.spec, unflattenWeights(p.spec, params), p.inputs, p.targets).gradient;
      const [step, next] = t.update(g, state, params, batchOf(p));
      state = next;
      params = params.map((v, i) => v + step[i]);
      out.push(step);
    }
    return out;
  }
  const off = { adaptiveDamping: false, rescale: 'none', klClip: null } as const;

  test('kfac with all three off is chain(scaleByKfac, scaleByLearningRate): -lr (F̃ + λ)⁻¹ g', () => {
    const a = steps(kfac({ ...off, lr: 0.7, damping: 1e-2 }));
    const b = steps(chain<ModelBatch>(scaleByKfac({ damping: 1e-2 }), scaleByLearningRate(0.7)));
    a.forEach((s, k) => expect(maxDiff(s, b[k])).toBe(0));
  });

  test('sensitivity: each part switched on changes the steps', () => {
    const base = steps(kfac({ ...off, damping: 1e-2 }));
    for (const on of [{ rescale: 'alpha' }, { rescale: 'alpha-mu' }, { klClip: 1e-4 }] as const) {
      const s = steps(kfac({ ...off, damping: 1e-2, ...on }));
      expect(maxDiff(s.at(-1)!, base.at(-1)!)).toBeGreaterThan(1e-6 * maxAbs(base.at(-1)!));
    }
  });

  test("'alpha-mu' uses the previous step from the second step on", () => {
    const t = kfac({ damping: 1e-2, adaptiveDamping: false, klClip: null });
    const gradAt = (params: Vec) => lossAndGradient(p.spec, unflattenWeights(p.spec, params), p.inputs, p.targets).gradient;
    let state: CurvatureStepState<KfacState> = t.init(params0);
    const [step, next] = t.update(gradAt(params0), state, params0, batchOf(p));
    state = next;
    expect(state.last!.mu).toBe(0);
    const params1 = params0.map((v, i) => v + step[i]);
    state = t.update(gradAt(params1), state, params1, batchOf(p))[1];
    expect(state.last!.mu).not.toBe(0);
  });

  test('ekfac has the same switches', () => {
    const t = ekfac({ ...off, damping: 1e-2 });
    const state: CurvatureStepState<EkfacState> = t.init(params0);
    const [step, next] = t.update(gradOf(p), state, params0, batchOf(p));
    expect(next.last).toMatchObject({ klScale: 1, mu: 0, alpha: -1 });
    expect(step.every(Number.isFinite)).toBe(true);
  });
});

describe('the factories refuse what they do not know', () => {
  const expectError = (f: () => unknown, path: string, text: RegExp) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(NatgradError);
      expect((e as NatgradError).path).toBe(path);
      expect((e as NatgradError).message).toMatch(text);
      return;
    }
    throw new Error(`no error for ${path}`);
  };

  test('kfac({ dampnig: 1 }) names dampnig and suggests damping', () => {
    expectError(() => kfac({ dampnig: 1 } as never), 'dampnig', /did you mean "damping"/);
    expectError(() => ekfac({ dampnig: 1 } as never), 'dampnig', /did you mean "damping"/);
    expectError(() => createOptimizer('kfac', { dampnig: 1 }), 'dampnig', /did you mean "damping"/);
    expectError(() => kfac({ klclip: 1 } as never), 'klclip', /did you mean "klClip"/);
    expectError(() => kfac({ momentum: 0.9 } as never), 'momentum', /is not a field of the kfac options/);
  });

  test('bad values of the new options', () => {
    expectError(() => kfac({ rescale: 'alpha_mu' as never }), 'rescale', /did you mean "alpha-mu"/);
    expectError(() => kfac({ klClip: 0 }), 'klClip', /finite number > 0, or null/);
    expectError(() => kfac({ dampingEvery: 0 }), 'dampingEvery', /integer >= 1/);
    expectError(() => kfac({ dampingDecay: 1 }), 'dampingDecay', /\(0, 1\)/);
    expectError(() => kfac({ adaptiveDamping: 'yes' as never }), 'adaptiveDamping', /true or false/);
    expect(() => kfac({ klClip: null })).not.toThrow();
  });

  test('every registry default of kfac and ekfac is a known option', () => {
    expect(() => createOptimizer('kfac')).not.toThrow();
    expect(() => createOptimizer('ekfac')).not.toThrow();
  });

  test('the registry takes what kfac() and ekfac() take: klClip null (no clip) and every step-control option', () => {
    for (const name of ['kfac', 'ekfac']) {
      expect(() => createOptimizer(name, { klClip: null })).not.toThrow();
      expect(() => createOptimizer(name, { dampingEvery: 3, dampingDecay: 0.9, minDamping: 1e-6, maxDamping: 1e6 })).not.toThrow();
      expectError(() => createOptimizer(name, { klClip: 'none' }), 'klClip', /must be a number or null, got "none"/);
      expectError(() => createOptimizer(name, { klClip: 0 }), 'klClip', /finite number > 0, or null/);
    }
  });

  test('kfac() and the registry run the same step with klClip null', () => {
    const p = randomProblem(1406, { sizes: [2, 3, 2], activations: ['tanh', 'identity'], likelihood: 'gaussian', N: 6 });
    const params = flattenWeights(p.weights);
    const batch = batchOf(p);
    const o = { klClip: null, damping: 1e-2 } as const;
    const direct = kfac(o);
    const viaRegistry = createOptimizer('kfac', o);
    const [a] = direct.update(gradOf(p), direct.init(params), params, batch);
    const [b] = viaRegistry.update(gradOf(p), viaRegistry.init(params), params, batch);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(direct.update(gradOf(p), direct.init(params), params, batch)[1].last?.klScale).toBe(1);
  });
});

describe('a custom damped preconditioner composes with the step control', () => {
  test('the identity preconditioner P_λ g = g / (1 + λ) with rescale alpha is the exact line minimizer of the model', () => {
    const p = randomProblem(1405, { sizes: [2, 3], activations: ['identity'], likelihood: 'gaussian', N: 8 });
    const spec: MlpSpec = p.spec;
    const scaled: DampedPreconditioner<null> = { init: () => null, update: (g, s, _p, _b, lambda) => [g.map((v) => v / (1 + lambda)), s] };
    const t = curvatureStep(scaled, { damping: 0.1, adaptiveDamping: false, klClip: null, rescale: 'alpha' }, 'identity');
    const params = flattenWeights(p.weights);
    const g = gradOf(p);
    const step = t.update(g, t.init(params), params, { spec, inputs: p.inputs, targets: p.targets })[0];
    const F = fisherMatrix(p.spec, p.weights, p.inputs);
    const closed = -dot(g, g) / (dot(g, matvec(F, g)) + 0.1 * dot(g, g));
    expect(
      maxDiff(
        step,
        g.map((v) => closed * v),
      ),
    ).toBeLessThan(1e-12 * maxAbs(step));
  });
});
