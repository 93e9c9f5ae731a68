/**
 * Blocked Cholesky factorization, triangular inverse, inverse from the
 * factor and triangular solves, all on a Workspace: the operand is copied in
 * once, and every product (the bulk of the flops) is a GEMM in place, split
 * across threads when large. The triangular parts on the diagonal are
 * recursive (halves until LEAF), so their flops also go through the GEMM;
 * only LEAF x LEAF blocks are done by scalar loops.
 *
 * The factorization and the inverse from the factor exist twice, as the
 * JavaScript loops below and as WebAssembly functions (wasm/cholesky-module.ts)
 * that make the same GEMM calls in the same order, so both give the same
 * bits. The WebAssembly driver runs a whole factor inverse without returning
 * to JavaScript: on the calling thread at one thread, and on any thread of
 * the pool when several independent inverses are asked for at once
 * (spdInverses). The JavaScript driver serves a large matrix at more than one
 * thread: the factorization's large GEMMs are split across the threads, and
 * the inverse from the factor hands each thread whole pieces (a range of
 * columns of L⁻¹, then whole strips of L⁻ᵀ L⁻¹), one hand-over per phase
 * instead of one per product: measured on a loaded machine, products of about
 * a millisecond split across two threads were no faster than on one.
 *
 * References: G. Golub and C. Van Loan, Matrix Computations, 4th ed., §4.2.9
 * (blocked right-looking Cholesky); F. Gustavson, "Recursion leads to
 * automatic variable blocking for dense linear-algebra algorithms", IBM J.
 * Res. Dev. 41(6), 1997 (the recursive diagonal blocks).
 */
import { linalgThreads, runKernelPanels } from '../parallel/pool.js';
import { type ArenaProduct, gemmRuntime, gemmsInArena } from './gemm.js';
import { mirrorLower } from './syrk.js';
import { CHOLESKY_GRAM_ROWS as GRAM_ROWS, CHOLESKY_LEAF as LEAF, CHOLESKY_NB as NB, choleskyStackDoubles } from './wasm/cholesky-module.js';
import type { KernelRuntime } from './wasm/runtime.js';
import { type Workspace, copyFromHeap, copyToHeap, withWorkspace } from './workspace.js';

/**
 * From this order on, with more than one thread, a factorization or inverse
 * runs the JavaScript driver, whose large GEMMs are split across the threads;
 * below it (and always on one thread) the WebAssembly driver runs it whole
 * on the calling thread. Both give the same bits. Measured (factor + inverse,
 * 2T JavaScript driver against 1T WebAssembly driver, interleaved): slower at
 * n = 512, 640 and 700 (the JavaScript driver's own loops and the unsplit
 * small products cost more than the split saves), faster from about 785
 * (1.1-1.25x at 785-1024).
 */
let splitDriverMin = 768;

/** Sets the order from which the JavaScript driver (GEMMs split across threads) is used when more than one thread is allowed; returns the previous value. */
export function setSplitCholeskyMin(n: number): number {
  const before = splitDriverMin;
  splitDriverMin = n;
  return before;
}

/** The runtime whose WebAssembly driver should run an order-n factorization or inverse on this workspace, or null for the JavaScript driver. */
function wasmDriver(ws: Workspace, n: number): KernelRuntime | null {
  const rt = ws.runtime;
  return rt && (n < splitDriverMin || linalgThreads() <= 1 || !rt.shared) ? rt : null;
}

/** The first pivot that was not positive, with its value. */
export interface FailedPivot {
  index: number;
  value: number;
}

/** Splits an order into halves, the first a multiple of 4 (the kernel's tile) when possible. */
function half(n: number): number {
  const h = (n >> 1) & ~3;
  return h > 0 ? h : n >> 1;
}

