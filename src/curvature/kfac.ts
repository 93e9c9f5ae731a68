/**
 * Kronecker-factored approximate curvature (K-FAC) of an MLP: per layer, the
 * Fisher block of the row-major flattened [W_l b_l] is approximated by G ⊗ A
 * with A = E[ā āᵀ] (inputs with a 1 appended for the bias) and
 * G = E[g gᵀ] (g the per-example gradient of -log p with respect to the
 * layer's pre-activation). The update applies a damped inverse of each block.
 *
 * Convention: with row-major vec, vecRow(g āᵀ) = g ⊗ ā, so the per-example
 * gradient of a layer is g ⊗ ā and its outer product is (g gᵀ) ⊗ (ā āᵀ); for
 * one example G ⊗ A is the exact Fisher block. (G ⊗ A) vecRow(X) = vecRow(G X A).
 *
 * References: J. Martens and R. Grosse, "Optimizing neural networks with
 * Kronecker-factored approximate curvature", ICML 2015 (section 6.3 for the
 * pi-heuristic of factored Tikhonov damping).
 */
import { NatgradError } from '../core/errors.js';
import type { Vec } from '../core/vec.js';
import { eigSymmetric } from '../linalg/eigen-symmetric.js';
import type { LinearOperator } from '../linalg/linear-operator.js';
import { Matrix } from '../linalg/matrix.js';
import { matmul, matmulNT, matmulTN, trace } from '../linalg/ops.js';
import { blockDiagonalOperator, kroneckerOperator } from '../linalg/operators.js';
import { type Target, likelihoodModel } from '../models/likelihoods.js';
import { type LayerWeights, type MlpSpec, backward, forward, layerCount, layerHasBias, layerOffsets, paramCount } from '../models/mlp.js';
import { validateModelProblem } from './dense-curvature.js';

export type KfacFisherKind = 'fisher' | 'empirical-fisher';
export type KfacDampingScheme = 'factored' | 'pi-factored' | 'exact';

export const KFAC_FISHER_KINDS: readonly KfacFisherKind[] = ['fisher', 'empirical-fisher'];
export const KFAC_DAMPING_SCHEMES: readonly KfacDampingScheme[] = ['factored', 'pi-factored', 'exact'];

/** Relative cut below which a damped eigenvalue counts as zero (as in the natural-gradient contract). */
export const KFAC_RCOND = 1e-12;

/** One layer's Kronecker factors and gradient. */
export interface KfacFactors {
  /** (1/N) sum ā āᵀ, (in+1) x (in+1) (in x in without bias) */
  A: Matrix;
  /** (1/N) sum E[g gᵀ], out x out */
  G: Matrix;
  /** [dL/dW, dL/db], out x (in+1), bias last column */
  gradient: Matrix;
}

export interface KfacLayer extends KfacFactors {
  /** the damped, preconditioned gradient, out x (in+1) */
  update: Matrix;
  /** true when a damped eigenvalue was at most KFAC_RCOND times the largest (pseudo-inverse used) */
  singular: boolean;
}

/** [a; 1] for a layer with bias, a otherwise. */
function augmented(a: Vec, bias: boolean): Vec {
  if (!bias) return a;
  const out = new Float64Array(a.length + 1);
  out.set(a);
  out[a.length] = 1;
  return out;
}

/** M += w x yᵀ. */
function addOuter(M: Matrix, x: ArrayLike<number>, y: ArrayLike<number>, w = 1): void {
  const c = M.cols;
  for (let i = 0; i < x.length; i++) {
    const xi = w * x[i];
    if (xi === 0) continue;
    for (let j = 0; j < y.length; j++) M.data[i * c + j] += xi * y[j];
  }
}

/**
 * The K-FAC factors A, G and the gradient of every layer, and the mean loss.
 * `fisher`: the expectation over y ~ p(.|x_n) is exact, through the square-root
 * factor S of the output Fisher (each column back-propagated: sum_r g_r g_rᵀ = E[g gᵀ]);
 * `empirical-fisher`: y is the target.
 */
