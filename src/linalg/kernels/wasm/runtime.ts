/**
 * The WebAssembly side of the kernels: one linear memory (shared, so worker
 * threads can run the same code on it), the compiled kernel module in its
 * fused (relaxed SIMD FMA) or unfused variant, per-thread scratch and a bump
 * arena into which operands are copied for the duration of one call.
 *
 * Relaxed SIMD needs `--experimental-wasm-relaxed-simd` in Node 20; the flag
 * is set at run time before anything is compiled, and the fused kernel is used
 * only when a probe module both validates and returns the singly rounded
 * a b + c for a case where it differs from the doubly rounded one.
 */
import v8 from 'node:v8';
import { type Code, F64, Locals, buildModule, f64x2, get, seq } from './asm.js';
import { type GemmShape, gemmFunctions, gemmScratchDoubles } from './gemm-module.js';
import { choleskyFunctions } from './cholesky-module.js';
import { vectorFunctions } from './vector-module.js';

export type WasmKernel = 'wasm-relaxed-fma' | 'wasm-simd';

/** Blocking of the two variants (chosen by measurement: 4 x 4 keeps every operand in a register under V8's allocator). */
export const KERNEL_SHAPES: Readonly<Record<WasmKernel, GemmShape>> = {
  'wasm-relaxed-fma': { mr: 4, nr: 4, fused: true, kc: 256, mc: 96, nc: 512 },
  'wasm-simd': { mr: 4, nr: 4, fused: false, kc: 256, mc: 96, nc: 512 },
};

/** Most threads that get a scratch area (the calling thread is thread 0). */
export const MAX_THREADS = 8;
const PAGE = 65536;
const MAX_PAGES = 16384; // 1 GiB of address space reserved, committed as the arena grows
/** Bytes at the start of memory for the worker control blocks (one per thread, 256 bytes each). */
export const CONTROL_BYTES = 256 * MAX_THREADS;

let relaxedFlagSet = false;
function enableRelaxedSimd(): void {
  if (relaxedFlagSet) return;
  relaxedFlagSet = true;
  try {
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    // not V8, or flags locked: the probe below then fails and the unfused kernel is used
  }
}

/** Code computing a b + c from the code of three f64x2 operands. */
export type MaddEmitter = (a: Code, b: Code, c: Code) => Code;
export const RELAXED_MADD: MaddEmitter = (a, b, c) => seq(a, b, c, f64x2.relaxedMadd);
/** The unfused form, which the probe must reject (its own sensitivity check). */
export const UNFUSED_MADD: MaddEmitter = (a, b, c) => seq(a, b, f64x2.mul, c, f64x2.add);

/**
 * True when `madd` validates and computes a b + c with one rounding: for
 * a = 1 + 2^-30, b = 1 - 2^-30, c = -1 the exact result is -2^-60, while
 * rounding a b first gives 1 - 1 = 0.
 */
export function probeFusedMadd(madd: MaddEmitter = RELAXED_MADD): boolean {
  enableRelaxedSimd();
  try {
    const params = [F64, F64, F64] as const;
    const L = new Locals(params);
    const splat = (i: number) => seq(get(i), f64x2.splat);
    const body = seq(madd(splat(0), splat(1), splat(2)), f64x2.extractLane(0));
    const bytes = buildModule(null, [{ name: 'madd', params, results: [F64], locals: L, body }]);
    const fn = (new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as { madd: (a: number, b: number, c: number) => number }).madd;
    return fn(1 + 2 ** -30, 1 - 2 ** -30, -1) === -(2 ** -60);
  } catch {
    return false;
  }
}

/** Exports of a kernel instance (addresses and strides in bytes). */
export interface KernelExports {
  gemm(
    m: number,
    n: number,
    k: number,
    alpha: number,
    beta: number,
    a: number,
    aRs: number,
    aCs: number,
    b: number,
    bRs: number,
    bCs: number,
    c: number,
    ldc: number,
    diag: number,
    work: number,
  ): void;
  /** y = A x, A symmetric given by its lower triangle (n x n at a, row stride lda bytes) */
  symvLower(n: number, a: number, lda: number, x: number, y: number): void;
  /** y += alpha A x, A m x n */
  gemvN(m: number, n: number, alpha: number, a: number, lda: number, x: number, y: number): void;
  /** y += alpha Aᵀ x, A m x n */
  gemvT(m: number, n: number, alpha: number, a: number, lda: number, x: number, y: number): void;
  /** blocked Cholesky in place (lower triangle), -1 or the first failed pivot (its value left on the diagonal); sp: choleskyStackDoubles(n) doubles */
  choleskyFactor(a: number, n: number, lda: number, sp: number, work: number): number;
  /** c[j, i] = c[i, j] for j < i in the n x n block at c (row stride ld bytes) */
  mirrorLower(c: number, n: number, ld: number): void;
  /** the inverse from the factor at l (n x n contiguous) into c (n x n contiguous) */
  choleskyInverseFromFactor(l: number, n: number, c: number, sp: number, work: number): void;
  /** factor and (unless invert is 0) inverse of the contiguous n x n matrix at a into c; the i32 at status gets -1 or the failed pivot */
  spdInverse(a: number, n: number, c: number, status: number, invert: number, sp: number, work: number): void;
}

