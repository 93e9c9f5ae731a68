/**
 * The batched tensor of the layer stack: one contiguous row-major Float64Array
 * with a shape whose first axis is the batch (examples, or rows of output
 * gradients), the NCHW / [N, T, D] layouts of PyTorch.
 *
 * Deliberately not a general tensor library: the layers need a shape, a view
 * with another shape over the same data, and strided matrix products, which
 * go to the project's WebAssembly GEMM. (The npm tensor packages do not fit:
 * @tensorflow/tfjs-core has no float64 dtype, and ndarray / @stdlib/ndarray
 * are strided containers without a fast product.)
 */
import { NatgradError, childPath, describeValue } from '../core/errors.js';
import { type GemmArgs, gemm } from '../linalg/kernels/gemm.js';
import { GEMM_THRESHOLD } from '../linalg/ops.js';
import { requireFinite } from '../core/validate.js';

/** A shape, outermost axis first. */
export type Shape = readonly number[];

/** Number of entries of a tensor of this shape (1 for the empty shape). */
export function shapeSize(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** `[3, 6, 6]`, the form error messages use. */
export const formatShape = (shape: Shape): string => `[${shape.join(', ')}]`;

/** True when both shapes have the same axes. */
export const sameShape = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

export class Tensor {
  /** Batch axis first. */
  readonly shape: Shape;
  /** Row-major entries, `shapeSize(shape)` of them. */
  readonly data: Float64Array;

  constructor(shape: Shape, data?: Float64Array) {
    if (shape.length < 1 || shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new NatgradError('tensor', `shape must be a batch axis and non-negative integer axes, got ${formatShape(shape)}`);
    }
    const n = shapeSize(shape);
    if (data !== undefined && data.length !== n) {
      throw new NatgradError('tensor', `data has ${data.length} entries, shape ${formatShape(shape)} needs ${n}`);
    }
    this.shape = Object.freeze([...shape]);
    this.data = data ?? new Float64Array(n);
  }

  /** A zero tensor of [batch, ...exampleShape]. */
  static zeros(batch: number, exampleShape: Shape): Tensor {
    return new Tensor([batch, ...exampleShape]);
  }

  /** Size of the batch axis. */
  get batch(): number {
    return this.shape[0];
  }

  /** The shape of one example (the axes after the batch axis). */
  get exampleShape(): Shape {
    return this.shape.slice(1);
  }

  /** Entries per example. */
  get exampleSize(): number {
    return this.shape[0] === 0 ? shapeSize(this.shape.slice(1)) : this.data.length / this.shape[0];
  }

  /** Example n as a view (no copy). */
  example(n: number): Float64Array {
    const k = this.exampleSize;
    return this.data.subarray(n * k, (n + 1) * k);
  }

  /** The same data seen with another example shape (no copy); the batch axis is kept. */
  withExampleShape(exampleShape: Shape): Tensor {
    return new Tensor([this.batch, ...exampleShape], this.data);
  }
}

/** A batch from one flat array per example, each of `shapeSize(exampleShape)` entries. */
export function stackExamples(examples: readonly ArrayLike<number>[], exampleShape: Shape): Tensor {
  const k = shapeSize(exampleShape);
  const t = Tensor.zeros(examples.length, exampleShape);
  examples.forEach((x, n) => {
    if (x.length !== k) throw new NatgradError(`inputs[${n}]`, `has ${x.length} entries, an example of shape ${formatShape(exampleShape)} has ${k}`);
    t.data.set(x, n * k);
  });
  return t;
}

/**
 * A batch from JSON: `raw` is an array of examples, each a nested array of
 * `exampleShape` with finite numbers. Errors name the first offending entry
 * by its JSON path below `path`.
 */
export function tensorFromNested(raw: unknown, exampleShape: Shape, path: string): Tensor {
  if (!Array.isArray(raw) || raw.length < 1) {
    throw new NatgradError(path, `must be a non-empty array of examples, each of shape ${formatShape(exampleShape)}, got ${describeValue(raw)}`);
  }
  const k = shapeSize(exampleShape);
  const t = Tensor.zeros(raw.length, exampleShape);
  raw.forEach((x, n) => readNested(x, exampleShape, 0, t.data, n * k, childPath(path, n), `an example has shape ${formatShape(exampleShape)}`));
  return t;
}

/**
 * The row-major entries of one nested array of the given shape (a weight
 * tensor from JSON); `what` completes the error message, e.g.
 * `W of a conv2d layer is [out, C, kh, kw] = [2, 1, 3, 3]`.
 */
export function flatFromNested(raw: unknown, shape: Shape, path: string, what: string): Float64Array {
  const out = new Float64Array(shapeSize(shape));
  readNested(raw, shape, 0, out, 0, path, what);
  return out;
}

/** Copies the nested array `x` of shape `shape[axis..]` into `out` from `offset`; returns the next offset. */
function readNested(x: unknown, shape: Shape, axis: number, out: Float64Array, offset: number, path: string, what: string): number {
  if (axis === shape.length) {
    out[offset] = requireFinite(x, path);
    return offset + 1;
  }
  const rest = shape.slice(axis);
  if (!Array.isArray(x) || x.length !== shape[axis]) {
    const got = Array.isArray(x) ? `an array of length ${x.length}` : describeValue(x);
    const form = rest.length === 1 ? `an array of ${rest[0]} numbers` : `an array of shape ${formatShape(rest)}`;
    throw new NatgradError(path, `must be ${form} (${what}), got ${got}`);
  }
  let o = offset;
  for (let i = 0; i < x.length; i++) o = readNested(x[i], shape, axis + 1, out, o, childPath(path, i), what);
  return o;
}

/** The nested-array (JSON) form of flat row-major data of the given shape. */
export function toNested(data: ArrayLike<number>, shape: Shape): unknown {
  const build = (axis: number, offset: number): unknown => {
    if (axis === shape.length) return data[offset];
    const stride = shapeSize(shape.slice(axis + 1));
    return Array.from({ length: shape[axis] }, (_, i) => build(axis + 1, offset + i * stride));
  };
  return build(0, 0);
}

/**
 * C <- alpha op(A) op(B) + beta C on strided row-major storage (the contract of
 * `gemm` in src/linalg/kernels). Products of at least GEMM_THRESHOLD
 * multiply-adds go to the packed WebAssembly GEMM; below it (the per-head
 * products of attention on short sequences) packing costs more than the
 * arithmetic, so a plain loop does them.
 */
export function matmulStrided(...args: GemmArgs): void {
  const [transA, transB, m, n, k, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc] = args;
  if (m * n * k >= GEMM_THRESHOLD) {
    gemm(...args);
    return;
  }
  const ars = transA ? 1 : lda;
  const acs = transA ? lda : 1;
  const brs = transB ? 1 : ldb;
  const bcs = transB ? ldb : 1;
  for (let i = 0; i < m; i++) {
    const ci = cOff + i * ldc;
    const ai = aOff + i * ars;
    for (let j = 0; j < n; j++) {
      let s = 0;
      const bj = bOff + j * bcs;
      for (let p = 0; p < k; p++) s += A[ai + p * acs] * B[bj + p * brs];
      // beta = 0 overwrites, so NaN in C does not propagate (as in BLAS)
      C[ci + j] = beta === 0 ? alpha * s : beta * C[ci + j] + alpha * s;
    }
  }
}
