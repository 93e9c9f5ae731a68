import { gemm } from './gemm.js';

/** Rows of C computed per GEMM call; only blocks on or below the diagonal are formed. */
const NB = 64;

/**
 * Symmetric rank-k update C <- alpha X Xᵀ + beta C (trans = false, X is n x k)
 * or C <- alpha Xᵀ X + beta C (trans = true, X is k x n), n x n at cOff with
 * leading dimension ldc. The lower block triangle is computed by GEMM (about
 * half the flops of a full product) and mirrored, so C is exactly symmetric.
 */
export function syrk(
  trans: boolean,
  n: number,
  k: number,
  alpha: number,
  X: Float64Array,
  xOff: number,
  ldx: number,
  beta: number,
  C: Float64Array,
  cOff: number,
  ldc: number,
): void {
  for (let r0 = 0; r0 < n; r0 += NB) {
    const rb = Math.min(NB, n - r0);
    const cols = r0 + rb;
    // rows r0..r0+rb of op(X) times columns 0..cols of op(X)ᵀ
    if (trans) gemm(true, false, rb, cols, k, alpha, X, xOff + r0, ldx, X, xOff, ldx, beta, C, cOff + r0 * ldc, ldc);
    else gemm(false, true, rb, cols, k, alpha, X, xOff + r0 * ldx, ldx, X, xOff, ldx, beta, C, cOff + r0 * ldc, ldc);
  }
  mirrorLower(n, C, cOff, ldc);
}

/** Copies the strict lower triangle onto the upper one. */
export function mirrorLower(n: number, C: Float64Array, cOff: number, ldc: number): void {
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) C[cOff + j * ldc + i] = C[cOff + i * ldc + j];
}
