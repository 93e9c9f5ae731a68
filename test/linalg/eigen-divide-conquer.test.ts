/**
 * The blocked reduction, divide and conquer and back-transformation of
 * eigSymmetric at sizes where every part runs (panels of 32, subproblems
 * of up to 25 solved by QR, and their merges), on the classic hard cases: clustered and repeated
 * eigenvalues, Wilkinson's matrices (pairs agreeing to many digits, which the
 * deflating rotations handle), graded matrices, entries near underflow,
 * diagonal and zero matrices. References are identities (A V = V Λ, VᵀV = I)
 * and spectra fixed by construction.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { eigSymmetric } from '../../src/linalg/eigen-symmetric.js';
import { type GemmBackend, availableGemmBackends, gemmBackend, setGemmBackend } from '../../src/linalg/kernels/index.js';
import { withWorkspace } from '../../src/linalg/kernels/workspace.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { frobeniusNorm, matmul, matmulTN } from '../../src/linalg/ops.js';
import { secularRoots } from '../../src/linalg/eigen/secular.js';

const EPS = 2 ** -52;

/** ||A V − V Λ||_F / ||A||_F and ||VᵀV − I||_F, in units of n eps. */
function defects(a: Matrix, values: Float64Array, V: Matrix): { residual: number; orthogonality: number } {
  const n = a.rows;
  const AV = matmul(a, V);
  let r = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) r += (AV.data[i * n + j] - V.data[i * n + j] * values[j]) ** 2;
  const G = matmulTN(V, V);
  let o = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) o += (G.data[i * n + j] - (i === j ? 1 : 0)) ** 2;
  const scale = frobeniusNorm(a) || 1;
  return { residual: Math.sqrt(r) / scale / (n * EPS), orthogonality: Math.sqrt(o) / (n * EPS) };
}

/** Bound on both defects in units of n eps (backward stability: Golub and Van Loan §8.3.6, Gu and Eisenstat 1995); observed values are 0.01 to 1. */
const C = 8;

function randomSymmetric(n: number, rng: Rng): Matrix {
  const a = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a.data[i * n + j] = a.data[j * n + i] = rng.normal();
  return a;
}

/** Q diag(lambda) Qᵀ with Q a product of three random reflectors (orthogonal to rounding), exactly symmetrized. */
function withSpectrum(lambda: ArrayLike<number>, rng: Rng): Matrix {
  const n = lambda.length;
  let Q = Matrix.identity(n);
  for (let r = 0; r < 3; r++) {
    const v = Float64Array.from({ length: n }, () => rng.normal());
    const vv = v.reduce((s, x) => s + x * x, 0);
    const Hm = Matrix.identity(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Hm.data[i * n + j] -= (2 * v[i] * v[j]) / vv;
    Q = matmul(Q, Hm);
  }
  const QD = Q.clone();
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) QD.data[i * n + j] *= lambda[j];
  const a = matmul(
    QD,
    new Matrix(
      n,
      n,
      Float64Array.from({ length: n * n }, (_, k) => Q.data[(k % n) * n + Math.floor(k / n)]),
    ),
  );
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a.data[j * n + i] = a.data[i * n + j];
  return a;
}

/** Eigenvalues against a known spectrum: |error| <= (forming a) + (backward error), both ~ n eps max|lambda| (Weyl). */
function spectrumAgrees(values: Float64Array, lambda: ArrayLike<number>): boolean {
  const expected = Float64Array.from(lambda).sort();
  const n = expected.length;
  const top = Math.max(...Array.from(expected, Math.abs), Number.MIN_VALUE);
  return values.every((v, i) => Math.abs(v - expected[i]) <= 4 * C * n * EPS * top);
}

function check(a: Matrix, lambda?: ArrayLike<number>): void {
  const { values, vectors } = eigSymmetric(a);
  for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
  const { residual, orthogonality } = defects(a, values, vectors);
  expect(residual).toBeLessThanOrEqual(C);
  expect(orthogonality).toBeLessThanOrEqual(C);
  if (lambda) expect(spectrumAgrees(values, lambda)).toBe(true);
}

const BACKENDS: GemmBackend[] = availableGemmBackends();

