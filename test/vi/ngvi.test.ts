import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import type { Vec } from '../../src/core/vec.js';
import { Cholesky } from '../../src/linalg/cholesky.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { maxAbs, maxAbsDiff, matmulNT } from '../../src/linalg/ops.js';
import {
  type GaussianMoments,
  expectationFromMoments,
  expectationGradient,
  momentsFromExpectation,
  momentsFromNatural,
  naturalFromMoments,
} from '../../src/vi/gaussian.js';
import { gaussHermite, normalExpectation } from '../../src/vi/gauss-hermite.js';
import { linearRegressionLikelihood, logisticRegressionLikelihood } from '../../src/vi/models.js';
import { elbo, elboGradient, elboNaturalGradient, ngvi, plainGradientVi } from '../../src/vi/ngvi.js';

function randomSpd(rng: Rng, d: number, scale = 1): Matrix {
  const B = Matrix.zeros(d, d);
  for (let i = 0; i < B.data.length; i++) B.data[i] = rng.normal();
  const S = matmulNT(B, B);
  for (let i = 0; i < d; i++) S.data[i * d + i] += 0.5;
  return Matrix.from(S.toArray().map((r) => r.map((v) => scale * v)));
}

function regressionData(seed: number, n: number, d: number, logistic: boolean) {
  const rng = new Rng(seed);
  const w = Float64Array.from({ length: d }, () => rng.normal());
  const X: Vec[] = Array.from({ length: n }, () => Float64Array.from({ length: d }, () => rng.normal()));
  const y = X.map((x) => {
    const a = x.reduce((t, v, i) => t + v * w[i], 0);
    return logistic ? (rng.uniform() < 1 / (1 + Math.exp(-a)) ? 1 : -1) : a + 0.5 * rng.normal();
  });
  const prior: GaussianMoments = { mu: Float64Array.from({ length: d }, () => 0.3 * rng.normal()), Sigma: randomSpd(rng, d) };
  const q0: GaussianMoments = { mu: Float64Array.from({ length: d }, () => rng.normal()), Sigma: randomSpd(rng, d, 0.3) };
  return { X, y, prior, q0 };
}

/** The conjugate posterior: Λ = Σ₀⁻¹ + XᵀX/σ², μ = Λ⁻¹(Σ₀⁻¹μ₀ + Xᵀy/σ²). */
function exactPosterior(X: Vec[], y: number[], s2: number, prior: GaussianMoments): GaussianMoments {
  const d = X[0].length;
  const ch0 = new Cholesky(prior.Sigma);
  const Lam = ch0.inverse();
  const rhs = ch0.solve(prior.mu);
  X.forEach((x, n) => {
    for (let i = 0; i < d; i++) {
      rhs[i] += (x[i] * y[n]) / s2;
      for (let j = 0; j < d; j++) Lam.data[i * d + j] += (x[i] * x[j]) / s2;
    }
  });
  const ch = new Cholesky(Lam);
  return { mu: ch.solve(rhs), Sigma: ch.inverse() };
}

/** Relative distance of two Gaussians' (μ, Σ). */
const distance = (a: GaussianMoments, b: GaussianMoments): number =>
  Math.max(
    maxAbsDiff(Matrix.from([Array.from(a.mu)]), Matrix.from([Array.from(b.mu)])) / Math.max(...Array.from(b.mu, Math.abs)),
    maxAbsDiff(a.Sigma, b.Sigma) / maxAbs(b.Sigma),
  );

