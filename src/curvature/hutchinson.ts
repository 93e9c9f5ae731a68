/**
 * Hutchinson's estimator of the diagonal of a matrix known only through
 * products: with Rademacher probes z (entries ±1 with probability 1/2),
 * E[z ⊙ (A z)] = diag(A), since E[z_i z_j] = δ_ij. Each probe costs one
 * product; the estimate is a Monte Carlo mean with a standard error that
 * shrinks as 1/sqrt(samples). It needs only A v, so it gives the Hessian
 * diagonal from Hessian-vector products (AdaHessian), which the squared
 * gradient does not (optax#968).
 *
 * References: M. F. Hutchinson, "A stochastic estimator of the trace of the
 * influence matrix for Laplacian smoothing splines", 1990; C. Bekas, E. Kokiopoulou
 * and Y. Saad, "An estimator for the diagonal of a matrix", Appl. Numer. Math. 2007;
 * Z. Yao et al., "ADAHESSIAN", AAAI 2021.
 */
import { NatgradError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { Vec } from '../core/vec.js';
import type { LinearOperator } from '../linalg/linear-operator.js';
import { diagonalOperator } from '../linalg/operators.js';
import { mcMean, type MeanEstimate } from '../numeric/monte-carlo.js';

/** A vector of independent ±1 entries. */
export function rademacher(n: number, rng: Rng): Vec {
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) z[i] = rng.uniform() < 0.5 ? -1 : 1;
  return z;
}

/** One probe's estimate z ⊙ (A z). */
export function hutchinsonProbe(matvec: (v: Vec) => Vec, n: number, rng: Rng): Vec {
  const z = rademacher(n, rng);
  const az = matvec(z);
  for (let i = 0; i < n; i++) az[i] *= z[i];
  return az;
}

/**
 * diag(A) from `samples` Rademacher probes with entrywise standard errors
 * (samples >= 2). `matvec` must be a symmetric or general square product of size n.
 */
export function hutchinsonDiagonal(matvec: (v: Vec) => Vec, n: number, samples: number, rng: Rng): MeanEstimate {
  if (!(Number.isInteger(n) && n >= 1)) throw new NatgradError('n', `must be a positive integer, got ${n}`);
  return mcMean(samples, rng, (r) => hutchinsonProbe(matvec, n, r));
}

/** Hutchinson's diagonal estimate of a square operator, as a diagonal operator with its standard error. */
export function hutchinsonDiagonalOperator(op: LinearOperator, samples: number, rng: Rng): { operator: LinearOperator; stdError: Vec } {
  if (op.shape[0] !== op.shape[1]) throw new NatgradError('operator', `must be square, got ${op.shape[0]} x ${op.shape[1]}`);
  const { value, stdError } = hutchinsonDiagonal((v) => op.matvec(v), op.shape[0], samples, rng);
  return { operator: diagonalOperator(value), stdError };
}
