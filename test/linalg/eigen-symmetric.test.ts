import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { eigSymmetric } from '../../src/linalg/eigen-symmetric.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { frobeniusNorm, matmul, matmulTN, sub } from '../../src/linalg/ops.js';
import { dim, entry, EPS, symmetricArb, vecArb } from './arbitraries.js';

/**
 * Backward stability of Householder tridiagonalization + QR (Golub and Van
 * Loan §8.3.6): the computed pair is exact for a + E with ||E|| ~ p(n) u ||a||
 * and V is orthogonal to ~p(n) u. We take p(n) = 16 n; observed values are
 * 5-20x smaller.
 */
function eigDefects(a: Matrix, values: Float64Array, V: Matrix): { residual: number; orthogonality: number } {
  const n = a.rows;
  const VD = V.clone();
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) VD.data[i * n + j] *= values[j];
  return {
    residual: frobeniusNorm(sub(matmul(a, V), VD)),
    orthogonality: frobeniusNorm(sub(matmulTN(V, V), Matrix.identity(n))),
  };
}

const rel = (n: number): number => 16 * Math.max(n, 1) * EPS;

/** H diag(lambda) H with the reflector H = I - 2 v vᵀ / vᵀv: a symmetric matrix with a known spectrum. */
function withSpectrum(lambda: Float64Array, v: Float64Array): Matrix {
  const n = lambda.length;
  let vv = 0;
  for (const x of v) vv += x * x;
  const H = Matrix.identity(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) H.data[i * n + j] -= (2 * v[i] * v[j]) / vv;
  const HD = H.clone();
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) HD.data[i * n + j] *= lambda[j];
  const a = matmul(HD, H);
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a.data[j * n + i] = a.data[i * n + j];
  return a;
}

/** Spectra with repeats and zeros (rank-deficient) on purpose. */
const spectrumCase = dim(9, 1).chain((n) =>
  fc.tuple(
    fc.array(fc.oneof(fc.constantFrom(0, 1, -1, 2.5), entry), { minLength: n, maxLength: n }).map((xs) => Float64Array.from(xs)),
    vecArb(n).map((v) => {
      v[0] += 2; // keeps v away from zero so the reflector is defined
      return v;
    }),
  ),
);