describe('Gaussian coordinates', () => {
  test('moments ↔ natural ↔ expectation round trips', () => {
    const rng = new Rng(1);
    const q = { mu: Float64Array.from([0.3, -1, 2]), Sigma: randomSpd(rng, 3) };
    expect(distance(momentsFromNatural(naturalFromMoments(q)), q)).toBeLessThan(1e-12);
    expect(distance(momentsFromExpectation(expectationFromMoments(q)), q)).toBeLessThan(1e-12);
  });

  test('the natural gradient (∇_m ELBO) matches central differences of the ELBO in expectation parameters', () => {
    const { X, y, prior, q0 } = regressionData(3, 30, 3, true);
    const lik = logisticRegressionLikelihood(X, y);
    const d = 3;
    const g = elboNaturalGradient(lik, prior, q0);
    const m = expectationFromMoments(q0);
    const rng = new Rng(7);
    for (let trial = 0; trial < 4; trial++) {
      const s = Float64Array.from({ length: d }, () => rng.normal());
      const S = Matrix.zeros(d, d);
      for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) S.set(i, j, 0.1 * rng.normal()), S.set(j, i, S.get(i, j));
      const at = (h: number): number => {
        const m2 = Matrix.from(m.m2.toArray().map((r, i) => r.map((v, j) => v + h * S.get(i, j))));
        return elbo(lik, prior, momentsFromExpectation({ m1: m.m1.map((v, i) => v + h * s[i]), m2 }));
      };
      const h = 1e-5;
      const fd = (at(h) - at(-h)) / (2 * h);
      let predicted = 0;
      for (let i = 0; i < d; i++) predicted += g[i] * s[i];
      for (let k = 0; k < d * d; k++) predicted += g[d + k] * S.data[k];
      // O(h²) truncation and O(ε |ELBO| / h) rounding
      expect(Math.abs(fd - predicted)).toBeLessThan(1e-6 * Math.max(1, Math.abs(predicted)));
    }
  });

  test('sensitivity: the chain rule without the -2 (∇_Σ f) μ term disagrees with the central difference', () => {
    const { X, y, prior, q0 } = regressionData(3, 30, 3, true);
    const lik = logisticRegressionLikelihood(X, y);
    const g = elboGradient(lik, prior, q0);
    const m = expectationFromMoments(q0);
    const h = 1e-5;
    const at = (t: number): number => elbo(lik, prior, momentsFromExpectation({ m1: m.m1.map((v, i) => v + (i === 0 ? t : 0)), m2: m.m2 }));
    const fd = (at(h) - at(-h)) / (2 * h);
    expect(Math.abs(fd - expectationGradient(q0.mu, g).vector[0])).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
    expect(Math.abs(fd - g.vector[0])).toBeGreaterThan(1e-3);
  });

  test('Gauss-Hermite is exact for E[a⁴] = m⁴ + 6m²v + 3v²', () => {
    expect(gaussHermite(10).weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    const [m, v] = [0.7, 2.3];
    expect(Math.abs(normalExpectation((a) => a ** 4, m, v, 5) - (m ** 4 + 6 * m * m * v + 3 * v * v))).toBeLessThan(1e-12);
  });
});

describe('NGVI on Bayesian linear regression (conjugate)', () => {
  const s2 = 0.25;
  test('one natural-gradient step of size 1 from any q gives the exact posterior', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 5 }), (seed, d) => {
        const { X, y, prior, q0 } = regressionData(seed, 20, d, false);
        const run = ngvi(linearRegressionLikelihood(X, y, s2), prior, q0, { rho: 1, iterations: 1 });
        // two Cholesky solves of a system with condition number κ ≲ 1e4: relative error ~ κ ε
        return distance(run.q, exactPosterior(X, y, s2, prior)) < 1e-9;
      }),
      { seed: 901, numRuns: 40 },
    );
  });

  test('sensitivity: a step of size 0.9, and jitter on the prior in the update only, are caught', () => {
    const { X, y, prior, q0 } = regressionData(5, 20, 3, false);
    const exact = exactPosterior(X, y, s2, prior);
    const lik = linearRegressionLikelihood(X, y, s2);
    expect(distance(ngvi(lik, prior, q0, { rho: 0.9, iterations: 1 }).q, exact)).toBeGreaterThan(1e-3);
    const jittered = { mu: prior.mu, Sigma: Matrix.from(prior.Sigma.toArray().map((r, i) => r.map((v, j) => v + (i === j ? 1e-3 : 0)))) };
    expect(distance(ngvi(lik, jittered, q0, { rho: 1, iterations: 1 }).q, exact)).toBeGreaterThan(1e-7);
  });

  test('sensitivity: a plain-gradient step in (μ, L) does not land on the posterior', () => {
    const { X, y, prior, q0 } = regressionData(5, 20, 3, false);
    const run = plainGradientVi(linearRegressionLikelihood(X, y, s2), prior, q0, { lr: 1e-2, iterations: 1 });
    expect(distance(run.q, exactPosterior(X, y, s2, prior))).toBeGreaterThan(1e-2);
  });
});

describe('NGVI on Bayesian logistic regression', () => {
  test('NGVI (ρ = 1) increases the ELBO at every step and reaches a stationary point', () => {
    const { X, y, prior, q0 } = regressionData(11, 100, 4, true);
    const lik = logisticRegressionLikelihood(X, y);
    const run = ngvi(lik, prior, q0, { rho: 1, iterations: 15 });
    for (let t = 1; t < run.elbo.length; t++) expect(run.elbo[t]).toBeGreaterThanOrEqual(run.elbo[t - 1] - 1e-9);
    const g = elboNaturalGradient(lik, prior, run.q);
    expect(Math.max(...Array.from(g, Math.abs))).toBeLessThan(1e-6);
  });
});
