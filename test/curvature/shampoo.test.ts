import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { symmetricPower } from '../../src/linalg/matrix-function.js';
import { matmul, maxAbs, maxAbsDiff } from '../../src/linalg/ops.js';
import { solveMatrix } from '../../src/linalg/solve.js';
import { shampooPreconditioners, shampooStatistics } from '../../src/curvature/shampoo.js';

const EPS = 2 ** -52;

function randomGradients(seed: number): { gradients: Matrix[]; epsilon: number } {
  const rng = new Rng(seed);
  const m = 1 + rng.integer(4);
  const n = 1 + rng.integer(4);
  const T = 1 + rng.integer(4);
  const gradients = Array.from({ length: T }, () => new Matrix(m, n, Float64Array.from({ length: m * n }, () => rng.normal())));
  return { gradients, epsilon: 10 ** (-3 + 2 * rng.uniform()) };
}

/** (P^-1)^4 for symmetric positive definite P. */
function inverseFourthPower(P: Matrix): Matrix {
  const inv = solveMatrix(P, Matrix.identity(P.rows));
  const sq = matmul(inv, inv);
  return matmul(sq, sq);
}

/**
 * Relative error allowed for S ≈ (P^-1)^4 with P = S^(-1/4): the eigen route
 * is backward stable (error ~ n ε ||S|| in S), and inverting P and raising to
 * the fourth power amplifies relative errors by about cond(S) (= cond(P)^4);
 * 64 n ε cond(S) covers both.
 */
function allowed(S: Matrix, epsilon: number): number {
  const n = S.rows;
  return 64 * n * EPS * (maxAbs(S) * n) / epsilon;
}

describe('Shampoo preconditioners', () => {
  test('L^-4 = εI + Σ G Gᵀ and R^-4 = εI + Σ Gᵀ G', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const { gradients, epsilon } = randomGradients(seed);
        const { left, right } = shampooStatistics(gradients, epsilon);
        const { L, R } = shampooPreconditioners(gradients, epsilon);
        const okL = maxAbsDiff(inverseFourthPower(L), left) <= allowed(left, epsilon) * maxAbs(left);
        const okR = maxAbsDiff(inverseFourthPower(R), right) <= allowed(right, epsilon) * maxAbs(right);
        return okL && okR;
      }),
      { seed: 601, numRuns: 100 },
    );
  });

  test('the exponent -1/2 (a known mistake: -1/k instead of -1/(2k)) fails the same check', () => {
    const { gradients, epsilon } = randomGradients(602);
    const { left } = shampooStatistics(gradients, epsilon);
    const wrongL = symmetricPower(left, -0.5);
    expect(maxAbsDiff(inverseFourthPower(wrongL), left)).toBeGreaterThan(allowed(left, epsilon) * maxAbs(left));
  });

  test('update = L G_T R with the last gradient; L and R symmetric', () => {
    const { gradients, epsilon } = randomGradients(603);
    const { L, R, update } = shampooPreconditioners(gradients, epsilon);
    const expected = matmul(matmul(L, gradients[gradients.length - 1]), R);
    expect(maxAbsDiff(update, expected)).toBe(0);
    for (const P of [L, R]) for (let i = 0; i < P.rows; i++) for (let j = 0; j < i; j++) expect(P.get(i, j)).toBe(P.get(j, i));
    if (gradients.length > 1) {
      const first = matmul(matmul(L, gradients[0]), R);
      expect(maxAbsDiff(update, first)).toBeGreaterThan(0);
    }
  });

  test('scalar case by hand: L = R = (ε + Σ g²)^(-1/4)', () => {
    const gradients = [Matrix.from([[2]]), Matrix.from([[-1]])];
    const { L, R, update } = shampooPreconditioners(gradients, 0.5);
    const expected = (0.5 + 4 + 1) ** -0.25;
    expect(L.get(0, 0)).toBeCloseTo(expected, 14);
    expect(R.get(0, 0)).toBeCloseTo(expected, 14);
    expect(update.get(0, 0)).toBeCloseTo(-expected * expected, 14);
  });

  test('bad input names the JSON path', () => {
    const thrown = (f: () => void): NatgradError => {
      try {
        f();
      } catch (e) {
        if (e instanceof NatgradError) return e;
        throw e;
      }
      throw new Error('expected a NatgradError');
    };
    expect(thrown(() => shampooPreconditioners([], 1e-4)).path).toBe('spec.gradients');
    expect(thrown(() => shampooPreconditioners([Matrix.zeros(2, 3), Matrix.zeros(3, 2)], 1e-4)).path).toBe('spec.gradients[1]');
    expect(thrown(() => shampooPreconditioners([Matrix.zeros(2, 3)], -1)).path).toBe('spec.epsilon');
    expect(thrown(() => shampooPreconditioners([Matrix.from([[1, 0], [0, 0]])], 0)).reason).toMatch(/singular/);
  });
});