describe('eigSymmetric', () => {
  test('a V = V diag(values) and VᵀV = I to 16 n eps, values ascending', () => {
    fc.assert(
      fc.property(
        dim(10).chain((n) => symmetricArb(n)),
        (a) => {
          const { values, vectors } = eigSymmetric(a);
          const n = a.rows;
          for (let i = 1; i < n; i++) if (!(values[i - 1] <= values[i])) return false;
          const { residual, orthogonality } = eigDefects(a, values, vectors);
          return residual <= rel(n) * frobeniusNorm(a) && orthogonality <= rel(n);
        },
      ),
      { seed: 301, numRuns: 300 },
    );
  });

  test('recovers a known spectrum with repeated and zero eigenvalues (Weyl: |error| <= ||E||)', () => {
    fc.assert(
      fc.property(spectrumCase, ([lambda, v]) => {
        const a = withSpectrum(lambda, v);
        const n = a.rows;
        const { values, vectors } = eigSymmetric(a);
        const expected = Float64Array.from(lambda).sort();
        let top = 0;
        for (const x of lambda) top = Math.max(top, Math.abs(x));
        // forming a itself perturbs it by ~ 4 n eps max|lambda|, plus the backward error
        const tol = (rel(n) + 8 * n * EPS) * Math.max(top, Number.MIN_VALUE) * Math.sqrt(n);
        for (let i = 0; i < n; i++) if (!(Math.abs(values[i] - expected[i]) <= tol)) return false;
        const { residual, orthogonality } = eigDefects(a, values, vectors);
        return residual <= tol * Math.sqrt(n) && orthogonality <= rel(n);
      }),
      { seed: 302, numRuns: 300 },
    );
  });

  test('the defect check catches eigenvalues paired with the wrong eigenvectors', () => {
    const a = Matrix.from([
      [2, 1, 0],
      [1, 3, 1],
      [0, 1, 4],
    ]);
    const { values, vectors } = eigSymmetric(a);
    expect(eigDefects(a, values, vectors).residual).toBeLessThan(rel(3) * frobeniusNorm(a));
    const swapped = Float64Array.from([values[1], values[0], values[2]]);
    expect(eigDefects(a, swapped, vectors).residual).toBeGreaterThan(0.1);
  });

  test('edge cases: n = 0, n = 1, zero matrix, identity, rank one', () => {
    const empty = eigSymmetric(new Matrix(0, 0));
    expect(empty.values.length).toBe(0);
    expect([empty.vectors.rows, empty.vectors.cols]).toEqual([0, 0]);
    const one = eigSymmetric(Matrix.from([[-3]]));
    expect(Array.from(one.values)).toEqual([-3]);
    expect(one.vectors.toArray()).toEqual([[1]]);
    expect(Array.from(eigSymmetric(Matrix.zeros(4)).values)).toEqual([0, 0, 0, 0]);
    const id = eigSymmetric(Matrix.identity(5));
    expect(Array.from(id.values)).toEqual([1, 1, 1, 1, 1]);
    const ones = eigSymmetric(
      Matrix.from([
        [1, 1, 1],
        [1, 1, 1],
        [1, 1, 1],
      ]),
    );
    expect(Math.abs(ones.values[0])).toBeLessThan(8 * EPS);
    expect(Math.abs(ones.values[1])).toBeLessThan(8 * EPS);
    expect(Math.abs(ones.values[2] - 3)).toBeLessThan(8 * EPS);
  });

  test('moderate size (n = 60): same backward-error bounds', () => {
    const rng = new Rng('eig-n60');
    const n = 60;
    const a = new Matrix(n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a.data[i * n + j] = a.data[j * n + i] = rng.normal();
    const { values, vectors } = eigSymmetric(a);
    const { residual, orthogonality } = eigDefects(a, values, vectors);
    expect(residual).toBeLessThanOrEqual(rel(n) * frobeniusNorm(a));
    expect(orthogonality).toBeLessThanOrEqual(rel(n));
  });

  test('rejects non-square, non-finite and clearly non-symmetric input', () => {
    expect(() => eigSymmetric(new Matrix(2, 3))).toThrow(NatgradError);
    expect(() =>
      eigSymmetric(
        Matrix.from([
          [1, 2],
          [3, 4],
        ]),
      ),
    ).toThrow(/not symmetric: entry \(1, 0\) = 3 but \(0, 1\) = 2/);
    expect(() => eigSymmetric(Matrix.from([[Infinity]]))).toThrow(/not finite/);
    // rounding-level asymmetry is accepted (the input is symmetrized)
    expect(() =>
      eigSymmetric(
        Matrix.from([
          [1, 0.1],
          [0.1 + 1e-17, 1],
        ]),
      ),
    ).not.toThrow();
  });
});

test('pinned: entries spanning 1e-100 to 1e-4 keep V orthogonal (a Householder form that squares tiny numbers underflowed here)', () => {
  const n = 7;
  const a = new Matrix(n, n);
  const put = (i: number, j: number, v: number): void => {
    a.set(i, j, v);
    a.set(j, i, v);
  };
  put(0, 6, 1e-100);
  put(3, 3, -1e-100);
  put(3, 6, -1.490891930853834e-81);
  put(5, 6, 0.00033891214409421374);
  const { values, vectors } = eigSymmetric(a);
  const { residual, orthogonality } = eigDefects(a, values, vectors);
  expect(orthogonality).toBeLessThanOrEqual(rel(n));
  expect(residual).toBeLessThanOrEqual(rel(n) * frobeniusNorm(a));
});
