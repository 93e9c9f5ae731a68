import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { Cholesky } from '../../src/linalg/cholesky.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { expmSymmetric } from '../../src/linalg/matrix-function.js';
import { matmul, matmulNT, maxAbsDiff, transpose } from '../../src/linalg/ops.js';
import { onePlusOneEs } from '../../src/es/one-plus-one-es.js';
import { snes, snesLearningRate } from '../../src/es/snes.js';
import { ellipsoid, rosenbrock, sphere } from '../../src/es/test-functions.js';
import { defaultLambda, nesUtilities, rankUtilities } from '../../src/es/utilities.js';
import { expmFactorUpdate, xnes, xnesLearningRate } from '../../src/es/xnes.js';

function randomFactorAndTraceFree(seed: number, d: number): { B: Matrix; M: Matrix } {
  const rng = new Rng(seed);
  const B = Matrix.zeros(d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) B.set(i, j, (i === j ? 1 : 0) + 0.3 * rng.normal());
  const M = Matrix.zeros(d, d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      const v = 0.3 * rng.normal();
      M.set(i, j, v);
      M.set(j, i, v);
    }
  }
  let tr = 0;
  for (let i = 0; i < d; i++) tr += M.get(i, i);
  for (let i = 0; i < d; i++) M.set(i, i, M.get(i, i) - tr / d);
  return { B, M };
}

/** |det| through the Cholesky factor of BBᵀ. */
const absDet = (B: Matrix): number => {
  const L = new Cholesky(matmulNT(B, B)).L;
  let p = 1;
  for (let i = 0; i < B.rows; i++) p *= L.get(i, i);
  return p;
};

describe('default parameters (Wierstra et al. 2014)', () => {
  // values worked by hand from the paper's formulas, so a changed constant or a √d for d√d is caught
  test('population size 4 + floor(3 ln d)', () => {
    expect([2, 10, 100].map(defaultLambda)).toEqual([6, 10, 17]);
  });
  test('xNES: η_σ = η_B = 3 (3 + ln d) / (5 d √d); SNES: η_σ = (3 + ln d) / (5 √d)', () => {
    expect(xnesLearningRate(10)).toBeCloseTo(0.1006095, 6);
    expect(snesLearningRate(10)).toBeCloseTo(0.3353649, 6);
    expect(xnesLearningRate(1)).toBeCloseTo(1.8, 12);
    expect(snesLearningRate(1)).toBeCloseTo(0.6, 12);
  });
});

describe('xNES factor update B · expm(M) (a mistake seen in evosax)', () => {
  test('keeps |det B| for trace-free M and gives covariance B expm(2M) Bᵀ', () => {
    for (let seed = 0; seed < 10; seed++) {
      const { B, M } = randomFactorAndTraceFree(seed, 5);
      const next = expmFactorUpdate(B, M);
      expect(Math.abs(absDet(next) / absDet(B) - 1)).toBeLessThan(1e-12);
      const twoM = Matrix.from(M.toArray().map((r) => r.map((v) => 2 * v)));
      const expected = matmul(matmul(B, expmSymmetric(twoM)), transpose(B));
      expect(maxAbsDiff(matmulNT(next, next), expected)).toBeLessThan(1e-12);
    }
  });

  test('sensitivity: the elementwise update B ∘ exp(M) changes det B and is caught', () => {
    const { B, M } = randomFactorAndTraceFree(3, 5);
    const elementwise = Matrix.from(B.toArray().map((r, i) => r.map((v, j) => v * Math.exp(M.get(i, j)))));
    expect(Math.abs(absDet(elementwise) / absDet(B) - 1)).toBeGreaterThan(1e-3);
  });
});

describe('fitness shaping', () => {
  test('utilities sum to zero, decrease with rank, and only the better half is positive', () => {
    for (const lambda of [2, 10, 14, 50]) {
      const u = nesUtilities(lambda);
      expect(Math.abs(u.reduce((a, b) => a + b, 0))).toBeLessThan(1e-15 * lambda);
      for (let k = 1; k < lambda; k++) expect(u[k]).toBeLessThanOrEqual(u[k - 1]);
      expect(u[Math.floor(lambda / 2)]).toBeLessThan(0);
    }
    expect(Array.from(rankUtilities([3, 1, 2]))).toEqual([nesUtilities(3)[2], nesUtilities(3)[0], nesUtilities(3)[1]]);
  });
});

describe('NES and the (1+1)-ES reach 1e-8 (10-d, seeded)', () => {
  const start = new Float64Array(10).fill(1);
  test('xNES on sphere, ellipsoid and Rosenbrock', () => {
    for (const f of [sphere, ellipsoid]) expect(xnes(f, 10, { seed: 2, mean: start, maxEvaluations: 50_000 }).evaluationsToTarget).not.toBeNull();
    expect(xnes(rosenbrock, 10, { seed: 2, mean: new Float64Array(10), maxEvaluations: 50_000 }).best).toBeLessThanOrEqual(1e-8);
  });

  test('SNES and (1+1)-ES on the sphere', () => {
    expect(snes(sphere, 10, { seed: 2, mean: start, maxEvaluations: 20_000 }).evaluationsToTarget).not.toBeNull();
    expect(onePlusOneEs(sphere, 10, { seed: 2, mean: start, maxEvaluations: 20_000 }).evaluationsToTarget).not.toBeNull();
  });
});
