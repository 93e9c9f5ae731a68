import { type GemmArgs, gemmLower, symmetricProductInArena } from './gemm.js';

/**
 * Symmetric rank-k update C <- alpha X Xᵀ + beta C (trans = false, X is n x k)
 * or C <- alpha Xᵀ X + beta C (trans = true, X is k x n), n x n at cOff with
 * leading dimension ldc. The lower triangle is computed by one lower-triangle
 * GEMM (about half the flops of a full product, op(X) packed once) and
 * mirrored, so C is exactly symmetric; with the WebAssembly kernel the
 * mirroring is done in its memory, before C is copied out whole.
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
  const args: GemmArgs = trans
    ? [true, false, n, n, k, alpha, X, xOff, ldx, X, xOff, ldx, beta, C, cOff, ldc]
    : [false, true, n, n, k, alpha, X, xOff, ldx, X, xOff, ldx, beta, C, cOff, ldc];
  if (symmetricProductInArena(args)) return;
  gemmLower(...args);
  mirrorLower(n, C, cOff, ldc);
}

/** Tile edge of the mirroring: a tile and its transpose stay in L1, so the column-wise writes do not miss the cache. */
const MIRROR_TILE = 32;

/** Copies the strict lower triangle onto the upper one, tile by tile. */
export function mirrorLower(n: number, C: Float64Array, cOff: number, ldc: number): void {
  for (let i0 = 0; i0 < n; i0 += MIRROR_TILE) {
    const i1 = Math.min(n, i0 + MIRROR_TILE);
    for (let j0 = 0; j0 <= i0; j0 += MIRROR_TILE) {
      for (let i = i0; i < i1; i++) {
        const j1 = Math.min(i, j0 + MIRROR_TILE);
        const ri = cOff + i * ldc;
        for (let j = j0; j < j1; j++) C[cOff + j * ldc + i] = C[ri + j];
      }
    }
  }
}
