/**
 * Numerical stability options shared by every preconditioner: Tikhonov
 * damping, eigenvalue clipping and running-average (EMA) curvature.
 *
 * The stabilized inverse of a symmetric curvature C = V diag(λ) Vᵀ is
 * V diag(1/μ_i) Vᵀ with, in order,
 *   1. λ_i <- max(λ_i, 0)               (C is PSD; negative values are round-off or indefiniteness)
 *   2. clip 'floor':  λ_i <- max(λ_i, threshold)
 *      clip 'drop':   λ_i <- 0 when λ_i < threshold (the direction leaves the curvature; damping alone governs it)
 *   3. μ_i = λ_i + damping              (Tikhonov)
 *   4. μ_i <- max(μ_i, rcond max_j μ_j, MIN_POSITIVE)
 * Step 4 is the guard that keeps the preconditioner symmetric positive
 * definite and finite for any damping >= 0, down to 1e-300, on rank-deficient
 * C (a damping floor below ~1e-15 gave NaN in kfac-jax#183): the condition
 * number of the result is at most 1/rcond.
 *
 * Reference: J. Martens and R. Grosse, "Optimizing neural networks with
 * Kronecker-factored approximate curvature", ICML 2015, section 6 (damping,
 * running averages of curvature statistics).
 */
import { NatgradError } from '../core/errors.js';
import type { Vec } from '../core/vec.js';
import { requireDecay, requireNonNegative, requireOneOf, requireRcond } from '../core/validate.js';
import { DEFAULT_RCOND } from '../linalg/eigen-cut.js';
import { eigSymmetric } from '../linalg/eigen-symmetric.js';
import type { LinearOperator } from '../linalg/linear-operator.js';
import { Matrix } from '../linalg/matrix.js';
import { matTvec, matvec } from '../linalg/ops.js';
import { spectralCompose } from '../linalg/solve.js';

export const CLIP_MODES = ['floor', 'drop'] as const;
export type ClipMode = (typeof CLIP_MODES)[number];

/** Options of every preconditioner built from a symmetric curvature; defaults in brackets. */
export interface StabilityOptions {
  /** Tikhonov damping λ >= 0 added to every eigenvalue [0]. */
  damping?: number;
  /** Eigenvalue clipping [none]. */
  clip?: { mode: ClipMode; threshold: number };
  /** Largest condition number allowed is 1/rcond [1e-12]. */
  rcond?: number;
}

/** The smallest eigenvalue a stabilized curvature may have in absolute terms (keeps 1/μ finite). */
export const MIN_POSITIVE = 1e-300;

/** Throws a NatgradError naming the option unless the options are valid. */
export function validateStability(o: StabilityOptions, path = 'stability'): void {
  requireNonNegative(o.damping ?? 0, `${path}.damping`);
  if (o.clip) {
    requireOneOf(o.clip.mode, CLIP_MODES, `${path}.clip.mode`);
    requireNonNegative(o.clip.threshold, `${path}.clip.threshold`);
  }
  requireRcond(o.rcond ?? DEFAULT_RCOND, `${path}.rcond`);
}

/** Steps 1-4 above applied to eigenvalues: the positive μ_i of the stabilized curvature. */
export function stabilizedEigenvalues(values: ArrayLike<number>, o: StabilityOptions = {}): Float64Array {
  validateStability(o);
  const damping = o.damping ?? 0;
  const rcond = o.rcond ?? DEFAULT_RCOND;
  const mu = new Float64Array(values.length);
  let top = 0;
  for (let i = 0; i < values.length; i++) {
    let v = Math.max(values[i], 0);
    if (!Number.isFinite(v)) throw new NatgradError('curvature', `eigenvalue ${i} is not finite (${values[i]})`);
    if (o.clip?.mode === 'floor') v = Math.max(v, o.clip.threshold);
    else if (o.clip?.mode === 'drop' && v < o.clip.threshold) v = 0;
    mu[i] = v + damping;
    top = Math.max(top, mu[i]);
  }
  const guard = Math.max(rcond * top, MIN_POSITIVE);
  for (let i = 0; i < mu.length; i++) mu[i] = Math.max(mu[i], guard);
  return mu;
}

/** A stabilized curvature: its eigenbasis, the stabilized eigenvalues and the preconditioner (inverse). */
export interface StabilizedCurvature {
  vectors: Matrix;
  /** μ_i > 0, the stabilized eigenvalues. */
  values: Float64Array;
  /** V diag(μ) Vᵀ. */
  curvature: LinearOperator;
  /** V diag(1/μ) Vᵀ, symmetric positive definite and finite. */
  inverse: LinearOperator;
}

/** The spectral operator V diag(w) Vᵀ. */
export function spectralOperator(V: Matrix, w: Float64Array): LinearOperator {
  const apply = (x: Vec): Vec => {
    const c = matTvec(V, x);
    for (let i = 0; i < c.length; i++) c[i] *= w[i];
    return matvec(V, c);
  };
  return { shape: [V.rows, V.rows] as const, matvec: apply, rmatvec: apply, dense: () => spectralCompose(V, w) };
}

/**
 * a = V diag(λ) Vᵀ computed on a / max|a_ij| and scaled back: the QR iteration
 * then never works with subnormal numbers (a curvature of a saturated network
 * can have entries near 1e-316, where the iteration did not converge).
 */
export function scaledEigen(a: Matrix, path = 'matrix'): { values: Float64Array; vectors: Matrix } {
  let top = 0;
  for (const v of a.data) top = Math.max(top, Math.abs(v));
  if (top === 0 || !Number.isFinite(top)) return eigSymmetric(a, path);
  const { values, vectors } = eigSymmetric(
    new Matrix(
      a.rows,
      a.cols,
      a.data.map((v) => v / top),
    ),
    path,
  );
  return { values: values.map((v) => v * top), vectors };
}

/** Eigendecomposes the symmetric curvature C once and returns its stabilized form and inverse. */
export function stabilize(C: Matrix, o: StabilityOptions = {}, path = 'curvature'): StabilizedCurvature {
  const { values, vectors } = scaledEigen(C, path);
  const mu = stabilizedEigenvalues(values, o);
  return {
    vectors,
    values: mu,
    curvature: spectralOperator(vectors, mu),
    inverse: spectralOperator(
      vectors,
      mu.map((m) => 1 / m),
    ),
  };
}

/** Throws unless 0 <= decay < 1. */
export function validateDecay(decay: number, path = 'decay'): void {
  requireDecay(decay, path);
}

/**
 * Running average of a curvature statistic: decay prev + (1 - decay) next, or
 * next when there is no previous value. A convex combination of PSD matrices
 * is PSD, so averaging never breaks the preconditioner's definiteness.
 */
export function emaMatrix(prev: Matrix | null, next: Matrix, decay: number): Matrix {
  validateDecay(decay);
  if (prev === null) return next.clone();
  if (prev.rows !== next.rows || prev.cols !== next.cols) {
    throw new NatgradError('ema', `shapes differ: ${prev.rows} x ${prev.cols} and ${next.rows} x ${next.cols}`);
  }
  const out = new Matrix(next.rows, next.cols);
  for (let i = 0; i < out.data.length; i++) out.data[i] = decay * prev.data[i] + (1 - decay) * next.data[i];
  return out;
}
