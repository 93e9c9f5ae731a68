/** What the catalogue's numeric entry points return for a family point. */
import type { Matrix } from '../linalg/matrix.js';
import type { SymmetricSolveResult } from '../linalg/solve.js';

export type JsonParamValue = number | number[] | number[][];

export interface FisherAt {
  /** names in contract order, vector parameters expanded (`p[0]`, `Sigma[0][1]`) */
  paramNames: string[];
  matrix: Matrix;
  /**
   * (F + damping I)^-1 gradient with the oracle's singular rule, solved from
   * the Fisher before rounding (it stays right where F underflows float64);
   * a direction entry that overflows is an error at `path`.
   */
  dampedSolve(damping: number, gradient: ArrayLike<number>, path: string): SymmetricSolveResult;
  /** symbolic entries, when the family has them for this dimension */
  symbolic?: string[][];
  latex?: string;
}

export interface ReparameterizedAt {
  params: Record<string, JsonParamValue>;
  /** jacobian[i][j] = d from_i / d to_j */
  jacobian: Matrix;
  /** Fisher in the `to` parameterization, jacobianᵀ F_from jacobian */
  fisher: Matrix;
  paramNames: string[];
}
