/**
 * Gauss-Hermite quadrature for expectations under a 1-d normal:
 * E[g(a)], a ~ N(m, v), ≈ Σ_k w_k g(m + √v x_k) with the probabilists'
 * rule (weight e^{-x²/2}/√(2π)), exact for polynomials of degree <= 2K-1.
 * Nodes and weights by Golub-Welsch: eigenvalues of the Jacobi matrix with
 * off-diagonal √k, weights the squared first components of the eigenvectors.
 *
 * Reference: G. H. Golub and J. H. Welsch, "Calculation of Gauss quadrature
 * rules", Math. Comp. 23, 1969.
 */
import { NatgradError } from '../core/errors.js';
import type { Vec } from '../core/vec.js';
import { eigSymmetric } from '../linalg/eigen-symmetric.js';
import { Matrix } from '../linalg/matrix.js';

export interface QuadratureRule {
  nodes: Vec;
  weights: Vec;
}

const cache = new Map<number, QuadratureRule>();

/** The K-point probabilists' Gauss-Hermite rule (weights sum to 1). */
export function gaussHermite(K: number): QuadratureRule {
  if (!(Number.isInteger(K) && K >= 1 && K <= 200)) throw new NatgradError('K', `must be an integer in [1, 200], got ${K}`);
  const hit = cache.get(K);
  if (hit) return hit;
  const J = Matrix.zeros(K, K);
  for (let k = 1; k < K; k++) {
    J.set(k, k - 1, Math.sqrt(k));
    J.set(k - 1, k, Math.sqrt(k));
  }
  const { values, vectors } = eigSymmetric(J);
  const weights = Float64Array.from({ length: K }, (_, j) => vectors.get(0, j) ** 2);
  const rule = { nodes: Float64Array.from(values), weights };
  cache.set(K, rule);
  return rule;
}

/** E[g(a)] for a ~ N(m, v). */
export function normalExpectation(g: (a: number) => number, m: number, v: number, K = 40): number {
  const { nodes, weights } = gaussHermite(K);
  const s = Math.sqrt(Math.max(v, 0));
  let t = 0;
  for (let k = 0; k < K; k++) t += weights[k] * g(m + s * nodes[k]);
  return t;
}
