/**
 * Eigenvalue-corrected K-FAC (EKFAC): keep K-FAC's Kronecker eigenbasis
 * Q = Q_G ⊗ Q_A of each layer (G = Q_G Λ_G Q_Gᵀ, A = Q_A Λ_A Q_Aᵀ) but replace
 * the Kronecker eigenvalues λ_G,i λ_A,j by the second moments of the
 * per-example gradients in that basis,
 *   s_ij = (1/N) sum_n E_y[((Q_Gᵀ g_n)_i (Q_Aᵀ ā_n)_j)²],
 * so that the layer block is Q diag(s) Qᵀ. Among all matrices diagonal in the
 * basis Q this is the Frobenius-closest to the exact Fisher block (s is the
 * diagonal of Qᵀ F Q), and K-FAC is one of them: EKFAC is never farther from
 * the exact Fisher than K-FAC.
 *
 * Block layout and vec convention as in kfac.ts: per layer vecRow([W_l b_l]).
 *
 * Reference: T. George, C. Laurent, X. Bouthillier, N. Ballas and P. Vincent,
 * "Fast approximate natural gradient descent in a Kronecker-factored
 * eigenbasis", NeurIPS 2018.
 */
import { NatgradError } from '../core/errors.js';
import type { Vec } from '../core/vec.js';
import { eigSymmetric } from '../linalg/eigen-symmetric.js';
import type { LinearOperator } from '../linalg/linear-operator.js';
import { Matrix } from '../linalg/matrix.js';
import { matTvec, transpose } from '../linalg/ops.js';
import { blockDiagonalOperator, composeOperators, diagonalOperator, kroneckerOperator } from '../linalg/operators.js';
import { type Target, likelihoodModel } from '../models/likelihoods.js';
import { type LayerWeights, type MlpSpec, backward, forward, layerCount, layerHasBias, paramCount } from '../models/mlp.js';
import { type KfacFisherKind, KFAC_FISHER_KINDS, blockLayoutIndex, kfacFactors } from './kfac.js';
import { type StabilityOptions, stabilizedEigenvalues } from './stability.js';

/** The Kronecker eigenbasis of one layer: Q_G (out x out) and Q_A ((in+1) x (in+1)). */
export interface EkfacBasis {
  QG: Matrix;
  QA: Matrix;
}

/** One layer's EKFAC curvature: the basis and the out x (in+1) scalings s_ij. */
export interface EkfacLayer extends EkfacBasis {
  scalings: Matrix;
}

/** The eigenbases of K-FAC factors. */
export function ekfacBases(layers: readonly { A: Matrix; G: Matrix }[]): EkfacBasis[] {
  return layers.map(({ A, G }, l) => ({ QG: eigSymmetric(G, `layers[${l}].G`).vectors, QA: eigSymmetric(A, `layers[${l}].A`).vectors }));
}

/**
 * The scalings s_ij in fixed bases (a stale basis is allowed: EKFAC re-estimates
 * the scalings more often than the basis). `fisher`: exact expectation over y
 * through the output Fisher's square root; `empirical-fisher`: y the target
 * (pass targets sampled from the model for the Monte Carlo version).
 */
