/**
 * General matrix product C <- alpha op(A) op(B) + beta C on row-major
 * Float64Array storage with offsets and leading dimensions (the BLAS dgemm
 * contract, row-major). Goto-style: op(B) is packed into KC x NR panels and
 * op(A) into MC x KC blocks of MR-row slivers, so one 4 x 4 register-blocked
 * micro-kernel serves every transpose and reads only contiguous memory.
 *
 * Where WebAssembly runs, the whole loop nest runs there (wasm/gemm-module.ts):
 * the operands are copied into its memory (a native copy per row, or one for a
 * contiguous operand), packed and multiplied there, and C is copied back. The
 * scalar JavaScript version below stays as the fallback.
 *
 * Reference: K. Goto and R. van de Geijn, "Anatomy of high-performance matrix
 * multiplication", ACM TOMS 34(3), 2008.
 */

import { FULL } from './wasm/gemm-module.js';
import { linalgThreads, runKernelPanels, wakeKernelWorkers } from '../parallel/pool.js';
import { type KernelRuntime, type WasmKernel, fusedKernelSupported, kernelRuntime } from './wasm/runtime.js';

// blocking of the JavaScript fallback
const MR = 4;
const NR = 4;
/** Depth of a packed panel: KC x NR doubles of B stay in L1 while a sliver of A streams. */
const KC = 256;
/** Rows of A packed at once (MC x KC doubles, 192 KiB, in L2). */
const MC = 96;
/** Columns of B packed at once (KC x NC doubles, 1 MiB). */
const NC = 512;

const packA = new Float64Array(MC * KC);
const packB = new Float64Array(KC * NC);

/**
 * The micro-kernel in use: WebAssembly with relaxed SIMD's fused multiply-add
 * where the engine accepts it and the probe sees a fused result, else
 * WebAssembly SIMD128 (multiply then add), else scalar JavaScript.
 */
export type GemmBackend = WasmKernel | 'js';

/** The backends this process can run, fastest first. */
export function availableGemmBackends(): GemmBackend[] {
  const out: GemmBackend[] = [];
  if (fusedKernelSupported() && kernelRuntime('wasm-relaxed-fma')) out.push('wasm-relaxed-fma');
  if (kernelRuntime('wasm-simd')) out.push('wasm-simd');
  out.push('js');
  return out;
}

/** Bytes of operands one WebAssembly call copies at most; larger products are split (see wasmGemm). */
let arenaLimitBytes = 256 * 1024 * 1024;

/** Caps the memory the WebAssembly kernel copies operands into (at least 1 KiB); returns the previous cap. */
export function setGemmArenaLimit(bytes: number): number {
  const before = arenaLimitBytes;
  arenaLimitBytes = Math.max(1024, bytes);
  return before;
}

let backend: GemmBackend | undefined;
let runtime: KernelRuntime | null = null;

/** The backend in use. */
export function gemmBackend(): GemmBackend {
  if (backend === undefined) setGemmBackend(availableGemmBackends()[0]);
  return backend!;
}

/** Selects the micro-kernel (tests compare them); one this process cannot run is refused. Returns the one in effect. */
export function setGemmBackend(b: GemmBackend): GemmBackend {
  if (b === 'js') {
    backend = 'js';
    runtime = null;
  } else {
    const rt = kernelRuntime(b);
    if (rt) {
      backend = b;
      runtime = rt;
    } else if (backend === undefined) {
      return setGemmBackend(availableGemmBackends()[0]);
    }
  }
  return backend!;
}

/** The WebAssembly runtime of the backend in use, or null for the JavaScript one. */
export function gemmRuntime(): KernelRuntime | null {
  gemmBackend();
  return runtime;
}

/** Strided view of a row-major operand: element (i, j) of op(X) is X[off + i*rs + j*cs]. */
interface Operand {
  data: Float64Array;
  off: number;
  rs: number;
  cs: number;
}

/** The arguments of a row-major BLAS dgemm, in its order. */
export type GemmArgs = [
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
];

/**
 * C[cOff + i ldc + j] <- alpha sum_p op(A)_ip op(B)_pj + beta C_ij for i < m, j < n.
 * op(A) is m x k (A stored k x m when transA), op(B) is k x n (B stored n x k when transB).
 * With beta = 0, C is overwritten (NaN in C does not propagate), as in BLAS.
 */
