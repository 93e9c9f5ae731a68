/**
 * The multivariate Gaussian as an exponential family, in three coordinate
 * systems: moments (μ, Σ), natural parameters (η₁ = Σ⁻¹μ, η₂ = -½Σ⁻¹) and
 * expectation parameters (m₁ = E[x] = μ, m₂ = E[xxᵀ] = Σ + μμᵀ).
 *
 * Natural and expectation parameters are dual: m = ∇A(η) and the Fisher in
 * natural parameters is ∇²A(η) = ∂m/∂η, so the natural gradient in η of any
 * f is F⁻¹∇_η f = ∇_m f, the plain gradient in m (Khan and Lin, AISTATS 2017;
 * Khan and Rue, JMLR 2023). Chain rule from (μ, Σ) to m:
 * ∇_{m₁} f = ∇_μ f - 2 (∇_Σ f) μ,  ∇_{m₂} f = ∇_Σ f  (∇_Σ f symmetric).
 */
import { NatgradError } from '../core/errors.js';
import type { Vec } from '../core/vec.js';
import { Cholesky } from '../linalg/cholesky.js';
import { Matrix } from '../linalg/matrix.js';
import { matvec, symmetrize, trace } from '../linalg/ops.js';

export interface GaussianMoments {
  mu: Vec;
  Sigma: Matrix;
}

export interface GaussianNatural {
  /** Σ⁻¹ μ */
  eta1: Vec;
  /** -½ Σ⁻¹ */
  eta2: Matrix;
}

export interface GaussianExpectation {
  /** E[x] */
  m1: Vec;
  /** E[x xᵀ] */
  m2: Matrix;
}

/** Gradient of a function of q with respect to (μ, Σ) or to (m₁, m₂), Σ-parts symmetric. */
export interface GaussianGradient {
  vector: Vec;
  matrix: Matrix;
}

function cholesky(a: Matrix, path: string): Cholesky {
  try {
    return new Cholesky(a);
  } catch (e) {
    throw new NatgradError(path, `must be symmetric positive definite (${(e as Error).message})`);
  }
}

/** (μ, Σ) ↦ (Σ⁻¹μ, -½Σ⁻¹). */
export function naturalFromMoments(q: GaussianMoments): GaussianNatural {
  const ch = cholesky(q.Sigma, 'Sigma');
  const P = ch.inverse();
  return { eta1: ch.solve(q.mu), eta2: Matrix.from(P.toArray().map((r) => r.map((v) => -0.5 * v))) };
}

/** (η₁, η₂) ↦ (μ, Σ) with Σ = (-2η₂)⁻¹, μ = Σ η₁. */
export function momentsFromNatural(n: GaussianNatural): GaussianMoments {
  const precision = Matrix.from(n.eta2.toArray().map((r) => r.map((v) => -2 * v)));
  const ch = cholesky(precision, 'eta2');
  return { mu: ch.solve(n.eta1), Sigma: ch.inverse() };
}

/** (μ, Σ) ↦ (μ, Σ + μμᵀ). */
export function expectationFromMoments(q: GaussianMoments): GaussianExpectation {
  const d = q.mu.length;
  const m2 = q.Sigma.clone();
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) m2.data[i * d + j] += q.mu[i] * q.mu[j];
  return { m1: Float64Array.from(q.mu), m2 };
}

/** (m₁, m₂) ↦ (m₁, m₂ - m₁m₁ᵀ). */
export function momentsFromExpectation(e: GaussianExpectation): GaussianMoments {
  const d = e.m1.length;
  const Sigma = e.m2.clone();
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) Sigma.data[i * d + j] -= e.m1[i] * e.m1[j];
  return { mu: Float64Array.from(e.m1), Sigma };
}

/** Chain rule (μ, Σ) → (m₁, m₂): ∇_{m₁} = ∇_μ - 2 ∇_Σ μ, ∇_{m₂} = ∇_Σ. */
export function expectationGradient(mu: Vec, g: GaussianGradient): GaussianGradient {
  const G = symmetrize(g.matrix);
  const Gmu = matvec(G, mu);
  return { vector: g.vector.map((v, i) => v - 2 * Gmu[i]), matrix: G };
}

/** KL(q || p) between Gaussians. */
export function gaussianKl(q: GaussianMoments, p: GaussianMoments): number {
  const d = q.mu.length;
  const chp = cholesky(p.Sigma, 'p.Sigma');
  const chq = cholesky(q.Sigma, 'q.Sigma');
  const diff = q.mu.map((v, i) => v - p.mu[i]);
  const sol = chp.solve(diff);
  let quad = 0;
  for (let i = 0; i < d; i++) quad += diff[i] * sol[i];
  const tr = trace(chp.solveMatrix(q.Sigma));
  return 0.5 * (tr + quad - d + chp.logDet() - chq.logDet());
}

/** ∇_{(μ,Σ)} of -KL(q || p): (-Σ_p⁻¹(μ - μ_p), -½Σ_p⁻¹ + ½Σ⁻¹). */
export function negKlGradient(q: GaussianMoments, p: GaussianMoments): GaussianGradient {
  const chp = cholesky(p.Sigma, 'p.Sigma');
  const Pp = chp.inverse();
  const Pq = cholesky(q.Sigma, 'q.Sigma').inverse();
  const vector = chp.solve(q.mu.map((v, i) => p.mu[i] - v));
  const matrix = Matrix.from(Pp.toArray().map((r, i) => r.map((v, j) => -0.5 * v + 0.5 * Pq.get(i, j))));
  return { vector, matrix };
}

/** Flattens natural parameters as [η₁, row-major η₂] (the engine's parameter vector). */
export function flattenNatural(n: GaussianNatural): Vec {
  const d = n.eta1.length;
  const out = new Float64Array(d + d * d);
  out.set(n.eta1);
  out.set(n.eta2.data, d);
  return out;
}

export function unflattenNatural(v: ArrayLike<number>, d: number): GaussianNatural {
  if (v.length !== d + d * d) throw new NatgradError('params', `need d + d² = ${d + d * d} entries, got ${v.length}`);
  const eta1 = Float64Array.from({ length: d }, (_, i) => v[i]);
  const eta2 = new Matrix(
    d,
    d,
    Float64Array.from({ length: d * d }, (_, i) => v[d + i]),
  );
  return { eta1, eta2 };
}
