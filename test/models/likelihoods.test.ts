import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { LIKELIHOODS, likelihoodModel, type Likelihood, type Target } from '../../src/models/likelihoods.js';
import { bonferroniZ, centralDerivativeVec, EPS, fdMismatches, randomTarget } from './fixtures.js';

const H = 1e-3;

/** A random logit/mean vector and target for the likelihood, from a seed. */
function randomCase(lik: Likelihood, seed: number): { f: Float64Array; y: Target } {
  const rng = new Rng(seed);
  const D = lik === 'bernoulli' ? 1 : 2 + rng.integer(3);
  const f = Float64Array.from({ length: D }, () => 2 * rng.normal());
  return { f, y: randomTarget(rng, lik, D) };
}

const along = (f: Float64Array, v: Float64Array, t: number) => f.map((x, i) => x + t * v[i]);

/** D x D sum_y p(y) g gᵀ over a finite support. */
function fisherBySupport(lik: Likelihood, f: Float64Array): Matrix {
  const m = likelihoodModel(lik);
  const D = f.length;
  const F = new Matrix(D, D);
  for (const { target, probability } of m.support(f)!) {
    const g = m.gradient(f, target);
    for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) F.data[i * D + j] += probability * g[i] * g[j];
  }
  return F;
}

function maxAbs(a: Matrix, b: Matrix): number {
  let m = 0;
  for (let i = 0; i < a.data.length; i++) m = Math.max(m, Math.abs(a.data[i] - b.data[i]));
  return m;
}

/** S Sᵀ. */
function gram(S: Matrix): Matrix {
  const out = new Matrix(S.rows, S.rows);
  for (let i = 0; i < S.rows; i++) {
    for (let j = 0; j < S.rows; j++) {
      let t = 0;
      for (let k = 0; k < S.cols; k++) t += S.get(i, k) * S.get(j, k);
      out.set(i, j, t);
    }
  }
  return out;
}

describe.each(LIKELIHOODS)('%s likelihood', (lik) => {
  const m = likelihoodModel(lik);

  test('gradient matches central differences of -log p', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const { f, y } = randomCase(lik, seed);
        for (let k = 0; k < f.length; k++) {
          const e = new Float64Array(f.length);
          e[k] = 1;
          const fd = centralDerivativeVec((t) => [m.negLogLik(along(f, e, t), y)], H);
          if (fdMismatches([m.gradient(f, y)[k]], fd).length > 0) return false;
        }
        return true;
      }),
      { seed: 201, numRuns: 100 },
    );
  });

  test('Hessian matches central differences of the gradient', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const { f, y } = randomCase(lik, seed);
        const Hm = m.hessian(f, y);
        for (let k = 0; k < f.length; k++) {
          const e = new Float64Array(f.length);
          e[k] = 1;
          const fd = centralDerivativeVec((t) => m.gradient(along(f, e, t), y), H);
          const column = Float64Array.from({ length: f.length }, (_, i) => Hm.get(i, k));
          if (fdMismatches(column, fd).length > 0) return false;
        }
        return true;
      }),
      { seed: 202, numRuns: 100 },
    );
  });

  test('the square-root factor reproduces the output Fisher, S Sᵀ = F', () => {
    for (let seed = 0; seed < 20; seed++) {
      const { f } = randomCase(lik, seed);
      expect(maxAbs(gram(m.fisherSqrt(f)), m.fisher(f))).toBeLessThanOrEqual(16 * EPS);
    }
  });

  test('canonical link: the Hessian in the output equals the output Fisher, for every y', () => {
    for (let seed = 0; seed < 20; seed++) {
      const { f, y } = randomCase(lik, seed);
      expect(maxAbs(m.hessian(f, y), m.fisher(f))).toBe(0);
    }
  });
});

describe.each(['categorical', 'bernoulli'] as const)('%s: exact expectations over the finite support', (lik) => {
  const m = likelihoodModel(lik);

  test('probabilities exp(-nll) sum to 1 and match support()', () => {
    for (let seed = 0; seed < 20; seed++) {
      const { f } = randomCase(lik, seed);
      const support = m.support(f)!;
      let total = 0;
      for (const { target, probability } of support) {
        expect(Math.abs(Math.exp(-m.negLogLik(f, target)) - probability)).toBeLessThanOrEqual(8 * EPS);
        total += probability;
      }
      expect(Math.abs(total - 1)).toBeLessThanOrEqual(8 * EPS);
    }
  });

  test('the output Fisher equals sum_y p(y) g gᵀ', () => {
    for (let seed = 0; seed < 20; seed++) {
      const { f } = randomCase(lik, seed);
      expect(maxAbs(fisherBySupport(lik, f), m.fisher(f))).toBeLessThanOrEqual(64 * EPS);
    }
  });

  test('sampling frequencies match the probabilities (Bonferroni z, false-alarm rate 1e-6)', () => {
    const rng = new Rng(203);
    const f = randomCase(lik, 7).f;
    const probs = m.support(f)!.map((s) => s.probability);
    const M = 20000;
    const counts = new Array(probs.length).fill(0);
    for (let i = 0; i < M; i++) counts[m.sample(rng, f) as number]++;
    const z = bonferroniZ(1e-6, probs.length);
    probs.forEach((p, k) => {
      expect(Math.abs(counts[k] / M - p)).toBeLessThanOrEqual(z * Math.sqrt((p * (1 - p)) / M) + 1 / M);
    });
  });
});

