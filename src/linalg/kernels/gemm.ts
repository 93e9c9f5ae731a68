/**
 * General matrix product C <- alpha op(A) op(B) + beta C on row-major
 * Float64Array storage with offsets and leading dimensions (the BLAS dgemm
 * contract, row-major). Goto-style: op(B) is packed into KC x NR panels and
 * op(A) into MC x KC blocks of MR-row slivers, so one 4 x 4 register-blocked
 * micro-kernel serves every transpose and reads only contiguous memory.
 *
 * The micro-kernel is WebAssembly SIMD128 (wasm-simd.ts) where available,
 * about 4x the scalar JavaScript one, which stays as the fallback.
 *
 * Reference: K. Goto and R. van de Geijn, "Anatomy of high-performance matrix
 * multiplication", ACM TOMS 34(3), 2008.
 */

import { createWasmGemm } from './wasm-simd.js';

const MR = 4;
const NR = 4;
/** Depth of a packed panel: KC x NR doubles of B stay in L1 while a sliver of A streams. */
const KC = 256;
/** Rows of A packed at once (MC x KC doubles, 192 KiB, in L2). */
const MC = 96;
/** Columns of B packed at once (KC x NC doubles, 1 MiB). */
const NC = 512;

const simd = createWasmGemm(MC * KC, KC * NC, MC * NC);
const wasmView = simd ? new Float64Array(simd.memory.buffer) : null;

/** The micro-kernel in use: WebAssembly SIMD128 where available, else the scalar JavaScript one. */
export type GemmBackend = 'wasm-simd' | 'js';
let backend: GemmBackend = simd ? 'wasm-simd' : 'js';

/** The packing buffers live in the WebAssembly memory when SIMD is used, so the kernel reads them in place. */
// MC and NC are multiples of MR and NR, so a padded block never outgrows these buffers.
const packA = wasmView ? wasmView.subarray(simd!.layout.packA / 8, simd!.layout.packA / 8 + MC * KC) : new Float64Array(MC * KC);
const packB = wasmView ? wasmView.subarray(simd!.layout.packB / 8, simd!.layout.packB / 8 + KC * NC) : new Float64Array(KC * NC);
const wasmOut = wasmView ? wasmView.subarray(simd!.layout.out / 8, simd!.layout.out / 8 + MC * NC) : null;

/** The backend in use. */
export function gemmBackend(): GemmBackend {
  return backend;
}

/** Selects the micro-kernel (tests compare both); 'wasm-simd' is refused where WebAssembly SIMD is unavailable. Returns the one in effect. */
export function setGemmBackend(b: GemmBackend): GemmBackend {
  if (b === 'js' || simd) backend = b;
  return backend;
}

/** Strided view of a row-major operand: element (i, j) of op(X) is X[off + i*rs + j*cs]. */
interface Operand {
  data: Float64Array;
  off: number;
  rs: number;
  cs: number;
}

/**
 * C[cOff + i ldc + j] <- alpha sum_p op(A)_ip op(B)_pj + beta C_ij for i < m, j < n.
 * op(A) is m x k (A stored k x m when transA), op(B) is k x n (B stored n x k when transB).
 * With beta = 0, C is overwritten (NaN in C does not propagate), as in BLAS.
 */
