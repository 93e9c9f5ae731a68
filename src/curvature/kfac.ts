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
import { requireNonNegative, requireOneOf, requirePath } from '../core/validate.js';
import type { Vec } from '../core/vec.js';
import { Cholesky } from '../linalg/cholesky.js';
import { eigSymmetric } from '../linalg/eigen-symmetric.js';
import { gemm } from '../linalg/kernels/gemm.js';
import { syrk } from '../linalg/kernels/syrk.js';
import type { LinearOperator } from '../linalg/linear-operator.js';
import { Matrix } from '../linalg/matrix.js';
import { addScaledIdentity, matmul, matmulInto, matmulNT, matmulTN, trace } from '../linalg/ops.js';
import { blockDiagonalOperator, kroneckerOperator } from '../linalg/operators.js';
import { type Target, likelihoodModel } from '../models/likelihoods.js';
import { activate, activationDerivative } from '../models/activations.js';
import { type LayerWeights, type MlpSpec, layerCount, layerHasBias, layerOffsets, paramCount } from '../models/mlp.js';
import { validateModelProblem } from './dense-curvature.js';

/** The Fisher K-FAC approximates: the Fisher (an expectation over the model's own y) or the empirical Fisher (at the training labels). */
export type KfacFisherKind = 'fisher' | 'empirical-fisher';
/** How damping λ enters K-FAC: added to each factor (`factored`), split by Martens and Grosse's π (`pi-factored`), or to the Kronecker product exactly (`exact`). */
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

/** One layer's K-FAC factors A and G with its gradient and damped update. */
export interface KfacLayer extends KfacFactors {
  /** the damped, preconditioned gradient, out x (in+1) */
  update: Matrix;
  /** true when a damped eigenvalue was at most KFAC_RCOND times the largest (pseudo-inverse used) */
  singular: boolean;
}

/**
 * Work arrays of the hot K-FAC paths, one per role. None escapes the call that
 * fills it (every returned matrix is freshly allocated), so each step reuses
 * the previous step's temporaries instead of allocating megabytes anew.
 */
const workspace = new Map<string, Float64Array>();

/** The work array of `role`, of exactly `length` doubles; its contents are whatever the last user left. */
function scratch(role: string, length: number): Float64Array {
  let buf = workspace.get(role);
  if (buf === undefined || buf.length !== length) {
    buf = new Float64Array(length);
    workspace.set(role, buf);
  }
  return buf;
}

/** Layer l's [W b] as one out x (in+1) row-major matrix (out x in without bias), in a work array. */
function augmentedWeights(spec: MlpSpec, weights: readonly LayerWeights[], l: number): Float64Array {
  const { W, b } = weights[l];
  const inp = W.cols;
  const k = inp + (layerHasBias(spec, l) ? 1 : 0);
  const out = scratch(`wbar${l}`, W.rows * k);
  for (let i = 0; i < W.rows; i++) {
    out.set(W.data.subarray(i * inp, (i + 1) * inp), i * k);
    if (k > inp) out[i * k + inp] = b[i];
  }
  return out;
}

/**
 * Back-propagates the rows of `U` (rows x D, one output-gradient per row,
 * row r belonging to example `example[r]`) through every layer at once:
 * Δ_l = phi_l'(S_l) ⊙ (Δ_{l+1} W_{l+1}). Returns Δ_l (rows x out_l) per layer,
 * in work arrays named after `tag` (calls with different tags do not share them).
 */
