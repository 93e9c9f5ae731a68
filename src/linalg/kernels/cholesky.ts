import { gemm, gemmLower } from './gemm.js';
import { mirrorLower } from './syrk.js';

/** Panel width of the blocked factorization and solves. */
const NB = 64;

/** The first pivot that was not positive, with its value. */
export interface FailedPivot {
  index: number;
  value: number;
}

/**
 * In-place blocked right-looking Cholesky a = L Lᵀ of the n x n row-major
 * matrix in `a` (leading dimension n), reading the lower triangle only. On
 * success the lower triangle holds L, the strict upper triangle is zeroed and
 * null is returned; otherwise the first non-positive pivot is returned.
 * Per panel: unblocked factor of the diagonal block, row-wise triangular solve
 * of the panel below, then the trailing update A22 -= L21 L21ᵀ by GEMM on the
 * lower block triangle (Golub and Van Loan, Matrix Computations, 4th ed., §4.2.9).
 */
export function choleskyInPlace(a: Float64Array, n: number): FailedPivot | null {
  for (let j0 = 0; j0 < n; j0 += NB) {
    const jb = Math.min(NB, n - j0);
    const j1 = j0 + jb;
    // diagonal block, Cholesky-Banachiewicz over columns j0..j1 only (earlier ones are already subtracted)
    for (let i = j0; i < j1; i++) {
      const ri = i * n;
      for (let j = j0; j <= i; j++) {
        const rj = j * n;
        let s = a[ri + j];
        for (let k = j0; k < j; k++) s -= a[ri + k] * a[rj + k];
        if (i === j) {
          if (!(s > 0)) return { index: i, value: s };
          a[ri + i] = Math.sqrt(s);
        } else {
          a[ri + j] = s / a[rj + j];
        }
      }
    }
    // L21 = A21 L11⁻ᵀ as a GEMM with the small explicit inverse of L11 (the
    // substitution would be scalar code with as many flops as the trailing update)
    const rows = n - j1;
    if (rows > 0) {
      const T = invertLowerBlock(a, j0 * n + j0, n, jb);
      const tmp = new Float64Array(rows * jb);
      gemm(false, true, rows, jb, jb, 1, a, j1 * n + j0, n, T, 0, jb, 0, tmp, 0, jb);
      for (let i = 0; i < rows; i++) a.set(tmp.subarray(i * jb, (i + 1) * jb), (j1 + i) * n + j0);
    }
    // A22 -= L21 L21ᵀ, lower triangle (the upper one is never read and is zeroed at the end)
    if (rows > 0) gemmLower(false, true, rows, rows, jb, -1, a, j1 * n + j0, n, a, j1 * n + j0, n, 1, a, j1 * n + j1, n);
  }
  for (let i = 0; i < n; i++) a.fill(0, i * n + i + 1, (i + 1) * n);
  return null;
}

/** The inverse of the nb x nb lower-triangular block of L at `off` (leading dimension ld), row-major nb x nb. */
function invertLowerBlock(L: Float64Array, off: number, ld: number, nb: number): Float64Array {
  const T = new Float64Array(nb * nb);
  for (let i = 0; i < nb; i++) {
    const li = off + i * ld;
    const ti = i * nb;
    // row i of L⁻¹: T[i, j] = (δ_ij - sum_{k=j}^{i-1} L[i, k] T[k, j]) / L[i, i]
    T[ti + i] = 1;
    for (let k = 0; k < i; k++) {
      const lik = L[li + k];
      if (lik === 0) continue;
      const tk = k * nb;
      for (let j = 0; j <= k; j++) T[ti + j] -= lik * T[tk + j];
    }
    const inv = 1 / L[li + i];
    for (let j = 0; j <= i; j++) T[ti + j] *= inv;
  }
  return T;
}

/**
 * Solves L X = B in place (B is n x m at offset 0 with leading dimension m),
 * L lower triangular n x n row-major. Blocked: each block of rows first
 * subtracts the solved rows above by GEMM, then is solved by substitution.
 */