describe.each(BACKENDS)('eigSymmetric, blocked reduction and divide and conquer (%s GEMM)', (backend) => {
  let before: GemmBackend;
  beforeAll(() => {
    before = gemmBackend();
    setGemmBackend(backend);
  });
  afterAll(() => {
    setGemmBackend(before);
  });

  test.each([1, 2, 3, 25, 26, 31, 32, 33, 51, 65, 100, 130])('random symmetric n = %i', (n) => {
    check(randomSymmetric(n, new Rng(`dc-${n}`)));
  });

  test('repeated eigenvalues: three values, each many times (most components deflate)', () => {
    const n = 90;
    check(
      withSpectrum(
        Array.from({ length: n }, (_, i) => [-1, 2, 5][i % 3]),
        new Rng('repeated'),
      ),
      Array.from({ length: n }, (_, i) => [-1, 2, 5][i % 3]),
    );
  });

  test('clusters: groups of eigenvalues 1e-13 apart (pairs deflate by rotation)', () => {
    const n = 80;
    const lambda = Array.from({ length: n }, (_, i) => Math.floor(i / 8) + (i % 8) * 1e-13);
    check(withSpectrum(lambda, new Rng('cluster')), lambda);
  });

  test('Wilkinson W+ of order 101: pairs of eigenvalues agreeing to ~14 digits', () => {
    const n = 101;
    const m = (n - 1) / 2;
    const a = new Matrix(n, n);
    for (let i = 0; i < n; i++) {
      a.data[i * n + i] = Math.abs(m - i);
      if (i + 1 < n) a.data[i * n + i + 1] = a.data[(i + 1) * n + i] = 1;
    }
    check(a);
  });

  test('graded: entries from 1 down to 1e-30 along the diagonal (D B D)', () => {
    const n = 70;
    const rng = new Rng('graded');
    const B = randomSymmetric(n, rng);
    const g = Float64Array.from({ length: n }, (_, i) => 10 ** ((-30 * i) / (n - 1)));
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) B.data[i * n + j] *= g[i] * g[j];
    check(B);
  });

  test('eigenvalues near underflow: a random matrix scaled by 1e-300 and by 1e-310 (subnormal entries)', () => {
    for (const s of [1e-300, 1e-310]) {
      const b = randomSymmetric(60, new Rng(`tiny-${s}`));
      const ref = eigSymmetric(b).values;
      const a = new Matrix(
        60,
        60,
        b.data.map((v) => v * s),
      );
      const { values, vectors } = eigSymmetric(a);
      // the scaled entries carry an absolute rounding of 2^-1074 (subnormal) or a relative one
      const tol = 4 * C * 60 * (EPS * s + 2 ** -1074) * Math.max(...Array.from(ref, Math.abs));
      expect(values.every((v, i) => Math.abs(v - s * ref[i]) <= tol + 4 * C * 60 * EPS * Math.abs(s * ref[i]))).toBe(true);
      expect(defects(a, values, vectors).orthogonality).toBeLessThanOrEqual(C);
    }
  });

  test('pinned: a reflector from subnormal entries (1 / (alpha - beta) overflowed before the column was scaled)', () => {
    const a = Matrix.from([
      [0, 0, -5e-324],
      [0, 0, 0],
      [-5e-324, 0, 0.25],
    ]);
    check(
      a,
      [-(5e-324 ** 2) / 0.25, 0, 0.25].map((v) => (Object.is(v, -0) ? 0 : v)),
    );
    const b = new Matrix(40, 40);
    for (let i = 0; i < 40; i++) b.data[i * 40 + i] = (i % 3) * 0.25;
    b.data[39] = b.data[39 * 40] = 5e-324;
    check(b);
  });

  test('diagonal, zero, identity and decoupled tridiagonal matrices', () => {
    const n = 50;
    const diag = Array.from({ length: n }, (_, i) => ((i * 7919) % 50) - 25);
    check(Matrix.diagonal(diag), diag);
    check(Matrix.zeros(n), new Array(n).fill(0));
    check(Matrix.identity(n), new Array(n).fill(1));
    // a tridiagonal whose couplings are zero at the tear points of the divide and conquer
    const t = Matrix.diagonal(Array.from({ length: n }, (_, i) => i % 5));
    for (let i = 0; i + 1 < n; i++) if (i % 16 !== 15) t.data[i * n + i + 1] = t.data[(i + 1) * n + i] = 0.5;
    check(t);
  });

  test('the checks catch a wrong answer: one eigenvalue off by 1e-9, or two vectors swapped', () => {
    const a = randomSymmetric(40, new Rng('sensitivity'));
    const { values, vectors } = eigSymmetric(a);
    const off = values.slice();
    off[7] += 1e-9;
    expect(defects(a, off, vectors).residual).toBeGreaterThan(C);
    const swapped = vectors.clone();
    for (let i = 0; i < 40; i++) [swapped.data[i * 40 + 3], swapped.data[i * 40 + 4]] = [swapped.data[i * 40 + 4], swapped.data[i * 40 + 3]];
    expect(defects(a, values, swapped).residual).toBeGreaterThan(C);
  });
});