function backwardRows(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  pre: readonly Float64Array[],
  U: Float64Array,
  rows: number,
  example: Int32Array | null,
  tag: string,
): Float64Array[] {
  const L = layerCount(spec);
  const deltas: Float64Array[] = new Array(L);
  let dA = U;
  for (let l = L - 1; l >= 0; l--) {
    const out = spec.sizes[l + 1];
    const act = spec.activations[l];
    const S = pre[l];
    const D = scratch(`${tag}delta${l}`, rows * out);
    for (let r = 0; r < rows; r++) {
      const sr = (example === null ? r : example[r]) * out;
      const dr = r * out;
      for (let i = 0; i < out; i++) D[dr + i] = activationDerivative(act, S[sr + i]) * dA[dr + i];
    }
    deltas[l] = D;
    if (l > 0) {
      const inp = spec.sizes[l];
      const next = scratch(`${tag}back${l}`, rows * inp);
      gemm(false, false, rows, inp, out, 1, D, 0, out, weights[l].W.data, 0, inp, 0, next, 0, inp);
      dA = next;
    }
  }
  return deltas;
}

/**
 * The K-FAC factors A, G and the gradient of every layer, and the mean loss.
 * `fisher`: the expectation over y ~ p(.|x_n) is exact, through the square-root
 * factor S of the output Fisher (each column back-propagated: sum_r g_r g_rᵀ = E[g gᵀ]);
 * `empirical-fisher`: y is the target.
 * The whole batch goes through the network at once: with Ā_l the N x (in+1)
 * inputs and Δ_l the N x out pre-activation gradients, A_l = Ā_lᵀ Ā_l / N and
 * G_l = Δ_lᵀ Δ_l / N are symmetric rank-N updates and the gradient is Δ_lᵀ Ā_l / N.
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
  const N = inputs.length;
  // forward: abar[l] is N x k_l (the inputs of layer l with the bias column), pre[l] is N x out_l
  const abar: Float64Array[] = [];
  const pre: Float64Array[] = [];
  const widths: number[] = [];
  let k0 = spec.sizes[0] + (layerHasBias(spec, 0) ? 1 : 0);
  let cur = scratch('abar0', N * k0).fill(0);
  inputs.forEach((x, n) => {
    cur.set(x, n * k0);
    if (k0 > x.length) cur[n * k0 + x.length] = 1;
  });
  let outputs: Float64Array = new Float64Array(0);
  for (let l = 0; l < L; l++) {
    abar.push(cur);
    widths.push(k0);
    const out = spec.sizes[l + 1];
    const S = scratch(`pre${l}`, N * out);
    gemm(false, true, N, out, k0, 1, cur, 0, k0, augmentedWeights(spec, weights, l), 0, k0, 0, S, 0, out);
    pre.push(S);
    const act = spec.activations[l];
    const k1 = l + 1 < L ? out + (layerHasBias(spec, l + 1) ? 1 : 0) : out;
    const next = scratch(`abar${l + 1}`, N * k1);
    for (let n = 0; n < N; n++) {
      for (let i = 0; i < out; i++) next[n * k1 + i] = activate(act, S[n * out + i]);
      if (k1 > out) next[n * k1 + out] = 1;
    }
    if (l + 1 < L) {
      cur = next;
      k0 = k1;
    } else {
      outputs = next;
    }
  }
  const D = spec.sizes[L];
  let loss = 0;
  const U = scratch('outputGradient', N * D).fill(0);
  const fRows: Vec[] = [];
  for (let n = 0; n < N; n++) {
    const f = outputs.subarray(n * D, (n + 1) * D);
    fRows.push(f);
    loss += lik.negLogLik(f, targets[n]);
    U.set(lik.gradient(f, targets[n]), n * D);
  }
  const deltas = backwardRows(spec, weights, pre, U, N, null, 'target');
  let gDeltas = deltas;
  let gRows = N;
  if (fisher === 'fisher') {
    // one back-propagated row per column of each example's Fisher square root
    const cols: Float64Array[] = [];
    const owner: number[] = [];
    fRows.forEach((f, n) => {
      const Sq = lik.fisherSqrt(f);
      for (let r = 0; r < Sq.cols; r++) {
        cols.push(Float64Array.from({ length: Sq.rows }, (_, i) => Sq.data[i * Sq.cols + r]));
        owner.push(n);
      }
    });
    gRows = cols.length;
    const V = new Float64Array(gRows * D);
    cols.forEach((c, r) => V.set(c, r * D));
    gDeltas = backwardRows(spec, weights, pre, V, gRows, Int32Array.from(owner), 'fisher');
  }
  const layers: KfacFactors[] = [];
  for (let l = 0; l < L; l++) {
    const k = widths[l];
    const out = spec.sizes[l + 1];
    const A = Matrix.zeros(k, k);
    const G = Matrix.zeros(out, out);
    const gradient = Matrix.zeros(out, k);
    syrk(true, k, N, 1 / N, abar[l], 0, k, 0, A.data, 0, k);
    syrk(true, out, gRows, 1 / N, gDeltas[l], 0, out, 0, G.data, 0, out);
    gemm(true, false, out, k, N, 1 / N, deltas[l], 0, out, abar[l], 0, k, 0, gradient.data, 0, k);
    layers.push({ A, G, gradient });
  }
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

/** A layer's damped K-FAC inverse, factorized once and applied to any number of gradients. */
export interface KfacPreconditioner {
  /** The damped, preconditioned gradient of an out x (in+1) gradient. */
  apply(gradient: Matrix): Matrix;
  /** True when a damped eigenvalue was at most KFAC_RCOND times the largest (pseudo-inverse used). */
  readonly singular: boolean;
  /** 'cholesky' when explicit damped inverses are used, 'eigen' for the spectral form. */
  readonly method: 'cholesky' | 'eigen';
}

