import { NatgradError } from '../core/errors.js';
import type { Vec } from '../core/vec.js';
import { Cholesky } from './cholesky.js';
import { requireNonNegative, requireRcond } from '../core/validate.js';
import { DEFAULT_RCOND, pseudoReciprocals } from './eigen-cut.js';
import { eigSymmetric } from './eigen-symmetric.js';
import { Matrix } from './matrix.js';
import { assertRightHandSides, assertSquare, assertVecLength, finiteMaxAbs, matmulNT, matTvec, matvec } from './ops.js';

const EPS = 2 ** -52;

/**
 * LU factorization with partial pivoting, P a = L U, done once in the
 * constructor. A pivot below n eps max|a| in magnitude is treated as zero:
 * the matrix is then singular to working precision and the constructor throws.
 */
export class LU {
  readonly n: number;
  /** L (unit lower, below the diagonal) and U (upper, on and above) packed together. */
  private readonly lu: Float64Array;
  /** Row i of P a is row perm[i] of a. */
  private readonly perm: Int32Array;

  constructor(a: Matrix, path = 'matrix') {
    assertSquare(a, path);
    const n = a.rows;
    const M = a.data.slice();
    const perm = new Int32Array(n);
    const tiny = n * EPS * finiteMaxAbs(a, path);
    for (let i = 0; i < n; i++) perm[i] = i;
    for (let k = 0; k < n; k++) {
      let p = k;
      let pv = Math.abs(M[k * n + k]);
      for (let i = k + 1; i < n; i++) {
        const v = Math.abs(M[i * n + k]);
        if (v > pv) {
          pv = v;
          p = i;
        }
      }
      if (!(pv > tiny)) {
        throw new NatgradError(
          path,
          `matrix is singular to working precision: no pivot above ${tiny.toExponential(2)} in column ${k} of the LU factorization; use ` +
            `pseudoInverseSolve or add damping`,
        );
      }
      if (p !== k) {
        for (let j = 0; j < n; j++) {
          const t = M[k * n + j];
          M[k * n + j] = M[p * n + j];
          M[p * n + j] = t;
        }
        const t = perm[k];
        perm[k] = perm[p];
        perm[p] = t;
      }
      const rk = k * n;
      const inv = 1 / M[rk + k];
      for (let i = k + 1; i < n; i++) {
        const ri = i * n;
        const f = M[ri + k] * inv;
        M[ri + k] = f;
        if (f === 0) continue;
        for (let j = k + 1; j < n; j++) M[ri + j] -= f * M[rk + j];
      }
    }
    this.n = n;
    this.lu = M;
    this.perm = perm;
  }

  /** x with a x = b. */
  solve(b: ArrayLike<number>): Vec {
    const n = this.n;
    assertVecLength(b, n, 'vector', 'right-hand side');
    const M = this.lu;
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = b[this.perm[i]];
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      let s = x[i];
      for (let k = 0; k < i; k++) s -= M[ri + k] * x[k];
      x[i] = s;
    }
    for (let i = n - 1; i >= 0; i--) {
      const ri = i * n;
      let s = x[i];
      for (let k = i + 1; k < n; k++) s -= M[ri + k] * x[k];
      x[i] = s / M[ri + i];
    }
    return x;
  }

  /** X with a X = B, all columns at once with row operations. */
  solveMatrix(B: Matrix): Matrix {
    const n = this.n;
    assertRightHandSides(n, B);
    const m = B.cols;
    const M = this.lu;
    const X = new Matrix(n, m);
    const Y = X.data;
    for (let i = 0; i < n; i++) Y.set(B.data.subarray(this.perm[i] * m, this.perm[i] * m + m), i * m);
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      const yi = i * m;
      for (let k = 0; k < i; k++) {
        const f = M[ri + k];
        if (f === 0) continue;
        const yk = k * m;
        for (let j = 0; j < m; j++) Y[yi + j] -= f * Y[yk + j];
      }
    }
    for (let i = n - 1; i >= 0; i--) {
      const ri = i * n;
      const yi = i * m;
      for (let k = i + 1; k < n; k++) {
        const f = M[ri + k];
        if (f === 0) continue;
        const yk = k * m;
        for (let j = 0; j < m; j++) Y[yi + j] -= f * Y[yk + j];
      }
      const piv = M[ri + i];
      for (let j = 0; j < m; j++) Y[yi + j] /= piv; // divide, as solve does, so both give identical bits
    }
    return X;
  }
}

