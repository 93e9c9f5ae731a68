import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { norm2 } from '../../src/core/vec.js';
import { conjugateGradient } from '../../src/linalg/cg.js';
import { Cholesky } from '../../src/linalg/cholesky.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { matvec } from '../../src/linalg/ops.js';
import { denseOperator, diagonalOperator, identityOperator } from '../../src/linalg/operators.js';
import { dim, EPS, spdArb, vecArb, vecMaxAbs } from './arbitraries.js';

const residual = (a: Matrix, x: Float64Array, b: Float64Array): number => {
  const ax = matvec(a, x);
  let s = 0;
  for (let i = 0; i < b.length; i++) s += (b[i] - ax[i]) ** 2;
  return Math.sqrt(s);
};

describe('conjugateGradient on SPD matrices', () => {
  test('meets the stopping rule and matches the direct solve: ||x - x*|| <= ||A⁻¹|| ||r|| <= rtol ||b|| / lambda_min', () => {
    fc.assert(
      fc.property(
        dim(8).chain((n) => fc.tuple(spdArb(n), vecArb(n))),
        ([{ a, n, lambdaMin, condBound }, b]) => {
          const rtol = 1e-10;
          const res = conjugateGradient(denseOperator(a), b, { rtol });
          const direct = new Cholesky(a).solve(b);
          expect(res.converged).toBe(true);
          expect(res.reason).toBe('converged');
          expect(res.residualNorm).toBeLessThanOrEqual(rtol * norm2(b));
          expect(Math.abs(res.residualNorm - residual(a, res.x, b))).toBeLessThanOrEqual(1e-300 + 4 * n * EPS * norm2(b) * condBound);
          expect(res.iterations).toBeLessThanOrEqual(10 * n);
          let diff = 0;
          for (let i = 0; i < n; i++) diff += (res.x[i] - direct[i]) ** 2;
          // CG error bound plus the direct solve's own forward error (cond n eps ||x||)
          return Math.sqrt(diff) <= (rtol * norm2(b)) / lambdaMin + 16 * (n + 1) * EPS * condBound * Math.sqrt(n) * Math.max(vecMaxAbs(direct), 1e-300);
        },
      ),
      { seed: 701, numRuns: 200 },
    );
  });

  test('a Jacobi preconditioner gives the same solution and helps a badly scaled diagonal', () => {
    const d = Float64Array.from([1, 10, 100, 1000, 10000, 1e5]);
    const b = Float64Array.from([1, 1, 1, 1, 1, 1]);
    const plain = conjugateGradient(diagonalOperator(d), b);
    const pre = conjugateGradient(diagonalOperator(d), b, { preconditioner: diagonalOperator(d.map((v) => 1 / v)) });
    expect(pre.converged).toBe(true);
    expect(pre.iterations).toBe(1);
    expect(plain.iterations).toBeGreaterThan(1);
    for (let i = 0; i < 6; i++) expect(Math.abs(pre.x[i] - 1 / d[i])).toBeLessThanOrEqual((4 * EPS) / d[i]);
  });

  test('x0, atol, b = 0 and n = 0', () => {
    const a = Matrix.from([
      [4, 1],
      [1, 3],
    ]);
    const b = Float64Array.from([1, 2]);
    const exact = new Cholesky(a).solve(b);
    const warm = conjugateGradient(denseOperator(a), b, { x0: exact });
    expect(warm.iterations).toBe(0);
    expect(warm.converged).toBe(true);
    const loose = conjugateGradient(denseOperator(a), b, { atol: 10 });
    expect(loose.iterations).toBe(0);
    const zero = conjugateGradient(denseOperator(a), new Float64Array(2));
    expect(Array.from(zero.x)).toEqual([0, 0]);
    expect(zero.converged).toBe(true);
    expect(conjugateGradient(identityOperator(0), new Float64Array(0)).converged).toBe(true);
  });

  test('an iteration cap that is too small is reported, not hidden', () => {
    const a = Matrix.from([
      [4, 1, 0],
      [1, 3, 1],
      [0, 1, 2],
    ]);
    const res = conjugateGradient(denseOperator(a), Float64Array.from([1, 2, 3]), { maxIterations: 1 });
    expect(res.converged).toBe(false);
    expect(res.reason).toBe('max-iterations');
    expect(res.residualNorm).toBeCloseTo(residual(a, res.x, Float64Array.from([1, 2, 3])), 14);
  });
});

describe('conjugateGradient on indefinite matrices (no guarantee; SB3-contrib test_cg pitfall)', () => {
  test('diag(2, -1) is detected as non-positive curvature and not reported as converged', () => {
    const res = conjugateGradient(diagonalOperator([2, -1]), Float64Array.from([1, 1]));
    expect(res.converged).toBe(false);
    expect(res.reason).toBe('non-positive-curvature');
  });

  test('for every SPD matrix shifted to have a negative eigenvalue, CG never claims a wrong answer', () => {
    fc.assert(
      fc.property(
        dim(6, 2).chain((n) =>
          fc.tuple(
            spdArb(n),
            vecArb(n).map((b) => b.map((v, i) => v + (i === 0 ? 2 : 0))),
          ),
        ),
        ([{ a, n, lambdaMaxBound }, b]) => {
          const shifted = a.clone();
          // subtracting more than lambda_max makes every eigenvalue negative: pᵀAp < 0 at once
          for (let i = 0; i < n; i++) shifted.data[i * n + i] -= lambdaMaxBound + 1;
          const res = conjugateGradient(denseOperator(shifted), b);
          return !res.converged && res.reason === 'non-positive-curvature' && res.iterations === 0;
        },
      ),
      { seed: 702, numRuns: 100 },
    );
  });

  test('an indefinite preconditioner is reported', () => {
    const res = conjugateGradient(identityOperator(2), Float64Array.from([1, 0]), { preconditioner: diagonalOperator([-1, 1]) });
    expect(res.reason).toBe('indefinite-preconditioner');
    expect(res.converged).toBe(false);
  });
});

test('bad options and shapes are NatgradErrors', () => {
  const op = identityOperator(2);
  expect(() => conjugateGradient(op, new Float64Array(3))).toThrow(NatgradError);
  expect(() => conjugateGradient(op, new Float64Array(3))).toThrow(/right-hand side has length 3, expected 2/);
  expect(() => conjugateGradient(denseOperator(new Matrix(2, 3)), new Float64Array(2))).toThrow(/square operator/);
  expect(() => conjugateGradient(op, new Float64Array(2), { rtol: -1 })).toThrow(/rtol/);
  expect(() => conjugateGradient(op, new Float64Array(2), { maxIterations: 1.5 })).toThrow(/maxIterations/);
  expect(() => conjugateGradient(op, new Float64Array(2), { preconditioner: identityOperator(3) })).toThrow(/preconditioner/);
});