export function gemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  A: Float64Array,
  aOff: number,
  lda: number,
  B: Float64Array,
  bOff: number,
  ldb: number,
  beta: number,
  C: Float64Array,
  cOff: number,
  ldc: number,
): void {
  drive(Infinity, transA, transB, m, n, k, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
}

/**
 * The lower triangle of the same product: C_ij for j <= i + diagonal (and j < n)
 * is set as gemm sets it; entries above that diagonal are unspecified (some are
 * written, within blocks that straddle it). One packing of op(B) serves every row block,
 * so a symmetric or trailing update costs about half a full GEMM without the
 * repacking that a loop of narrow GEMM calls pays.
 */
export function gemmLower(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  A: Float64Array,
  aOff: number,
  lda: number,
  B: Float64Array,
  bOff: number,
  ldb: number,
  beta: number,
  C: Float64Array,
  cOff: number,
  ldc: number,
  diagonal = 0,
): void {
  drive(diagonal, transA, transB, m, n, k, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc);
}

/** The blocked product; only entries with j <= i + diagonal are guaranteed (Infinity: all of them). */
function drive(
  diagonal: number,
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  A: Float64Array,
  aOff: number,
  lda: number,
  B: Float64Array,
  bOff: number,
  ldb: number,
  beta: number,
  C: Float64Array,
  cOff: number,
  ldc: number,
): void {
  if (m === 0 || n === 0) return;
  const lower = diagonal !== Infinity;
  if (beta !== 1) {
    for (let i = 0; i < m; i++) {
      const ci = cOff + i * ldc;
      const w = lower ? Math.max(0, Math.min(n, i + 1 + diagonal)) : n;
      if (beta === 0) C.fill(0, ci, ci + w);
      else for (let j = 0; j < w; j++) C[ci + j] *= beta;
    }
  }
  if (k === 0 || alpha === 0) return;
  const a: Operand = transA ? { data: A, off: aOff, rs: 1, cs: lda } : { data: A, off: aOff, rs: lda, cs: 1 };
  const b: Operand = transB ? { data: B, off: bOff, rs: 1, cs: ldb } : { data: B, off: bOff, rs: ldb, cs: 1 };
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    // in lower mode, row blocks ending at or above column jc - diagonal have nothing to compute
    const icStart = lower ? Math.max(0, Math.floor((jc - diagonal) / MC) * MC) : 0;
    if (icStart >= m) break;
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packPanelB(b, pc, jc, kc, lower ? Math.min(nc, m + diagonal - jc) : nc);
      for (let ic = icStart; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        // columns jc.. that reach the diagonal of rows ic..ic+mc
        const ncEff = lower ? Math.min(nc, ic + mc + diagonal - jc) : nc;
        if (ncEff <= 0) continue;
        packBlockA(a, ic, pc, mc, kc);
        if (backend === 'wasm-simd') wasmMacroKernel(mc, ncEff, kc, alpha, C, cOff + ic * ldc + jc, ldc);
        else macroKernel(mc, ncEff, kc, alpha, C, cOff + ic * ldc + jc, ldc);
      }
    }
  }
}

/** Packs op(B)[pc..pc+kc, jc..jc+nc] as NR-column slivers, each kc x NR row-major, zero-padded. */
function packPanelB(b: Operand, pc: number, jc: number, kc: number, nc: number): void {
  const P = packB;
  const X = b.data;
  const rs = b.rs;
  const cs = b.cs;
  let q = 0;
  for (let j = 0; j < nc; j += NR) {
    const w = Math.min(NR, nc - j);
    const base = b.off + pc * rs + (jc + j) * cs;
    if (w === NR) {
      for (let p = 0; p < kc; p++) {
        const s = base + p * rs;
        P[q] = X[s];
        P[q + 1] = X[s + cs];
        P[q + 2] = X[s + 2 * cs];
        P[q + 3] = X[s + 3 * cs];
        q += 4;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const s = base + p * rs;
        for (let c = 0; c < NR; c++) P[q + c] = c < w ? X[s + c * cs] : 0;
        q += 4;
      }
    }
  }
}

/** Packs op(A)[ic..ic+mc, pc..pc+kc] as MR-row slivers, each kc x MR (column of the sliver contiguous), zero-padded. */
function packBlockA(a: Operand, ic: number, pc: number, mc: number, kc: number): void {
  const P = packA;
  const X = a.data;
  const rs = a.rs;
  const cs = a.cs;
  let q = 0;
  for (let i = 0; i < mc; i += MR) {
    const h = Math.min(MR, mc - i);
    const base = a.off + (ic + i) * rs + pc * cs;
    if (h === MR) {
      for (let p = 0; p < kc; p++) {
        const s = base + p * cs;
        P[q] = X[s];
        P[q + 1] = X[s + rs];
        P[q + 2] = X[s + 2 * rs];
        P[q + 3] = X[s + 3 * rs];
        q += 4;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const s = base + p * cs;
        for (let r = 0; r < MR; r++) P[q + r] = r < h ? X[s + r * rs] : 0;
        q += 4;
      }
    }
  }
}