describe('fixed forms', () => {
  test('categorical Fisher is diag(p) - p pᵀ, and the diagonal alone (a known wrong variant) is not', () => {
    const m = likelihoodModel('categorical');
    const f = Float64Array.of(0.2, -1, 0.7);
    const p = f.map(Math.exp);
    const z = p.reduce((a, b) => a + b, 0);
    const q = p.map((x) => x / z);
    const F = m.fisher(f);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        expect(F.get(i, j)).toBeCloseTo((i === j ? q[i] : 0) - q[i] * q[j], 15);
      }
    expect(maxAbs(Matrix.diagonal(q), fisherBySupport('categorical', f))).toBeGreaterThan(0.05);
  });

  test('gaussian -log p includes (D/2) log 2π, integrates to one and samples with unit variance', () => {
    const m = likelihoodModel('gaussian');
    const f = Float64Array.of(0.4, -1.2);
    expect(m.negLogLik(f, f.slice())).toBeCloseTo(Math.log(2 * Math.PI), 15);
    // One dimension: the trapezoid rule is spectrally accurate for a Gaussian on [-12, 12].
    const f1 = Float64Array.of(0.3);
    let integral = 0;
    const step = 0.01;
    for (let y = -12; y <= 12 + 1e-9; y += step) integral += step * Math.exp(-m.negLogLik(f1, Float64Array.of(y)));
    expect(Math.abs(integral - 1)).toBeLessThan(1e-12);

    const rng = new Rng(204);
    const M = 20000;
    const sums = [0, 0],
      squares = [0, 0];
    for (let i = 0; i < M; i++) {
      const y = m.sample(rng, f) as Float64Array;
      for (let k = 0; k < 2; k++) {
        sums[k] += y[k] - f[k];
        squares[k] += (y[k] - f[k]) ** 2;
      }
    }
    // mean: sd 1/sqrt(M); variance: sd sqrt(2/M); 4 checks at false-alarm rate 1e-6
    const z = bonferroniZ(1e-6, 4);
    for (let k = 0; k < 2; k++) {
      expect(Math.abs(sums[k] / M)).toBeLessThanOrEqual(z / Math.sqrt(M));
      expect(Math.abs(squares[k] / M - 1)).toBeLessThanOrEqual(z * Math.sqrt(2 / M));
    }
  });

  test('targets are validated with what is allowed', () => {
    expect(likelihoodModel('categorical').targetViolation(3, 3)).toMatch(/0\.\.2/);
    expect(likelihoodModel('categorical').targetViolation(1.5, 3)).toMatch(/integer/);
    expect(likelihoodModel('bernoulli').targetViolation(2, 1)).toMatch(/0 or 1/);
    expect(likelihoodModel('gaussian').targetViolation(Float64Array.of(1), 2)).toMatch(/length 2/);
    expect(likelihoodModel('gaussian').targetViolation(1, 1)).toMatch(/array/);
    expect(likelihoodModel('bernoulli').outputSizeViolation(2)).toMatch(/exactly one/);
    expect(likelihoodModel('categorical').targetViolation(2, 3)).toBeNull();
  });

  test('the gradient check catches a wrong gradient (bernoulli y - sigma, the sign flipped)', () => {
    const m = likelihoodModel('bernoulli');
    const f = Float64Array.of(0.8);
    const fd = centralDerivativeVec((t) => [m.negLogLik(Float64Array.of(f[0] + t), 1)], H);
    expect(fdMismatches([-m.gradient(f, 1)[0]], fd)).toEqual([0]);
  });

  test('bernoulli variance stays accurate for large logits', () => {
    const m = likelihoodModel('bernoulli');
    expect(m.fisher(Float64Array.of(40)).get(0, 0)).toBeCloseTo(Math.exp(-40), 30);
    expect(m.fisher(Float64Array.of(40)).get(0, 0)).toBeGreaterThan(0);
  });
});
