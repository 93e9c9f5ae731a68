import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { chainMdp, gridworldMdp } from '../../src/rl/mdp.js';
import { exactPolicyGradient, tabularPolicyFisher } from '../../src/rl/policy-gradient.js';
import { meanKl, policyTable, tabularSoftmaxPolicy } from '../../src/rl/policy.js';
import { trpoStep, type TrpoOptions } from '../../src/rl/trpo.js';

const mdps = [chainMdp(6), gridworldMdp(3, 3)];

/** A TRPO step on a tabular MDP with exact advantages and visitation: returns the step and the independently recomputed KL. */
function tabularTrpo(seed: number, which: number, delta: number, o: TrpoOptions = {}) {
  const m = mdps[which];
  const rng = new Rng(seed);
  const p = tabularSoftmaxPolicy(m.nS, m.nA);
  const theta = Float64Array.from({ length: p.paramCount }, () => 1.5 * rng.normal());
  const { gradient, evaluation } = exactPolicyGradient(m, p, theta);
  const { A, d } = evaluation;
  const states = Array.from({ length: m.nS }, (_, s) => s);
  const surrogate = (th: Float64Array): number => {
    const pi = policyTable(p, th, m.nS);
    let t = 0;
    for (let i = 0; i < pi.length; i++) t += d[Math.floor(i / m.nA)] * pi[i] * A[i];
    return t / (1 - m.gamma);
  };
  const step = trpoStep(
    { theta, gradient, fisher: tabularPolicyFisher(m, p, theta, d), surrogate, kl: (th) => meanKl(p, theta, th, states, d) },
    { delta, ...o },
  );
  // recomputed from the two probability tables, independently of meanKl's log-sum-exp route
  const a = policyTable(p, theta, m.nS);
  const b = policyTable(p, step.theta, m.nS);
  let kl = 0;
  for (let i = 0; i < a.length; i++) kl += d[Math.floor(i / m.nA)] * a[i] * Math.log(a[i] / b[i]);
  return { step, kl, improved: exactPolicyGradient(m, p, step.theta).J - evaluation.J };
}

const arb = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  which: fc.integer({ min: 0, max: 1 }),
  delta: fc.double({ min: 1e-3, max: 2, noNaN: true }),
});

describe('TRPO step (Schulman et al. 2015)', () => {
  test('every accepted step satisfies mean KL <= δ', () => {
    fc.assert(
      fc.property(arb, ({ seed, which, delta }) => {
        const { step, kl } = tabularTrpo(seed, which, delta);
        return !step.accepted || kl <= delta * (1 + 1e-9);
      }),
      { seed: 703, numRuns: 80 },
    );
  });

  test('sensitivity: the same property fails when the line search skips the KL test', () => {
    expect(() =>
      fc.assert(
        fc.property(arb, ({ seed, which, delta }) => {
          const { step, kl } = tabularTrpo(seed, which, delta, { checkKl: false });
          return !step.accepted || kl <= delta * (1 + 1e-9);
        }),
        { seed: 703, numRuns: 80 },
      ),
    ).toThrow();
  });

  test('with a small radius the full step is accepted and sits near the KL boundary (quadratic model of KL)', () => {
    // the KL test is switched off so that the full step's KL is observed, whichever side of δ it falls
    const { step } = tabularTrpo(11, 1, 1e-4, { checkKl: false, cgIterations: 200 });
    expect(step.accepted).toBe(true);
    expect(step.stepFraction).toBe(1);
    // KL = ½ sᵀFs β² + O(β³): relative error O(sqrt(δ))
    expect(Math.abs(step.kl - 1e-4) / 1e-4).toBeLessThan(0.05);
    expect(step.cgReason).toBe('converged');
  });

  test('accepted steps on exact quantities improve the true return for small δ', () => {
    for (let seed = 0; seed < 5; seed++) {
      const r = tabularTrpo(seed, seed % 2, 1e-3);
      expect(r.step.accepted).toBe(true);
      expect(r.improved).toBeGreaterThan(0);
    }
  });
});
