import { NatgradError } from '../core/errors.js';
import type { Vec } from '../core/vec.js';
import { Cholesky } from './cholesky.js';
import type { LinearOperator } from './linear-operator.js';
import { Matrix } from './matrix.js';
import { add, addScaledIdentity, assertVecLength, matmul, matmulNT, matTvec, matvec, scale, transpose } from './ops.js';
import { requireFinite } from '../core/validate.js';

export { kroneckerInverseOperator, kroneckerOperator } from './kronecker.js';

/**
 * Constructors and combinators of LinearOperator (curvlinops-style algebra):
 * every curvature, exact or approximate, is one of these or a composition.
 * Operators never copy or mutate their inputs; a matrix handed to an operator
 * must not be mutated afterwards.
 */

/** What the lambda of a damped operator is, in its error message. */
const DAMPING = 'a finite number (the damping)';

const shapeText = (op: LinearOperator): string => `${op.shape[0]} x ${op.shape[1]}`;

function assertSquareOperator(op: LinearOperator, what: string): number {
  if (op.shape[0] !== op.shape[1]) throw new NatgradError('operator', `${what} needs a square operator, got ${shapeText(op)}`);
  return op.shape[0];
}

/** A dense matrix as an operator. */
export function denseOperator(m: Matrix): LinearOperator {
  return {
    shape: [m.rows, m.cols] as const,
    matvec: (x) => matvec(m, x),
    rmatvec: (y) => matTvec(m, y),
    dense: () => m.clone(),
  };
}

/** The n x n identity. */
export function identityOperator(n: number): LinearOperator {
  const copy = (x: Vec): Vec => {
    assertVecLength(x, n, 'vector');
    return Float64Array.from(x);
  };
  return { shape: [n, n] as const, matvec: copy, rmatvec: copy, dense: () => Matrix.identity(n) };
}

/** alpha op. */
export function scaleOperator(alpha: number, op: LinearOperator): LinearOperator {
  // Fresh output: an operator may hand back its own buffer or its input.
  const times = (v: Vec): Vec => {
    const out = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = alpha * v[i];
    return out;
  };
  return {
    shape: op.shape,
    matvec: (x) => times(op.matvec(x)),
    rmatvec: (y) => times(op.rmatvec(y)),
    dense: () => scale(alpha, op.dense()),
  };
}

/** op_1 + ... + op_k; all of one shape, at least one operator. */
export function sumOperators(...ops: LinearOperator[]): LinearOperator {
  if (ops.length === 0) throw new NatgradError('operators', 'a sum needs at least one operator (its shape is unknown otherwise)');
  const shape = ops[0].shape;
  ops.forEach((op, i) => {
    if (op.shape[0] !== shape[0] || op.shape[1] !== shape[1]) {
      throw new NatgradError(`operators[${i}]`, `cannot add a ${shapeText(op)} operator to a ${shape[0]} x ${shape[1]} one`);
    }
  });
  const accumulate = (apply: (op: LinearOperator) => Vec): Vec => {
    const out = Float64Array.from(apply(ops[0]));
    for (let k = 1; k < ops.length; k++) {
      const y = apply(ops[k]);
      for (let i = 0; i < out.length; i++) out[i] += y[i];
    }
    return out;
  };
  return {
    shape,
    matvec: (x) => accumulate((op) => op.matvec(x)),
    rmatvec: (y) => accumulate((op) => op.rmatvec(y)),
    dense: () => ops.slice(1).reduce((acc, op) => add(acc, op.dense()), ops[0].dense()),
  };
}

/** a ∘ b: x -> a(b(x)); rmatvec is bᵀ(aᵀ(y)). */
export function composeOperators(a: LinearOperator, b: LinearOperator): LinearOperator {
  if (a.shape[1] !== b.shape[0]) {
    throw new NatgradError('operator', `cannot compose ${shapeText(a)} after ${shapeText(b)}: inner dimensions ${a.shape[1]} and ${b.shape[0]} differ`);
  }
  return {
    shape: [a.shape[0], b.shape[1]] as const,
    matvec: (x) => a.matvec(b.matvec(x)),
    rmatvec: (y) => b.rmatvec(a.rmatvec(y)),
    dense: () => matmul(a.dense(), b.dense()),
  };
}