export function gemm(...args: GemmArgs): void {
  drive(Infinity, args);
}

/**
 * The lower triangle of the same product: C_ij for j <= i + diagonal (and j < n)
 * is set as gemm sets it; entries above that diagonal are unspecified (some are
 * written, within blocks that straddle it). One packing of op(B) serves every row block,
 * so a symmetric or trailing update costs about half a full GEMM without the
 * repacking that a loop of narrow GEMM calls pays.
 */
export function gemmLower(...args: [...GemmArgs, diagonal?: number]): void {
  drive(args[16] ?? 0, args as unknown as GemmArgs);
}

/** The blocked product; only entries with j <= i + diagonal are guaranteed (Infinity: all of them). */
function drive(diagonal: number, args: GemmArgs): void {
  const [transA, transB, m, n, k, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc] = args;
  if (m === 0 || n === 0) return;
  const rt = gemmRuntime();
  if (rt && k > 0 && alpha !== 0) {
    wasmGemm(rt, diagonal, args);
    return;
  }
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
        macroKernel(mc, ncEff, kc, alpha, C, cOff + ic * ldc + jc, ldc);
      }
    }
  }
}

/** Packs op(B)[pc..pc+kc, jc..jc+nc] as NR-column slivers, each kc x NR row-major, zero-padded. */
function packPanelB(b: Operand, pc: number, jc: number, kc: number, nc: number): void {
  packSlivers(packB, b.data, b.off + pc * b.rs + jc * b.cs, b.cs, b.rs, nc, kc);
}

/** Packs op(A)[ic..ic+mc, pc..pc+kc] as MR-row slivers, each kc x MR (column of the sliver contiguous), zero-padded. */
function packBlockA(a: Operand, ic: number, pc: number, mc: number, kc: number): void {
  packSlivers(packA, a.data, a.off + ic * a.rs + pc * a.cs, a.rs, a.cs, mc, kc);
}

/**
 * Packs `count` lanes (rows of op(A) or columns of op(B)) into P in slivers of
 * 4 (MR = NR), each `depth` steps deep, one step's 4 lanes after another,
 * zero-padded: lane l of step p is X[base + l*across + p*along].
 */
