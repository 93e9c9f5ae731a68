import type { Vec } from '../core/vec.js';
import type { Matrix } from './matrix.js';

/**
 * Every curvature, exact or approximate, is a linear operator: exact and
 * approximate matrices share one interface, and approximations are built by
 * composing operators (K-FAC = block-diagonal of Kronecker products).
 */
export interface LinearOperator {
  /** [rows, columns]. */
  readonly shape: readonly [number, number];
  /** The operator applied to a vector. */
  matvec(x: Vec): Vec;
  /** The transpose applied to a vector; equal to matvec for symmetric operators. */
  rmatvec(x: Vec): Vec;
  /** The operator as a dense matrix (for tests against a reference and small problems). */
  dense(): Matrix;
}
