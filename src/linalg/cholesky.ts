import { NatgradError } from '../core/errors.js';
import type { Vec } from '../core/vec.js';
import { choleskyFactor, choleskyInverse, spdInverses, trsmLower, trsmLowerTransposed } from './kernels/cholesky.js';
import { Matrix } from './matrix.js';
import { asymmetry, assertRightHandSides, assertSquare, finiteMaxAbs, assertVecLength } from './ops.js';

/**
 * Relative asymmetry tolerated before the factorization refuses its input.
 * Curvature matrices summed in floating point are symmetric only up to
 * rounding; anything beyond this is a caller's bug, not rounding.
 */
export const CHOLESKY_SYMMETRY_TOL = 1e-10;

/** From this order on, factorization, inverse and many-right-hand-side solves use the blocked kernels. */
export const CHOLESKY_BLOCKED_MIN = 48;

/**
 * Cholesky factorization a = L Lᵀ of a symmetric positive definite matrix,
 * computed once in the constructor (Cholesky-Banachiewicz, row by row, reading
 * the lower triangle). Backward stable: the computed L satisfies
 * L Lᵀ = a + E with |E| <= c n eps |L||Lᵀ| (Higham, Accuracy and Stability of
 * Numerical Algorithms, 2nd ed., Thm 10.3).
 */
export class Cholesky {
  /** Lower-triangular factor with positive diagonal. */
  readonly L: Matrix;
  readonly n: number;

  constructor(a: Matrix, path = 'matrix') {
    requireSymmetric(a, path);
    const n = a.rows;
    const A = a.data;
    if (n >= CHOLESKY_BLOCKED_MIN) {
      const W = new Float64Array(n * n);
      const failed = choleskyFactor(A, n, W);
      if (failed) throw notPositiveDefinite(path, failed.index, failed.value);
      this.L = new Matrix(n, n, W);
      this.n = n;
      return;
    }
    const L = new Matrix(n, n);
    const D = L.data;
    for (let i = 0; i < n; i++) {
      const li = i * n;
      for (let j = 0; j <= i; j++) {
        const lj = j * n;
        let s = A[li + j];
        for (let k = 0; k < j; k++) s -= D[li + k] * D[lj + k];
        if (i === j) {
          if (!(s > 0)) throw notPositiveDefinite(path, i, s);
          D[li + i] = Math.sqrt(s);
        } else {
          D[li + j] = s / D[lj + j];
        }
      }
    }
    this.L = L;
    this.n = n;
  }

  /** x with a x = b: forward then backward substitution, O(n²). */
  solve(b: ArrayLike<number>): Vec {
    const n = this.n;
    assertVecLength(b, n, 'vector', 'right-hand side');
    const D = this.L.data;
    const x = Float64Array.from(b);
    // L y = b
    for (let i = 0; i < n; i++) {
      const li = i * n;
      let s = x[i];
      for (let k = 0; k < i; k++) s -= D[li + k] * x[k];
      x[i] = s / D[li + i];
    }
    // Lᵀ x = y, column-oriented so that row i of L is read contiguously.
    for (let i = n - 1; i >= 0; i--) {
      const li = i * n;
      const xi = x[i] / D[li + i];
      x[i] = xi;
      for (let k = 0; k < i; k++) x[k] -= D[li + k] * xi;
    }
    return x;
  }

  /** X with a X = B, for all columns of B at once (row operations only). */
  solveMatrix(B: Matrix): Matrix {
    const n = this.n;
    assertRightHandSides(n, B);
    const m = B.cols;
    const D = this.L.data;
    const X = B.clone();
    if (n >= CHOLESKY_BLOCKED_MIN) {
      trsmLower(D, n, X.data, m);
      trsmLowerTransposed(D, n, X.data, m);
      return X;
    }
    const Y = X.data;
    for (let i = 0; i < n; i++) {
      const li = i * n;
      const yi = i * m;
      for (let k = 0; k < i; k++) {
        const lik = D[li + k];
        if (lik === 0) continue;
        const yk = k * m;
        for (let j = 0; j < m; j++) Y[yi + j] -= lik * Y[yk + j];
      }
      const inv = 1 / D[li + i];
      for (let j = 0; j < m; j++) Y[yi + j] *= inv;
    }
    for (let i = n - 1; i >= 0; i--) {
      const li = i * n;
      const yi = i * m;
      const inv = 1 / D[li + i];
      for (let j = 0; j < m; j++) Y[yi + j] *= inv;
      for (let k = 0; k < i; k++) {
        const lik = D[li + k];
        if (lik === 0) continue;
        const yk = k * m;
        for (let j = 0; j < m; j++) Y[yk + j] -= lik * Y[yi + j];
      }
    }
    return X;
  }

