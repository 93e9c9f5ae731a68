import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { mcMean } from '../../src/numeric/monte-carlo.js';
import { withinStdError, zForFalseAlarm } from '../../src/numeric/statistics.js';
import { quadraticNaturalGradient, quadraticPlainGradient, searchGradientSample } from '../../src/es/search-gradient.js';

const SAMPLES = 200_000;

/** A random quadratic fitness -½ xᵀHx + bᵀx (H symmetric, any signature) and a Gaussian N(μ, AAᵀ), A lower-triangular. */
function problem(seed: number, d: number) {
  const rng = new Rng(seed);
  const H = Matrix.zeros(d, d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      const v = rng.normal();
      H.set(i, j, v);
      H.set(j, i, v);
    }
  }
  const b = Float64Array.from({ length: d }, () => rng.normal());
  const mu = Float64Array.from({ length: d }, () => rng.normal());
  const A = Matrix.zeros(d, d);
  for (let i = 0; i < d; i++) {
    A.set(i, i, 0.5 + rng.uniform());
    for (let j = 0; j < i; j++) A.set(i, j, 0.5 * rng.normal());
  }
  const f = (x: Float64Array): number => {
    let q = 0;
    let l = 0;
    for (let i = 0; i < d; i++) {
      l += b[i] * x[i];
      for (let j = 0; j < d; j++) q += x[i] * H.get(i, j) * x[j];
    }
    return -0.5 * q + l;
  };
  const estimate = mcMean(SAMPLES, rng.split(), (r) => searchGradientSample(f, mu, A, r));
  return { H, b, mu, A, estimate };
}

/** Each problem's estimate once: the sensitivity runs see the same problems as the check (the same fast-check seed). */
const problems = new Map<number, ReturnType<typeof problem>>();
function problemOnce(seed: number, d: number): ReturnType<typeof problem> {
  let p = problems.get(seed);
  if (!p) {
    p = problem(seed, d);
    problems.set(seed, p);
  }
  return p;
}

describe('NES search gradient (Wierstra et al. 2014, section 4.3) for a quadratic fitness', () => {
  const dims = 3;
  const entries = dims + dims * dims;
  // Bonferroni over the entries: the whole check false-alarms with probability <= 1e-6 per run
  const z = zForFalseAlarm(1e-6, entries);

  test('its Monte Carlo mean equals the exact natural gradient of E f, within z standard errors', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const { H, b, mu, A, estimate } = problemOnce(seed, dims);
        return withinStdError(estimate.value, estimate.stdError, quadraticNaturalGradient(H, b, mu, A), z).ok;
      }),
      { seed: 801, numRuns: 4 },
    );
  });

  test('sensitivity: the plain (Euclidean) gradient of E f is rejected', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const { H, b, mu, estimate } = problemOnce(seed, dims);
        return !withinStdError(estimate.value, estimate.stdError, quadraticPlainGradient(H, b, mu), z).ok;
      }),
      { seed: 801, numRuns: 4 },
    );
  });

  test('sensitivity: a natural gradient with the Σ-block Fisher inverse off by a factor 2 is rejected', () => {
    const { H, b, mu, A, estimate } = problemOnce(17, dims);
    const wrong = quadraticNaturalGradient(H, b, mu, A);
    for (let i = dims; i < entries; i++) wrong[i] *= 0.5;
    expect(withinStdError(estimate.value, estimate.stdError, wrong, z).ok).toBe(false);
  });
});