export function kfacFactors(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  targets: readonly Target[],
  fisher: KfacFisherKind,
): { loss: number; layers: KfacFactors[] } {
  const lik = likelihoodModel(spec.likelihood);
  const L = layerCount(spec);
  const layers: KfacFactors[] = [];
  for (let l = 0; l < L; l++) {
    const k = spec.sizes[l] + (layerHasBias(spec, l) ? 1 : 0);
    const out = spec.sizes[l + 1];
    layers.push({ A: Matrix.zeros(k, k), G: Matrix.zeros(out, out), gradient: Matrix.zeros(out, k) });
  }
  let loss = 0;
  const N = inputs.length;
  inputs.forEach((x, n) => {
    const tr = forward(spec, weights, x);
    const y = targets[n];
    loss += lik.negLogLik(tr.output, y);
    const deltas = backward(spec, weights, tr, lik.gradient(tr.output, y));
    const abar = Array.from({ length: L }, (_, l) => augmented(tr.activations[l], layerHasBias(spec, l)));
    for (let l = 0; l < L; l++) {
      addOuter(layers[l].A, abar[l], abar[l]);
      addOuter(layers[l].gradient, deltas[l], abar[l]);
    }
    if (fisher === 'empirical-fisher') {
      for (let l = 0; l < L; l++) addOuter(layers[l].G, deltas[l], deltas[l]);
    } else {
      const S = lik.fisherSqrt(tr.output);
      for (let r = 0; r < S.cols; r++) {
        const u = Float64Array.from({ length: S.rows }, (_, i) => S.get(i, r));
        const dr = backward(spec, weights, tr, u);
        for (let l = 0; l < L; l++) addOuter(layers[l].G, dr[l], dr[l]);
      }
    }
  });
  for (const f of layers) for (const M of [f.A, f.G, f.gradient]) for (let i = 0; i < M.data.length; i++) M.data[i] /= N;
  return { loss: loss / N, layers };
}

/**
 * The pi of factored Tikhonov damping, pi = sqrt((tr(A)/dim A) / (tr(G)/dim G))
 * (Martens and Grosse 2015, section 6.3). Taken as 1 when it is not a finite
 * positive number (G = 0, e.g. every unit of a relu layer inactive).
 */
export function piFactor(A: Matrix, G: Matrix): number {
  const pi = Math.sqrt(trace(A) / A.rows / (trace(G) / G.rows));
  return Number.isFinite(pi) && pi > 0 ? pi : 1;
}

/**
 * The damped K-FAC update of one layer, through the eigendecompositions
 * G = Q_G Λ_G Q_Gᵀ and A = Q_A Λ_A Q_Aᵀ: update = Q_G [(Q_Gᵀ grad Q_A) ./ D] Q_Aᵀ with
 * * factored:    D_ij = (λ_G,i + sqrt(λ)) (λ_A,j + sqrt(λ)),
 *                i.e. (G + sqrt(λ) I)^-1 grad (A + sqrt(λ) I)^-1;
 * * pi-factored: D_ij = (λ_G,i + sqrt(λ)/pi) (λ_A,j + pi sqrt(λ));
 * * exact:       D_ij = λ_G,i λ_A,j + λ, i.e. vecRow(update) = (G ⊗ A + λ I)^-1 vecRow(grad)
 *                without forming the Kronecker product.
 * A damped eigenvalue (each factor for the factored schemes, each product for
 * exact) at most KFAC_RCOND times the largest counts as zero: its component is
 * dropped (pseudo-inverse) and `singular` is true.
 */
export function kfacUpdate(factors: KfacFactors, damping: number, scheme: KfacDampingScheme): { update: Matrix; singular: boolean } {
  if (!(Number.isFinite(damping) && damping >= 0)) throw new NatgradError('damping', `must be a finite number >= 0, got ${damping}`);
  const { A, G, gradient } = factors;
  const eg = eigSymmetric(G, 'G');
  const ea = eigSymmetric(A, 'A');
  const m = G.rows;
  const k = A.rows;
  const D = new Float64Array(m * k);
  let singular = false;
  const c = Math.sqrt(damping);
  if (scheme === 'exact') {
    for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) D[i * k + j] = eg.values[i] * ea.values[j] + damping;
    singular = zeroSmall(D);
  } else if (scheme === 'factored' || scheme === 'pi-factored') {
    const pi = scheme === 'pi-factored' ? piFactor(A, G) : 1;
    const dg = eg.values.map((v) => v + c / pi);
    const da = ea.values.map((v) => v + pi * c);
    const sg = zeroSmall(dg);
    const sa = zeroSmall(da);
    singular = sg || sa;
    for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) D[i * k + j] = dg[i] * da[j];
  } else {
    throw new NatgradError('dampingScheme', `must be one of ${KFAC_DAMPING_SCHEMES.join(', ')}, got ${JSON.stringify(scheme)}`);
  }
  const C = matmul(matmulTN(eg.vectors, gradient), ea.vectors);
  for (let i = 0; i < C.data.length; i++) C.data[i] = D[i] === 0 ? 0 : C.data[i] / D[i];
  return { update: matmulNT(matmul(eg.vectors, C), ea.vectors), singular };
}

