/**
 * Memory for blocked algorithms that make many GEMM calls on the same
 * operands (Cholesky, triangular inverse and solves, the eigensolver's
 * reduction): with a WebAssembly backend it is the kernel's arena, so the
 * operands are copied in once and every GEMM runs in place (on several
 * threads when worth it); with the JavaScript backend it is a growable
 * Float64Array. Offsets are in doubles; allocations nest like a stack and
 * are freed when the session ends.
 */
import { gemm, gemmInArena, gemmLower, gemmRuntime } from './gemm.js';
import { FULL } from './wasm/gemm-module.js';
import type { KernelRuntime } from './wasm/runtime.js';

export interface Workspace {
  /** the WebAssembly runtime whose memory heap() is, or null for the JavaScript backend (offsets times 8 are its byte addresses) */
  readonly runtime: KernelRuntime | null;
  /** the memory; fetch it again after alloc (it may have grown) */
  heap(): Float64Array;
  /** `doubles` doubles, 16-byte aligned, not initialized */
  alloc(doubles: number): number;
  /** runs `body`, then frees what it allocated (for temporaries inside loops and recursion) */
  scoped<T>(body: () => T): T;
  /**
   * C <- alpha op(A) op(B) + beta C on offsets into heap() (leading dimensions
   * in doubles, as stored), only C_ij with j <= i + diagonal when a diagonal is given.
   */
  gemm(
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
    diagonal?: number,
  ): void;
  /** y = A x for the symmetric n x n A at `a` given by its lower triangle */
  symvLower(n: number, a: number, lda: number, x: number, y: number): void;
  /** y += alpha A x for the m x n A at `a` */
  gemvN(m: number, n: number, alpha: number, a: number, lda: number, x: number, y: number): void;
  /** y += alpha Aᵀ x for the m x n A at `a` */
  gemvT(m: number, n: number, alpha: number, a: number, lda: number, x: number, y: number): void;
}

/** The matrix-vector products in JavaScript on a heap, for the JavaScript backend (the reference the kernels are tested against is separate). */
const jsVectorOps = (heap: () => Float64Array) => ({
  symvLower(n: number, a: number, lda: number, x: number, y: number): void {
    const H = heap();
    for (let i = 0; i < n; i++) {
      const row = a + i * lda;
      const xi = H[x + i];
      let s = 0;
      for (let j = 0; j < i; j++) {
        const aij = H[row + j];
        s += aij * H[x + j];
        H[y + j] += aij * xi;
      }
      H[y + i] = s + H[row + i] * xi;
    }
  },
  gemvN(m: number, n: number, alpha: number, a: number, lda: number, x: number, y: number): void {
    const H = heap();
    for (let r = 0; r < m; r++) {
      const row = a + r * lda;
      let s = 0;
      for (let c = 0; c < n; c++) s += H[row + c] * H[x + c];
      H[y + r] += alpha * s;
    }
  },
  gemvT(m: number, n: number, alpha: number, a: number, lda: number, x: number, y: number): void {
    const H = heap();
    for (let r = 0; r < m; r++) {
      const row = a + r * lda;
      const s = alpha * H[x + r];
      for (let c = 0; c < n; c++) H[y + c] += s * H[row + c];
    }
  },
});

/** Runs `body` with a workspace; everything it allocated is freed afterwards. */
export function withWorkspace<T>(body: (ws: Workspace) => T): T {
  const rt = gemmRuntime();
  if (rt) {
    const mark = rt.mark();
    try {
      return body({
        runtime: rt,
        heap: () => rt.heap(),
        alloc: (d) => rt.alloc(d) / 8,
        scoped: (f) => {
          const m = rt.mark();
          try {
            return f();
          } finally {
            rt.release(m);
          }
        },
        gemm: (ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, diagonal) => {
          if (m === 0 || n === 0) return;
          const diag = diagonal === undefined ? FULL : Math.max(-FULL, Math.min(FULL, diagonal));
          if (diag + m <= 0) return;
          gemmInArena(rt, ta, tb, m, n, k, alpha, 8 * a, lda, 8 * b, ldb, beta, 8 * c, ldc, diag);
        },
        symvLower: (n, a, lda, x, y) => rt.exports.symvLower(n, 8 * a, 8 * lda, 8 * x, 8 * y),
        gemvN: (m, n, alpha, a, lda, x, y) => rt.exports.gemvN(m, n, alpha, 8 * a, 8 * lda, 8 * x, 8 * y),
        gemvT: (m, n, alpha, a, lda, x, y) => rt.exports.gemvT(m, n, alpha, 8 * a, 8 * lda, 8 * x, 8 * y),
      });
    } finally {
      rt.release(mark);
    }
  }
  let H = new Float64Array(1 << 12);
  let top = 0;
  return body({
    runtime: null,
    heap: () => H,
    scoped: (f) => {
      const m = top;
      try {
        return f();
      } finally {
        top = m;
      }
    },
    alloc(d) {
      const at = top;
      top += (d + 1) & ~1;
      if (top > H.length) {
        const bigger = new Float64Array(Math.max(top, 2 * H.length));
        bigger.set(H);
        H = bigger;
      }
      return at;
    },
    gemm: (ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, diagonal) => {
      if (diagonal === undefined) gemm(ta, tb, m, n, k, alpha, H, a, lda, H, b, ldb, beta, H, c, ldc);
      else gemmLower(ta, tb, m, n, k, alpha, H, a, lda, H, b, ldb, beta, H, c, ldc, diagonal);
    },
    ...jsVectorOps(() => H),
  });
}

/** Copies rows x cols of X (leading dimension ld) to heap offset `at` (leading dimension cols). */
export function copyToHeap(ws: Workspace, at: number, X: Float64Array, off: number, ld: number, rows: number, cols: number): void {
  const H = ws.heap();
  if (ld === cols) H.set(X.subarray(off, off + rows * cols), at);
  else for (let r = 0; r < rows; r++) H.set(X.subarray(off + r * ld, off + r * ld + cols), at + r * cols);
}

/** Copies rows x cols from heap offset `at` (leading dimension ldh) into X (leading dimension ld). */
export function copyFromHeap(ws: Workspace, at: number, ldh: number, X: Float64Array, off: number, ld: number, rows: number, cols: number): void {
  const H = ws.heap();
  if (ld === cols && ldh === cols) X.set(H.subarray(at, at + rows * cols), off);
  else for (let r = 0; r < rows; r++) X.set(H.subarray(at + r * ldh, at + r * ldh + cols), off + r * ld);
}