/** Scalar Cholesky of the n x n block at `a` (leading dimension lda), lower triangle, in place. */
function leafFactor(H: Float64Array, a: number, n: number, lda: number): FailedPivot | null {
  for (let i = 0; i < n; i++) {
    const ri = a + i * lda;
    for (let j = 0; j <= i; j++) {
      const rj = a + j * lda;
      let s = H[ri + j];
      for (let k = 0; k < j; k++) s -= H[ri + k] * H[rj + k];
      if (i === j) {
        if (!(s > 0)) return { index: i, value: s };
        H[ri + i] = Math.sqrt(s);
      } else {
        H[ri + j] = s / H[rj + j];
      }
    }
  }
  return null;
}

/** Scalar inverse of the lower-triangular n x n block at `l` into `t` (upper part of t zeroed). */
function leafInverse(H: Float64Array, l: number, ldl: number, n: number, t: number, ldt: number): void {
  for (let i = 0; i < n; i++) {
    const li = l + i * ldl;
    const ti = t + i * ldt;
    H.fill(0, ti, ti + n);
    // row i of L⁻¹: T[i, j] = (δ_ij - sum_{k=j}^{i-1} L[i, k] T[k, j]) / L[i, i]
    H[ti + i] = 1;
    for (let k = 0; k < i; k++) {
      const lik = H[li + k];
      if (lik === 0) continue;
      const tk = t + k * ldt;
      for (let j = 0; j <= k; j++) H[ti + j] -= lik * H[tk + j];
    }
    const inv = 1 / H[li + i];
    for (let j = 0; j <= i; j++) H[ti + j] *= inv;
  }
}

/**
 * T = L⁻¹ for the lower-triangular n x n block at `l` (upper part of T set
 * to zero): T11 = L11⁻¹, T22 = L22⁻¹, T21 = -T22 L21 T11.
 */
export function triangularInverse(ws: Workspace, l: number, ldl: number, n: number, t: number, ldt: number): void {
  if (n <= LEAF) {
    leafInverse(ws.heap(), l, ldl, n, t, ldt);
    return;
  }
  const n1 = half(n);
  const n2 = n - n1;
  triangularInverse(ws, l, ldl, n1, t, ldt);
  triangularInverse(ws, l + n1 * ldl + n1, ldl, n2, t + n1 * ldt + n1, ldt);
  const H = ws.heap();
  for (let i = 0; i < n1; i++) H.fill(0, t + i * ldt + n1, t + i * ldt + n);
  ws.scoped(() => {
    const x = ws.alloc(n2 * n1);
    ws.gemm(false, false, n2, n1, n1, 1, l + n1 * ldl, ldl, t, ldt, 0, x, n1);
    ws.gemm(false, false, n2, n1, n2, -1, t + n1 * ldt + n1, ldt, x, n1, 0, t + n1 * ldt, ldt);
  });
}

/** X <- X Tᵀ in place for the rows x nb block X at `x` (scratch through a temporary). */
function multiplyByTransposed(ws: Workspace, x: number, ldx: number, rows: number, nb: number, t: number, ldt: number): void {
  ws.scoped(() => {
    const tmp = ws.alloc(rows * nb);
    ws.gemm(false, true, rows, nb, nb, 1, x, ldx, t, ldt, 0, tmp, nb);
    const H = ws.heap();
    for (let i = 0; i < rows; i++) H.copyWithin(x + i * ldx, tmp + i * nb, tmp + (i + 1) * nb);
  });
}

/** Recursive Cholesky of the n x n diagonal block at `a`: factor A11, L21 = A21 L11⁻ᵀ, A22 -= L21 L21ᵀ, factor A22. */
function factorDiagonal(ws: Workspace, a: number, n: number, lda: number): FailedPivot | null {
  if (n <= LEAF) return leafFactor(ws.heap(), a, n, lda);
  const n1 = half(n);
  const n2 = n - n1;
  const first = factorDiagonal(ws, a, n1, lda);
  if (first) return first;
  ws.scoped(() => {
    const t = ws.alloc(n1 * n1);
    triangularInverse(ws, a, lda, n1, t, n1);
    multiplyByTransposed(ws, a + n1 * lda, lda, n2, n1, t, n1);
  });
  ws.gemm(false, true, n2, n2, n1, -1, a + n1 * lda, lda, a + n1 * lda, lda, 1, a + n1 * lda + n1, lda, 0);
  const second = factorDiagonal(ws, a + n1 * lda + n1, n2, lda);
  return second && { index: n1 + second.index, value: second.value };
}

