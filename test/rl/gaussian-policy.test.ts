import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { matvec } from '../../src/linalg/ops.js';
import { withinStdError, zForFalseAlarm } from '../../src/numeric/statistics.js';
import {
  type GaussianPolicy,
  gaussianFisherDense,
  gaussianFisherOperator,
  gaussianLogProb,
  gaussianLogStd,
  gaussianMean,
  gaussianMeanKl,
  gaussianScore,
  gaussianTrpoPolicy,
  mlpGaussianPolicy,
  sampleGaussianAction,
} from '../../src/rl/gaussian-policy.js';
import { pointMass, pointMassLqr, pointMassReset, pointMassStep } from '../../src/rl/point-mass.js';
import { type TrpoOptions, sampledTrpoProblem, trpoStep } from '../../src/rl/trpo.js';

const randomVec = (rng: Rng, n: number, s = 1): Float64Array => Float64Array.from({ length: n }, () => s * rng.normal());

/** max_i |a_i - b_i| relative to max |b|. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / Math.max(m, 1e-300);
}

/** A policy point: MLP weights from the default init, log-std drawn N(0, 0.5²) so σ ≠ 1 matters. */
function policyPoint(sizes: number[], seed: number, nStates: number) {
  const rng = new Rng(seed);
  const p = mlpGaussianPolicy(sizes, { activation: 'tanh' });
  const theta = p.init(rng);
  for (let j = p.meanParamCount; j < p.paramCount; j++) theta[j] = 0.5 * rng.normal();
  const states = Array.from({ length: nStates }, () => randomVec(rng, sizes[0]));
  const weights = Float64Array.from(states, () => 0.1 + rng.uniform());
  return { p, theta, states, weights, rng };
}

/** The dense Fisher with the log-std block zeroed: what an implementation that forgets it computes. */
function withoutLogStdBlock(p: GaussianPolicy, F: Matrix): Matrix {
  const G = F.clone();
  for (let j = p.meanParamCount; j < p.paramCount; j++) G.data[j * p.paramCount + j] = 0;
  return G;
}

/** The Fisher of the same MLP with the log-std left out of θ (frozen at the same value), padded with zeros to θ's size. */
function fisherWithLogStdLeftOut(p: GaussianPolicy, theta: Float64Array, states: Float64Array[], weights: Float64Array): Matrix {
  const ls = gaussianLogStd(p, theta);
  // a frozen log-std is one number; use a point whose learned log-stds are all equal to it
  const frozen = mlpGaussianPolicy(p.spec.sizes, { learnLogStd: false, initialLogStd: ls[0] });
  const Fm = gaussianFisherDense(frozen, theta.slice(0, p.meanParamCount), states, weights);
  const n = p.paramCount;
  const G = Matrix.zeros(n, n);
  for (let r = 0; r < p.meanParamCount; r++) for (let c = 0; c < p.meanParamCount; c++) G.data[r * n + c] = Fm.data[r * p.meanParamCount + c];
  return G;
}

