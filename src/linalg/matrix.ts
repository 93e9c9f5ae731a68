import { describeValue, NatgradError } from '../core/errors.js';
import { requireResultSize } from '../core/validate.js';

/**
 * Dense float64 matrix, row-major storage (entry (i, j) is `data[i * cols + j]`). Small and deliberately plain: the
 * hot kernels work on `data` directly; ml-matrix is used behind this type for
 * general decompositions where speed does not matter.
 */
export class Matrix {
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly cols: number;
  /** The entries, row after row. */
  readonly data: Float64Array;

  constructor(rows: number, cols: number, data?: Float64Array) {
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
      throw new NatgradError('matrix', `shape must be non-negative integers, got ${describeValue(rows)} x ${describeValue(cols)}`);
    }
    if (!data) requireResultSize(rows * cols, 'matrix', `a ${rows} x ${cols} matrix`);
    if (data !== undefined && !(data instanceof Float64Array)) throw new NatgradError('matrix', `data must be a Float64Array, got ${describeValue(data)}`);
    if (data && data.length !== rows * cols) {
      throw new NatgradError('matrix', `data has ${data.length} entries, expected ${rows} x ${cols} = ${rows * cols}`);
    }
    this.rows = rows;
    this.cols = cols;
    this.data = data ?? new Float64Array(rows * cols);
  }

  /** The rows x cols zero matrix (square when cols is omitted). */
  static zeros(rows: number, cols: number = rows): Matrix {
    return new Matrix(rows, cols);
  }

  /** The n x n identity. */
  static identity(n: number): Matrix {
    const m = new Matrix(n, n);
    for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
    return m;
  }

  /** From an array of rows; every row must have the same length. */
  static from(rows: ArrayLike<ArrayLike<number>>): Matrix {
    const r = rows.length;
    const c = r === 0 ? 0 : rows[0].length;
    const m = new Matrix(r, c);
    for (let i = 0; i < r; i++) {
      if (rows[i].length !== c) throw new NatgradError(`matrix[${i}]`, `row has length ${rows[i].length}, expected ${c}`);
      for (let j = 0; j < c; j++) m.data[i * c + j] = rows[i][j];
    }
    return m;
  }

  /** The square matrix with diagonal d. */
  static diagonal(d: ArrayLike<number>): Matrix {
    const n = d.length;
    const m = new Matrix(n, n);
    for (let i = 0; i < n; i++) m.data[i * n + i] = d[i];
    return m;
  }

  /** Entry (i, j), 0-based. */
  get(i: number, j: number): number {
    return this.data[i * this.cols + j];
  }

  /** Sets entry (i, j), 0-based. */
  set(i: number, j: number, v: number): void {
    this.data[i * this.cols + j] = v;
  }

  /** A copy with its own storage. */
  clone(): Matrix {
    return new Matrix(this.rows, this.cols, this.data.slice());
  }

  /** Arrays of rows, the JSON form of the oracle contract. */
  toArray(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) out.push(Array.from(this.data.subarray(i * this.cols, (i + 1) * this.cols)));
    return out;
  }

  /** A copy of row i. */
  row(i: number): Float64Array {
    return this.data.slice(i * this.cols, (i + 1) * this.cols);
  }
}

/**
 * Whether `value` is a Matrix whose fields still agree (integer shape, a
 * Float64Array of rows x cols entries): the check of a Matrix argument,
 * since the fields of an instance can be overwritten.
 */
export function isMatrix(value: unknown): value is Matrix {
  return (
    value instanceof Matrix &&
    Number.isInteger(value.rows) &&
    Number.isInteger(value.cols) &&
    value.data instanceof Float64Array &&
    !Object.hasOwn(value.data, 'constructor') &&
    value.data.length === value.rows * value.cols
  );
}
