/**
 * Natural-gradient variational inference with a Gaussian family, run through
 * the optimizer engine. ELBO(q) = E_q[log p(y|w)] - KL(q || prior).
 *
 * NGVI (Khan and Lin 2017; Khan and Rue 2023): the parameters are the natural
 * parameters λ = (η₁, η₂); the natural gradient F(λ)⁻¹∇_λ ELBO equals ∇_m ELBO,
 * so the engine's plain learning-rate step on λ with gradient ∇_m ELBO is
 *   λ ← λ + ρ ∇_m ELBO = (1 - ρ) λ + ρ (λ_prior + ∇_m E_q[log p(y|w)]).
 * For a likelihood linear in m (conjugate models) ρ = 1 gives the exact posterior.
 *
 * Plain-gradient VI: gradient ascent on (μ, L), Σ = LLᵀ with L lower
 * triangular: ∇_L ELBO = 2 sym(∇_Σ ELBO) L restricted to the lower triangle.
 */
import { NatgradError } from '../core/errors.js';
import type { Vec } from '../core/vec.js';
import { Cholesky } from '../linalg/cholesky.js';
import { Matrix } from '../linalg/matrix.js';
import { matmul, matmulNT, symmetrize } from '../linalg/ops.js';
import { sgd } from '../optim/sgd.js';
import { train } from '../optim/train.js';
import {
  type GaussianGradient,
  type GaussianMoments,
  expectationGradient,
  flattenNatural,
  gaussianKl,
  momentsFromNatural,
  naturalFromMoments,
  negKlGradient,
  unflattenNatural,
} from './gaussian.js';
import type { VariationalLikelihood } from './models.js';

/** ELBO(q) = E_q log p(y|w) - KL(q || prior). */
export function elbo(lik: VariationalLikelihood, prior: GaussianMoments, q: GaussianMoments): number {
  return lik.expectedLogLik(q) - gaussianKl(q, prior);
}

/** ∇_{(μ,Σ)} ELBO. */
export function elboGradient(lik: VariationalLikelihood, prior: GaussianMoments, q: GaussianMoments): GaussianGradient {
  const a = lik.expectedLogLikGradient(q);
  const b = negKlGradient(q, prior);
  return {
    vector: a.vector.map((v, i) => v + b.vector[i]),
    matrix: symmetrize(Matrix.from(a.matrix.toArray().map((r, i) => r.map((v, j) => v + b.matrix.get(i, j))))),
  };
}

/** The natural gradient of the ELBO in natural parameters, = ∇_m ELBO, flattened like flattenNatural. */
export function elboNaturalGradient(lik: VariationalLikelihood, prior: GaussianMoments, q: GaussianMoments): Vec {
  const gm = expectationGradient(q.mu, elboGradient(lik, prior, q));
  return flattenNatural({ eta1: gm.vector, eta2: gm.matrix });
}

export interface ViRun {
  /** ELBO at every iteration (index 0 = initial q) */
  elbo: number[];
  q: GaussianMoments;
}

/** NGVI for `iterations` steps of size rho from q0 (engine: sgd on natural parameters). */
export function ngvi(lik: VariationalLikelihood, prior: GaussianMoments, q0: GaussianMoments, o: { rho: number; iterations: number }): ViRun {
  if (!(o.rho > 0 && o.rho <= 1)) throw new NatgradError('rho', `must be in (0, 1], got ${o.rho}`);
  const d = lik.dim;
  const values: number[] = [];
  const result = train(sgd({ lr: o.rho }), flattenNatural(naturalFromMoments(q0)), {
    maxIterations: o.iterations,
    objective(lambda) {
      const q = momentsFromNatural(unflattenNatural(lambda, d));
      values.push(elbo(lik, prior, q));
      // the engine descends: pass -∇_m ELBO so that the step is +ρ ∇_m ELBO
      return { loss: -values[values.length - 1], gradient: elboNaturalGradient(lik, prior, q).map((v) => -v) };
    },
  });
  return { elbo: values, q: momentsFromNatural(unflattenNatural(result.params, d)) };
}

function packCholesky(q: GaussianMoments): Vec {
  const d = q.mu.length;
  const L = new Cholesky(q.Sigma).L;
  const out = new Float64Array(d + (d * (d + 1)) / 2);
  out.set(q.mu);
  let k = d;
  for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) out[k++] = L.get(i, j);
  return out;
}

function unpackCholesky(v: ArrayLike<number>, d: number): { mu: Vec; L: Matrix } {
  const mu = Float64Array.from({ length: d }, (_, i) => v[i]);
  const L = Matrix.zeros(d, d);
  let k = d;
  for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) L.set(i, j, v[k++]);
  return { mu, L };
}

/** Plain-gradient VI on (μ, L) with learning rate lr (engine: sgd); a non-positive-definite Σ ends the run with ELBO -Infinity. */
export function plainGradientVi(lik: VariationalLikelihood, prior: GaussianMoments, q0: GaussianMoments, o: { lr: number; iterations: number }): ViRun {
  const d = lik.dim;
  const values: number[] = [];
  let last = q0;
  train(sgd({ lr: o.lr }), packCholesky(q0), {
    maxIterations: o.iterations,
    objective(params) {
      const { mu, L } = unpackCholesky(params, d);
      let singular = false;
      for (let i = 0; i < d; i++) if (!(Math.abs(L.get(i, i)) > 0)) singular = true;
      if (singular) {
        values.push(-Infinity);
        return { loss: Infinity, gradient: new Float64Array(params.length) };
      }
      const q = { mu, Sigma: matmulNT(L, L) };
      last = q;
      values.push(elbo(lik, prior, q));
      const g = elboGradient(lik, prior, q);
      const gL = matmul(g.matrix, L);
      const out = new Float64Array(params.length);
      for (let i = 0; i < d; i++) out[i] = -g.vector[i];
      let k = d;
      for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) out[k++] = -2 * gL.get(i, j);
      return { loss: -values[values.length - 1], gradient: out };
    },
  });
  return { elbo: values, q: last };
}
