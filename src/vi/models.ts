/**
 * Likelihoods for Gaussian variational inference: E_q[log p(y | X, w)] and its
 * gradient in (μ, Σ) for q = N(μ, Σ).
 *
 * Bayesian linear regression, y = Xw + ε, ε ~ N(0, σ²): E_q log p is exact in
 * closed form and linear in (m₁, m₂), which is why one natural-gradient step of
 * size 1 lands on the exact posterior.
 * Bayesian logistic regression, y ∈ {-1, +1}, p(y|a) = sigmoid(y a), a = xᵀw:
 * each a_n ~ N(x_nᵀμ, x_nᵀΣx_n) under q, so the expectations are 1-d and
 * computed by Gauss-Hermite quadrature. The gradient is the exact derivative
 * of that quadrature sum (∂/∂m = Σ w_k f'(a_k), ∂/∂v = Σ w_k f'(a_k) x_k / (2√v)),
 * not Price's ½ E f'' evaluated by the same rule: log-sigmoid has poles at
 * ±iπ, so the rule's error is ~1e-3 at K = 40 and the two would disagree by
 * that much, whereas the optimiser must follow the gradient of what it
 * evaluates. Both agree in the limit K → ∞ (Bonnet's and Price's theorems;
 * Opper and Archambeau 2009).
 */
import type { Vec } from '../core/vec.js';
import { Matrix } from '../linalg/matrix.js';
import { matvec } from '../linalg/ops.js';
import type { GaussianGradient, GaussianMoments } from './gaussian.js';
import { gaussHermite, normalExpectation } from './gauss-hermite.js';

export interface VariationalLikelihood {
  readonly dim: number;
  /** E_q[log p(y | X, w)] */
  expectedLogLik(q: GaussianMoments): number;
  /** its gradient in (μ, Σ) */
  expectedLogLikGradient(q: GaussianMoments): GaussianGradient;
}

const quadForm = (Sigma: Matrix, x: Vec): number => {
  const Sx = matvec(Sigma, x);
  let t = 0;
  for (let i = 0; i < x.length; i++) t += x[i] * Sx[i];
  return t;
};

/** Linear-Gaussian likelihood with known noise variance. */
export function linearRegressionLikelihood(X: readonly Vec[], y: ArrayLike<number>, noiseVariance: number): VariationalLikelihood {
  const d = X[0].length;
  return {
    dim: d,
    expectedLogLik(q) {
      let t = 0;
      X.forEach((x, n) => {
        let m = 0;
        for (let i = 0; i < d; i++) m += x[i] * q.mu[i];
        t += -0.5 * Math.log(2 * Math.PI * noiseVariance) - ((y[n] - m) ** 2 + quadForm(q.Sigma, x)) / (2 * noiseVariance);
      });
      return t;
    },
    expectedLogLikGradient(q) {
      const vector = new Float64Array(d);
      const matrix = Matrix.zeros(d, d);
      X.forEach((x, n) => {
        let m = 0;
        for (let i = 0; i < d; i++) m += x[i] * q.mu[i];
        const r = (y[n] - m) / noiseVariance;
        for (let i = 0; i < d; i++) {
          vector[i] += r * x[i];
          for (let j = 0; j < d; j++) matrix.data[i * d + j] -= (x[i] * x[j]) / (2 * noiseVariance);
        }
      });
      return { vector, matrix };
    },
  };
}

const logSigmoid = (t: number): number => (t >= 0 ? -Math.log1p(Math.exp(-t)) : t - Math.log1p(Math.exp(t)));
const sigmoid = (t: number): number => (t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t)));

/**
 * Derivatives in m and v of the K-point rule Σ_k w_k f(m + √v x_k), from f':
 * g = Σ w_k f'(a_k), dv = Σ w_k f'(a_k) x_k / (2√v) (→ ½ f''(m) as v → 0, not needed for v > 0).
 */
function quadratureDerivatives(df: (a: number) => number, m: number, v: number, K: number): { g: number; dv: number } {
  const { nodes, weights } = gaussHermite(K);
  const s = Math.sqrt(v);
  let g = 0;
  let dv = 0;
  for (let k = 0; k < K; k++) {
    const t = weights[k] * df(m + s * nodes[k]);
    g += t;
    dv += t * nodes[k];
  }
  return { g, dv: dv / (2 * s) };
}

/** Logistic likelihood, labels ±1, expectations by K-point Gauss-Hermite quadrature. */
export function logisticRegressionLikelihood(X: readonly Vec[], y: ArrayLike<number>, K = 40): VariationalLikelihood {
  const d = X[0].length;
  const moments = (q: GaussianMoments, x: Vec): [number, number] => {
    let m = 0;
    for (let i = 0; i < d; i++) m += x[i] * q.mu[i];
    return [m, quadForm(q.Sigma, x)];
  };
  return {
    dim: d,
    expectedLogLik(q) {
      let t = 0;
      X.forEach((x, n) => {
        const [m, v] = moments(q, x);
        t += normalExpectation((a) => logSigmoid(y[n] * a), m, v, K);
      });
      return t;
    },
    expectedLogLikGradient(q) {
      const vector = new Float64Array(d);
      const matrix = Matrix.zeros(d, d);
      X.forEach((x, n) => {
        const [m, v] = moments(q, x);
        const yn = y[n];
        // d/da log σ(y a) = y σ(-y a); d²/da² = -σ(a) σ(-a)
        const { g, dv } = quadratureDerivatives((a) => yn * sigmoid(-yn * a), m, v, K);
        const h = 2 * dv;
        for (let i = 0; i < d; i++) {
          vector[i] += g * x[i];
          for (let j = 0; j < d; j++) matrix.data[i * d + j] += 0.5 * h * x[i] * x[j];
        }
      });
      return { vector, matrix };
    },
  };
}
