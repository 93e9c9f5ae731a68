import { NatgradError } from '../core/errors.js';
import { requireIntegerInRange, requireNonNegative } from '../core/validate.js';
import { dot, norm2, type Vec } from '../core/vec.js';
import type { LinearOperator } from './linear-operator.js';
import { assertVecLength } from './ops.js';

/** Options of conjugateGradient; defaults in brackets. */
export interface ConjugateGradientOptions {
  /** Starting point [zero]. */
  x0?: Vec;
  /** Relative tolerance on the residual [1e-10]. */
  rtol?: number;
  /** Absolute tolerance on the residual [0]. */
  atol?: number;
  /** Iteration cap [10 n]. */
  maxIterations?: number;
  /** M ≈ A⁻¹, symmetric positive definite [none]. */
  preconditioner?: LinearOperator;
}

/** Why CG stopped. */
export type CgStopReason =
  /** ||b - A x|| <= max(rtol ||b||, atol). */
  | 'converged'
  | 'max-iterations'
  /** pᵀ A p <= 0 for a search direction p: A is not positive definite, CG has no guarantee. */
  | 'non-positive-curvature'
  /** rᵀ M r <= 0: the preconditioner is not positive definite. */
  | 'indefinite-preconditioner';

export interface ConjugateGradientResult {
  x: Vec;
  iterations: number;
  /** The true residual ||b - A x|| at the returned x (recomputed, not the recursion's estimate). */
  residualNorm: number;
  converged: boolean;
  reason: CgStopReason;
}

/**
 * Solves A x = b for symmetric positive definite A by (preconditioned)
 * conjugate gradients (Hestenes and Stiefel 1952; Saad, Iterative Methods for
 * Sparse Linear Systems, Alg. 9.1).
 *
 * Stopping rule: ||r|| <= max(rtol ||b||, atol) with r = b - A x. The cheap
 * recursive residual decides when to test; the true residual is then
 * recomputed, and if it is still above the tolerance (rounding drift) the
 * residual is replaced by the true one and CG restarts from the current x.
 *
 * CG is only guaranteed for positive definite A (and M). On an indefinite
 * matrix it may diverge or divide by zero, so a direction with pᵀ A p <= 0
 * stops the run with converged = false and reason 'non-positive-curvature'
 * (the x returned is the last iterate). A TRPO-style solver must not treat
 * such an x as a natural-gradient direction.
 */
export function conjugateGradient(op: LinearOperator, b: Vec, opts: ConjugateGradientOptions = {}): ConjugateGradientResult {
  const n = op.shape[0];
  if (op.shape[1] !== n) throw new NatgradError('operator', `conjugate gradients need a square operator, got ${op.shape[0]} x ${op.shape[1]}`);
  assertVecLength(b, n, 'b', 'right-hand side');
  const rtol = opts.rtol ?? 1e-10;
  const atol = opts.atol ?? 0;
  const maxIterations = opts.maxIterations ?? 10 * n;
  requireNonNegative(rtol, 'rtol');
  requireNonNegative(atol, 'atol');
  requireIntegerInRange(maxIterations, 'maxIterations', 0);
  const M = opts.preconditioner;
  if (M && (M.shape[0] !== n || M.shape[1] !== n)) {
    throw new NatgradError('preconditioner', `must be ${n} x ${n}, got ${M.shape[0]} x ${M.shape[1]}`);
  }
  if (opts.x0) assertVecLength(opts.x0, n, 'x0', 'starting point');

  const tol = Math.max(rtol * norm2(b), atol);
  const x = opts.x0 ? Float64Array.from(opts.x0) : new Float64Array(n);
  const trueResidual = (): Vec => {
    const ax = op.matvec(x);
    const r = new Float64Array(n);
    for (let i = 0; i < n; i++) r[i] = b[i] - ax[i];
    return r;
  };
  const finish = (iterations: number, reason: CgStopReason, r?: Vec): ConjugateGradientResult => ({
    x,
    iterations,
    residualNorm: norm2(r ?? trueResidual()),
    converged: reason === 'converged',
    reason,
  });

  let r = opts.x0 ? trueResidual() : Float64Array.from(b);
  if (norm2(r) <= tol) return finish(0, 'converged', r);
  let z = M ? M.matvec(r) : Float64Array.from(r);
  let rz = dot(r, z);
  if (M && !(rz > 0)) return finish(0, 'indefinite-preconditioner', r);
  const p = Float64Array.from(z);

  for (let it = 1; it <= maxIterations; it++) {
    const ap = op.matvec(p);
    const pap = dot(p, ap);
    if (!(pap > 0)) return finish(it - 1, 'non-positive-curvature');
    const alpha = rz / pap;
    for (let i = 0; i < n; i++) {
      x[i] += alpha * p[i];
      r[i] -= alpha * ap[i];
    }
    if (norm2(r) <= tol) {
      const rt = trueResidual();
      if (norm2(rt) <= tol) return finish(it, 'converged', rt);
      r = rt; // residual replacement: restart from x with the true residual
      z = M ? M.matvec(r) : Float64Array.from(r);
      rz = dot(r, z);
      if (M && !(rz > 0)) return finish(it, 'indefinite-preconditioner', r);
      p.set(z);
      continue;
    }
    z = M ? M.matvec(r) : r;
    const rzNew = dot(r, z);
    if (M && !(rzNew > 0)) return finish(it, 'indefinite-preconditioner');
    const beta = rzNew / rz;
    rz = rzNew;
    for (let i = 0; i < n; i++) p[i] = z[i] + beta * p[i];
  }
  return finish(maxIterations, 'max-iterations');
}