export interface KernelRuntime {
  readonly kernel: WasmKernel;
  readonly shape: GemmShape;
  readonly memory: WebAssembly.Memory;
  readonly module: WebAssembly.Module;
  readonly exports: KernelExports;
  /** whether the memory is a SharedArrayBuffer (worker threads possible) */
  readonly shared: boolean;
  /** byte offset of thread t's scratch */
  scratch(t: number): number;
  /** the memory as doubles (refreshed after growth) */
  heap(): Float64Array;
  /** the arena's current top, to hand back to release() (allocations nest like a stack) */
  mark(): number;
  /** frees every allocation made since mark() returned `top` */
  release(top: number): void;
  /** `doubles` doubles of arena, 16-byte aligned; grows the memory when needed */
  alloc(doubles: number): number;
}

function moduleFor(shape: GemmShape, shared: boolean): Uint8Array<ArrayBuffer> {
  const before = [...gemmFunctions(shape), ...vectorFunctions(shape.fused)];
  return buildModule({ module: 'env', field: 'memory', initialPages: 1, maximumPages: MAX_PAGES, shared }, [...before, ...choleskyFunctions(before.length)]);
}

function createRuntime(kernel: WasmKernel): KernelRuntime | null {
  if (typeof WebAssembly !== 'object') return null;
  const shape = KERNEL_SHAPES[kernel];
  const scratchBytes = Math.ceil((8 * gemmScratchDoubles(shape)) / 64) * 64;
  const arenaStart = CONTROL_BYTES + MAX_THREADS * scratchBytes;
  const initialPages = Math.ceil((arenaStart + 8 * 1024 * 1024) / PAGE);
  for (const shared of [true, false]) {
    try {
      const memory = new WebAssembly.Memory({ initial: initialPages, maximum: MAX_PAGES, shared });
      const module = new WebAssembly.Module(moduleFor(shape, shared));
      const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as KernelExports;
      let view = new Float64Array(memory.buffer);
      let size = view.length; // doubles
      let top = arenaStart;
      return {
        kernel,
        shape,
        memory,
        module,
        exports,
        shared,
        scratch: (t) => CONTROL_BYTES + t * scratchBytes,
        // Only alloc grows the memory, so the size is tracked here instead of read
        // from memory.buffer on every call: after a growth the buffer object's map
        // changes, and every optimized function that had inlined that read deoptimizes.
        heap() {
          if (view.length !== size) view = new Float64Array(memory.buffer);
          return view;
        },
        mark: () => top,
        release(at) {
          top = at;
        },
        alloc(doubles) {
          const at = top;
          top += Math.ceil((8 * doubles) / 16) * 16;
          if (top > 8 * size) {
            memory.grow(Math.ceil((top - 8 * size) / PAGE));
            size = memory.buffer.byteLength / 8;
          }
          return at;
        },
      };
    } catch {
      // shared memory unavailable: try a plain one (no worker threads)
    }
  }
  return null;
}

const runtimes = new Map<WasmKernel, KernelRuntime | null>();
let fusedSupported: boolean | undefined;

/** Whether this process runs the relaxed SIMD fused multiply-add kernel (probed once). */
export function fusedKernelSupported(): boolean {
  if (fusedSupported === undefined) fusedSupported = probeFusedMadd();
  return fusedSupported;
}

/** The runtime of a kernel variant, created on first use; null where it cannot run. */
export function kernelRuntime(kernel: WasmKernel): KernelRuntime | null {
  if (!runtimes.has(kernel)) runtimes.set(kernel, kernel === 'wasm-relaxed-fma' && !fusedKernelSupported() ? null : createRuntime(kernel));
  return runtimes.get(kernel)!;
}