/** x with a x = b for a general square a (LU with partial pivoting); throws NatgradError when a is singular. */
export function solve(a: Matrix, b: ArrayLike<number>): Vec {
  return new LU(a).solve(b);
}

/** X with a X = B for a general square a (LU with partial pivoting). */
export function solveMatrix(a: Matrix, B: Matrix): Matrix {
  return new LU(a).solveMatrix(B);
}

/** x with a x = b for symmetric positive definite a (Cholesky); throws NatgradError when a is not SPD. */
export function solveSpd(a: Matrix, b: ArrayLike<number>): Vec {
  return new Cholesky(a).solve(b);
}

/** Result of a symmetric solve that may drop a null space. */
export interface SymmetricSolveResult {
  x: Vec;
  /** True when some eigenvalue was dropped (|lambda| <= rcond max |lambda|). */
  singular: boolean;
}

/** V diag(w) Vᵀ applied to b as V (w ∘ (Vᵀ b)), O(n²). */
function applySpectral(V: Matrix, w: Float64Array, b: ArrayLike<number>): Vec {
  const c = matTvec(V, b);
  for (let i = 0; i < c.length; i++) c[i] *= w[i];
  return matvec(V, c);
}

/**
 * Minimum-norm least-squares solution x = a⁺ b of a symmetric system through
 * a = V diag(lambda) Vᵀ: x = sum over kept i of v_i (v_iᵀ b) / lambda_i.
 * Eigenvalues with |lambda_i| <= rcond max_j |lambda_j| are dropped, and
 * `singular` reports that one was. For positive semidefinite a this is
 * "smallest eigenvalue <= rcond x largest"; using |lambda| keeps the result
 * the Moore-Penrose pseudo-inverse when a is indefinite.
 */
export function pseudoInverseSolve(a: Matrix, b: ArrayLike<number>, rcond = DEFAULT_RCOND): SymmetricSolveResult {
  requireRcond(rcond, 'rcond');
  assertSquare(a);
  assertVecLength(b, a.rows, 'vector', 'right-hand side');
  const { values, vectors } = eigSymmetric(a);
  const { inv, singular } = pseudoReciprocals(values, rcond);
  return { x: applySpectral(vectors, inv, b), singular };
}

/**
 * (a + lambda I)⁻¹ b for symmetric a and damping lambda >= 0, through the
 * eigendecomposition of a, with the singular rule of pseudoInverseSolve
 * applied to the shifted eigenvalues lambda_i + lambda.
 */
export function dampedSolve(a: Matrix, lambda: number, b: ArrayLike<number>, rcond = DEFAULT_RCOND): SymmetricSolveResult {
  requireNonNegative(lambda, 'lambda', 'the damping');
  requireRcond(rcond, 'rcond');
  assertSquare(a);
  assertVecLength(b, a.rows, 'vector', 'right-hand side');
  const { values, vectors } = eigSymmetric(a);
  const shifted = values.map((v) => v + lambda);
  const { inv, singular } = pseudoReciprocals(shifted, rcond);
  return { x: applySpectral(vectors, inv, b), singular };
}

/** Moore-Penrose pseudo-inverse of a symmetric matrix, V diag(1/lambda, kept) Vᵀ, exactly symmetric. */
export function pseudoInverse(a: Matrix, rcond = DEFAULT_RCOND): Matrix {
  requireRcond(rcond, 'rcond');
  const { values, vectors } = eigSymmetric(a);
  const { inv } = pseudoReciprocals(values, rcond);
  return spectralCompose(vectors, inv);
}

/** V diag(w) Vᵀ, symmetrized so that the result is exactly symmetric. */
export function spectralCompose(V: Matrix, w: ArrayLike<number>): Matrix {
  const n = V.rows;
  const k = V.cols;
  const VW = new Matrix(n, k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) VW.data[i * k + j] = V.data[i * k + j] * w[j];
  const out = matmulNT(VW, V);
  const C = out.data;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const s = 0.5 * (C[i * n + j] + C[j * n + i]);
      C[i * n + j] = s;
      C[j * n + i] = s;
    }
  }
  return out;
}
