/**
 * Eigenvalues and eigenvectors of a symmetric tridiagonal matrix by Cuppen's
 * divide and conquer. T is torn at the middle into two tridiagonals and a
 * rank-one term, T = diag(T1, T2) + ρ u uᵀ; the halves are solved
 * recursively (implicit QR below BASE), and their eigensystems merged by
 * the eigensystem of D + ρ z zᵀ:
 *   - deflation: components with negligible ρ|z_j|, and pairs of nearly equal
 *     d_j (one zeroed by a rotation), keep their eigenpairs (Dongarra and
 *     Sorensen 1987);
 *   - the other roots from the secular equation (secular.ts);
 *   - eigenvectors from the Löwner formula: z is recomputed from the computed
 *     roots, so that the vectors are orthogonal to working accuracy
 *     (Gu and Eisenstat, SIAM J. Matrix Anal. Appl. 16(1), 1995);
 *   - the merged vectors are Q U with Q = diag(Q1, Q2), two GEMMs that skip
 *     the zero blocks of Q (columns grouped as in LAPACK dlaed2/dlaed3).
 * The eigenvector matrix Z lives on the workspace (n x n, row-major,
 * columns = eigenvectors, eigenvalues ascending).
 */
import type { Workspace } from '../kernels/workspace.js';
import { secularRoots } from './secular.js';
import { tridiagonalQr } from './tridiagonal-qr.js';

/** Subproblems up to this order are solved by implicit QR. */
export const DIVIDE_CONQUER_BASE = 25;

const EPS = 2 ** -52;

/**
 * Overwrites d with the eigenvalues of the tridiagonal (d, e) (e[i] couples i
 * and i + 1), ascending, and fills the n x n matrix at heap offset `z` with
 * the eigenvectors as columns.
 */
export function tridiagonalEigen(ws: Workspace, d: Float64Array, e: Float64Array, n: number, z: number, path: string): void {
  ws.heap().fill(0, z, z + n * n);
  const solve = (o: number, s: number): void => {
    if (s <= DIVIDE_CONQUER_BASE) {
      baseCase(ws, d, e, n, z, o, s, path);
      return;
    }
    const m = s >> 1;
    const rho = e[o + m - 1];
    d[o + m - 1] -= Math.abs(rho);
    d[o + m] -= Math.abs(rho);
    solve(o, m);
    solve(o + m, s - m);
    ws.scoped(() => merge(ws, d, n, z, o, s, m, rho));
  };
  solve(0, n);
}

/** Implicit QR on the s x s block at o, eigenpairs written sorted. */
function baseCase(ws: Workspace, d: Float64Array, e: Float64Array, n: number, z: number, o: number, s: number, path: string): void {
  const dd = d.slice(o, o + s);
  const ee = new Float64Array(s);
  for (let i = 0; i < s - 1; i++) ee[i] = e[o + i];
  const Zt = new Float64Array(s * s);
  for (let i = 0; i < s; i++) Zt[i * s + i] = 1;
  tridiagonalQr(dd, ee, Zt, s, path);
  const order = Array.from({ length: s }, (_, i) => i).sort((a, b) => dd[a] - dd[b]);
  const H = ws.heap();
  for (let c = 0; c < s; c++) {
    const src = order[c];
    d[o + c] = dd[src];
    for (let r = 0; r < s; r++) H[z + (o + r) * n + o + c] = Zt[src * s + r];
  }
}

/**
 * Merges the eigensystems of the two halves of the s x s block at o (split
 * after m rows; each half's eigenvalues ascending in d, its vectors in the
 * diagonal blocks of Z) with the coupling ρ into the block's eigensystem.
 */
