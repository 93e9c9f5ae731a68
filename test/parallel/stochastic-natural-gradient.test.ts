import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { fisherMatrix } from '../../src/curvature/dense-curvature.js';
import { dampedSolve } from '../../src/linalg/solve.js';
import { type MlpSpec, flattenWeights, initWeights, lossAndGradient, sampleTargets, unflattenWeights } from '../../src/models/mlp.js';
import {
  type SupervisedProblem,
  batchGradient,
  directionVariance,
  scaleByEmaFisherInverse,
  svrgGradient,
  svrgSnapshot,
} from '../../src/parallel/stochastic-natural-gradient.js';

const spec: MlpSpec = { sizes: [3, 4, 3], activations: ['tanh', 'identity'], likelihood: 'categorical' };

function problem(seed: number, n: number): { p: SupervisedProblem; theta: Float64Array } {
  const rng = new Rng(seed);
  const w = initWeights(spec, rng);
  const inputs = Array.from({ length: n }, () => Float64Array.from({ length: 3 }, () => rng.normal()));
  return { p: { spec, inputs, targets: sampleTargets(spec, w, inputs, rng) }, theta: flattenWeights(initWeights(spec, rng)) };
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));

describe('SVRG gradient (Johnson and Zhang 2013)', () => {
  test('is unbiased: its average over all single-example batches is the full gradient', () => {
    const { p, theta } = problem(1, 12);
    const snap = svrgSnapshot(
      p,
      theta.map((v) => v + 0.3),
    );
    const full = lossAndGradient(spec, unflattenWeights(spec, theta), p.inputs, p.targets).gradient;
    const avg = new Float64Array(theta.length);
    for (let i = 0; i < 12; i++) svrgGradient(p, theta, [i], snap).forEach((v, k) => (avg[k] += v / 12));
    expect(maxDiff(avg, full)).toBeLessThan(1e-14 * 12 * Math.max(1, ...Array.from(full, Math.abs)));
  });

  test('sensitivity: dropping the snapshot full gradient makes it biased', () => {
    const { p, theta } = problem(1, 12);
    const snap = svrgSnapshot(
      p,
      theta.map((v) => v + 0.3),
    );
    const full = lossAndGradient(spec, unflattenWeights(spec, theta), p.inputs, p.targets).gradient;
    const avg = new Float64Array(theta.length);
    for (let i = 0; i < 12; i++) {
      const g = batchGradient(p, theta, [i]);
      const gs = batchGradient(p, snap.theta, [i]);
      g.forEach((v, k) => (avg[k] += (v - gs[k]) / 12));
    }
    expect(maxDiff(avg, full)).toBeGreaterThan(1e-3);
  });

  test('has zero variance at the snapshot and smaller natural-direction variance near it', () => {
    const { p, theta } = problem(2, 64);
    const snap = svrgSnapshot(p, theta);
    expect(maxDiff(svrgGradient(p, theta, [3, 5], snap), snap.fullGradient)).toBeLessThan(1e-15 * 10);
    const near = theta.map((v, i) => v + 0.01 * Math.sin(i));
    const F = fisherMatrix(spec, unflattenWeights(spec, near), p.inputs);
    const o = { batchSize: 8, draws: 200, damping: 1e-3 };
    const plain = directionVariance(p, near, F, { ...o, snapshot: null });
    const reduced = directionVariance(p, near, F, { ...o, snapshot: snap });
    // ||∇f_i(θ) - ∇f_i(θ̃)|| <= L ||θ - θ̃||: the reduced variance scales with ||θ - θ̃||² = O(1e-4 P)
    expect(reduced).toBeLessThan(0.05 * plain);
  });
});

describe('EMA Fisher preconditioner', () => {
  test('decay 0 on the full batch is the damped natural gradient; the EMA mixes the previous Fisher', () => {
    const { p, theta } = problem(3, 20);
    const w = unflattenWeights(spec, theta);
    const F = fisherMatrix(spec, w, p.inputs);
    const g = lossAndGradient(spec, w, p.inputs, p.targets).gradient;
    const t = scaleByEmaFisherInverse({ decay: 0, damping: 1e-3 });
    const [d] = t.update(g, t.init(theta), theta, F);
    expect(maxDiff(d, dampedSolve(F, 1e-3, g).x)).toBe(0);
    const t2 = scaleByEmaFisherInverse({ decay: 0.5, damping: 1e-3 });
    const [, s1] = t2.update(g, t2.init(theta), theta, F);
    const F2 = fisherMatrix(spec, w, p.inputs.slice(0, 5));
    const [, s2] = t2.update(g, s1, theta, F2);
    expect(
      maxDiff(
        s2.fisher!.data,
        F.data.map((v, i) => 0.5 * v + 0.5 * F2.data[i]),
      ),
    ).toBe(0);
  });
});