describe('diagonal-Gaussian MLP policy: Fisher', () => {
  test('the Fisher-vector product (JVP then VJP) equals the dense Fisher times v', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.boolean(), (seed, learn) => {
        const { p: full, theta: thetaFull, states, weights, rng } = policyPoint([3, 5, 2], seed, 5);
        const p = learn ? full : mlpGaussianPolicy([3, 5, 2], { learnLogStd: false, initialLogStd: 0.3 });
        const theta = learn ? thetaFull : thetaFull.slice(0, p.paramCount);
        const F = gaussianFisherDense(p, theta, states, weights);
        const v = randomVec(rng, p.paramCount);
        // float64 sums of O(n) products per entry
        return relErr(gaussianFisherOperator(p, theta, states, weights).matvec(v), matvec(F, v)) < p.paramCount * 1e-14;
      }),
      { seed: 7101, numRuns: 40 },
    );
  });

  test('the log-std block is 2 (Σ w) I and the mean/log-std cross terms are zero, in both forms', () => {
    const { p, theta, states, weights } = policyPoint([3, 4, 3], 12, 4);
    const wSum = weights.reduce((a, b) => a + b, 0);
    const F = gaussianFisherDense(p, theta, states, weights);
    const op = gaussianFisherOperator(p, theta, states, weights);
    const n = p.paramCount;
    for (let j = p.meanParamCount; j < n; j++) {
      const e = new Float64Array(n);
      e[j] = 1;
      const col = op.matvec(e);
      for (let r = 0; r < n; r++) {
        const expected = r === j ? 2 * wSum : 0;
        expect(col[r]).toBe(expected);
        expect(F.get(r, j)).toBe(expected);
        expect(F.get(j, r)).toBe(expected);
      }
    }
  });

  // MC: per state, M draws a ~ π(·|s); entry-wise mean and standard error of ψψᵀ, combined with the weights
  function mcScoreOuter(p: GaussianPolicy, theta: Float64Array, states: Float64Array[], weights: Float64Array, M: number, seed: number) {
    const rng = new Rng(seed);
    const n = p.paramCount;
    const mean = new Float64Array(n * n);
    const variance = new Float64Array(n * n);
    states.forEach((s, k) => {
      const sum = new Float64Array(n * n);
      const sumSq = new Float64Array(n * n);
      for (let m = 0; m < M; m++) {
        const psi = gaussianScore(p, theta, s, sampleGaussianAction(p, theta, s, rng));
        for (let r = 0; r < n; r++) {
          for (let c = 0; c < n; c++) {
            const x = psi[r] * psi[c];
            sum[r * n + c] += x;
            sumSq[r * n + c] += x * x;
          }
        }
      }
      const w = weights[k];
      for (let i = 0; i < n * n; i++) {
        const mu = sum[i] / M;
        mean[i] += w * mu;
        variance[i] += (w * w * (sumSq[i] / M - mu * mu)) / (M - 1);
      }
    });
    return { mean, stdError: variance.map(Math.sqrt) };
  }

  const mc = (() => {
    const { p, theta, states, weights } = policyPoint([2, 3, 2], 31, 3);
    return { p, theta, states, weights, est: mcScoreOuter(p, theta, states, weights, 6000, 32) };
  })();
  const z = zForFalseAlarm(1e-6, mc.p.paramCount ** 2);

  test('the dense Fisher equals the Monte Carlo average of score outer products within z standard errors', () => {
    const F = gaussianFisherDense(mc.p, mc.theta, mc.states, mc.weights);
    const check = withinStdError(mc.est.mean, mc.est.stdError, F, z);
    expect(check.ok, `worst ${JSON.stringify(check.worst)}`).toBe(true);
  });

  test('sensitivity: the same Monte Carlo check fails for a Fisher missing the log-std block, or with log-std left out of θ', () => {
    const F = gaussianFisherDense(mc.p, mc.theta, mc.states, mc.weights);
    expect(withinStdError(mc.est.mean, mc.est.stdError, withoutLogStdBlock(mc.p, F), z).ok).toBe(false);
    const equalLs = mc.theta.slice();
    equalLs.fill(equalLs[mc.p.meanParamCount], mc.p.meanParamCount);
    const est = mcScoreOuter(mc.p, equalLs, mc.states, mc.weights, 2000, 33);
    const zz = zForFalseAlarm(1e-6, mc.p.paramCount ** 2);
    expect(withinStdError(est.mean, est.stdError, gaussianFisherDense(mc.p, equalLs, mc.states, mc.weights), zz).ok).toBe(true);
    expect(withinStdError(est.mean, est.stdError, fisherWithLogStdLeftOut(mc.p, equalLs, mc.states, mc.weights), zz).ok).toBe(false);
  });

  // H_ij ≈ [K(+i+j) - K(+i-j) - K(-i+j) + K(-i-j)] / (4h²): truncation O(h² K''''), rounding O(ε/h) since KL's terms are O(h)
  function klHessian(p: GaussianPolicy, theta: Float64Array, states: Float64Array[], weights: Float64Array, h: number): Matrix {
    const n = p.paramCount;
    const H = Matrix.zeros(n, n);
    const K = (i: number, si: number, j: number, sj: number): number => {
      const t = theta.slice();
      t[i] += si * h;
      t[j] += sj * h;
      return gaussianMeanKl(p, theta, t, states, weights);
    };
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const v = (K(i, 1, j, 1) - K(i, 1, j, -1) - K(i, -1, j, 1) + K(i, -1, j, -1)) / (4 * h * h);
        H.set(i, j, v);
        H.set(j, i, v);
      }
    }
    return H;
  }

  const maxRelDiff = (a: Matrix, b: Matrix): number => relErr(a.data, b.data);

  test('the Hessian of the mean KL at θ′ = θ equals the Fisher (finite differences)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const { p, theta, states, weights } = policyPoint([2, 3, 2], seed, 3);
        const H = klHessian(p, theta, states, weights, 1e-4);
        // h² = 1e-8 truncation times O(1)-O(10) fourth derivatives
        return maxRelDiff(H, gaussianFisherDense(p, theta, states, weights)) < 1e-6;
      }),
      { seed: 7102, numRuns: 15 },
    );
  });

  test('sensitivity: the KL Hessian check fails for a Fisher missing the log-std block, or with log-std left out of θ', () => {
    const { p, theta, states, weights } = policyPoint([2, 3, 2], 5, 3);
    theta.fill(theta[p.meanParamCount], p.meanParamCount);
    const H = klHessian(p, theta, states, weights, 1e-4);
    const F = gaussianFisherDense(p, theta, states, weights);
    expect(maxRelDiff(H, F)).toBeLessThan(1e-6);
    expect(maxRelDiff(H, withoutLogStdBlock(p, F))).toBeGreaterThan(1e-2);
    expect(maxRelDiff(H, fisherWithLogStdLeftOut(p, theta, states, weights))).toBeGreaterThan(1e-2);
  });
});

