/**
 * Blocked Householder reduction of a symmetric matrix to tridiagonal form,
 * T = Qᵀ A Q, and the product Q Z by blocks of reflectors.
 *
 * The reduction is LAPACK's dsytrd/dlatrd (lower): per panel of NB columns
 * the reflectors are generated one by one, each needing one symmetric
 * matrix-vector product with the not yet updated trailing matrix (corrected
 * by the panel's earlier reflectors through V and W), and the trailing matrix
 * then takes the rank-2·NB update A -= V Wᵀ + W Vᵀ as one GEMM on its lower
 * triangle. Half the flops are the matrix-vector products (bandwidth-bound),
 * half the GEMM.
 *
 * Q = H_0 H_1 ... H_{n-2}, H_j = I − τ_j v_j v_jᵀ (v_j zero above row j+1,
 * one there). Q Z is applied panel by panel, last first, each panel as the
 * compact WY form I − V T Vᵀ (T upper triangular, LAPACK dlarft forward):
 * three GEMMs per panel.
 *
 * References: G. Golub and C. Van Loan, Matrix Computations, 4th ed., §8.3.1
 * and §5.1.7 (WY representation); R. Schreiber and C. Van Loan, "A
 * storage-efficient WY representation", SIAM J. Sci. Stat. Comput. 10, 1989.
 */
import type { Workspace } from '../kernels/workspace.js';

/** Columns per panel of the reduction and the back-transformation. */
export const TRIDIAGONAL_PANEL = 32;

export interface Reflectors {
  /** per panel: its first column k, width nb, heap offset of V ((n − k) x nb, ld nb; row r is row k + r of the matrix) */
  panels: { k: number; nb: number; v: number }[];
  /** τ_j per column */
  tau: Float64Array;
}

/**
 * Reduces the symmetric n x n matrix at heap offset `a` (lower triangle read;
 * destroyed) to tridiagonal form: d (n) and e (n; e[j] couples j and j + 1).
 * Returns the reflectors, stored on the workspace.
 */
