import { NatgradError } from '../core/errors.js';
import type { Vec } from '../core/vec.js';
import { gemm } from './kernels/gemm.js';
import { syrk } from './kernels/syrk.js';
import { Matrix } from './matrix.js';

/**
 * Dense kernels on the row-major Float64Array storage of `Matrix`. The hot
 * loops index `data` directly: a get/set call per element costs 3-5x in V8.
 * Products run in i-k-j order so the innermost loop walks rows contiguously.
 */

const shapeOf = (a: Matrix): string => `${a.rows} x ${a.cols}`;

/**
 * Products with at least this many multiply-adds go to the packed, blocked
 * GEMM kernel; below it packing costs more than it saves.
 */
export const GEMM_THRESHOLD = 16 * 16 * 16;

/** Throws unless `x` has exactly `n` entries. */
export function assertVecLength(x: ArrayLike<number>, n: number, path: string, what = 'vector'): void {
  if (x.length !== n) throw new NatgradError(path, `${what} has length ${x.length}, expected ${n}`);
}

/** Throws unless B (the right-hand sides of a solve with an n x n matrix) has n rows. */
export function assertRightHandSides(n: number, B: Matrix): void {
  if (B.rows !== n) {
    throw new NatgradError('matrix', `cannot solve with a ${n} x ${n} matrix and a right-hand side of shape ${B.rows} x ${B.cols}: expected ${n} rows`);
  }
}

/** Throws unless `a` is square. */
export function assertSquare(a: Matrix, path = 'matrix'): void {
  if (a.rows !== a.cols) throw new NatgradError(path, `expected a square matrix, got ${shapeOf(a)}`);
}

function assertSameShape(a: Matrix, b: Matrix, op: string): void {
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new NatgradError('matrix', `cannot ${op} ${shapeOf(a)} and ${shapeOf(b)}: shapes differ`);
  }
}

/** Matrix product a b. Shapes (m x k)(k x n); i-k-j order with k unrolled by 4. */
export function matmul(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) {
    throw new NatgradError(
      'matrix',
      `cannot multiply ${shapeOf(a)} by ${shapeOf(b)}: columns of the left (${a.cols}) must equal rows of the right (${b.rows})`,
    );
  }
  return matmulInto(a, b, new Matrix(a.rows, b.cols));
}

/**
 * The product a b written into `out` (a.rows x b.cols, not aliasing a or b) and
 * returned; the same arithmetic as matmul, for callers that reuse a buffer.
 */
export function matmulInto(a: Matrix, b: Matrix, out: Matrix): Matrix {
  if (a.cols !== b.rows || out.rows !== a.rows || out.cols !== b.cols) {
    throw new NatgradError('matrix', `cannot multiply ${shapeOf(a)} by ${shapeOf(b)} into ${shapeOf(out)}: shapes do not match`);
  }
  const m = a.rows;
  const kk = a.cols;
  const n = b.cols;
  const A = a.data;
  const B = b.data;
  const C = out.data;
  if (m * n * kk >= GEMM_THRESHOLD) {
    gemm(false, false, m, n, kk, 1, A, 0, kk, B, 0, n, 0, C, 0, n);
    return out;
  }
  C.fill(0);
  const k4 = kk - (kk % 4);
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    const ai = i * kk;
    let k = 0;
    for (; k < k4; k += 4) {
      const a0 = A[ai + k];
      const a1 = A[ai + k + 1];
      const a2 = A[ai + k + 2];
      const a3 = A[ai + k + 3];
      const b0 = k * n;
      const b1 = b0 + n;
      const b2 = b1 + n;
      const b3 = b2 + n;
      for (let j = 0; j < n; j++) C[ci + j] += a0 * B[b0 + j] + a1 * B[b1 + j] + a2 * B[b2 + j] + a3 * B[b3 + j];
    }
    for (; k < kk; k++) {
      const aik = A[ai + k];
      if (aik === 0) continue;
      const bk = k * n;
      for (let j = 0; j < n; j++) C[ci + j] += aik * B[bk + j];
    }
  }
  return out;
}