describe('diagonal-Gaussian MLP policy: log-probability and score', () => {
  // central differences: error h²/6 |f'''| + ε |f| / h; with h = 1e-5 that is ~1e-10 (1 + |f|) for these O(1)-scaled inputs
  function fdScoreError(p: GaussianPolicy, theta: Float64Array, s: Float64Array, a: Float64Array, score: Float64Array): number {
    const h = 1e-5;
    const f0 = Math.abs(gaussianLogProb(p, theta, s, a));
    let worst = 0;
    for (let k = 0; k < p.paramCount; k++) {
      const tp = theta.slice();
      const tm = theta.slice();
      tp[k] += h;
      tm[k] -= h;
      const fd = (gaussianLogProb(p, tp, s, a) - gaussianLogProb(p, tm, s, a)) / (2 * h);
      worst = Math.max(worst, Math.abs(fd - score[k]) / (1 + f0));
    }
    return worst;
  }

  test('the score matches central finite differences of log π', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const { p, theta, states, rng } = policyPoint([3, 4, 2], seed, 1);
        const a = sampleGaussianAction(p, theta, states[0], rng);
        return fdScoreError(p, theta, states[0], a, gaussianScore(p, theta, states[0], a)) < 1e-7;
      }),
      { seed: 7103, numRuns: 40 },
    );
  });

  test('sensitivity: a score without the log-std entries fails the finite-difference check', () => {
    const { p, theta, states, rng } = policyPoint([3, 4, 2], 9, 1);
    const a = sampleGaussianAction(p, theta, states[0], rng);
    const wrong = gaussianScore(p, theta, states[0], a);
    wrong.fill(0, p.meanParamCount);
    expect(fdScoreError(p, theta, states[0], a, wrong)).toBeGreaterThan(1e-3);
  });

  test('log π is the normal density, and the sampler has mean μ and std exp(ℓ)', () => {
    const { p, theta, states, rng } = policyPoint([2, 3, 1], 4, 1);
    const mu = gaussianMean(p, theta, states[0])[0];
    const sigma = Math.exp(gaussianLogStd(p, theta)[0]);
    const a = 0.7;
    const density = Math.exp(-0.5 * ((a - mu) / sigma) ** 2) / (sigma * Math.sqrt(2 * Math.PI));
    expect(Math.abs(gaussianLogProb(p, theta, states[0], [a]) - Math.log(density))).toBeLessThan(1e-14);
    const M = 20000;
    let s1 = 0;
    let s2 = 0;
    for (let m = 0; m < M; m++) {
      const x = sampleGaussianAction(p, theta, states[0], rng)[0];
      s1 += x;
      s2 += x * x;
    }
    const zz = zForFalseAlarm(1e-6, 2);
    const varHat = s2 / M - (s1 / M) ** 2;
    expect(Math.abs(s1 / M - mu)).toBeLessThan((zz * sigma) / Math.sqrt(M));
    // Var of the sample variance of a normal: 2σ⁴ / M
    expect(Math.abs(varHat - sigma * sigma)).toBeLessThan(zz * Math.sqrt(2 / M) * sigma * sigma);
  });
});

