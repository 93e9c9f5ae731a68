import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { vec } from '../../src/core/vec.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { mcFisherNegHessian, mcFisherScore, mcMatrixMean, mcMean } from '../../src/numeric/monte-carlo.js';
import { withinStdError, zForFalseAlarm } from '../../src/numeric/statistics.js';

/**
 * Every statistical check here runs at a stated false-alarm rate ALPHA per test
 * (Bonferroni over the entries compared); seeds are fixed, so a run is replayable,
 * and a wrong expected value (5% off) must be rejected at the same z.
 */
const ALPHA = 1e-6;

describe('mcMean', () => {
  test('gamma(2.5) mean within its standard error; 5% off is rejected', () => {
    const r = mcMean(20_000, new Rng('mcMean gamma'), (rng) => rng.gamma(2.5));
    const z = zForFalseAlarm(ALPHA);
    expect(withinStdError(r.value, r.stdError, 2.5, z).ok).toBe(true);
    expect(withinStdError(r.value, r.stdError, 2.5 * 1.05, z).ok).toBe(false);
    // the standard error estimates sd / sqrt(n) = sqrt(2.5 / 20000); the sample sd's own
    // relative spread is about sqrt((kurtosis - 1) / (4n)) < 1.2%, so 6% is a z > 5 margin
    expect(Math.abs(r.stdError[0] / Math.sqrt(2.5 / 20_000) - 1)).toBeLessThan(0.06);
  });

  test('vector draws: normal means with different scales (Bonferroni over 3 entries)', () => {
    const mu = [1, -2, 0.5];
    const sd = [0.1, 3, 1];
    const r = mcMean(10_000, new Rng(7), (rng) => vec(mu.map((m, i) => m + sd[i] * rng.normal())));
    const z = zForFalseAlarm(ALPHA, 3);
    expect(withinStdError(r.value, r.stdError, vec(mu), z).ok).toBe(true);
    const wrong = vec(mu.map((m, i) => (i === 0 ? m * 1.05 : m)));
    const check = withinStdError(r.value, r.stdError, wrong, z);
    expect(check.ok).toBe(false);
    expect(check.worst.index).toBe(0);
  });

  test('Welford stays accurate on a large offset (1e9 + small spread)', () => {
    let k = 0;
    const draws = [1, 2, 3, 4, 5, 6, 7];
    const r = mcMean(7000, new Rng(1), () => 1e9 + draws[k++ % 7]);
    // each Welford update rounds the mean by about half an ulp of 1e9 (6e-8)
    expect(Math.abs(r.value[0] - (1e9 + 4))).toBeLessThan(7000 * 6e-8);
    // sample variance of 1..7 repeated: 4 * 7000 / 6999; se = sqrt(var / n)
    // the naive E[x^2] - E[x]^2 would lose everything here (1e18 eps = 222 against a variance of 4);
    // Welford's deviations carry the mean's rounding (6e-8 / 2 relative to a spread of 2): 1e-8 suffices
    const se = Math.sqrt((4 * 7000) / 6999 / 7000);
    expect(Math.abs(r.stdError[0] - se)).toBeLessThan(1e-8 * se);
  });

  test('bad input', () => {
    expect(() => mcMean(1, new Rng(1), (rng) => rng.normal())).toThrow(NatgradError);
    expect(() => mcMean(10, new Rng(1), () => NaN)).toThrow(NatgradError);
    let i = 0;
    expect(() => mcMean(10, new Rng(1), () => vec(i++ === 0 ? [1] : [1, 2]))).toThrow(NatgradError);
  });
});

describe('mcMatrixMean', () => {
  // n chosen so that z * stdError (about 5.3 * 5.7 / sqrt(n) for the (1,1) entry) is well below 5% of 4
  test('E[x x^T] for x ~ N(0, diag(1, 4)) is diag(1, 4)', () => {
    const r = mcMatrixMean(
      80_000,
      new Rng('outer'),
      (rng, out) => {
        const x = [rng.normal(), 2 * rng.normal()];
        for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) out.set(i, j, x[i] * x[j]);
      },
      2,
    );
    const z = zForFalseAlarm(ALPHA, 4);
    expect(withinStdError(r.value, r.stdError, Matrix.diagonal([1, 4]), z).ok).toBe(true);
    expect(withinStdError(r.value, r.stdError, Matrix.diagonal([1, 4 * 1.05]), z).ok).toBe(false);
  });
  test('rectangular shapes', () => {
    const r = mcMatrixMean(10, new Rng(3), (_rng, out) => out.set(1, 2, 1), [2, 3]);
    expect(r.value.rows).toBe(2);
    expect(r.value.cols).toBe(3);
    expect(r.value.get(1, 2)).toBe(1);
    expect(r.stdError.get(1, 2)).toBe(0);
  });
});

describe('Fisher by Monte Carlo: normal(mu, sigma), F = diag(1/sigma^2, 2/sigma^2)', () => {
  const mu = 0.7;
  const sigma = 1.6;
  const fisher = Matrix.diagonal([1 / sigma ** 2, 2 / sigma ** 2]);
  const sample = (rng: Rng): number => mu + sigma * rng.normal();
  const score = (x: number) => {
    const zx = (x - mu) / sigma;
    return vec([zx / sigma, (zx * zx - 1) / sigma]);
  };
  // Bonferroni over the 3 distinct entries of a symmetric 2 x 2 matrix.
  const z = zForFalseAlarm(ALPHA, 3);

  test('mean outer product of the score', () => {
    const r = mcFisherScore(50_000, new Rng('fisher score'), sample, score);
    expect(r.value.get(0, 1)).toBe(r.value.get(1, 0));
    expect(withinStdError(r.value, r.stdError, fisher, z).ok).toBe(true);
  });

  test('sensitivity: a score missing the -1/sigma term is caught', () => {
    const wrongScore = (x: number) => {
      const zx = (x - mu) / sigma;
      return vec([zx / sigma, (zx * zx) / sigma]);
    };
    const r = mcFisherScore(50_000, new Rng('fisher score'), sample, wrongScore);
    expect(withinStdError(r.value, r.stdError, fisher, z).ok).toBe(false);
  });

  test('mean negative Hessian (the (0,0) entry is deterministic: standard error 0, floor applies)', () => {
    const negHessian = (x: number): Matrix => {
      const d = x - mu;
      return Matrix.from([
        [1 / sigma ** 2, (2 * d) / sigma ** 3],
        [(2 * d) / sigma ** 3, (3 * d * d) / sigma ** 4 - 1 / sigma ** 2],
      ]);
    };
    const r = mcFisherNegHessian(50_000, new Rng('fisher hessian'), sample, negHessian);
    expect(r.stdError.get(0, 0)).toBe(0);
    expect(withinStdError(r.value, r.stdError, fisher, zForFalseAlarm(ALPHA, 4)).ok).toBe(true);
    expect(withinStdError(r.value, r.stdError, Matrix.diagonal([1.05 / sigma ** 2, 2 / sigma ** 2]), zForFalseAlarm(ALPHA, 4)).ok).toBe(false);
  });

  test('vector samples work the same way (X generic)', () => {
    const r = mcFisherScore(
      20_000,
      new Rng(5),
      (rng) => vec([sample(rng), sample(rng)]),
      (x) => {
        const a = score(x[0]);
        const b = score(x[1]);
        return vec([a[0] + b[0], a[1] + b[1]]);
      },
    );
    expect(withinStdError(r.value, r.stdError, Matrix.diagonal([2 / sigma ** 2, 4 / sigma ** 2]), z).ok).toBe(true);
  });
});