/**
 * The damped K-FAC inverse of one layer (see kfacUpdate for the schemes),
 * factorized once: apply costs two matrix products.
 * For the factored schemes with positive damping the damped factors are
 * inverted by Cholesky; that path is taken only when it provably agrees with
 * the spectral one, i.e. when 1/||M⁻¹||_∞ > KFAC_RCOND ||M||_∞ for both damped
 * factors M (so λ_min(M) > KFAC_RCOND λ_max(M) and nothing is cut); otherwise,
 * and always for 'exact', the eigendecompositions are used.
 */
export function kfacPreconditioner(factors: { A: Matrix; G: Matrix }, damping: number, scheme: KfacDampingScheme): KfacPreconditioner {
  if (!(Number.isFinite(damping) && damping >= 0)) throw new NatgradError('damping', `must be a finite number >= 0, got ${damping}`);
  if (!KFAC_DAMPING_SCHEMES.includes(scheme)) {
    throw new NatgradError('dampingScheme', `must be one of ${KFAC_DAMPING_SCHEMES.join(', ')}, got ${JSON.stringify(scheme)}`);
  }
  const { A, G } = factors;
  const c = Math.sqrt(damping);
  if (scheme !== 'exact' && c > 0) {
    const pi = scheme === 'pi-factored' ? piFactor(A, G) : 1;
    const gInv = provablyRegularInverse(addScaledIdentity(G, c / pi));
    const aInv = gInv && provablyRegularInverse(addScaledIdentity(A, pi * c));
    if (gInv && aInv) {
      return {
        apply: (gradient) => {
          checkGradient(gradient, G, A);
          // G⁻¹ gradient lives in a work array: only the returned product is new
          const left = new Matrix(gradient.rows, gradient.cols, scratch('preconditionLeft', gradient.rows * gradient.cols));
          return matmul(matmulInto(gInv, gradient, left), aInv);
        },
        singular: false,
        method: 'cholesky',
      };
    }
  }
  return eigenPreconditioner(A, G, damping, scheme);
}

/** The inverse of the symmetric m by Cholesky, or null when m is not positive definite or 1/||m⁻¹||_∞ <= KFAC_RCOND ||m||_∞. */
function provablyRegularInverse(m: Matrix): Matrix | null {
  let inv: Matrix;
  try {
    inv = new Cholesky(m).inverse();
  } catch (e) {
    if (e instanceof NatgradError) return null;
    throw e;
  }
  const norm = infinityNorm(m);
  const invNorm = infinityNorm(inv);
  return Number.isFinite(invNorm) && 1 / invNorm > KFAC_RCOND * norm ? inv : null;
}

