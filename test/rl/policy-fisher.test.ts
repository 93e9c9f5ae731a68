import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { maxAbsDiff, matvec } from '../../src/linalg/ops.js';
import { exactPolicyGradient, tabularPolicyFisher } from '../../src/rl/policy-gradient.js';
import { chainMdp, gridworldMdp } from '../../src/rl/mdp.js';
import { mlpCategoricalPolicy, policyFisherDense, policyFisherOperator, tabularSoftmaxPolicy } from '../../src/rl/policy.js';

const randomVec = (rng: Rng, n: number, s = 1): Float64Array => Float64Array.from({ length: n }, () => s * rng.normal());

/** max_i |a_i - b_i| relative to max |b|: float64 products of O(n) terms, so tolerance n·1e-14. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / Math.max(m, 1e-300);
}

describe('policy Fisher-vector products (Fisher as a LinearOperator)', () => {
  test('tabular softmax: F v equals the dense Fisher (score outer products) times v', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const rng = new Rng(seed);
        const m = gridworldMdp(3, 3);
        const p = tabularSoftmaxPolicy(m.nS, m.nA);
        const theta = randomVec(rng, p.paramCount, 2);
        const { d } = exactPolicyGradient(m, p, theta).evaluation;
        const op = tabularPolicyFisher(m, p, theta, d);
        const states = Array.from({ length: m.nS }, (_, s) => s);
        const F = policyFisherDense(p, theta, states, d);
        const v = randomVec(rng, p.paramCount);
        return relErr(op.matvec(v), matvec(F, v)) < p.paramCount * 1e-14;
      }),
      { seed: 71, numRuns: 40 },
    );
  });

  test('MLP categorical policy: F v equals the dense Fisher times v', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const rng = new Rng(seed);
        const p = mlpCategoricalPolicy([4, 5, 3], 'tanh');
        const theta = p.init(rng);
        const states = Array.from({ length: 6 }, () => randomVec(rng, 4));
        const w = Float64Array.from(states, () => rng.uniform());
        const F = policyFisherDense(p, theta, states, w);
        const v = randomVec(rng, p.paramCount);
        const fv = policyFisherOperator(p, theta, states, w).matvec(v);
        return relErr(fv, matvec(F, v)) < p.paramCount * 1e-14;
      }),
      { seed: 72, numRuns: 30 },
    );
  });

  test('sensitivity: an operator missing the visitation weights does not match the visitation-weighted Fisher', () => {
    const rng = new Rng(5);
    const m = chainMdp(6);
    const p = tabularSoftmaxPolicy(m.nS, m.nA);
    const theta = randomVec(rng, p.paramCount);
    const { d } = exactPolicyGradient(m, p, theta).evaluation;
    const states = Array.from({ length: m.nS }, (_, s) => s);
    const F = policyFisherDense(p, theta, states, d);
    const unweighted = policyFisherOperator(p, theta, states, new Float64Array(m.nS).fill(1 / m.nS));
    const v = randomVec(rng, p.paramCount);
    expect(relErr(unweighted.matvec(v), matvec(F, v))).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(tabularPolicyFisher(m, p, theta, d).dense(), F)).toBe(0);
  });
});
