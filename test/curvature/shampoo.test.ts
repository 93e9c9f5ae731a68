import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { symmetricPower } from '../../src/linalg/matrix-function.js';
import { matmul, maxAbs, maxAbsDiff } from '../../src/linalg/ops.js';
import { solveMatrix } from '../../src/linalg/solve.js';
import { shampooPreconditioners, shampooStatistics } from '../../src/curvature/shampoo.js';
import { thrownError as thrown } from '../natgrad-error.js';

const EPS = 2 ** -52;

function randomGradients(seed: number): { gradients: Matrix[]; epsilon: number } {
  const rng = new Rng(seed);
  const m = 1 + rng.integer(4);
  const n = 1 + rng.integer(4);
  const T = 1 + rng.integer(4);
  const gradients = Array.from(
    { length: T },
    () =>
      new Matrix(
        m,
        n,
        Float64Array.from({ length: m * n }, () => rng.normal()),
      ),
  );
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
  return (64 * n * EPS * (maxAbs(S) * n)) / epsilon;
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
    expect(thrown(() => shampooPreconditioners([], 1e-4)).path).toBe('spec.gradients');
    expect(thrown(() => shampooPreconditioners([Matrix.zeros(2, 3), Matrix.zeros(3, 2)], 1e-4)).path).toBe('spec.gradients[1]');
    expect(thrown(() => shampooPreconditioners([Matrix.zeros(2, 3)], -1)).path).toBe('spec.epsilon');
    expect(
      thrown(() =>
        shampooPreconditioners(
          [
            Matrix.from([
              [1, 0],
              [0, 0],
            ]),
          ],
          0,
        ),
      ).reason,
    ).toMatch(/singular/);
  });
});

describe('Shampoo at the edges of float64', () => {
  /** max |A - B| relative to max |B|. */
  const relDiff = (A: Matrix, B: Matrix): number => maxAbsDiff(A, B) / Math.max(maxAbs(B), Number.MIN_VALUE);

  test('scale invariance: 2^j G and 4^j ε give 2^(-j/2) L, 2^(-j/2) R and the same update, far beyond where G Gᵀ overflows', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: -500, max: 513 }), (seed, j) => {
        const { gradients, epsilon } = randomGradients(seed);
        const base = shampooPreconditioners(gradients, epsilon);
        const big = shampooPreconditioners(
          gradients.map(
            (G) =>
              new Matrix(
                G.rows,
                G.cols,
                G.data.map((x) => x * 2 ** j),
              ),
          ),
          epsilon * 2 ** j * 2 ** j, // ε 4^j stays normal and finite for ε in [1e-3, 1e-1] and j in [-500, 513]
        );
        const f = 2 ** (-j / 2);
        const tol = 64 * EPS;
        return (
          relDiff(
            big.L,
            new Matrix(
              base.L.rows,
              base.L.cols,
              base.L.data.map((x) => x * f),
            ),
          ) <= tol &&
          relDiff(
            big.R,
            new Matrix(
              base.R.rows,
              base.R.cols,
              base.R.data.map((x) => x * f),
            ),
          ) <= tol &&
          relDiff(big.update, base.update) <= tol
        );
      }),
      {
        seed: 604,
        numRuns: 200,
        examples: [
          [11, 513],
          [12, -500],
          [13, 511],
        ],
      },
    );
  });

  test('epsilon 1e308 is answered: L = R = (1e308)^(-1/4) I to rounding, update = G / 1e154', () => {
    const G = Matrix.from([
      [1, 2],
      [3, 4],
    ]);
    const { L, R, update } = shampooPreconditioners([G], 1e308);
    // the statistic 1e308 I + G Gᵀ equals 1e308 I in float64
    for (const P of [L, R])
      expect(
        relDiff(
          P,
          Matrix.from([
            [1e-77, 0],
            [0, 1e-77],
          ]),
        ),
      ).toBeLessThanOrEqual(4 * EPS);
    expect(
      relDiff(
        update,
        new Matrix(
          2,
          2,
          G.data.map((x) => x * 1e-154),
        ),
      ),
    ).toBeLessThanOrEqual(8 * EPS);
  });

  test('an epsilon lost in rounding of a singular statistic is refused at epsilon, naming the epsilon that is resolved', () => {
    const G = Matrix.from([
      [1e153, 2e153],
      [3e153, 4e153],
      [1e153, 1e153],
    ]); // rank 2: G Gᵀ (3 x 3) is singular
    let reason = '';
    try {
      shampooPreconditioners([G], 1e-4);
    } catch (e) {
      expect(e).toBeInstanceOf(NatgradError);
      expect((e as NatgradError).path).toBe('spec.epsilon');
      reason = (e as NatgradError).reason;
    }
    expect(reason).toMatch(
      /^0\.0001 is lost in rounding: ε I_m \+ Σ G Gᵀ has largest eigenvalue 3\.\d\de307, float64 resolves its eigenvalues only to about \d\.\d\de292 .* so the -1\/4 power is not determined in float64; it is with an epsilon of at least \d\.\d\de292,/,
    );
    expect(reason).not.toMatch(/epsilon > 0|floor|\{/);
    const resolved = Number(/at least ([^,\s]+),/.exec(reason)![1]);
    // with that epsilon the answer exists and equals the scaled-down problem's, rescaled
    const { L, update } = shampooPreconditioners([G], resolved);
    const down = shampooPreconditioners(
      [
        new Matrix(
          3,
          2,
          G.data.map((x) => x * 2 ** -510),
        ),
      ],
      resolved * 2 ** -510 * 2 ** -510,
    );
    expect(
      relDiff(
        L,
        new Matrix(
          3,
          3,
          down.L.data.map((x) => x * 2 ** -255),
        ),
      ),
    ).toBeLessThanOrEqual(1e-12);
    expect(relDiff(update, down.update)).toBeLessThanOrEqual(1e-12);
  });
});
