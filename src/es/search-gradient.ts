/**
 * The NES search gradient of a Gaussian N(μ, AAᵀ) in xNES's local
 * coordinates (μ' = μ + A δ, A' = A expm(M/2)), and its exact value for a
 * quadratic fitness.
 *
 * For x = μ + A z, z ~ N(0, I), the log-likelihood gradient at δ = 0, M = 0
 * gives the per-sample estimate (f(x) z, f(x)(z zᵀ - I)) (Wierstra et al. 2014,
 * section 4.3). At δ = 0, M = 0 the Fisher in these coordinates is the
 * identity for δ and ½ tr(M²) for symmetric M, so the natural gradient is
 * (Aᵀ ∇_μ E f, 2 Aᵀ ∇_Σ E f A), and by Stein's lemma the estimate's mean is
 * exactly that: E[f z] = Aᵀ E[∇f], E[f (zzᵀ - I)] = Aᵀ E[∇²f] A. For
 * f(x) = -½ xᵀ H x + bᵀ x with Σ = AAᵀ: E f = -½ μᵀHμ - ½ tr(HΣ) + bᵀμ,
 * natural gradient in (μ, Σ): (Σ(b - Hμ), -ΣHΣ) (Fisher inverse: Σ for μ,
 * 2 Σ G Σ for Σ), in local coordinates (A⁻¹ Σ(b - Hμ), A⁻¹(-ΣHΣ)A⁻ᵀ) = (Aᵀ(b - Hμ), -AᵀHA).
 */
import type { Rng } from '../core/rng.js';
import type { Vec } from '../core/vec.js';
import type { Matrix } from '../linalg/matrix.js';
import { matmul, matvec, transpose } from '../linalg/ops.js';
import { solve, solveMatrix } from '../linalg/solve.js';

/** One sample of the search gradient: [f(x) z, row-major f(x)(zzᵀ - I)]. */
export function searchGradientSample(f: (x: Vec) => number, mu: Vec, A: Matrix, rng: Rng): Vec {
  const d = mu.length;
  const z = Float64Array.from({ length: d }, () => rng.normal());
  const x = matvec(A, z);
  for (let i = 0; i < d; i++) x[i] += mu[i];
  const fx = f(x);
  const out = new Float64Array(d + d * d);
  for (let i = 0; i < d; i++) out[i] = fx * z[i];
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) out[d + i * d + j] = fx * (z[i] * z[j] - (i === j ? 1 : 0));
  return out;
}

/**
 * The exact natural gradient of E f for f = -½ xᵀHx + bᵀx, computed in (μ, Σ)
 * coordinates (F⁻¹∇) and mapped into local coordinates: [A⁻¹ Σ(b - Hμ), row-major A⁻¹(-ΣHΣ)A⁻ᵀ].
 */
export function quadraticNaturalGradient(H: Matrix, b: Vec, mu: Vec, A: Matrix): Vec {
  const d = mu.length;
  const Sigma = matmul(A, transpose(A));
  const gradMu = Float64Array.from(b);
  const Hmu = matvec(H, mu);
  for (let i = 0; i < d; i++) gradMu[i] -= Hmu[i];
  // ∇_Σ E f = -½ H; the Gaussian Fisher inverse maps G to 2ΣGΣ (Σ block) and g to Σg (μ block)
  const natMu = matvec(Sigma, gradMu);
  const natSigma = matmul(matmul(Sigma, H), Sigma);
  for (let i = 0; i < natSigma.data.length; i++) natSigma.data[i] = -natSigma.data[i];
  const localMu = solve(A, natMu);
  const left = solveMatrix(A, natSigma); // A⁻¹ N
  const localM = transpose(solveMatrix(A, transpose(left))); // (A⁻¹ (A⁻¹ N)ᵀ)ᵀ = A⁻¹ N A⁻ᵀ
  const out = new Float64Array(d + d * d);
  out.set(localMu);
  out.set(localM.data, d);
  return out;
}

/** The plain (Euclidean) gradient of E f in (μ, Σ): [b - Hμ, -½H] — what a wrong "natural" gradient would return. */
export function quadraticPlainGradient(H: Matrix, b: Vec, mu: Vec): Vec {
  const d = mu.length;
  const out = new Float64Array(d + d * d);
  const Hmu = matvec(H, mu);
  for (let i = 0; i < d; i++) out[i] = b[i] - Hmu[i];
  for (let i = 0; i < d * d; i++) out[d + i] = -0.5 * H.data[i];
  return out;
}
