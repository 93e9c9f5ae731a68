/**
 * The local quadratic model of the loss restricted to the span of a few
 * directions v_1..v_k: for the step δ = Σ_i s_i v_i,
 *   q(s) - L(θ) = cᵀ s + ½ sᵀ (K + λ B) s,
 *   c_i = gᵀ v_i,  K_ij = v_iᵀ C v_j,  B_ij = v_iᵀ v_j,
 * with C the exact curvature (Fisher or Gauss-Newton) of the batch and λ the
 * damping. Its minimizer s* = -(K + λ B)⁻¹ c is the step-size rule of K-FAC:
 * with one direction, the preconditioned gradient Δ (section 6.4),
 *   α* = -gᵀΔ / (Δᵀ C Δ + λ ||Δ||²);
 * with two, Δ and the previous step (section 7), the 2 x 2 solve gives the
 * step size α and the momentum μ together. Only k products with C are
 * needed, never C itself.
 *
 * Reference: J. Martens and R. Grosse, "Optimizing neural networks with
 * Kronecker-factored approximate curvature", ICML 2015, sections 6.4 and 7;
 * the authors' implementation (tensorflow/kfac, optimizer.py,
 * `_compute_qmodel` and `_compute_qmodel_hyperparams`) forms the same 2 x 2
 * system.
 */
import { NatgradError } from '../core/errors.js';
import { dot, type Vec } from '../core/vec.js';

/** The coefficients of the model in the span of the directions. */
export interface QuadraticModel {
  /** c_i = gᵀ v_i */
  readonly linear: readonly number[];
  /** K_ij = v_iᵀ C v_j */
  readonly curvature: readonly (readonly number[])[];
  /** B_ij = v_iᵀ v_j (the damping term's metric) */
  readonly gram: readonly (readonly number[])[];
}

/** The forms v_iᵀ C v_j of the directions (a symmetric k x k matrix). */
export type CurvatureForms = (directions: readonly Vec[]) => number[][];

/** The forms from products C v_i (k products), symmetrized. */
export function formsFromProduct(curvatureProduct: (v: Vec) => Vec): CurvatureForms {
  return (directions) => {
    const products = directions.map((v) => curvatureProduct(v));
    return directions.map((vi, i) => directions.map((vj, j) => 0.5 * (dot(vi, products[j]) + dot(vj, products[i]))));
  };
}

/** The model of gradient `g` in the span of `directions` (one or two). */
export function quadraticModel(g: Vec, directions: readonly Vec[], forms: CurvatureForms): QuadraticModel {
  if (directions.length < 1 || directions.length > 2) throw new NatgradError('directions', `must hold 1 or 2 vectors, got ${directions.length}`);
  const curvature = forms(directions);
  const gram = directions.map((vi) => directions.map((vj) => dot(vi, vj)));
  return { linear: directions.map((v) => dot(g, v)), curvature, gram };
}

/** q(s) - q(0) = cᵀ s + ½ sᵀ (K + λ B) s; λ = 0 gives the undamped model the reduction ratio compares with. */
export function modelChange(m: QuadraticModel, s: readonly number[], damping: number): number {
  let linear = 0;
  for (let i = 0; i < s.length; i++) linear += m.linear[i] * s[i];
  return linear + 0.5 * modelSquaredNorm(m, s, damping);
}

/** sᵀ (K + λ B) s: the step's squared norm in the damped curvature, δᵀ (C + λ I) δ. */
export function modelSquaredNorm(m: QuadraticModel, s: readonly number[], damping: number): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) for (let j = 0; j < s.length; j++) n += s[i] * (m.curvature[i][j] + damping * m.gram[i][j]) * s[j];
  return n;
}

/**
 * Below this ratio det / (H_11 H_22) the two directions count as parallel
 * (the angle between them in the H metric is under about 1e-5 radians) and
 * the 2 x 2 solve would only amplify rounding: the model is then minimized
 * along the first direction alone.
 */
export const PARALLEL_DIRECTIONS = 1e-10;

/**
 * The minimizer s* = -(K + λ B)⁻¹ c of the damped model. Zero when the model
 * has no positive curvature along the first direction (a zero direction);
 * along the first direction alone (s_2 = 0) when the two are parallel.
 */
export function minimizeModel(m: QuadraticModel, damping: number): number[] {
  const h = (i: number, j: number): number => m.curvature[i][j] + damping * m.gram[i][j];
  const k = m.linear.length;
  const h11 = h(0, 0);
  if (!(h11 > 0 && Number.isFinite(h11))) return new Array<number>(k).fill(0);
  const alone = -m.linear[0] / h11;
  if (k === 1) return [alone];
  const h22 = h(1, 1);
  const h12 = h(0, 1);
  const det = h11 * h22 - h12 * h12;
  if (!(h22 > 0 && det > PARALLEL_DIRECTIONS * h11 * h22 && Number.isFinite(det))) return [alone, 0];
  const [c1, c2] = m.linear;
  return [-(h22 * c1 - h12 * c2) / det, -(h11 * c2 - h12 * c1) / det];
}