function packSlivers(P: Float64Array, X: Float64Array, base: number, across: number, along: number, count: number, depth: number): void {
  let q = 0;
  for (let l = 0; l < count; l += 4) {
    const w = Math.min(4, count - l);
    const first = base + l * across;
    if (w === 4) {
      for (let p = 0; p < depth; p++) {
        const s = first + p * along;
        P[q] = X[s];
        P[q + 1] = X[s + across];
        P[q + 2] = X[s + 2 * across];
        P[q + 3] = X[s + 3 * across];
        q += 4;
      }
    } else {
      for (let p = 0; p < depth; p++) {
        const s = first + p * along;
        for (let c = 0; c < 4; c++) P[q + c] = c < w ? X[s + c * across] : 0;
        q += 4;
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
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0;
      let c10 = 0,
        c11 = 0,
        c12 = 0,
        c13 = 0;
      let c20 = 0,
        c21 = 0,
        c22 = 0,
        c23 = 0;
      let c30 = 0,
        c31 = 0,
        c32 = 0,
        c33 = 0;
      for (let p = 0; p < kc; p++) {
        const b0 = Bp[bi];
        const b1 = Bp[bi + 1];
        const b2 = Bp[bi + 2];
        const b3 = Bp[bi + 3];
        let a = Ap[ai];
        c00 += a * b0;
        c01 += a * b1;
        c02 += a * b2;
        c03 += a * b3;
        a = Ap[ai + 1];
        c10 += a * b0;
        c11 += a * b1;
        c12 += a * b2;
        c13 += a * b3;
        a = Ap[ai + 2];
        c20 += a * b0;
        c21 += a * b1;
        c22 += a * b2;
        c23 += a * b3;
        a = Ap[ai + 3];
        c30 += a * b0;
        c31 += a * b1;
        c32 += a * b2;
        c33 += a * b3;
        ai += 4;
        bi += 4;
      }
      const c = cOff + i * ldc + j;
      if (h === MR && w === NR) {
        let r = c;
        C[r] += alpha * c00;
        C[r + 1] += alpha * c01;
        C[r + 2] += alpha * c02;
        C[r + 3] += alpha * c03;
        r += ldc;
        C[r] += alpha * c10;
        C[r + 1] += alpha * c11;
        C[r + 2] += alpha * c12;
        C[r + 3] += alpha * c13;
        r += ldc;
        C[r] += alpha * c20;
        C[r + 1] += alpha * c21;
        C[r + 2] += alpha * c22;
        C[r + 3] += alpha * c23;
        r += ldc;
        C[r] += alpha * c30;
        C[r + 1] += alpha * c31;
        C[r + 2] += alpha * c32;
        C[r + 3] += alpha * c33;
      } else {
        const t = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
        for (let r = 0; r < h; r++) for (let s = 0; s < w; s++) C[c + r * ldc + s] += alpha * t[r * 4 + s];
      }
    }
  }
}

/** Copies the rows x cols block at X[off] (leading dimension ld) into the arena; returns its byte address (leading dimension cols). */
function copyIn(rt: KernelRuntime, X: Float64Array, off: number, ld: number, rows: number, cols: number): number {
  const at = rt.alloc(rows * cols);
  const H = rt.heap();
  const base = at / 8;
  if (ld === cols) H.set(X.subarray(off, off + rows * cols), base);
  else for (let r = 0; r < rows; r++) H.set(X.subarray(off + r * ld, off + r * ld + cols), base + r * cols);
  return at;
}

/**
 * The product through the WebAssembly kernel. Products whose operands exceed
 * the arena are split in halves along their largest dimension (k splits
 * apply beta once, to the first half).
 */
/** The operands' shapes as stored, whether A and B are the same stored operand, and the bytes one WebAssembly call copies in. */
function arenaFootprint(args: GemmArgs) {
  const [transA, transB, m, n, k, , A, aOff, lda, B, bOff, ldb] = args;
  const [ar, ac] = transA ? [k, m] : [m, k];
  const [br, bc] = transB ? [n, k] : [k, n];
  const sameOperand = A === B && aOff === bOff && lda === ldb && ar === br && ac === bc;
  return { ar, ac, br, bc, sameOperand, bytes: 8 * (ar * ac + (sameOperand ? 0 : br * bc) + m * n) + 64 };
}

/**
 * The product op(X) op(X)ᵀ-shaped `args` (m = n, C symmetric when beta is not
 * 0) with the whole of C written: the lower triangle as gemmLower computes it,
 * mirrored onto the upper one inside the kernel's memory before the one copy
 * out. Returns false, doing nothing, where that path does not apply (no
 * WebAssembly kernel, nothing to multiply, or operands beyond the arena): the
 * caller then uses gemmLower and mirrors.
 */
export function symmetricProductInArena(args: GemmArgs): boolean {
  const [, , m, n, k, alpha] = args;
  const rt = gemmRuntime();
  if (!rt || m !== n || m === 0 || k === 0 || alpha === 0 || arenaFootprint(args).bytes > arenaLimitBytes) return false;
  wasmGemm(rt, 0, args, true);
  return true;
}

function wasmGemm(rt: KernelRuntime, diagonal: number, args: GemmArgs, mirror = false): void {
  const [transA, transB, m, n, k, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc] = args;
  const { ar, ac, br, bc, sameOperand, bytes } = arenaFootprint(args);
  if (bytes > arenaLimitBytes && Math.max(m, n, k) > 1) {
    const lower = diagonal !== Infinity;
    if (k >= m && k >= n) {
      const h = k >> 1;
      const aHalf = transA ? lda * h : h;
      const bHalf = transB ? h : ldb * h;
      wasmGemm(rt, diagonal, [transA, transB, m, n, h, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc]);
      wasmGemm(rt, diagonal, [transA, transB, m, n, k - h, alpha, A, aOff + aHalf, lda, B, bOff + bHalf, ldb, 1, C, cOff, ldc]);
    } else if (m >= n) {
      const h = m >> 1;
      wasmGemm(rt, diagonal, [transA, transB, h, n, k, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc]);
      wasmGemm(rt, lower ? diagonal + h : diagonal, [
        transA,
        transB,
        m - h,
        n,
        k,
        alpha,
        A,
        aOff + (transA ? h : lda * h),
        lda,
        B,
        bOff,
        ldb,
        beta,
        C,
        cOff + ldc * h,
        ldc,
      ]);
    } else {
      const h = n >> 1;
      wasmGemm(rt, diagonal, [transA, transB, m, h, k, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc]);
      wasmGemm(rt, lower ? diagonal - h : diagonal, [
        transA,
        transB,
        m,
        n - h,
        k,
        alpha,
        A,
        aOff,
        lda,
        B,
        bOff + (transB ? ldb * h : h),
        ldb,
        beta,
        C,
        cOff + h,
        ldc,
      ]);
    }
    return;
  }
  // the columns row i needs: j < min(n, i + 1 + diag)
  const diag = diagonal === Infinity ? FULL : Math.max(-FULL, Math.min(FULL, diagonal));
  if (diag + m <= 0) return; // no entry on or below the line
  if (willSplit(m, n, k, diag)) wakeKernelWorkers(rt);
  const mark = rt.mark();
  const a = copyIn(rt, A, aOff, lda, ar, ac);
  const b = sameOperand ? a : copyIn(rt, B, bOff, ldb, br, bc);
  const c = beta === 0 ? rt.alloc(m * n) : copyIn(rt, C, cOff, ldc, m, n);
  gemmInArena(rt, transA, transB, m, n, k, alpha, a, ac, b, bc, beta, c, n, diag);
  if (mirror) rt.exports.mirrorLower(c, n, 8 * n);
  const whole = mirror || diag >= n - 1;
  const H = rt.heap();
  const base = c / 8;
  if (whole && ldc === n) {
    C.set(H.subarray(base, base + m * n), cOff);
  } else {
    for (let i = 0; i < m; i++) {
      const w = whole ? n : Math.min(n, i + 1 + diag);
      if (w > 0) C.set(H.subarray(base + i * n, base + i * n + w), cOff + i * ldc);
    }
  }
  rt.release(mark);
}

/**
 * Products of fewer flops than this stay on one thread: below it the panels
 * are too short to repay a worker's wake-up and the repacking of the shared
 * operand (each panel packs it again). Measured: at n = 128 (4.2 Mflop) a
 * split is no faster than one thread; from n ~ 160 it is.
 */
let parallelMinFlops = 6e6;
/** Work of one panel at least (flops): several panels per thread let a late or slowed thread take fewer. */
const PANEL_MIN_FLOPS = 2e6;
/**
 * Panels per thread at most. Every panel packs the shared operand again:
 * measured in CPU time of both threads against one at n = 256 / 512, 4 panels
 * per thread cost 45% / 15% more work, 2 cost 10-20% / 5-10% (spinning
 * included), 1 leaves nothing for a fast thread to take from a slow one.
 */
const PANELS_PER_THREAD = 2;

/** Flops of the product, halved for a triangle (what the split threshold compares). */
const productFlops = (m: number, n: number, k: number, diag: number): number => 2 * m * n * k * (diag < FULL ? 0.5 : 1);

/** Whether gemmInArena will split this product across threads. */
const willSplit = (m: number, n: number, k: number, diag: number): boolean => linalgThreads() > 1 && productFlops(m, n, k, diag) >= parallelMinFlops;

/** Sets the smallest product (in flops, 2 m n k, halved for a triangle) that is split across threads; returns the previous value. */
export function setParallelGemmMinFlops(flops: number): number {
  const before = parallelMinFlops;
  parallelMinFlops = flops;
  return before;
}

/**
 * The product on operands already in the kernel's memory (byte addresses,
 * leading dimensions in elements, as stored: A is m x k or k x m when
 * transposed), C's entries j <= i + diag only (diag >= FULL: all). With more
 * than one thread and enough work, C is cut into panels of columns (of rows
 * when it is tall) of equal work, several per thread, which the threads
 * claim one at a time (parallel/pool.ts); each panel packs its own operands,
 * so the panels are independent and the result is bit for bit the
 * one-thread result.
 */
export function gemmInArena(
  rt: KernelRuntime,
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: number,
  lda: number,
  b: number,
  ldb: number,
  beta: number,
  c: number,
  ldc: number,
  diag: number,
): void {
  const lower = diag < FULL;
  const flops = productFlops(m, n, k, diag);
  const T = linalgThreads();
  const panel = panelArgs([transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, diag]);
  if (T <= 1 || flops < parallelMinFlops) {
    rt.exports.gemm(
      ...(panel(0, m, 0, n) as [number, number, number, number, number, number, number, number, number, number, number, number, number, number]),
      rt.scratch(0),
    );
    return;
  }
  const P = Math.max(2, Math.min(T * PANELS_PER_THREAD, Math.floor(flops / PANEL_MIN_FLOPS)));
  const panels: number[][] = [];
  if (m > n && !lower) {
    const cuts = evenCuts(m, P, () => 1);
    for (let t = 0; t < P; t++) if (cuts[t + 1] > cuts[t]) panels.push(panel(cuts[t], cuts[t + 1], 0, n));
  } else {
    // in a triangle, column j holds the rows i >= j - diag
    const cuts = evenCuts(Math.min(n, m + diag), P, (j) => (lower ? m - Math.max(0, j - diag) : 1));
    for (let t = 0; t < P; t++) if (cuts[t + 1] > cuts[t]) panels.push(panel(0, m, cuts[t], cuts[t + 1]));
  }
  runKernelPanels(rt, 'gemm', panels);
}
/**
 * The kernel's arguments for the block of rows i0..i1 and columns j0..j1 of
 * C of a product on arena operands (as gemmInArena takes them): byte
 * addresses and strides, the triangle's diagonal moved to the block.
 */
function panelArgs([transA, transB, , , k, alpha, a, lda, b, ldb, beta, c, ldc, diag]: ArenaProduct): (
  i0: number,
  i1: number,
  j0: number,
  j1: number,
) => number[] {
  const aRs = transA ? 8 : 8 * lda;
  const aCs = transA ? 8 * lda : 8;
  const bRs = transB ? 8 : 8 * ldb;
  const bCs = transB ? 8 * ldb : 8;
  const lower = diag < FULL;
  return (i0, i1, j0, j1) => [
    i1 - i0,
    j1 - j0,
    k,
    alpha,
    beta,
    a + i0 * aRs,
    aRs,
    aCs,
    b + j0 * bCs,
    bRs,
    bCs,
    c + 8 * (i0 * ldc + j0),
    8 * ldc,
    lower ? diag + i0 - j0 : FULL,
  ];
}

/** One product on arena operands, in gemmInArena's argument order (after the runtime). */
export type ArenaProduct = Parameters<typeof gemmInArena> extends [KernelRuntime, ...infer P] ? P : never;

/**
 * Independent products on arena operands (no product writes what another
 * reads or writes), each run whole by one thread: on several threads the
 * threads claim them one at a time, largest first, so a set of products costs
 * one hand-over instead of one per product, and each result is bit for bit
 * the one gemmInArena gives (the same kernel call). On one thread they run in
 * order through gemmInArena.
 */
export function gemmsInArena(rt: KernelRuntime, products: readonly ArenaProduct[]): void {
  if (linalgThreads() <= 1 || products.length <= 1) {
    for (const p of products) gemmInArena(rt, ...p);
    return;
  }
  const work = (p: ArenaProduct) => productFlops(p[2], p[3], p[4], p[13]);
  const panels = [...products]
    .sort((x, y) => work(y) - work(x))
    .filter((p) => p[2] > 0 && p[3] > 0 && p[13] + p[2] > 0)
    .map((p) => panelArgs(p)(0, p[2], 0, p[3]));
  if (panels.length > 0) runKernelPanels(rt, 'gemm', panels);
}

/** Cut points 0 = c_0 <= ... <= c_T = len, multiples of 4 where possible, splitting the total weight evenly. */
function evenCuts(len: number, T: number, weight: (i: number) => number): number[] {
  let total = 0;
  for (let i = 0; i < len; i++) total += weight(i);
  const cuts = [0];
  let acc = 0;
  let i = 0;
  for (let t = 1; t < T; t++) {
    const target = (total * t) / T;
    while (i < len && acc + weight(i) <= target) acc += weight(i++);
    const aligned = Math.min(len, Math.round(i / 4) * 4);
    cuts.push(Math.max(cuts[t - 1], aligned));
  }
  cuts.push(len);
  return cuts;
}
