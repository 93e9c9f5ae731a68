import { describe, expect, test } from 'vitest';
import { chainMdp, evaluatePolicy, gridworldMdp, validateMdp, valueIteration, actionValues } from '../../src/rl/mdp.js';
import { CARTPOLE, cartPoleStep } from '../../src/rl/cartpole.js';

describe('tabular MDPs', () => {
  test('chain and gridworld are valid MDPs', () => {
    validateMdp(chainMdp(8));
    validateMdp(gridworldMdp(5, 5));
  });

  test('V* from value iteration satisfies the Bellman optimality equation', () => {
    for (const m of [chainMdp(8), gridworldMdp(4, 3)]) {
      const { V } = valueIteration(m, 1e-12);
      const Q = actionValues(m, V);
      for (let s = 0; s < m.nS; s++) {
        const best = Math.max(...Array.from(Q.subarray(s * m.nA, (s + 1) * m.nA)));
        expect(Math.abs(best - V[s])).toBeLessThan(1e-11);
      }
    }
  });

  test('exact evaluation of the greedy policy of V* gives V* (policy evaluation and value iteration agree)', () => {
    const m = gridworldMdp(4, 4);
    const { V } = valueIteration(m);
    const Q = actionValues(m, V);
    const pi = new Float64Array(m.nS * m.nA);
    for (let s = 0; s < m.nS; s++) {
      let best = 0;
      for (let a = 1; a < m.nA; a++) if (Q[s * m.nA + a] > Q[s * m.nA + best]) best = a;
      pi[s * m.nA + best] = 1;
    }
    const ev = evaluatePolicy(m, pi);
    for (let s = 0; s < m.nS; s++) expect(Math.abs(ev.V[s] - V[s])).toBeLessThan(1e-10);
    // the visitation is a distribution
    expect(Math.abs(ev.d.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
  });

  test('the chain optimum is known in closed form for slip 0: J* = γ^(n-1) / (1-γ)', () => {
    const m = chainMdp(5, { slip: 0, small: 0.01, gamma: 0.9 });
    expect(Math.abs(valueIteration(m).J - 0.9 ** 4 / 0.1)).toBeLessThan(1e-10);
  });

  test('a row that does not sum to 1 is rejected', () => {
    const m = chainMdp(3);
    const P = Float64Array.from(m.P);
    P[0] = 0.5;
    expect(() => validateMdp({ ...m, P })).toThrow(/sums to/);
  });
});

describe('CartPole dynamics', () => {
  test('pushing right from rest accelerates the cart right and tips the pole left (Gym constants)', () => {
    const { state } = cartPoleStep(new Float64Array(4), 1);
    // xAcc = temp - ml·θacc/M, θacc = -temp / (l (4/3 - m/M)), temp = F / M
    const M = CARTPOLE.massCart + CARTPOLE.massPole;
    const temp = CARTPOLE.forceMag / M;
    const thAcc = -temp / (CARTPOLE.length * (4 / 3 - CARTPOLE.massPole / M));
    const xAcc = temp - (CARTPOLE.massPole * CARTPOLE.length * thAcc) / M;
    expect(state[0]).toBe(0);
    expect(state[1]).toBeCloseTo(CARTPOLE.tau * xAcc, 15);
    expect(state[3]).toBeCloseTo(CARTPOLE.tau * thAcc, 15);
    expect(state[3]).toBeLessThan(0);
  });

  test('the episode ends when the pole passes 12 degrees', () => {
    const th = CARTPOLE.thetaThreshold - 1e-4;
    expect(cartPoleStep(Float64Array.of(0, 0, th, 1), 1).done).toBe(true);
    expect(cartPoleStep(Float64Array.of(0, 0, 0, 0), 1).done).toBe(false);
  });
});