  /**
   * a⁻¹ = L⁻ᵀ L⁻¹, exactly symmetric. Forms L⁻¹ (n³/3 flops) and the
   * symmetric product (n³/3), a third of solving against the identity.
   */
  inverse(): Matrix {
    const n = this.n;
    const D = this.L.data;
    if (n >= CHOLESKY_BLOCKED_MIN) return new Matrix(n, n, choleskyInverse(D, n));
    const W = new Float64Array(n * n); // L⁻¹, lower triangular
    for (let i = 0; i < n; i++) {
      const li = i * n;
      const inv = 1 / D[li + i];
      W[li + i] = inv;
      // row i of L⁻¹: W[i, j] = -(sum_{k=j}^{i-1} L[i, k] W[k, j]) / L[i, i]
      for (let k = 0; k < i; k++) {
        const lik = D[li + k];
        if (lik === 0) continue;
        const wk = k * n;
        for (let j = 0; j <= k; j++) W[li + j] -= lik * W[wk + j];
      }
      for (let j = 0; j < i; j++) W[li + j] *= inv;
    }
    const out = new Matrix(n, n);
    const C = out.data;
    // (L⁻ᵀ L⁻¹)[i, j] = sum_k W[k, i] W[k, j], accumulated one row k of W at a time (lower triangle).
    for (let k = 0; k < n; k++) {
      const wk = k * n;
      for (let i = 0; i <= k; i++) {
        const wki = W[wk + i];
        if (wki === 0) continue;
        const ci = i * n;
        for (let j = 0; j <= i; j++) C[ci + j] += wki * W[wk + j];
      }
    }
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) C[j * n + i] = C[i * n + j];
    return out;
  }

  /** log det a = 2 sum log L_ii (no overflow for large n, unlike det). */
  logDet(): number {
    let s = 0;
    for (let i = 0; i < this.n; i++) s += Math.log(this.L.data[i * this.n + i]);
    return 2 * s;
  }
}

/** Refuses a matrix that is not square, not finite, or not symmetric to rounding (CHOLESKY_SYMMETRY_TOL). */
function requireSymmetric(a: Matrix, path: string): void {
  assertSquare(a, path);
  const n = a.rows;
  const A = a.data;
  const bad = asymmetry(a, CHOLESKY_SYMMETRY_TOL, finiteMaxAbs(a, path));
  if (bad) {
    throw new NatgradError(
      path,
      `matrix is not symmetric: entry (${bad.i}, ${bad.j}) = ${A[bad.i * n + bad.j]} but (${bad.j}, ${bad.i}) = ${A[bad.j * n + bad.i]}; a Cholesky factorization needs a symmetric positive definite matrix`,
    );
  }
}

/**
 * new Cholesky(ms[i], paths[i]).inverse() for every matrix, bit for bit, or
 * the NatgradError that call throws. The independent inverses run at once on
 * the linalg threads (kernels/cholesky.ts spdInverses), so a caller with
 * several matrices to invert (K-FAC's factors) hands them over together.
 */
export function choleskyInverses(ms: readonly Matrix[], paths: readonly string[] = ms.map(() => 'matrix')): (Matrix | NatgradError)[] {
  const out: (Matrix | NatgradError)[] = new Array(ms.length);
  const blocked: number[] = [];
  ms.forEach((m, i) => {
    try {
      if (m.rows < CHOLESKY_BLOCKED_MIN) {
        out[i] = new Cholesky(m, paths[i]).inverse();
        return;
      }
      requireSymmetric(m, paths[i]);
      blocked.push(i);
    } catch (e) {
      if (!(e instanceof NatgradError)) throw e;
      out[i] = e;
    }
  });
  const inverses = spdInverses(
    blocked.map((i) => ms[i].data),
    blocked.map((i) => ms[i].rows),
  );
  blocked.forEach((i, k) => {
    const r = inverses[k];
    const n = ms[i].rows;
    out[i] = r instanceof Float64Array ? new Matrix(n, n, r) : notPositiveDefinite(paths[i], r.index, r.value);
  });
  return out;
}

function notPositiveDefinite(path: string, i: number, s: number): NatgradError {
  return new NatgradError(
    path,
    `matrix is not positive definite: pivot ${i} of the Cholesky factorization is ${s} (must be > 0), so the leading ${i + 1} x ${i + 1} block has a non-positive eigenvalue; add damping (a + lambda I) or use a pseudo-inverse`,
  );
}

/** True when a is square, finite, symmetric (to rounding) and has a Cholesky factorization. */
export function isPositiveDefinite(a: Matrix): boolean {
  if (a.rows !== a.cols) return false;
  try {
    new Cholesky(a);
    return true;
  } catch (e) {
    if (e instanceof NatgradError) return false;
    throw e;
  }
}