export function tridiagonalize(ws: Workspace, a: number, n: number, d: Float64Array, e: Float64Array): Reflectors {
  const NB = TRIDIAGONAL_PANEL;
  const tau = new Float64Array(n);
  const panels: Reflectors['panels'] = [];
  // The panel's V and W with their columns interleaved, v_0 w_0 v_1 w_1 ..., row r = matrix row k + r, so that
  // the first 2i columns hold both for the i reflectors so far; wv holds w_0 v_0 w_1 v_1 ... (V Wᵀ + W Vᵀ = vw wvᵀ)
  const ld = 2 * NB;
  const vw = ws.alloc(n * ld);
  const wv = ws.alloc(n * ld);
  const colv = ws.alloc(n);
  const wvec = ws.alloc(n);
  const t = ws.alloc(ld);
  for (let k = 0; k < n; k += NB) {
    const nb = Math.min(NB, n - k);
    const v = ws.alloc((n - k) * nb);
    let H = ws.heap();
    H.fill(0, vw, vw + (n - k) * ld);
    H.fill(0, wv, wv + (n - k) * ld);
    for (let i = 0; i < nb; i++) {
      const j = k + i;
      const len = n - j;
      // column j, rows j..n-1 (strided in row-major storage)
      for (let r = 0; r < len; r++) H[colv + r] = H[a + (j + r) * n + j];
      // A(j:, j) -= V(j:, :i) W(j, :i)ᵀ + W(j:, :i) V(j, :i)ᵀ
      if (i > 0) ws.gemvN(len, 2 * i, -1, vw + (j - k) * ld, ld, wv + (j - k) * ld, colv);
      d[j] = H[colv];
      if (len < 2) continue;
      // reflector H_j with H_j x = β e_1 for x = A(j+1:, j) (LAPACK dlarfg), on x / max|x| so that
      // neither tiny (subnormal) nor huge entries underflow or overflow in the norm and the division
      const alpha = H[colv + 1];
      let rest = 0;
      for (let r = 2; r < len; r++) rest = Math.max(rest, Math.abs(H[colv + r]));
      let tj = 0;
      if (rest > 0) {
        const scale = Math.max(rest, Math.abs(alpha));
        const as = alpha / scale;
        let ss = 0;
        for (let r = 2; r < len; r++) {
          const q = H[colv + r] / scale;
          H[colv + r] = q;
          ss += q * q;
        }
        const betaS = -(as >= 0 ? 1 : -1) * Math.hypot(as, Math.sqrt(ss));
        tj = (betaS - as) / betaS;
        const inv = 1 / (as - betaS);
        H[colv + 1] = 1;
        for (let r = 2; r < len; r++) H[colv + r] *= inv;
        e[j] = betaS * scale;
      } else {
        e[j] = alpha;
        H[colv + 1] = 1;
      }
      tau[j] = tj;
      // v = colv[1..], length m = len − 1, rows j+1.. of the panel's column i
      const m = len - 1;
      const vv = colv + 1;
      const vwNext = vw + (j + 1 - k) * ld;
      const wvNext = wv + (j + 1 - k) * ld;
      for (let r = 0; r < m; r++) {
        const x = H[vv + r];
        H[vwNext + r * ld + 2 * i] = x;
        H[wvNext + r * ld + 2 * i + 1] = x;
      }
      if (tj === 0) continue; // w stays zero
      // w = τ (A22 v − V (Wᵀ v) − W (Vᵀ v)), then w −= (τ/2)(wᵀ v) v
      ws.symvLower(m, a + (j + 1) * n + j + 1, n, vv, wvec);
      if (i > 0) {
        // t = [Vᵀv, Wᵀv] interleaved; w −= vw (pairs of t swapped) = V (Wᵀ v) + W (Vᵀ v)
        H.fill(0, t, t + 2 * i);
        ws.gemvT(m, 2 * i, 1, vwNext, ld, vv, t);
        for (let c = 0; c < i; c++) {
          const x = H[t + 2 * c];
          H[t + 2 * c] = H[t + 2 * c + 1];
          H[t + 2 * c + 1] = x;
        }
        ws.gemvN(m, 2 * i, -1, vwNext, ld, t, wvec);
      }
      let wv2 = 0;
      for (let r = 0; r < m; r++) {
        H[wvec + r] *= tj;
        wv2 += H[wvec + r] * H[vv + r];
      }
      const half = -0.5 * tj * wv2;
      for (let r = 0; r < m; r++) {
        const w = H[wvec + r] + half * H[vv + r];
        H[vwNext + r * ld + 2 * i + 1] = w;
        H[wvNext + r * ld + 2 * i] = w;
      }
    }
    H = ws.heap();
    for (let r = 0; r < n - k; r++) for (let c = 0; c < nb; c++) H[v + r * nb + c] = H[vw + r * ld + 2 * c];
    panels.push({ k, nb, v });
    const k1 = k + nb;
    // A(k1:, k1:) -= V Wᵀ + W Vᵀ = vw wvᵀ, lower triangle
    if (k1 < n) ws.gemm(false, true, n - k1, n - k1, 2 * nb, -1, vw + (k1 - k) * ld, ld, wv + (k1 - k) * ld, ld, 1, a + k1 * n + k1, n, 0);
  }
  return { panels, tau };
}

/** Z <- Q Z for the n x cols matrix at heap offset z (row-major, leading dimension cols). */
export function applyReflectors(ws: Workspace, refl: Reflectors, n: number, z: number, cols: number): void {
  for (let p = refl.panels.length - 1; p >= 0; p--) {
    const { k, nb, v } = refl.panels[p];
    const rows = n - k;
    ws.scoped(() => {
      // T (nb x nb, upper): T_ii = τ_i, T(:i, i) = −τ_i T(:i, :i) (V(:, :i)ᵀ v_i)
      const s = ws.alloc(nb * nb);
      const t = ws.alloc(nb * nb);
      const x = ws.alloc(nb * cols);
      const y = ws.alloc(nb * cols);
      ws.gemm(true, false, nb, nb, rows, 1, v, nb, v, nb, 0, s, nb);
      const H = ws.heap();
      H.fill(0, t, t + nb * nb);
      for (let i = 0; i < nb; i++) {
        const ti = refl.tau[k + i];
        H[t + i * nb + i] = ti;
        for (let r = 0; r < i; r++) {
          let acc = 0;
          for (let c = r; c < i; c++) acc += H[t + r * nb + c] * H[s + c * nb + i];
          H[t + r * nb + i] = -ti * acc;
        }
      }
      // Z(k:, :) -= V (T (Vᵀ Z(k:, :)))
      ws.gemm(true, false, nb, cols, rows, 1, v, nb, z + k * cols, cols, 0, x, cols);
      ws.gemm(false, false, nb, cols, nb, 1, t, nb, x, cols, 0, y, cols);
      ws.gemm(false, false, rows, cols, nb, -1, v, nb, y, cols, 1, z + k * cols, cols);
    });
  }
}