/** aᵀ b without forming aᵀ. Shapes (k x m)ᵀ(k x n) = m x n. */
export function matmulTN(a: Matrix, b: Matrix): Matrix {
  if (a.rows !== b.rows) {
    throw new NatgradError('matrix', `cannot multiply the transpose of ${shapeOf(a)} by ${shapeOf(b)}: rows of both (${a.rows} and ${b.rows}) must be equal`);
  }
  const kk = a.rows;
  const m = a.cols;
  const n = b.cols;
  const A = a.data;
  const B = b.data;
  const out = new Matrix(m, n);
  const C = out.data;
  if (m * n * kk >= GEMM_THRESHOLD) {
    // aᵀ a is symmetric: its lower triangle, mirrored, costs half and gives the same entries bit for bit
    if (A === B) syrk(true, m, kk, 1, A, 0, m, 0, C, 0, n);
    else gemm(true, false, m, n, kk, 1, A, 0, m, B, 0, n, 0, C, 0, n);
    return out;
  }
  // k-i-j: one rank-one update per shared row, all accesses contiguous.
  for (let k = 0; k < kk; k++) {
    const ak = k * m;
    const bk = k * n;
    for (let i = 0; i < m; i++) {
      const aki = A[ak + i];
      if (aki === 0) continue;
      const ci = i * n;
      for (let j = 0; j < n; j++) C[ci + j] += aki * B[bk + j];
    }
  }
  return out;
}

/** a bᵀ without forming bᵀ. Shapes (m x k)(n x k)ᵀ = m x n; each entry is a dot product of two rows (a aᵀ: half the work, see matmulTN). */
export function matmulNT(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.cols) {
    throw new NatgradError(
      'matrix',
      `cannot multiply ${shapeOf(a)} by the transpose of ${shapeOf(b)}: columns of both (${a.cols} and ${b.cols}) must be equal`,
    );
  }
  const m = a.rows;
  const n = b.rows;
  const kk = a.cols;
  const A = a.data;
  const B = b.data;
  const out = new Matrix(m, n);
  const C = out.data;
  if (m * n * kk >= GEMM_THRESHOLD) {
    if (A === B) syrk(false, m, kk, 1, A, 0, kk, 0, C, 0, n);
    else gemm(false, true, m, n, kk, 1, A, 0, kk, B, 0, kk, 0, C, 0, n);
    return out;
  }
  for (let i = 0; i < m; i++) {
    const ai = i * kk;
    for (let j = 0; j < n; j++) {
      const bj = j * kk;
      let s = 0;
      for (let k = 0; k < kk; k++) s += A[ai + k] * B[bj + k];
      C[i * n + j] = s;
    }
  }
  return out;
}

/** The transpose aᵀ. */
export function transpose(a: Matrix): Matrix {
  const m = a.rows;
  const n = a.cols;
  const out = new Matrix(n, m);
  const A = a.data;
  const T = out.data;
  for (let i = 0; i < m; i++) {
    const ai = i * n;
    for (let j = 0; j < n; j++) T[j * m + i] = A[ai + j];
  }
  return out;
}

/** a + b. */
export function add(a: Matrix, b: Matrix): Matrix {
  assertSameShape(a, b, 'add');
  const out = new Matrix(a.rows, a.cols);
  for (let i = 0; i < out.data.length; i++) out.data[i] = a.data[i] + b.data[i];
  return out;
}

/** a - b. */
export function sub(a: Matrix, b: Matrix): Matrix {
  assertSameShape(a, b, 'subtract');
  const out = new Matrix(a.rows, a.cols);
  for (let i = 0; i < out.data.length; i++) out.data[i] = a.data[i] - b.data[i];
  return out;
}

/** alpha a. */
export function scale(alpha: number, a: Matrix): Matrix {
  const out = new Matrix(a.rows, a.cols);
  for (let i = 0; i < out.data.length; i++) out.data[i] = alpha * a.data[i];
  return out;
}

/** a + lambda I as a new matrix (a is left untouched). */
export function addScaledIdentity(a: Matrix, lambda: number): Matrix {
  assertSquare(a);
  const out = a.clone();
  const n = a.rows;
  for (let i = 0; i < n; i++) out.data[i * n + i] += lambda;
  return out;
}

/** a x. */
export function matvec(a: Matrix, x: ArrayLike<number>): Vec {
  if (x.length !== a.cols) {
    throw new NatgradError('vector', `cannot multiply ${shapeOf(a)} by a vector of length ${x.length}: expected length ${a.cols}`);
  }
  const m = a.rows;
  const n = a.cols;
  const A = a.data;
  const out = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const ai = i * n;
    let s = 0;
    for (let j = 0; j < n; j++) s += A[ai + j] * x[j];
    out[i] = s;
  }
  return out;
}