describe('secular equation', () => {
  test('every root makes f vanish to rounding, and the returned differences equal d_j − λ_i', () => {
    const rng = new Rng('secular');
    for (let trial = 0; trial < 20; trial++) {
      const K = 2 + rng.integer(40);
      const d = Float64Array.from({ length: K }, () => rng.normal()).sort();
      const z = Float64Array.from({ length: K }, () => rng.normal() + 0.1);
      const zz = Math.sqrt(z.reduce((s, x) => s + x * x, 0));
      for (let j = 0; j < K; j++) z[j] /= zz;
      const rho = 0.1 + rng.uniform();
      const { lambda, delta } = secularRoots(d, z, rho);
      for (let i = 0; i < K; i++) {
        // interlacing: d_i < λ_i < d_{i+1} (or d_K + ρ)
        expect(lambda[i]).toBeGreaterThan(d[i]);
        expect(lambda[i]).toBeLessThan(i + 1 < K ? d[i + 1] : d[K - 1] + rho);
        let f = 1;
        let scale = 1;
        for (let j = 0; j < K; j++) {
          const t = (rho * z[j] * z[j]) / delta[i * K + j];
          f += t;
          scale += Math.abs(t);
          expect(Math.abs(delta[i * K + j] - (d[j] - lambda[i]))).toBeLessThanOrEqual(4 * EPS * (Math.abs(d[j]) + Math.abs(lambda[i])));
        }
        expect(Math.abs(f)).toBeLessThanOrEqual(64 * K * EPS * scale);
      }
    }
  });
});

describe('matrix-vector kernels on the workspace', () => {
  test.each(BACKENDS)('%s: symvLower, gemvN and gemvT against plain loops', (backend) => {
    const before = gemmBackend();
    setGemmBackend(backend);
    try {
      const rng = new Rng('gemv');
      for (const [m, n] of [
        [1, 1],
        [5, 3],
        [17, 33],
        [64, 7],
        [3, 64],
      ]) {
        withWorkspace((ws) => {
          const lda = n + 3;
          const a = ws.alloc(m * lda + Math.max(m, n) * (Math.max(m, n) + 2));
          const x = ws.alloc(Math.max(m, n));
          const y = ws.alloc(Math.max(m, n));
          const H = ws.heap();
          const A = Float64Array.from({ length: m * lda + Math.max(m, n) * (Math.max(m, n) + 2) }, () => rng.normal());
          const X = Float64Array.from({ length: Math.max(m, n) }, () => rng.normal());
          const Y = Float64Array.from({ length: Math.max(m, n) }, () => rng.normal());
          const close = (got: number, want: number, scale: number) => Math.abs(got - want) <= 4 * (Math.max(m, n) + 2) * EPS * scale;
          // gemvN: y += 0.5 A x
          H.set(A, a);
          H.set(X, x);
          H.set(Y, y);
          ws.gemvN(m, n, 0.5, a, lda, x, y);
          for (let r = 0; r < m; r++) {
            let s = 0;
            let abs = Math.abs(Y[r]);
            for (let c = 0; c < n; c++) {
              s += A[r * lda + c] * X[c];
              abs += 0.5 * Math.abs(A[r * lda + c] * X[c]);
            }
            expect(close(ws.heap()[y + r], Y[r] + 0.5 * s, abs)).toBe(true);
          }
          // gemvT: y += -2 Aᵀ x
          H.set(Y, y);
          ws.gemvT(m, n, -2, a, lda, x, y);
          for (let c = 0; c < n; c++) {
            let s = 0;
            let abs = Math.abs(Y[c]);
            for (let r = 0; r < m; r++) {
              s += A[r * lda + c] * X[r];
              abs += 2 * Math.abs(A[r * lda + c] * X[r]);
            }
            expect(close(ws.heap()[y + c], Y[c] - 2 * s, abs)).toBe(true);
          }
          // symvLower: y = A x from the lower triangle of the k x k block (the upper one is garbage on purpose)
          const k = Math.max(m, n);
          const ld = k + 2;
          ws.symvLower(k, a, ld, x, y);
          for (let i = 0; i < k; i++) {
            let s = 0;
            let abs = 0;
            for (let j = 0; j < k; j++) {
              const v = j <= i ? A[i * ld + j] : A[j * ld + i];
              s += v * X[j];
              abs += Math.abs(v * X[j]);
            }
            expect(close(ws.heap()[y + i], s, abs)).toBe(true);
          }
        });
      }
    } finally {
      setGemmBackend(before);
    }
  });
});