/** The same through the SIMD kernel: it writes the tiles of packA packB, which are added into C here. */
function wasmMacroKernel(mc: number, nc: number, kc: number, alpha: number, C: Float64Array, cOff: number, ldc: number): void {
  const mt = Math.ceil(mc / MR);
  const nt = Math.ceil(nc / NR);
  simd!.macro(mt, nt, kc, simd!.layout.packA, simd!.layout.packB, simd!.layout.out);
  const T = wasmOut!;
  for (let jt = 0; jt < nt; jt++) {
    const j = jt * NR;
    const w = Math.min(NR, nc - j);
    for (let it = 0; it < mt; it++) {
      const i = it * MR;
      const h = Math.min(MR, mc - i);
      const t = (jt * mt + it) * 16;
      const c = cOff + i * ldc + j;
      if (h === MR && w === NR) {
        for (let r = 0; r < 4; r++) {
          const cr = c + r * ldc;
          const tr = t + r * 4;
          C[cr] += alpha * T[tr];
          C[cr + 1] += alpha * T[tr + 1];
          C[cr + 2] += alpha * T[tr + 2];
          C[cr + 3] += alpha * T[tr + 3];
        }
      } else {
        for (let r = 0; r < h; r++) for (let s = 0; s < w; s++) C[c + r * ldc + s] += alpha * T[t + r * 4 + s];
      }
    }
  }
}

/** C block (mc x nc at cOff) += alpha packA packB, one MR x NR tile at a time. */
function macroKernel(mc: number, nc: number, kc: number, alpha: number, C: Float64Array, cOff: number, ldc: number): void {
  const Ap = packA;
  const Bp = packB;
  for (let j = 0; j < nc; j += NR) {
    const w = Math.min(NR, nc - j);
    const bBase = (j / NR) * kc * NR;
    for (let i = 0; i < mc; i += MR) {
      const h = Math.min(MR, mc - i);
      let ai = (i / MR) * kc * MR;
      let bi = bBase;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
      let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
      let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let p = 0; p < kc; p++) {
        const b0 = Bp[bi];
        const b1 = Bp[bi + 1];
        const b2 = Bp[bi + 2];
        const b3 = Bp[bi + 3];
        let a = Ap[ai];
        c00 += a * b0; c01 += a * b1; c02 += a * b2; c03 += a * b3;
        a = Ap[ai + 1];
        c10 += a * b0; c11 += a * b1; c12 += a * b2; c13 += a * b3;
        a = Ap[ai + 2];
        c20 += a * b0; c21 += a * b1; c22 += a * b2; c23 += a * b3;
        a = Ap[ai + 3];
        c30 += a * b0; c31 += a * b1; c32 += a * b2; c33 += a * b3;
        ai += 4;
        bi += 4;
      }
      const c = cOff + i * ldc + j;
      if (h === MR && w === NR) {
        let r = c;
        C[r] += alpha * c00; C[r + 1] += alpha * c01; C[r + 2] += alpha * c02; C[r + 3] += alpha * c03;
        r += ldc;
        C[r] += alpha * c10; C[r + 1] += alpha * c11; C[r + 2] += alpha * c12; C[r + 3] += alpha * c13;
        r += ldc;
        C[r] += alpha * c20; C[r + 1] += alpha * c21; C[r + 2] += alpha * c22; C[r + 3] += alpha * c23;
        r += ldc;
        C[r] += alpha * c30; C[r + 1] += alpha * c31; C[r + 2] += alpha * c32; C[r + 3] += alpha * c33;
      } else {
        const t = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
        for (let r = 0; r < h; r++) for (let s = 0; s < w; s++) C[c + r * ldc + s] += alpha * t[r * 4 + s];
      }
    }
  }
}