/** The transpose of an operator. */
export function transposeOperator(op: LinearOperator): LinearOperator {
  return {
    shape: [op.shape[1], op.shape[0]] as const,
    matvec: (x) => op.rmatvec(x),
    rmatvec: (y) => op.matvec(y),
    dense: () => transpose(op.dense()),
  };
}

/** diag(op_1, ..., op_k): block k acts on its own slice of the input (blocks may be rectangular). */
export function blockDiagonalOperator(ops: readonly LinearOperator[]): LinearOperator {
  const rowOff = [0];
  const colOff = [0];
  for (const op of ops) {
    rowOff.push(rowOff[rowOff.length - 1] + op.shape[0]);
    colOff.push(colOff[colOff.length - 1] + op.shape[1]);
  }
  const rows = rowOff[ops.length];
  const cols = colOff[ops.length];
  const apply = (x: Vec, inOff: number[], outOff: number[], outLen: number, f: (op: LinearOperator, v: Vec) => Vec): Vec => {
    const out = new Float64Array(outLen);
    ops.forEach((op, k) => out.set(f(op, x.subarray(inOff[k], inOff[k + 1])), outOff[k]));
    return out;
  };
  return {
    shape: [rows, cols] as const,
    matvec(x) {
      assertVecLength(x, cols, 'vector');
      return apply(x, colOff, rowOff, rows, (op, v) => op.matvec(v));
    },
    rmatvec(y) {
      assertVecLength(y, rows, 'vector');
      return apply(y, rowOff, colOff, cols, (op, v) => op.rmatvec(v));
    },
    dense() {
      const out = new Matrix(rows, cols);
      ops.forEach((op, k) => {
        const d = op.dense();
        for (let i = 0; i < d.rows; i++) out.data.set(d.data.subarray(i * d.cols, (i + 1) * d.cols), (rowOff[k] + i) * cols + colOff[k]);
      });
      return out;
    },
  };
}

/**
 * op + lambda I for a square operator. The damping is added once per product,
 * to a fresh output vector; op itself is not changed (adding it inside a
 * shared buffer on every product was a bug in curvlinops, PR #156).
 */
export function dampedOperator(op: LinearOperator, lambda: number): LinearOperator {
  requireFinite(lambda, 'lambda', DAMPING);
  assertSquareOperator(op, 'damping');
  const damp = (x: Vec, y: Vec): Vec => {
    const out = Float64Array.from(y);
    for (let i = 0; i < out.length; i++) out[i] += lambda * x[i];
    return out;
  };
  return {
    shape: op.shape,
    matvec: (x) => damp(x, op.matvec(x)),
    rmatvec: (y) => damp(y, op.rmatvec(y)),
    dense: () => addScaledIdentity(op.dense(), lambda),
  };
}

/** diag(d). */
export function diagonalOperator(d: ArrayLike<number>): LinearOperator {
  const diag = Float64Array.from(d);
  const n = diag.length;
  const apply = (x: Vec): Vec => {
    assertVecLength(x, n, 'vector');
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = diag[i] * x[i];
    return out;
  };
  return { shape: [n, n] as const, matvec: apply, rmatvec: apply, dense: () => Matrix.diagonal(diag) };
}

/** U Uᵀ for U of shape n x k, applied as U (Uᵀ x) in O(n k). */
export function lowRankOperator(U: Matrix): LinearOperator {
  const apply = (x: Vec): Vec => matvec(U, matTvec(U, x));
  return { shape: [U.rows, U.rows] as const, matvec: apply, rmatvec: apply, dense: () => matmulNT(U, U) };
}

/**
 * (m + lambda I)⁻¹ for symmetric positive definite m + lambda I: one Cholesky
 * factorization at construction, then O(n²) solves. Throws NatgradError when
 * m + lambda I is not positive definite.
 */
export function inverseDenseSpdOperator(m: Matrix, lambda = 0): LinearOperator {
  requireFinite(lambda, 'lambda', DAMPING);
  const chol = new Cholesky(lambda === 0 ? m : addScaledIdentity(m, lambda));
  let inv: Matrix | null = null;
  return {
    shape: [m.rows, m.rows] as const,
    matvec: (x) => chol.solve(x),
    rmatvec: (y) => chol.solve(y),
    dense: () => (inv ??= chol.inverse()).clone(),
  };
}