function merge(ws: Workspace, d: Float64Array, n: number, z: number, o: number, s: number, m: number, rho: number): void {
  let H = ws.heap();
  const zb = z + o * n + o;
  // z = Qᵀ u, u = e_{m-1} + sign(ρ) e_m: the last row of Q1 and the first row of Q2; ||z||² = 2
  const sign = rho < 0 ? -1 : 1;
  const zv = new Float64Array(s);
  for (let j = 0; j < m; j++) zv[j] = H[zb + (m - 1) * n + j] * Math.SQRT1_2;
  for (let j = m; j < s; j++) zv[j] = sign * H[zb + m * n + j] * Math.SQRT1_2;
  const r = 2 * Math.abs(rho);
  // merge the two ascending halves
  const col = new Int32Array(s);
  for (let a = 0, b = m, t = 0; t < s; t++) col[t] = b >= s || (a < m && d[o + a] <= d[o + b]) ? a++ : b++;
  const dl = new Float64Array(s);
  const zl = new Float64Array(s);
  for (let t = 0; t < s; t++) {
    dl[t] = d[o + col[t]];
    zl[t] = zv[col[t]];
  }
  let dmax = 0;
  let zmax = 0;
  for (let t = 0; t < s; t++) {
    dmax = Math.max(dmax, Math.abs(dl[t]));
    zmax = Math.max(zmax, Math.abs(zl[t]));
  }
  const tol = 8 * EPS * Math.max(dmax, r);
  const kept: number[] = [];
  const deflated: number[] = [];
  const dense = new Uint8Array(s); // by column of the block: mixed by a deflating rotation
  if (r * zmax <= tol) {
    for (let t = 0; t < s; t++) deflated.push(t);
  } else {
    let pj = -1;
    for (let t = 0; t < s; t++) {
      if (r * Math.abs(zl[t]) <= tol) {
        deflated.push(t);
        continue;
      }
      if (pj < 0) {
        pj = t;
        continue;
      }
      // nearly equal d: rotate z_pj into z_t; the rotation's effect on D is below tol
      const tau = Math.hypot(zl[t], zl[pj]);
      const c = zl[t] / tau;
      const sn = -zl[pj] / tau;
      if (Math.abs((dl[t] - dl[pj]) * c * sn) <= tol) {
        zl[t] = tau;
        zl[pj] = 0;
        const cp = col[pj];
        const ct = col[t];
        for (let i = 0; i < s; i++) {
          const x = H[zb + i * n + cp];
          const y = H[zb + i * n + ct];
          H[zb + i * n + cp] = c * x + sn * y;
          H[zb + i * n + ct] = c * y - sn * x;
        }
        dense[cp] = 1;
        dense[ct] = 1;
        const dp = dl[pj] * c * c + dl[t] * sn * sn;
        dl[t] = dl[pj] * sn * sn + dl[t] * c * c;
        dl[pj] = dp;
        deflated.push(pj);
      } else {
        kept.push(pj);
      }
      pj = t;
    }
    if (pj >= 0) kept.push(pj);
  }
  const K = kept.length;
  const nD = deflated.length;
  let lambda: Float64Array = new Float64Array(0);
  let w = 0;
  let n1 = 0;
  let n3 = 0;
  if (K > 0) {
    const dK = new Float64Array(K);
    const zK = new Float64Array(K);
    for (let j = 0; j < K; j++) {
      dK[j] = dl[kept[j]];
      zK[j] = zl[kept[j]];
    }
    const roots = secularRoots(dK, zK, r);
    lambda = roots.lambda;
    const delta = roots.delta; // delta[k K + j] = d_j − λ_k
    // Löwner: ρ ẑ_j² = −Π_k (d_j − λ_k) / Π_{i≠j} (d_j − d_i), accumulated one root (one row of delta) at a time
    const zh = new Float64Array(K);
    for (let j = 0; j < K; j++) zh[j] = -delta[j * K + j] / r;
    for (let k = 0; k < K; k++) {
      const row = k * K;
      const dk = dK[k];
      for (let j = 0; j < K; j++) if (j !== k) zh[j] *= delta[row + j] / (dK[j] - dk);
    }
    for (let j = 0; j < K; j++) zh[j] = (zK[j] < 0 ? -1 : 1) * Math.sqrt(Math.max(zh[j], 0));
    // groups of kept columns: top half only, mixed, bottom half only
    const order = new Int32Array(K);
    let q = 0;
    for (let g = 0; g < 3; g++) {
      for (let j = 0; j < K; j++) {
        const c = col[kept[j]];
        if ((dense[c] ? 1 : c < m ? 0 : 2) === g) order[q++] = j;
      }
      if (g === 0) n1 = q;
      if (g === 1) n3 = K - q;
    }
    const source = new Int32Array(K);
    for (let q2 = 0; q2 < K; q2++) source[q2] = col[kept[order[q2]]];
    const qg = ws.alloc(s * K);
    const ut = ws.alloc(K * K);
    w = ws.alloc(s * K);
    H = ws.heap();
    for (let i = 0; i < s; i++) {
      const from = zb + i * n;
      const to = qg + i * K;
      for (let q = 0; q < K; q++) H[to + q] = H[from + source[q]];
    }
    // Uᵀ, row k = the unit eigenvector of root k: U_jk = ẑ_j / (d_j − λ_k), components in group order
    for (let k = 0; k < K; k++) {
      const row = k * K;
      const to = ut + row;
      let ss = 0;
      for (let q = 0; q < K; q++) {
        const j = order[q];
        const u = zh[j] / delta[row + j];
        H[to + q] = u;
        ss += u * u;
      }
      const inv = 1 / Math.sqrt(ss);
      for (let q = 0; q < K; q++) H[to + q] *= inv;
    }
    // W = Q U: the top rows only see the top and mixed columns, the bottom rows the mixed and bottom ones
    ws.gemm(false, true, m, K, K - n3, 1, qg, K, ut, K, 0, w, K);
    ws.gemm(false, true, s - m, K, K - n1, 1, qg + m * K + n1, K, ut + n1, K, 0, w + m * K, K);
  }
  // all s eigenpairs, ascending: λ_k (ascending) from column k of W, merged with the deflated values and their
  // (possibly rotated) columns of the block; those are in ascending order except where a rotation moved one by
  // less than tol, so an insertion sort puts them in order in near linear time
  const dv = new Float64Array(nD);
  const dc = new Int32Array(nD);
  for (let q = 0; q < nD; q++) {
    const v = dl[deflated[q]];
    const c0 = col[deflated[q]];
    let i = q;
    while (i > 0 && dv[i - 1] > v) {
      dv[i] = dv[i - 1];
      dc[i] = dc[i - 1];
      i--;
    }
    dv[i] = v;
    dc[i] = c0;
  }
  const src = new Int32Array(s); // column of W (>= 0), or -1 - (column of the block)
  for (let c = 0, k = 0, q = 0; c < s; c++) {
    if (q >= nD || (k < K && lambda[k] <= dv[q])) {
      d[o + c] = lambda[k];
      src[c] = k++;
    } else {
      d[o + c] = dv[q];
      src[c] = -1 - dc[q++];
    }
  }
  const row = new Float64Array(s);
  H = ws.heap();
  for (let i = 0; i < s; i++) {
    const r = zb + i * n;
    const wr = w + i * K;
    for (let c = 0; c < s; c++) row[c] = H[r + c];
    for (let c = 0; c < s; c++) {
      const f = src[c];
      H[r + c] = f >= 0 ? H[wr + f] : row[-1 - f];
    }
  }
}