/**
 * Blocked right-looking Cholesky a = L Lᵀ of the n x n matrix at `a` on the
 * workspace, reading the lower triangle; on success the lower triangle holds L
 * (the strict upper triangle is left as it was).
 */
export function factorInWorkspace(ws: Workspace, a: number, n: number, lda: number): FailedPivot | null {
  const rt = wasmDriver(ws, n);
  if (rt) {
    return ws.scoped(() => {
      const sp = ws.alloc(choleskyStackDoubles(n));
      const failed = rt.exports.choleskyFactor(8 * a, n, 8 * lda, 8 * sp, rt.scratch(0));
      return failed < 0 ? null : { index: failed, value: ws.heap()[a + failed * lda + failed] };
    });
  }
  const t = ws.alloc(NB * NB);
  for (let j0 = 0; j0 < n; j0 += NB) {
    const jb = Math.min(NB, n - j0);
    const j1 = j0 + jb;
    const d = a + j0 * lda + j0;
    const failed = factorDiagonal(ws, d, jb, lda);
    if (failed) return { index: j0 + failed.index, value: failed.value };
    const rows = n - j1;
    if (rows === 0) continue;
    // L21 = A21 L11⁻ᵀ through the small explicit inverse (a GEMM instead of a substitution of as many flops as the update)
    triangularInverse(ws, d, lda, jb, t, jb);
    multiplyByTransposed(ws, a + j1 * lda + j0, lda, rows, jb, t, jb);
    // A22 -= L21 L21ᵀ, lower triangle
    ws.gemm(false, true, rows, rows, jb, -1, a + j1 * lda + j0, lda, a + j1 * lda + j0, lda, 1, a + j1 * lda + j1, lda, 0);
  }
  return null;
}

/**
 * Blocked Cholesky a = L Lᵀ of the n x n row-major matrix `a` (leading
 * dimension n), reading its lower triangle only. On success L is written to
 * `out` (which may be `a` itself) with its strict upper triangle zeroed, and
 * null is returned; otherwise the first non-positive pivot is returned and
 * `out` is left unchanged.
 */
export function choleskyFactor(a: Float64Array, n: number, out: Float64Array): FailedPivot | null {
  return withWorkspace((ws) => {
    const A = ws.alloc(n * n);
    copyToHeap(ws, A, a, 0, n, n, n);
    const failed = factorInWorkspace(ws, A, n, n);
    if (failed) return failed;
    const H = ws.heap();
    for (let i = 0; i < n; i++) {
      out.set(H.subarray(A + i * n, A + i * n + i + 1), i * n);
      out.fill(0, i * n + i + 1, (i + 1) * n);
    }
    return null;
  });
}

/** choleskyFactor(a, n, a): L replaces the matrix in place. */
export function choleskyInPlace(a: Float64Array, n: number): FailedPivot | null {
  return choleskyFactor(a, n, a);
}

/**
 * X <- L⁻¹ X for the n x m block at `x`: per block of NB rows, subtract the
 * rows already solved (GEMM), then multiply by the inverse of the diagonal block.
 */
function solveLowerInWorkspace(ws: Workspace, l: number, n: number, x: number, m: number): void {
  const t = ws.alloc(NB * NB);
  const tmp = ws.alloc(NB * m);
  for (let i0 = 0; i0 < n; i0 += NB) {
    const ib = Math.min(NB, n - i0);
    if (i0 > 0) ws.gemm(false, false, ib, m, i0, -1, l + i0 * n, n, x, m, 1, x + i0 * m, m);
    triangularInverse(ws, l + i0 * n + i0, n, ib, t, ib);
    ws.gemm(false, false, ib, m, ib, 1, t, ib, x + i0 * m, m, 0, tmp, m);
    ws.heap().copyWithin(x + i0 * m, tmp, tmp + ib * m);
  }
}

