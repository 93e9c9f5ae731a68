import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { Cholesky } from '../../src/linalg/cholesky.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { addScaledIdentity, frobeniusNorm, matmul, matmulNT, matvec, sub, transpose } from '../../src/linalg/ops.js';
import { dampedSolve, LU, pseudoInverse, pseudoInverseSolve, solve, solveMatrix, solveSpd } from '../../src/linalg/solve.js';
import { dim, entry, EPS, gamma, matrixArb, normInf, spdArb, vecArb, vecDiffMaxAbs, vecMaxAbs } from './arbitraries.js';

/** A nonsingular general matrix L U (unit lower L, |U_ii| in [0.5, 1.5]); partial pivoting still reorders rows. */
const generalArb = dim(8).chain((n) =>
  fc
    .tuple(matrixArb(n, n), fc.array(fc.tuple(fc.double({ min: 0.5, max: 1.5, noNaN: true }), fc.boolean()), { minLength: n, maxLength: n }), vecArb(n))
    .map(([R, diag, b]) => {
      const L = Matrix.identity(n);
      const U = new Matrix(n, n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < i; j++) L.data[i * n + j] = R.data[i * n + j];
        for (let j = i + 1; j < n; j++) U.data[i * n + j] = R.data[i * n + j];
        U.data[i * n + i] = diag[i][1] ? diag[i][0] : -diag[i][0];
      }
      return { a: matmul(L, U), b, n };
    }),
);

/**
 * A symmetric matrix B S Bᵀ of rank k <= n with B = [2 I_k + R / k; C] (n x k)
 * and S = diag(±1). The top block has sigma_min >= 1, so sigma_min(B) >= 1 and
 * every nonzero eigenvalue has |lambda| >= 1 (Ostrowski): ||A⁺||₂ <= 1 by
 * construction, and the rank is exactly k.
 */
const rankDeficient = (psdOnly = false) =>
  fc.tuple(dim(8, 1), fc.integer({ min: 0, max: 8 })).chain(([n, k0]) => {
    const k = Math.min(k0, n);
    return fc
      .tuple(matrixArb(n, k), fc.array(fc.boolean(), { minLength: k, maxLength: k }), vecArb(n), psdOnly ? fc.constant(true) : fc.boolean())
      .map(([R, signs, b, psd]) => {
        const B = new Matrix(n, k);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < k; j++) B.data[i * k + j] = i < k ? R.data[i * k + j] / k + (i === j ? 2 : 0) : R.data[i * k + j];
        }
        const BS = B.clone();
        for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) if (!psd && signs[j]) BS.data[i * k + j] *= -1;
        const a = matmulNT(BS, B);
        for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a.data[j * n + i] = a.data[i * n + j];
        return { a, b, n, k, psd };
      });
  });

/** The four Moore-Penrose conditions, each as a Frobenius-norm defect. */
function moorePenroseDefects(a: Matrix, p: Matrix): number[] {
  const ap = matmul(a, p);
  const pa = matmul(p, a);
  return [
    frobeniusNorm(sub(matmul(ap, a), a)),
    frobeniusNorm(sub(matmul(pa, p), p)),
    frobeniusNorm(sub(ap, transpose(ap))),
    frobeniusNorm(sub(pa, transpose(pa))),
  ];
}