function infinityNorm(m: Matrix): number {
  let top = 0;
  for (let i = 0; i < m.rows; i++) {
    let s = 0;
    for (let j = 0; j < m.cols; j++) s += Math.abs(m.data[i * m.cols + j]);
    top = Math.max(top, s);
  }
  return top;
}

function checkGradient(gradient: Matrix, G: Matrix, A: Matrix): Matrix {
  if (gradient.rows !== G.rows || gradient.cols !== A.rows) {
    throw new NatgradError('gradient', `must be ${G.rows} x ${A.rows} (rows of G by rows of A), got ${gradient.rows} x ${gradient.cols}`);
  }
  return gradient;
}

/** The spectral form Q_G [(Q_Gᵀ grad Q_A) ./ D] Q_Aᵀ with the pseudo-inverse cut. */
function eigenPreconditioner(A: Matrix, G: Matrix, damping: number, scheme: KfacDampingScheme): KfacPreconditioner {
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
  } else {
    const pi = scheme === 'pi-factored' ? piFactor(A, G) : 1;
    const dg = eg.values.map((v) => v + c / pi);
    const da = ea.values.map((v) => v + pi * c);
    const sg = zeroSmall(dg);
    const sa = zeroSmall(da);
    singular = sg || sa;
    for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) D[i * k + j] = dg[i] * da[j];
  }
  return {
    apply(gradient) {
      const C = matmul(matmulTN(eg.vectors, checkGradient(gradient, G, A)), ea.vectors);
      for (let i = 0; i < C.data.length; i++) C.data[i] = D[i] === 0 ? 0 : C.data[i] / D[i];
      return matmulNT(matmul(eg.vectors, C), ea.vectors);
    },
    singular,
    method: 'eigen',
  };
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
 * dropped (pseudo-inverse) and `singular` is true. Computed as
 * kfacPreconditioner(factors, damping, scheme).apply(gradient), which uses
 * Cholesky inverses of the damped factors where that provably gives the same
 * result to rounding (no eigenvalue cut), and the spectral form otherwise.
 */
export function kfacUpdate(factors: KfacFactors, damping: number, scheme: KfacDampingScheme): { update: Matrix; singular: boolean } {
  const p = kfacPreconditioner(factors, damping, scheme);
  return { update: p.apply(factors.gradient), singular: p.singular };
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
  requirePath(path);
  validateModelProblem(spec, weights, inputs, targets, path);
  requireOneOf(fisher, KFAC_FISHER_KINDS, `${path}.fisher`);
  requireNonNegative(damping, `${path}.damping`);
  requireOneOf(scheme, KFAC_DAMPING_SCHEMES, `${path}.dampingScheme`);
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

/** The last layout index built, reused while the layer shapes stay the same (every step of an optimizer). */
let layoutCache: { key: string; index: Int32Array } | null = null;

/** blockLayoutIndex for internal use: never handed out, so it can be shared between calls. */
function sharedBlockLayoutIndex(spec: MlpSpec): Int32Array {
  const key = spec.sizes.map((s, l) => (l < layerCount(spec) && !layerHasBias(spec, l) ? `${s}!` : `${s}`)).join(',');
  if (layoutCache === null || layoutCache.key !== key) layoutCache = { key, index: blockLayoutIndex(spec) };
  return layoutCache.index;
}

/** The block layout (concatenated vecRow([W_l b_l])) of a parameter-order vector. */
export function blockLayoutFromParams(spec: MlpSpec, theta: ArrayLike<number>): Vec {
  const index = sharedBlockLayoutIndex(spec);
  const v = new Float64Array(index.length);
  for (let k = 0; k < index.length; k++) v[k] = theta[index[k]];
  return v;
}

/** The parameter-order vector of a block-layout vector. */
export function paramsFromBlockLayout(spec: MlpSpec, v: ArrayLike<number>): Vec {
  const index = sharedBlockLayoutIndex(spec);
  const theta = new Float64Array(index.length);
  for (let k = 0; k < index.length; k++) theta[index[k]] = v[k];
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