/** X <- L⁻ᵀ X, blocks of rows from the bottom up. */
function solveLowerTransposedInWorkspace(ws: Workspace, l: number, n: number, x: number, m: number): void {
  const t = ws.alloc(NB * NB);
  const tmp = ws.alloc(NB * m);
  const last = n - (n % NB === 0 ? NB : n % NB);
  for (let i0 = last; i0 >= 0; i0 -= NB) {
    const ib = Math.min(NB, n - i0);
    const i1 = i0 + ib;
    // X_i -= (L[i1.., i0..i1])ᵀ X[i1..]
    if (i1 < n) ws.gemm(true, false, ib, m, n - i1, -1, l + i1 * n + i0, n, x + i1 * m, m, 1, x + i0 * m, m);
    triangularInverse(ws, l + i0 * n + i0, n, ib, t, ib);
    ws.gemm(true, false, ib, m, ib, 1, t, ib, x + i0 * m, m, 0, tmp, m);
    ws.heap().copyWithin(x + i0 * m, tmp, tmp + ib * m);
  }
}

/** Solves L X = B in place (B is n x m at offset 0 with leading dimension m), L lower triangular n x n row-major. */
export function trsmLower(L: Float64Array, n: number, B: Float64Array, m: number): void {
  solveInPlace(L, n, B, m, solveLowerInWorkspace);
}

/** Solves Lᵀ X = B in place (shapes as in trsmLower). */
export function trsmLowerTransposed(L: Float64Array, n: number, B: Float64Array, m: number): void {
  solveInPlace(L, n, B, m, solveLowerTransposedInWorkspace);
}

/** Copies L and B into a workspace, runs `solve` there and copies X back into B. */
function solveInPlace(
  L: Float64Array,
  n: number,
  B: Float64Array,
  m: number,
  solve: (ws: Workspace, l: number, n: number, x: number, m: number) => void,
): void {
  if (n === 0 || m === 0) return;
  withWorkspace((ws) => {
    const l = ws.alloc(n * n);
    const x = ws.alloc(n * m);
    copyToHeap(ws, l, L, 0, n, n, n);
    copyToHeap(ws, x, B, 0, m, n, m);
    solve(ws, l, n, x, m);
    copyFromHeap(ws, x, m, B, 0, m, n, m);
  });
}

/** W <- L⁻¹ W for W = I at `w`: blocked forward substitution by block rows (the JavaScript backend's; choleskyInverseColumns is the same for a range of columns). */
function substitute(ws: Workspace, l: number, n: number, w: number): void {
  const t = ws.alloc(NB * NB);
  const tmp = ws.alloc(Math.min(NB, n) * n);
  for (let i0 = 0; i0 < n; i0 += NB) {
    const ib = Math.min(NB, n - i0);
    const i1 = i0 + ib;
    // rows i0..i1 of W hold I - L[i0..i1, 0..i0] W[0..i0, ..] in columns 0..i1; W_i = T (that) with T = L11⁻¹
    triangularInverse(ws, l + i0 * n + i0, n, ib, t, ib);
    const H = ws.heap();
    for (let i = 0; i < ib; i++) H.copyWithin(tmp + i * i1, w + (i0 + i) * n, w + (i0 + i) * n + i1);
    ws.gemm(false, false, ib, i1, ib, 1, t, ib, tmp, i1, 0, w + i0 * n, n);
    // every row below subtracts this block row's contribution at once: one wide GEMM per block
    if (i1 < n) ws.gemm(false, false, n - i1, i1, ib, -1, l + i1 * n + i0, n, w + i0 * n, n, 1, w + i1 * n, n);
  }
}