export function ekfacScalings(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  targets: readonly Target[],
  kind: KfacFisherKind,
  bases: readonly EkfacBasis[],
): Matrix[] {
  if (!KFAC_FISHER_KINDS.includes(kind)) throw new NatgradError('fisher', `must be one of ${KFAC_FISHER_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
  const lik = likelihoodModel(spec.likelihood);
  const L = layerCount(spec);
  if (bases.length !== L) throw new NatgradError('bases', `must have one basis per layer (${L}), got ${bases.length}`);
  const S = bases.map(({ QG, QA }) => Matrix.zeros(QG.rows, QA.rows));
  const N = inputs.length;
  inputs.forEach((x, n) => {
    const tr = forward(spec, weights, x);
    const aRot = bases.map(({ QA }, l) => {
      const a = tr.activations[l];
      const abar = layerHasBias(spec, l) ? Float64Array.from([...a, 1]) : a;
      return matTvec(QA, abar);
    });
    const add = (deltas: Vec[]): void => {
      for (let l = 0; l < L; l++) {
        const g = matTvec(bases[l].QG, deltas[l]);
        const a = aRot[l];
        const M = S[l];
        const k = a.length;
        for (let i = 0; i < g.length; i++) {
          const gi2 = (g[i] * g[i]) / N;
          for (let j = 0; j < k; j++) M.data[i * k + j] += gi2 * a[j] * a[j];
        }
      }
    };
    if (kind === 'empirical-fisher') {
      add(backward(spec, weights, tr, lik.gradient(tr.output, targets[n])));
    } else {
      const F = lik.fisherSqrt(tr.output);
      for (let r = 0; r < F.cols; r++) add(backward(spec, weights, tr, Float64Array.from({ length: F.rows }, (_, i) => F.get(i, r))));
    }
  });
  return S;
}

/** EKFAC of a model: K-FAC factors, their eigenbases and the re-estimated scalings. */
export function ekfacLayers(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  targets: readonly Target[],
  kind: KfacFisherKind,
): EkfacLayer[] {
  const bases = ekfacBases(kfacFactors(spec, weights, inputs, targets, kind).layers);
  const scalings = ekfacScalings(spec, weights, inputs, targets, kind, bases);
  return bases.map((b, l) => ({ ...b, scalings: scalings[l] }));
}

/** Q diag(w) Qᵀ for one layer, Q = Q_G ⊗ Q_A, never formed. */
function layerSpectralOperator({ QG, QA }: EkfacBasis, w: Float64Array): LinearOperator {
  return composeOperators(composeOperators(kroneckerOperator(QG, QA), diagonalOperator(w)), kroneckerOperator(transpose(QG), transpose(QA)));
}

/** The EKFAC curvature on the block layout: block l is (Q_G ⊗ Q_A) diag(vecRow(S_l)) (Q_G ⊗ Q_A)ᵀ. */
export function ekfacOperator(layers: readonly EkfacLayer[]): LinearOperator {
  return blockDiagonalOperator(layers.map((l) => layerSpectralOperator(l, l.scalings.data)));
}

/**
 * The preconditioner on the block layout: block l is Q diag(1/μ) Qᵀ with μ the
 * scalings stabilized by `o` (damping, clipping, condition guard: see stability.ts),
 * so it is symmetric positive definite and finite for any damping >= 0.
 */
export function ekfacInverseOperator(layers: readonly EkfacLayer[], o: StabilityOptions = {}): LinearOperator {
  return blockDiagonalOperator(
    layers.map((l) => layerSpectralOperator(l, stabilizedEigenvalues(l.scalings.data, o).map((m) => 1 / m))),
  );
}

/**
 * An operator on the block layout (concatenated vecRow([W_l b_l])) seen in
 * parameter order (per layer W row-major, then b): Πᵀ op Π.
 */
export function inParameterOrder(spec: MlpSpec, op: LinearOperator): LinearOperator {
  const index = blockLayoutIndex(spec);
  const P = paramCount(spec);
  const toBlock = (x: Vec): Vec => Float64Array.from(index, (p) => x[p]);
  const toParams = (v: Vec): Vec => {
    const out = new Float64Array(P);
    index.forEach((p, k) => {
      out[p] = v[k];
    });
    return out;
  };
  return {
    shape: [P, P] as const,
    matvec: (x) => toParams(op.matvec(toBlock(x))),
    rmatvec: (y) => toParams(op.rmatvec(toBlock(y))),
    dense() {
      const D = op.dense();
      const out = new Matrix(P, P);
      for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) out.data[index[i] * P + index[j]] = D.data[i * P + j];
      return out;
    },
  };
}