export function trsmLower(L: Float64Array, n: number, B: Float64Array, m: number): void {
  for (let i0 = 0; i0 < n; i0 += NB) {
    const ib = Math.min(NB, n - i0);
    if (i0 > 0) gemm(false, false, ib, m, i0, -1, L, i0 * n, n, B, 0, m, 1, B, i0 * m, m);
    for (let i = i0; i < i0 + ib; i++) {
      const li = i * n;
      const yi = i * m;
      for (let k = i0; k < i; k++) {
        const lik = L[li + k];
        if (lik === 0) continue;
        const yk = k * m;
        for (let j = 0; j < m; j++) B[yi + j] -= lik * B[yk + j];
      }
      const inv = 1 / L[li + i];
      for (let j = 0; j < m; j++) B[yi + j] *= inv;
    }
  }
}

/** Solves Lᵀ X = B in place (shapes as in trsmLower), blocks of rows from the bottom up. */
export function trsmLowerTransposed(L: Float64Array, n: number, B: Float64Array, m: number): void {
  const last = n - (n % NB === 0 ? NB : n % NB);
  for (let i0 = last; i0 >= 0; i0 -= NB) {
    const ib = Math.min(NB, n - i0);
    const i1 = i0 + ib;
    // B_i -= (L[i1.., i0..i1])ᵀ X[i1..]
    if (i1 < n) gemm(true, false, ib, m, n - i1, -1, L, i1 * n + i0, n, B, i1 * m, m, 1, B, i0 * m, m);
    for (let i = i1 - 1; i >= i0; i--) {
      const li = i * n;
      const yi = i * m;
      const inv = 1 / L[li + i];
      for (let j = 0; j < m; j++) B[yi + j] *= inv;
      for (let k = i0; k < i; k++) {
        const lik = L[li + k];
        if (lik === 0) continue;
        const yk = k * m;
        for (let j = 0; j < m; j++) B[yk + j] -= lik * B[yi + j];
      }
    }
  }
}

/** Rows of a⁻¹ = Wᵀ W formed per GEMM call (each call packs its rows of W once). */
const GRAM_ROWS = 64;

/**
 * The inverse of a = L Lᵀ from its factor: W = L⁻¹ by blocked right-looking
 * forward substitution on the identity (skipping the zero upper part, about
 * n³/3 flops), then a⁻¹ = Wᵀ W on the lower block triangle (about n³/3 flops),
 * mirrored so the result is exactly symmetric. Returns a new n x n array.
 */
export function choleskyInverse(L: Float64Array, n: number): Float64Array {
  const W = new Float64Array(n * n);
  for (let i = 0; i < n; i++) W[i * n + i] = 1;
  const tmp = new Float64Array(Math.min(NB, n) * n);
  for (let i0 = 0; i0 < n; i0 += NB) {
    const ib = Math.min(NB, n - i0);
    const i1 = i0 + ib;
    // rows i0..i1 of W hold I - L[i0..i1, 0..i0] W[0..i0, ..] in columns 0..i1; W_i = T (that) with T = L11⁻¹
    const T = invertLowerBlock(L, i0 * n + i0, n, ib);
    for (let i = 0; i < ib; i++) tmp.set(W.subarray((i0 + i) * n, (i0 + i) * n + i1), i * i1);
    gemm(false, false, ib, i1, ib, 1, T, 0, ib, tmp, 0, i1, 0, W, i0 * n, n);
    // every row below subtracts this block row's contribution at once: one wide GEMM per block
    if (i1 < n) gemm(false, false, n - i1, i1, ib, -1, L, i1 * n + i0, n, W, i0 * n, n, 1, W, i1 * n, n);
  }
  const C = new Float64Array(n * n);
  // C[r0..r1, 0..r1] = sum_{k >= r0} W[k, r0..r1]ᵀ W[k, 0..r1]: rows of W above r0 are zero in columns r0..
  for (let r0 = 0; r0 < n; r0 += GRAM_ROWS) {
    const rb = Math.min(GRAM_ROWS, n - r0);
    gemmLower(true, false, rb, r0 + rb, n - r0, 1, W, r0 * n + r0, n, W, r0 * n, n, 0, C, r0 * n, n, r0);
  }
  mirrorLower(n, C, 0, n);
  return C;
}