/** aᵀ x without forming aᵀ. */
export function matTvec(a: Matrix, x: ArrayLike<number>): Vec {
  if (x.length !== a.rows) {
    throw new NatgradError('vector', `cannot multiply the transpose of ${shapeOf(a)} by a vector of length ${x.length}: expected length ${a.rows}`);
  }
  const m = a.rows;
  const n = a.cols;
  const A = a.data;
  const out = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    const ai = i * n;
    for (let j = 0; j < n; j++) out[j] += A[ai + j] * xi;
  }
  return out;
}

/** The outer product x yᵀ. */
export function outer(x: ArrayLike<number>, y: ArrayLike<number>): Matrix {
  const m = x.length;
  const n = y.length;
  const out = new Matrix(m, n);
  const C = out.data;
  for (let i = 0; i < m; i++) {
    const xi = x[i];
    const ci = i * n;
    for (let j = 0; j < n; j++) C[ci + j] = xi * y[j];
  }
  return out;
}

/** Sum of the diagonal of a square matrix. */
export function trace(a: Matrix): number {
  assertSquare(a);
  let s = 0;
  for (let i = 0; i < a.rows; i++) s += a.data[i * a.cols + i];
  return s;
}

/** sqrt(sum of squared entries), scaled to avoid overflow and underflow. */
export function frobeniusNorm(a: Matrix): number {
  let big = 0;
  for (let i = 0; i < a.data.length; i++) big = Math.max(big, Math.abs(a.data[i]));
  if (big === 0 || !Number.isFinite(big)) return big;
  let s = 0;
  for (let i = 0; i < a.data.length; i++) {
    const t = a.data[i] / big;
    s += t * t;
  }
  return big * Math.sqrt(s);
}

/** Largest entrywise |a - b|; NaN anywhere gives NaN so a comparison with a tolerance fails. */
export function maxAbsDiff(a: Matrix, b: Matrix): number {
  assertSameShape(a, b, 'compare');
  let m = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i] - b.data[i]);
    if (Number.isNaN(d)) return NaN;
    if (d > m) m = d;
  }
  return m;
}

/** Largest absolute entry, the max norm. */
export function maxAbs(a: Matrix): number {
  const A = a.data;
  let m = 0;
  for (let i = 0; i < A.length; i++) {
    const v = Math.abs(A[i]);
    if (v > m) m = v;
    else if (Number.isNaN(v)) return NaN; // NaN anywhere makes the norm NaN, as Math.max would
  }
  return m;
}

/**
 * Kronecker product a ⊗ b: block (i, j) is a_ij b, shape (a.rows b.rows) x (a.cols b.cols).
 * With row-major vec, (a ⊗ b) vecRow(X) = vecRow(a X bᵀ) (see kroneckerOperator).
 */
export function kron(a: Matrix, b: Matrix): Matrix {
  const p = b.rows;
  const q = b.cols;
  const rows = a.rows * p;
  const cols = a.cols * q;
  const out = new Matrix(rows, cols);
  const C = out.data;
  const A = a.data;
  const B = b.data;
  for (let i = 0; i < a.rows; i++) {
    for (let j = 0; j < a.cols; j++) {
      const aij = A[i * a.cols + j];
      for (let k = 0; k < p; k++) {
        const c0 = (i * p + k) * cols + j * q;
        const b0 = k * q;
        for (let l = 0; l < q; l++) C[c0 + l] = aij * B[b0 + l];
      }
    }
  }
  return out;
}

/** (a + aᵀ)/2, exactly symmetric. */
export function symmetrize(a: Matrix): Matrix {
  assertSquare(a);
  const n = a.rows;
  const A = a.data;
  const out = new Matrix(n, n);
  const S = out.data;
  for (let i = 0; i < n; i++) {
    S[i * n + i] = A[i * n + i];
    for (let j = 0; j < i; j++) {
      const v = 0.5 * (A[i * n + j] + A[j * n + i]);
      S[i * n + j] = v;
      S[j * n + i] = v;
    }
  }
  return out;
}

/**
 * True when a is square and |a_ij - a_ji| <= tol max|a| for all i, j
 * (a relative test: scaling a does not change the answer).
 */
export function isSymmetric(a: Matrix, tol = 1e-12): boolean {
  return a.rows === a.cols && asymmetry(a, tol) === null;
}