describe('LU solve', () => {
  test('residual within the backward-error bound gamma_3n n 2^(n-1) ||A|| ||x|| (Higham Thm 9.5 with the worst-case growth factor)', () => {
    fc.assert(
      fc.property(generalArb, ({ a, b, n }) => {
        const x = solve(a, b);
        const res = vecDiffMaxAbs(matvec(a, x), b);
        const tol = (gamma(3 * n) * n * 2 ** Math.max(0, n - 1) + gamma(n)) * normInf(a) * vecMaxAbs(x);
        return res <= tol;
      }),
      { seed: 401, numRuns: 200 },
    );
  });

  test('solveMatrix equals solve column by column', () => {
    fc.assert(
      fc.property(generalArb, ({ a, b, n }) => {
        const B = new Matrix(n, 2);
        for (let i = 0; i < n; i++) {
          B.data[2 * i] = b[i];
          B.data[2 * i + 1] = -2 * b[i];
        }
        const X = solveMatrix(a, B);
        const x = new LU(a).solve(b);
        for (let i = 0; i < n; i++) {
          expect(X.data[2 * i]).toBe(x[i]);
          expect(Math.abs(X.data[2 * i + 1] + 2 * x[i])).toBeLessThanOrEqual(4 * EPS * Math.abs(x[i]));
        }
      }),
      { seed: 402, numRuns: 100 },
    );
  });

  test('pivots rows: [[0, 1], [1, 0]] is solved exactly', () => {
    expect(
      Array.from(
        solve(
          Matrix.from([
            [0, 1],
            [1, 0],
          ]),
          Float64Array.from([3, 4]),
        ),
      ),
    ).toEqual([4, 3]);
    expect(solve(new Matrix(0, 0), new Float64Array(0)).length).toBe(0);
  });

  test('singular input throws a NatgradError; wrong right-hand side length throws', () => {
    expect(() =>
      solve(
        Matrix.from([
          [1, 2],
          [2, 4],
        ]),
        Float64Array.from([1, 1]),
      ),
    ).toThrow(NatgradError);
    expect(() =>
      solve(
        Matrix.from([
          [1, 2],
          [2, 4],
        ]),
        Float64Array.from([1, 1]),
      ),
    ).toThrow(/singular to working precision/);
    expect(() => solve(Matrix.identity(2), Float64Array.from([1]))).toThrow(/right-hand side has length 1, expected 2/);
    expect(() => solve(new Matrix(2, 3), Float64Array.from([1, 2]))).toThrow(/square matrix, got 2 x 3/);
  });

  test('solveSpd agrees with the Cholesky solve and rejects an indefinite matrix', () => {
    fc.assert(
      fc.property(
        dim(7).chain((n) => fc.tuple(spdArb(n), vecArb(n))),
        ([{ a }, b]) => {
          expect(solveSpd(a, b)).toEqual(new Cholesky(a).solve(b));
        },
      ),
      { seed: 403, numRuns: 50 },
    );
    expect(() =>
      solveSpd(
        Matrix.from([
          [1, 2],
          [2, 1],
        ]),
        Float64Array.from([1, 1]),
      ),
    ).toThrow(/not positive definite/);
  });
});

