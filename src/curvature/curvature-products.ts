/**
 * Matrix-free curvature-vector products of a conditional model, for solvers
 * (conjugate gradient) that never form the P x P matrix: each product costs a
 * few forward and backward passes per example.
 *
 * Reference: N. Schraudolph, "Fast curvature matrix-vector products for
 * second-order gradient descent", Neural Computation 14(7), 2002.
 */
import type { Vec } from '../core/vec.js';
import type { LinearOperator } from '../linalg/linear-operator.js';
import type { Matrix } from '../linalg/matrix.js';
import { type Target, likelihoodModel } from '../models/likelihoods.js';
import {
  type LayerWeights,
  type MlpSpec,
  exampleLossAndGradient,
  forward,
  hessianVectorProduct,
  jvp,
  paramCount,
  vjp,
} from '../models/mlp.js';
import { type ModelCurvatureKind, empiricalFisherMatrix, fisherMatrix, ggnMatrix, hessianMatrix } from './dense-curvature.js';

/** (1/N) sum_n J_nᵀ M_n J_n v with M_n from `outputMatrix` (the output Fisher or Hessian). */
function gaussNewtonProduct(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  v: Vec,
  outputMatrix: (f: Vec, n: number) => Matrix,
): Vec {
  const out = new Float64Array(paramCount(spec));
  inputs.forEach((x, n) => {
    const Jv = jvp(spec, weights, x, v);
    const M = outputMatrix(forward(spec, weights, x).output, n);
    const D = Jv.length;
    const MJv = new Float64Array(D);
    for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) MJv[i] += M.data[i * D + j] * Jv[j];
    const g = vjp(spec, weights, x, MJv);
    for (let i = 0; i < out.length; i++) out[i] += g[i];
  });
  for (let i = 0; i < out.length; i++) out[i] /= inputs.length;
  return out;
}

/** C v for the curvature C of the given kind (same definitions as modelCurvature), without forming C. */
export function curvatureVectorProduct(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  targets: readonly Target[],
  kind: ModelCurvatureKind,
  v: Vec,
): Vec {
  const lik = likelihoodModel(spec.likelihood);
  switch (kind) {
    case 'fisher':
      return gaussNewtonProduct(spec, weights, inputs, v, (f) => lik.fisher(f));
    case 'ggn':
      return gaussNewtonProduct(spec, weights, inputs, v, (f, n) => lik.hessian(f, targets[n]));
    case 'hessian':
      return hessianVectorProduct(spec, weights, inputs, targets, v);
    case 'empirical-fisher': {
      const out = new Float64Array(paramCount(spec));
      inputs.forEach((x, n) => {
        const g = exampleLossAndGradient(spec, weights, x, targets[n]).gradient;
        let gv = 0;
        for (let i = 0; i < g.length; i++) gv += g[i] * v[i];
        for (let i = 0; i < g.length; i++) out[i] += (gv * g[i]) / inputs.length;
      });
      return out;
    }
  }
}

/** The curvature of a model as a symmetric LinearOperator; dense() builds the exact matrix. */
export function curvatureOperator(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  targets: readonly Target[],
  kind: ModelCurvatureKind,
): LinearOperator {
  const P = paramCount(spec);
  const matvec = (v: Vec) => curvatureVectorProduct(spec, weights, inputs, targets, kind, v);
  return {
    shape: [P, P] as const,
    matvec,
    rmatvec: matvec,
    dense: () => {
      switch (kind) {
        case 'fisher': return fisherMatrix(spec, weights, inputs);
        case 'empirical-fisher': return empiricalFisherMatrix(spec, weights, inputs, targets);
        case 'ggn': return ggnMatrix(spec, weights, inputs, targets);
        case 'hessian': return hessianMatrix(spec, weights, inputs, targets);
      }
    },
  };
}

/**
 * The quadratic forms v_iᵀ C v_j of a few vectors for C the Fisher or the
 * generalized Gauss-Newton, (1/N) Σ_n (J_n v_i)ᵀ M_n (J_n v_j), from one
 * forward-mode product J_n v_i per vector and example and no backward pass:
 * cheaper than the k products C v_i when only the forms are needed (the
 * quadratic model of a step).
 */
export function gaussNewtonForms(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  targets: readonly Target[],
  kind: 'fisher' | 'ggn',
  vectors: readonly Vec[],
): number[][] {
  const lik = likelihoodModel(spec.likelihood);
  const k = vectors.length;
  const forms = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  inputs.forEach((x, n) => {
    const f = forward(spec, weights, x).output;
    const M = kind === 'fisher' ? lik.fisher(f) : lik.hessian(f, targets[n]);
    const D = f.length;
    const Jv = vectors.map((v) => jvp(spec, weights, x, v));
    const MJv = Jv.map((u) => {
      const out = new Float64Array(D);
      for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) out[i] += M.data[i * D + j] * u[j];
      return out;
    });
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) for (let d = 0; d < D; d++) forms[i][j] += Jv[i][d] * MJv[j][d];
  });
  return forms.map((row) => row.map((v) => v / inputs.length));
}