/**
 * The first pair (i, j) with |a_ij - a_ji| > tol max|a|, or null if there is none.
 * Used by routines that read one triangle only, to refuse clearly non-symmetric input.
 */
export function asymmetry(a: Matrix, tol = 0, largest = maxAbs(a)): { i: number; j: number } | null {
  const n = a.rows;
  const A = a.data;
  const bound = tol * largest;
  if (symmetricWithin(A, n, bound)) return null;
  // some pair fails: the row-major scan below names the first one
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const d = Math.abs(A[i * n + j] - A[j * n + i]);
      if (!(d <= bound)) return { i, j };
    }
  }
  return null;
}

/** Tile edge of the blocked symmetry scan: both tiles of a pair stay in L1, so the transposed reads do not miss the cache. */
const SYMMETRY_TILE = 32;

/** True when |A_ij - A_ji| <= bound for every pair, scanned tile pair by tile pair. */
function symmetricWithin(A: Float64Array, n: number, bound: number): boolean {
  for (let i0 = 0; i0 < n; i0 += SYMMETRY_TILE) {
    const i1 = Math.min(n, i0 + SYMMETRY_TILE);
    for (let j0 = 0; j0 <= i0; j0 += SYMMETRY_TILE) {
      for (let i = i0; i < i1; i++) {
        const j1 = Math.min(i, j0 + SYMMETRY_TILE);
        for (let j = j0; j < j1; j++) if (!(Math.abs(A[i * n + j] - A[j * n + i]) <= bound)) return false;
      }
    }
  }
  return true;
}

/** Row-major flatten: entry (i, j) goes to i cols + j. A copy. */
export function vecRow(a: Matrix): Vec {
  return a.data.slice();
}

/** Inverse of vecRow. */
export function unvecRow(v: ArrayLike<number>, rows: number, cols: number): Matrix {
  if (v.length !== rows * cols) {
    throw new NatgradError('vector', `cannot reshape a vector of length ${v.length} to ${rows} x ${cols}: expected length ${rows * cols}`);
  }
  return new Matrix(rows, cols, Float64Array.from(v));
}

/** Column-major flatten (the textbook vec): entry (i, j) goes to j rows + i. */
export function vecCol(a: Matrix): Vec {
  const m = a.rows;
  const n = a.cols;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[j * m + i] = a.data[i * n + j];
  return out;
}

/** Inverse of vecCol. */
export function unvecCol(v: ArrayLike<number>, rows: number, cols: number): Matrix {
  if (v.length !== rows * cols) {
    throw new NatgradError('vector', `cannot reshape a vector of length ${v.length} to ${rows} x ${cols}: expected length ${rows * cols}`);
  }
  const out = new Matrix(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out.data[i * cols + j] = v[j * rows + i];
  return out;
}

/** ||a||_1, the largest column sum of |a_ij| (the infinity norm is that of the transpose). */
export function norm1(a: Matrix): number {
  let best = 0;
  for (let j = 0; j < a.cols; j++) {
    let s = 0;
    for (let i = 0; i < a.rows; i++) s += Math.abs(a.data[i * a.cols + j]);
    best = Math.max(best, s);
  }
  return best;
}

/**
 * ||a||_∞, the largest row sum of |a_ij|. Each row is added left to right, the
 * order in which norm1 adds the columns of aᵀ, so the two agree bit for bit
 * without the transposed copy (which costs page faults for a large factor).
 */
export function normInf(a: Matrix): number {
  let best = 0;
  for (let i = 0; i < a.rows; i++) {
    let s = 0;
    const row = i * a.cols;
    for (let j = 0; j < a.cols; j++) s += Math.abs(a.data[row + j]);
    best = Math.max(best, s);
  }
  return best;
}

/**
 * max |a_ij| when every entry is finite, else throws naming the first entry
 * that is not (one pass in the common case: the scan for the culprit runs only on failure).
 */
export function finiteMaxAbs(a: Matrix, path: string): number {
  const big = maxAbs(a);
  if (Number.isFinite(big)) return big;
  const A = a.data;
  const n = a.cols;
  for (let i = 0; i < A.length; i++) {
    if (!Number.isFinite(A[i])) throw new NatgradError(path, `matrix is not finite: entry (${Math.floor(i / n)}, ${i % n}) is ${A[i]}`);
  }
  return big;
}