describe('point mass (linear-quadratic control)', () => {
  const m = pointMass();
  const lqr = pointMassLqr(m);

  /** Undiscounted return of one episode under a = -K_t s + σ ε. */
  function lqrEpisode(rng: Rng, sigma: number): { ret: number; x0: number } {
    let s = pointMassReset(m, rng);
    const x0 = s[0];
    let ret = 0;
    for (let t = 0; t < m.horizon; t++) {
      const [k0, k1] = lqr.gains[t];
      const r = pointMassStep(m, s, [-(k0 * s[0] + k1 * s[1]) + sigma * rng.normal()]);
      ret += r.reward;
      s = r.state;
    }
    return { ret, x0 };
  }

  test('the Riccati controller attains -x₀ᵀP₀x₀ exactly on every deterministic episode', () => {
    const rng = new Rng(1);
    for (let e = 0; e < 20; e++) {
      const { ret, x0 } = lqrEpisode(rng, 0);
      expect(Math.abs(ret + lqr.costToGo[0][0] * x0 * x0)).toBeLessThan(1e-12 * (1 + Math.abs(ret)));
    }
  });

  test('with action noise σ the expected return is optimal - σ² noiseCostPerVariance (Monte Carlo); omitting the noise cost fails', () => {
    const rng = new Rng(2);
    const sigma = 0.5;
    const M = 4000;
    const rets = Array.from({ length: M }, () => lqrEpisode(rng, sigma).ret);
    const mean = rets.reduce((a, b) => a + b, 0) / M;
    const se = Math.sqrt(rets.reduce((a, b) => a + (b - mean) ** 2, 0) / (M - 1) / M);
    const zz = zForFalseAlarm(1e-6);
    expect(Math.abs(mean - (lqr.optimalExpectedReturn - sigma * sigma * lqr.noiseCostPerVariance))).toBeLessThan(zz * se);
    expect(Math.abs(mean - lqr.optimalExpectedReturn)).toBeGreaterThan(zz * se);
  });

  test('reset and dynamics are seeded and deterministic', () => {
    const a = pointMassReset(pointMass({ dim: 2 }), new Rng(3));
    const b = pointMassReset(pointMass({ dim: 2 }), new Rng(3));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(() => pointMass({ actionCost: 0 })).toThrow(/actionCost/);
    expect(() => pointMassStep(m, a, [0])).toThrow(/state of length 2/);
  });
});

describe('TRPO with the Gaussian policy on the point mass', () => {
  const m = pointMass({ dim: 2, horizon: 20 });

  /** Independent KL of two diagonal Gaussians via the general formula ½[tr(Σ₁⁻¹Σ₀) + Δμᵀ Σ₁⁻¹ Δμ - k + ln det Σ₁ / det Σ₀]. */
  function klGeneral(p: GaussianPolicy, th0: Float64Array, th1: Float64Array, states: Float64Array[]): number {
    const s0 = gaussianLogStd(p, th0).map((l) => Math.exp(2 * l));
    const s1 = gaussianLogStd(p, th1).map((l) => Math.exp(2 * l));
    let total = 0;
    for (const s of states) {
      const m0 = gaussianMean(p, th0, s);
      const m1 = gaussianMean(p, th1, s);
      let tr = 0;
      let maha = 0;
      let logDet = 0;
      for (let i = 0; i < p.actionDim; i++) {
        tr += s0[i] / s1[i];
        maha += (m1[i] - m0[i]) ** 2 / s1[i];
        logDet += Math.log(s1[i] / s0[i]);
      }
      total += 0.5 * (tr + maha - p.actionDim + logDet);
    }
    return total / states.length;
  }

  function oneStep(seed: number, delta: number, o: TrpoOptions = {}) {
    const rng = new Rng(seed);
    const p = mlpGaussianPolicy([4, 6, 2], { initialLogStd: -0.5 + rng.uniform() });
    const theta = p.init(rng);
    const states: Float64Array[] = [];
    const actions: Float64Array[] = [];
    const rewards: number[] = [];
    for (let e = 0; e < 4; e++) {
      let s = pointMassReset(m, rng);
      for (let t = 0; t < m.horizon; t++) {
        const a = sampleGaussianAction(p, theta, s, rng);
        const r = pointMassStep(m, s, a);
        states.push(s);
        actions.push(a);
        rewards.push(r.reward);
        s = r.state;
      }
    }
    const mean = rewards.reduce((a, b) => a + b, 0) / rewards.length;
    const advantages = rewards.map((r) => r - mean);
    const step = trpoStep(sampledTrpoProblem(gaussianTrpoPolicy(p), theta, { states, actions, advantages }), { delta, ...o });
    return { step, kl: klGeneral(p, theta, step.theta, states) };
  }

  const arb = fc.record({ seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }), delta: fc.double({ min: 1e-3, max: 2, noNaN: true }) });

  test('every accepted step satisfies mean KL <= δ (KL recomputed by the general Gaussian formula)', () => {
    fc.assert(
      fc.property(arb, ({ seed, delta }) => {
        const { step, kl } = oneStep(seed, delta);
        return !step.accepted || kl <= delta * (1 + 1e-9);
      }),
      { seed: 7104, numRuns: 25 },
    );
  });

  test('sensitivity: the same property fails when the line search skips the KL test', () => {
    expect(() =>
      fc.assert(
        fc.property(arb, ({ seed, delta }) => {
          const { step, kl } = oneStep(seed, delta, { checkKl: false });
          return !step.accepted || kl <= delta * (1 + 1e-9);
        }),
        { seed: 7104, numRuns: 25 },
      ),
    ).toThrow();
  });
});
