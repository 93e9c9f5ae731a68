import { gemmLower } from './gemm.js';

/**
 * Symmetric rank-k update C <- alpha X Xᵀ + beta C (trans = false, X is n x k)
 * or C <- alpha Xᵀ X + beta C (trans = true, X is k x n), n x n at cOff with
 * leading dimension ldc. The lower triangle is computed by one lower-triangle
 * GEMM (about half the flops of a full product, op(X) packed once) and
 * mirrored, so C is exactly symmetric.
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
  if (trans) gemmLower(true, false, n, n, k, alpha, X, xOff, ldx, X, xOff, ldx, beta, C, cOff, ldc);
  else gemmLower(false, true, n, n, k, alpha, X, xOff, ldx, X, xOff, ldx, beta, C, cOff, ldc);
  mirrorLower(n, C, cOff, ldc);
}

/** Copies the strict lower triangle onto the upper one. */
export function mirrorLower(n: number, C: Float64Array, cOff: number, ldc: number): void {
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) C[cOff + j * ldc + i] = C[cOff + i * ldc + j];
}