/** Sets entries with |d| <= KFAC_RCOND max|d| to 0; true when it set one. */
function zeroSmall(d: Float64Array): boolean {
  let top = 0;
  for (const v of d) top = Math.max(top, Math.abs(v));
  let any = false;
  for (let i = 0; i < d.length; i++) {
    if (Math.abs(d[i]) <= KFAC_RCOND * top) {
      d[i] = 0;
      any = true;
    }
  }
  return any;
}

/**
 * The oracle's `kfac` kind: per layer A, G, gradient and damped update, and
 * the mean loss. Validates every input (JSON paths below `path`).
 */
export function kfacLayers(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  targets: readonly Target[],
  fisher: KfacFisherKind,
  damping: number,
  scheme: KfacDampingScheme,
  path = 'spec',
): { loss: number; layers: KfacLayer[] } {
  validateModelProblem(spec, weights, inputs, targets, path);
  if (!KFAC_FISHER_KINDS.includes(fisher)) {
    throw new NatgradError(`${path}.fisher`, `must be one of ${KFAC_FISHER_KINDS.join(', ')}, got ${JSON.stringify(fisher)}`);
  }
  if (!(typeof damping === 'number' && Number.isFinite(damping) && damping >= 0)) {
    throw new NatgradError(`${path}.damping`, `must be a finite number >= 0, got ${damping}`);
  }
  if (!KFAC_DAMPING_SCHEMES.includes(scheme)) {
    throw new NatgradError(`${path}.dampingScheme`, `must be one of ${KFAC_DAMPING_SCHEMES.join(', ')}, got ${JSON.stringify(scheme)}`);
  }
  const { loss, layers } = kfacFactors(spec, weights, inputs, targets, fisher);
  return { loss, layers: layers.map((f) => ({ ...f, ...kfacUpdate(f, damping, scheme) })) };
}

/**
 * The K-FAC curvature as a LinearOperator on the block layout: the
 * concatenation over layers of vecRow([W_l b_l]). Block l is G_l ⊗ A_l.
 * (This is not the parameter-vector order, where b_l follows all of W_l; see
 * blockLayoutFromParams / paramsFromBlockLayout.)
 */
export function kfacOperator(layers: readonly { A: Matrix; G: Matrix }[]): LinearOperator {
  return blockDiagonalOperator(layers.map((l) => kroneckerOperator(l.G, l.A)));
}

/**
 * For each position of the block layout, the index of the same parameter in
 * the parameter vector: entry (i, j) of layer l's [W b] is W[i][j] (j < in) or b[i] (j = in).
 */
export function blockLayoutIndex(spec: MlpSpec): Int32Array {
  const offsets = layerOffsets(spec);
  const index = new Int32Array(paramCount(spec));
  let k = 0;
  for (let l = 0; l < layerCount(spec); l++) {
    const out = spec.sizes[l + 1];
    const inp = spec.sizes[l];
    const bias = layerHasBias(spec, l);
    for (let i = 0; i < out; i++) {
      for (let j = 0; j < inp; j++) index[k++] = offsets[l] + i * inp + j;
      if (bias) index[k++] = offsets[l] + out * inp + i;
    }
  }
  return index;
}

/** The block layout (concatenated vecRow([W_l b_l])) of a parameter-order vector. */
export function blockLayoutFromParams(spec: MlpSpec, theta: ArrayLike<number>): Vec {
  const index = blockLayoutIndex(spec);
  return Float64Array.from(index, (p) => theta[p]);
}

/** The parameter-order vector of a block-layout vector. */
export function paramsFromBlockLayout(spec: MlpSpec, v: ArrayLike<number>): Vec {
  const index = blockLayoutIndex(spec);
  const theta = new Float64Array(index.length);
  index.forEach((p, k) => {
    theta[p] = v[k];
  });
  return theta;
}

/** Per-layer out x (in+1) matrices [W_l b_l] (bias last column) as one parameter-order vector. */
export function paramsFromLayerMatrices(spec: MlpSpec, mats: readonly Matrix[]): Vec {
  const v = new Float64Array(paramCount(spec));
  let k = 0;
  for (const M of mats) {
    v.set(M.data, k);
    k += M.data.length;
  }
  return paramsFromBlockLayout(spec, v);
}