/**
 * W <- L⁻¹ W for W = I at `w` on the kernel's threads: the columns are
 * independent, so they are cut into one range per thread of about equal work
 * (column j costs about (n - j)² / 2, so the cuts are at n (1 - (1 - t/T)^(1/3)),
 * multiples of 4), and each range runs whole on one thread
 * (choleskyInverseColumns): one hand-over for the whole substitution instead
 * of one per block row, and the bits of the one-thread substitution.
 */
function inverseColumnsOnThreads(ws: Workspace, rt: KernelRuntime, l: number, n: number, w: number): void {
  const T = linalgThreads();
  const cuts = [0];
  for (let t = 1; t < T; t++) cuts.push(Math.max(cuts[t - 1], Math.min(n, 4 * Math.round((n * (1 - (1 - t / T) ** (1 / 3))) / 4))));
  cuts.push(n);
  const stack = choleskyStackDoubles(n) - n * n;
  const panels: number[][] = [];
  for (let t = 0; t < T; t++) if (cuts[t + 1] > cuts[t]) panels.push([8 * l, n, 8 * w, cuts[t], cuts[t + 1], 8 * ws.alloc(stack)]);
  runKernelPanels(rt, 'choleskyInverseColumns', panels);
}

/**
 * a⁻¹ = Wᵀ W on the workspace from the factor L at `l` into `c` (n x n):
 * W = L⁻¹ by blocked right-looking forward substitution on the identity
 * (skipping the zero upper part, about n³/3 flops), then the lower block
 * triangle of Wᵀ W (about n³/3 flops), mirrored so the result is exactly symmetric.
 */
export function inverseFromFactorInWorkspace(ws: Workspace, l: number, n: number, c: number): void {
  const rt = wasmDriver(ws, n);
  if (rt) {
    ws.scoped(() => rt.exports.choleskyInverseFromFactor(8 * l, n, 8 * c, 8 * ws.alloc(choleskyStackDoubles(n)), rt.scratch(0)));
    return;
  }
  const w = ws.alloc(n * n);
  const H = ws.heap();
  H.fill(0, w, w + n * n);
  for (let i = 0; i < n; i++) H[w + i * n + i] = 1;
  if (ws.runtime) inverseColumnsOnThreads(ws, ws.runtime, l, n, w);
  else substitute(ws, l, n, w);
  // C[r0..r1, 0..r1] = sum_{k >= r0} W[k, r0..r1]ᵀ W[k, 0..r1]: rows of W above r0 are zero in columns r0..
  // The strips are independent: on the kernel's threads each runs whole on one of them (one hand-over for all).
  const starts: number[] = [];
  for (let r0 = 0; r0 < n; r0 += GRAM_ROWS) starts.push(r0);
  const rows = (r0: number) => Math.min(GRAM_ROWS, n - r0);
  if (ws.runtime) {
    gemmsInArena(
      ws.runtime,
      starts.map(
        (r0): ArenaProduct => [true, false, rows(r0), r0 + rows(r0), n - r0, 1, 8 * (w + r0 * n + r0), n, 8 * (w + r0 * n), n, 0, 8 * (c + r0 * n), n, r0],
      ),
    );
  } else {
    for (const r0 of starts) ws.gemm(true, false, rows(r0), r0 + rows(r0), n - r0, 1, w + r0 * n + r0, n, w + r0 * n, n, 0, c + r0 * n, n, r0);
  }
  if (ws.runtime) ws.runtime.exports.mirrorLower(8 * c, n, 8 * n);
  else mirrorLower(n, ws.heap(), c, n);
}

/** The inverse of a = L Lᵀ from its factor (row-major n x n); returns a new n x n array, exactly symmetric. */
export function choleskyInverse(L: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  if (n === 0) return out;
  withWorkspace((ws) => {
    const l = ws.alloc(n * n);
    const c = ws.alloc(n * n);
    copyToHeap(ws, l, L, 0, n, n, n);
    inverseFromFactorInWorkspace(ws, l, n, c);
    copyFromHeap(ws, c, n, out, 0, n, n, n);
  });
  return out;
}

