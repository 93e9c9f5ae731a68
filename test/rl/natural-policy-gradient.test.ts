import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { eigSymmetric } from '../../src/linalg/eigen-symmetric.js';
import { pseudoInverseSolve } from '../../src/linalg/solve.js';
import { chainMdp, evaluatePolicy, gridworldMdp, type TabularMdp } from '../../src/rl/mdp.js';
import { exactPolicyGradient, scaleByPolicyFisherInverse, tabularPolicyFisher, runTabularPolicyOptimization } from '../../src/rl/policy-gradient.js';
import { policyFisherDense, tabularSoftmaxPolicy } from '../../src/rl/policy.js';

const EPS = 2.220446049250313e-16;

const mdps: TabularMdp[] = [chainMdp(6), gridworldMdp(3, 3), chainMdp(5, { rho0: 'uniform', gamma: 0.8 })];

interface Case {
  m: TabularMdp;
  w: Float64Array;
  A: Float64Array;
  tol: number;
  pi: Float64Array;
}

/** NPG direction F⁺∇J by the dense pseudo-inverse; tolerance from the conditioning of F on its range: 1e3 ε κ max|w|. */
function npgCase(seed: number, which: number, weights?: 'uniform'): Case {
  const m = mdps[which];
  const rng = new Rng(seed);
  const p = tabularSoftmaxPolicy(m.nS, m.nA);
  const theta = Float64Array.from({ length: p.paramCount }, () => rng.normal());
  const { gradient, evaluation, pi } = exactPolicyGradient(m, p, theta);
  const states = Array.from({ length: m.nS }, (_, s) => s);
  const wts = weights === 'uniform' ? new Float64Array(m.nS).fill(1 / m.nS) : evaluation.d;
  const F = policyFisherDense(p, theta, states, wts);
  const w = pseudoInverseSolve(F, gradient).x;
  const ev = eigSymmetric(F).values.map(Math.abs);
  const top = Math.max(...ev);
  const kept = ev.filter((v) => v > 1e-12 * top);
  const kappa = top / Math.min(...kept);
  const wmax = Math.max(...Array.from(w, Math.abs));
  return { m, w, A: evaluation.A, tol: 1e3 * EPS * kappa * wmax, pi };
}

/** max over states of the spread (max - min over actions) of w(s,a) - A(s,a)/(1-γ). */
function perStateSpread(m: TabularMdp, w: ArrayLike<number>, A: ArrayLike<number>, gamma: number): number {
  let worst = 0;
  for (let s = 0; s < m.nS; s++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let a = 0; a < m.nA; a++) {
      const r = w[s * m.nA + a] - A[s * m.nA + a] / (1 - gamma);
      lo = Math.min(lo, r);
      hi = Math.max(hi, r);
    }
    worst = Math.max(worst, hi - lo);
  }
  return worst;
}

const caseArb = fc.record({ seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }), which: fc.integer({ min: 0, max: mdps.length - 1 }) });

describe('natural policy gradient of a tabular softmax policy (Kakade 2001; Agarwal et al. 2021, Lemma 15)', () => {
  test('F⁺∇J = A/(1-γ) + a per-state constant, with exact visitation', () => {
    fc.assert(
      fc.property(caseArb, ({ seed, which }) => {
        const c = npgCase(seed, which);
        return perStateSpread(c.m, c.w, c.A, c.m.gamma) <= c.tol;
      }),
      { seed: 701, numRuns: 60 },
    );
  });

  test('sensitivity: the advantage at a wrong discount factor (0.5) is caught', () => {
    const c = npgCase(3, 0);
    const p = tabularSoftmaxPolicy(c.m.nS, c.m.nA);
    const wrongA = evaluatePolicy(c.m, c.pi, 0.5).A;
    expect(perStateSpread(c.m, c.w, wrongA, 0.5)).toBeGreaterThan(1e3 * c.tol);
    expect(p.paramCount).toBe(c.w.length);
  });

  test('sensitivity: a Fisher missing the visitation weights (uniform over states) is caught', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const c = npgCase(seed, 0, 'uniform');
        return perStateSpread(c.m, c.w, c.A, c.m.gamma) > 1e3 * c.tol;
      }),
      { seed: 702, numRuns: 20 },
    );
  });

  test('the CG preconditioner on Fisher-vector products returns the pseudo-inverse direction (minimum-norm, from zero)', () => {
    const m = gridworldMdp(3, 3);
    const p = tabularSoftmaxPolicy(m.nS, m.nA);
    const rng = new Rng(9);
    const theta = Float64Array.from({ length: p.paramCount }, () => rng.normal());
    const { gradient, evaluation } = exactPolicyGradient(m, p, theta);
    const fisher = tabularPolicyFisher(m, p, theta, evaluation.d);
    const [viaCg] = scaleByPolicyFisherInverse({ solver: 'cg' }).update(gradient, {}, theta, { fisher });
    const [viaPinv] = scaleByPolicyFisherInverse({ solver: 'pseudo-inverse' }).update(gradient, {}, theta, { fisher });
    const scale = Math.max(...Array.from(viaPinv, Math.abs));
    for (let i = 0; i < viaCg.length; i++) expect(Math.abs(viaCg[i] - viaPinv[i])).toBeLessThan(1e-6 * scale);
  });

  test('the exact policy gradient matches central differences of J', () => {
    const m = chainMdp(4);
    const p = tabularSoftmaxPolicy(m.nS, m.nA);
    const rng = new Rng(4);
    const theta = Float64Array.from({ length: p.paramCount }, () => rng.normal());
    const { gradient } = exactPolicyGradient(m, p, theta);
    const h = 1e-5;
    for (let k = 0; k < p.paramCount; k++) {
      const tp = Float64Array.from(theta);
      const tm = Float64Array.from(theta);
      tp[k] += h;
      tm[k] -= h;
      const fd = (exactPolicyGradient(m, p, tp).J - exactPolicyGradient(m, p, tm).J) / (2 * h);
      // central difference error O(h²)·|J'''| plus rounding O(ε/h)
      expect(Math.abs(fd - gradient[k])).toBeLessThan(1e-8);
    }
  });

  test('NPG reaches 99% of V* in fewer iterations than vanilla PG on the chain', () => {
    const m = chainMdp(6);
    const npg = runTabularPolicyOptimization(m, 'npg', { lr: 0.5, maxIterations: 500 });
    const pg = runTabularPolicyOptimization(m, 'pg', { lr: 1, maxIterations: 500 });
    expect(npg.iterationsToTarget).not.toBeNull();
    expect(pg.iterationsToTarget === null || pg.iterationsToTarget > (npg.iterationsToTarget as number)).toBe(true);
  });
});