describe('pseudo-inverse', () => {
  test('satisfies the four Moore-Penrose conditions on rank-deficient symmetric matrices (PSD and indefinite)', () => {
    fc.assert(
      fc.property(rankDeficient(), ({ a, n }) => {
        const p = pseudoInverse(a);
        const na = frobeniusNorm(a);
        // ||δP|| <~ 3 ||P||² ||E|| with ||E|| <~ 16 n u ||A|| and ||P|| <= 1 by construction;
        // A δP A then carries ||A||², P δ.. P carries ||P||².
        const tolA = 48 * n * EPS * na * na * Math.max(na, 1);
        const tolP = 48 * n * EPS * Math.max(na, 1);
        const [d1, d2, d3, d4] = moorePenroseDefects(a, p);
        return d1 <= tolA && d2 <= tolP && d3 <= tolP * na && d4 <= tolP * na;
      }),
      { seed: 404, numRuns: 200 },
    );
  });

  test('the Moore-Penrose check rejects a wrong candidate, (A + I)⁻¹', () => {
    const a = Matrix.from([
      [1, 1],
      [1, 1],
    ]);
    const wrong = new Cholesky(addScaledIdentity(a, 1)).inverse();
    expect(Math.max(...moorePenroseDefects(a, wrong))).toBeGreaterThan(0.1);
    expect(Math.max(...moorePenroseDefects(a, pseudoInverse(a)))).toBeLessThan(16 * EPS);
  });

  test('pseudoInverseSolve gives the minimum-norm least-squares solution and flags singularity', () => {
    fc.assert(
      fc.property(rankDeficient(), ({ a, b, n, k }) => {
        const { x, singular } = pseudoInverseSolve(a, b);
        expect(singular).toBe(k < n);
        const na = Math.max(frobeniusNorm(a), 1);
        const tol = 48 * n * EPS * na * na * Math.max(vecMaxAbs(b), Number.MIN_VALUE);
        // normal equations Aᵀ(A x - b) = 0 (least squares) ...
        const r = matvec(a, x);
        for (let i = 0; i < n; i++) r[i] -= b[i];
        expect(vecMaxAbs(matvec(a, r))).toBeLessThanOrEqual(tol * na);
        // ... and x in range(A) = null(A)^⊥ (minimum norm): x = A⁺ A x
        const p = pseudoInverse(a);
        expect(vecDiffMaxAbs(matvec(p, matvec(a, x)), x)).toBeLessThanOrEqual(tol);
        expect(vecDiffMaxAbs(matvec(p, b), x)).toBeLessThanOrEqual(tol);
      }),
      { seed: 405, numRuns: 200 },
    );
  });

  test('rcond decides which eigenvalues are dropped', () => {
    const a = Matrix.from([
      [1, 0],
      [0, 1e-13],
    ]);
    const b = Float64Array.from([1, 1]);
    const dropped = pseudoInverseSolve(a, b, 1e-12);
    expect(dropped.singular).toBe(true);
    expect(Array.from(dropped.x)).toEqual([1, 0]);
    const kept = pseudoInverseSolve(a, b, 1e-14);
    expect(kept.singular).toBe(false);
    expect(kept.x[1]).toBeCloseTo(1e13, 0);
    expect(pseudoInverseSolve(Matrix.zeros(2), b)).toEqual({ x: new Float64Array(2), singular: true });
    expect(() => pseudoInverseSolve(a, b, -1)).toThrow(/rcond/);
  });
});

describe('dampedSolve', () => {
  test('equals the Cholesky solve of a + lambda I to cond n eps', () => {
    fc.assert(
      fc.property(fc.tuple(rankDeficient(true), fc.double({ min: 0.1, max: 2, noNaN: true })), ([{ a, b, n }, lambda]) => {
        const { x, singular } = dampedSolve(a, lambda, b);
        expect(singular).toBe(false);
        const ref = new Cholesky(addScaledIdentity(a, lambda)).solve(b);
        const cond = (frobeniusNorm(a) + lambda) / lambda;
        return vecDiffMaxAbs(x, ref) <= 64 * n * EPS * cond * Math.max(vecMaxAbs(ref), Number.MIN_VALUE);
      }),
      { seed: 406, numRuns: 150 },
    );
  });

  test('lambda = 0 on a singular matrix is flagged; negative damping is refused', () => {
    const a = Matrix.from([
      [1, 1],
      [1, 1],
    ]);
    expect(dampedSolve(a, 0, Float64Array.from([1, 1])).singular).toBe(true);
    const { x } = dampedSolve(a, 1, Float64Array.from([1, 1]));
    // (a + I) [1, 1] = 3 [1, 1]
    expect(Math.abs(x[0] - 1 / 3)).toBeLessThan(4 * EPS);
    expect(() => dampedSolve(a, -1, Float64Array.from([1, 1]))).toThrow('lambda: must be a finite number >= 0 (the damping), got -1');
  });
});

test('entry arbitrary has no subnormals (the error bounds above assume none)', () => {
  fc.assert(
    fc.property(entry, (x) => x === 0 || Math.abs(x) >= 1e-20),
    { seed: 407, numRuns: 1000 },
  );
});