/** The inverse of the n x n matrix a (lower triangle read) by factor and inverse, or its first failed pivot. */
function spdInverseHere(a: Float64Array, n: number): Float64Array | FailedPivot {
  if (n === 0) return new Float64Array(0);
  return withWorkspace((ws) => {
    const l = ws.alloc(n * n);
    const c = ws.alloc(n * n);
    copyToHeap(ws, l, a, 0, n, n, n);
    const failed = factorInWorkspace(ws, l, n, n);
    if (failed) return failed;
    // the JavaScript driver reads the factor's lower triangle only, as the WebAssembly one does
    inverseFromFactorInWorkspace(ws, l, n, c);
    const out = new Float64Array(n * n);
    copyFromHeap(ws, c, n, out, 0, n, n, n);
    return out;
  });
}

/**
 * The inverses of symmetric positive definite matrices (row-major, order
 * orders[i], lower triangle read), each bit for bit what choleskyFactor then
 * choleskyInverse give, or the first failed pivot. With more than one thread
 * the independent inverses run at once, one whole inverse per thread
 * (largest first, each thread claiming the next). A matrix whose work
 * exceeds an even share (K-FAC's input factor of a wide layer) is only
 * factored in that round, whole on one thread while the others invert the
 * small matrices (its factorization's GEMMs gain little from a split); its
 * inverse from the factor then runs on all the threads (the JavaScript
 * driver: ranges of columns of L⁻¹, then strips of L⁻ᵀ L⁻¹).
 */
export function spdInverses(mats: readonly Float64Array[], orders: readonly number[]): (Float64Array | FailedPivot)[] {
  const out: (Float64Array | FailedPivot)[] = new Array(mats.length);
  const rt = gemmRuntime();
  const T = linalgThreads();
  const byWork = orders.map((_, i) => i).sort((i, j) => orders[j] - orders[i] || i - j);
  if (!rt?.shared || T <= 1) {
    for (const i of byWork) out[i] = spdInverseHere(mats[i], orders[i]);
    return out;
  }
  const rest = byWork.filter((i) => orders[i] > 0);
  for (const i of byWork) if (orders[i] === 0) out[i] = new Float64Array(0);
  if (rest.length === 1) out[rest[0]] = spdInverseHere(mats[rest[0]], orders[rest[0]]);
  if (rest.length <= 1) return out;
  // the big ones: in order of work, each above an even share of what is left
  let remaining = rest.reduce((s, i) => s + orders[i] ** 3, 0);
  let bigs = 0;
  while (bigs < rest.length && orders[rest[bigs]] >= splitDriverMin && orders[rest[bigs]] ** 3 > remaining / T) remaining -= orders[rest[bigs++]] ** 3;
  const mark = rt.mark();
  try {
    const jobs = rest.map((i, r) => {
      const n = orders[i];
      const a = rt.alloc(n * n);
      const c = rt.alloc(n * n);
      const status = rt.alloc(2);
      const sp = rt.alloc(choleskyStackDoubles(n));
      return { i, n, a, c, status, invert: r < bigs ? 0 : 1, sp };
    });
    const H = rt.heap();
    for (const j of jobs) H.set(mats[j.i].subarray(0, j.n * j.n), j.a / 8);
    runKernelPanels(
      rt,
      'spdInverse',
      jobs.map((j) => [j.a, j.n, j.c, j.status, j.invert, j.sp]),
    );
    const words = new Int32Array(rt.memory.buffer);
    for (const j of jobs) {
      if (j.invert === 0 && words[j.status / 4] < 0) withWorkspace((ws) => inverseFromFactorInWorkspace(ws, j.a / 8, j.n, j.c / 8));
    }
    const heap = rt.heap();
    for (const j of jobs) {
      const failed = words[j.status / 4];
      out[j.i] = failed < 0 ? heap.slice(j.c / 8, j.c / 8 + j.n * j.n) : { index: failed, value: heap[j.a / 8 + failed * j.n + failed] };
    }
  } finally {
    rt.release(mark);
  }
  return out;
}
