/**
 * Kronecker-factored approximate curvature (K-FAC): the Fisher block of each
 * weight matrix (row-major [W b], or W alone with the bias separate) is
 * approximated by G ⊗ A (factors from kfac-factors.ts), and the update applies
 * a damped inverse of each block. Everything here acts on PARAMETER VECTORS
 * (PyTorch's order): a block is read from and written to the parameter
 * positions of its W and b, so no other layout exists to be confused with.
 *
 * Convention: with row-major vec, vecRow(g āᵀ) = g ⊗ ā, so a per-example
 * gradient of a matrix used once is g ⊗ ā and its outer product
 * (g gᵀ) ⊗ (ā āᵀ); (G ⊗ A) vecRow(X) = vecRow(G X A).
 *
 * Damping schemes (λ the damping):
 * * factored:    (G + sqrt(λ) I)^-1 grad (A + sqrt(λ) I)^-1;
 * * pi-factored: (G + (sqrt(λ)/π) I)^-1 grad (A + π sqrt(λ) I)^-1,
 *                π = sqrt((tr(A)/dim A) / (tr(G)/dim G));
 * * exact:       vecRow(update) = (G ⊗ A + λ I)^-1 vecRow(grad).
 * A separate bias is preconditioned by (G + λ I)^-1 (exact) or
 * (G + sqrt(λ) I)^-1 (the factored schemes).
 *
 * References: J. Martens and R. Grosse, "Optimizing neural networks with
 * Kronecker-factored approximate curvature", ICML 2015 (section 6.3 for the
 * pi-heuristic of factored Tikhonov damping).
 */
import { NatgradError } from '../core/errors.js';
import { requireNonNegative, requireOneOf, requirePath } from '../core/validate.js';
import type { Vec } from '../core/vec.js';
import { choleskyInverses } from '../linalg/cholesky.js';
import { DEFAULT_RCOND, zeroBelowCut } from '../linalg/eigen-cut.js';
import { eigSymmetric } from '../linalg/eigen-symmetric.js';
import type { LinearOperator } from '../linalg/linear-operator.js';
import { Matrix } from '../linalg/matrix.js';
import { addScaledIdentity, matmul, matmulNT, matmulTN, matTvec, matvec, normInf, trace } from '../linalg/ops.js';
import type { Target } from '../models/likelihoods.js';
import { type LayerWeights, type MlpSpec, layerCount, layerHasBias, layerOffsets, mlpProblem, paramCount, validateMlpSpec } from '../models/mlp.js';
import type { Batch, Sequential } from '../models/sequential.js';
import { validateModelProblem } from './dense-curvature.js';
import {
  type KfacBlock,
  type KfacBlockLayout,
  type KfacFactors,
  type KfacFisherKind,
  KFAC_FISHER_KINDS,
  type KfacFactorOptions,
  KFAC_FISHER_TYPES,
  blockBias,
  blockIndex,
  blockMatrix,
  jointBias,
  kfacFactorOptions,
  kfacFactors,
  monteCarloGStandardErrors,
  scatterBlockMatrix,
} from './kfac-factors.js';

export * from './kfac-factors.js';

/**
 * How damping λ enters K-FAC: added to each factor (`factored`), split by Martens and Grosse's π
 * (`pi-factored`), or to the Kronecker product exactly (`exact`).
 */
export type KfacDampingScheme = 'factored' | 'pi-factored' | 'exact';

export const KFAC_DAMPING_SCHEMES: readonly KfacDampingScheme[] = ['factored', 'pi-factored', 'exact'];

/** Relative cut below which a damped eigenvalue counts as zero (as in the natural-gradient contract). */
export const KFAC_RCOND = DEFAULT_RCOND;

/** One block's K-FAC factors A and G with its gradient and damped update. */
export interface KfacLayer extends KfacFactors {
  /** the damped, preconditioned gradient, out x cols */
  update: Matrix;
  /** true when a damped eigenvalue was at most KFAC_RCOND times the largest (pseudo-inverse used) */
  singular: boolean;
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

/** A block's damped K-FAC inverse, factorized once and applied to any number of gradients. */
export interface KfacPreconditioner {
  /** The damped, preconditioned gradient of an out x cols gradient. */
  apply(gradient: Matrix): Matrix;
  /** True when a damped eigenvalue was at most KFAC_RCOND times the largest (pseudo-inverse used). */
  readonly singular: boolean;
  /** 'cholesky' when explicit damped inverses are used, 'eigen' for the spectral form. */
  readonly method: 'cholesky' | 'eigen';
}

function requireDamping(damping: number, scheme: KfacDampingScheme): void {
  requireNonNegative(damping, 'damping');
  requireOneOf(scheme, KFAC_DAMPING_SCHEMES, 'dampingScheme');
}

/**
 * The damped K-FAC inverse of one block (schemes in the module comment),
 * factorized once: apply costs two matrix products.
 * For the factored schemes with positive damping the damped factors are
 * inverted by Cholesky; that path is taken only when it provably agrees with
 * the spectral one, i.e. when 1/||M⁻¹||_∞ > KFAC_RCOND ||M||_∞ for both damped
 * factors M (so λ_min(M) > KFAC_RCOND λ_max(M) and nothing is cut); otherwise,
 * and always for 'exact', the eigendecompositions are used.
 */
export function kfacPreconditioner(factors: { A: Matrix; G: Matrix }, damping: number, scheme: KfacDampingScheme): KfacPreconditioner {
  return kfacPreconditioners([factors], damping, scheme)[0];
}

/**
 * kfacPreconditioner of every block, the same results: the damped factors'
 * Cholesky inverses of all blocks are computed together, so that with more
 * than one linalg thread the independent inverses run at once.
 */
export function kfacPreconditioners(blocks: readonly { A: Matrix; G: Matrix }[], damping: number, scheme: KfacDampingScheme): KfacPreconditioner[] {
  requireDamping(damping, scheme);
  const damped = blocks.map(({ A, G }) => dampedFactors(A, G, damping, scheme));
  const inverses = choleskyInverses(damped.flatMap((d) => d ?? []));
  let next = 0;
  return blocks.map(({ A, G }, b) => {
    const d = damped[b];
    if (d) {
      const gInv = provablyRegular(d[0], inverses[next++]);
      const aInv = provablyRegular(d[1], inverses[next++]);
      if (gInv && aInv) {
        return {
          apply: (gradient: Matrix) => matmul(matmul(gInv, checkGradient(gradient, G, A)), aInv),
          singular: false,
          method: 'cholesky' as const,
        };
      }
    }
    return eigenPreconditioner(A, G, damping, scheme);
  });
}

/** The damped factors [G + (c/π) I, A + π c I] (c = sqrt(λ)) whose Cholesky inverses the factored schemes try, or null for the spectral path. */
function dampedFactors(A: Matrix, G: Matrix, damping: number, scheme: KfacDampingScheme): [Matrix, Matrix] | null {
  const c = Math.sqrt(damping);
  if (scheme === 'exact' || !(c > 0)) return null;
  const pi = scheme === 'pi-factored' ? piFactor(A, G) : 1;
  return [addScaledIdentity(G, c / pi), addScaledIdentity(A, pi * c)];
}

/** The inverse of the symmetric m, or null when its Cholesky failed (m not positive definite) or 1/||m⁻¹||_∞ <= KFAC_RCOND ||m||_∞. */
function provablyRegular(m: Matrix, inv: Matrix | NatgradError): Matrix | null {
  if (inv instanceof NatgradError) return null;
  const norm = normInf(m);
  const invNorm = normInf(inv);
  return Number.isFinite(invNorm) && 1 / invNorm > KFAC_RCOND * norm ? inv : null;
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
    singular = zeroBelowCut(D);
  } else {
    const pi = scheme === 'pi-factored' ? piFactor(A, G) : 1;
    const dg = eg.values.map((v) => v + c / pi);
    const da = ea.values.map((v) => v + pi * c);
    const sg = zeroBelowCut(dg);
    const sa = zeroBelowCut(da);
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
 * The damped K-FAC update of one block, kfacPreconditioner(factors, damping,
 * scheme).apply(gradient): through the eigendecompositions G = Q_G Λ_G Q_Gᵀ and
 * A = Q_A Λ_A Q_Aᵀ, update = Q_G [(Q_Gᵀ grad Q_A) ./ D] Q_Aᵀ with
 * * factored:    D_ij = (λ_G,i + sqrt(λ)) (λ_A,j + sqrt(λ));
 * * pi-factored: D_ij = (λ_G,i + sqrt(λ)/pi) (λ_A,j + pi sqrt(λ));
 * * exact:       D_ij = λ_G,i λ_A,j + λ;
 * or by Cholesky inverses of the damped factors where that provably gives the
 * same result to rounding. A damped eigenvalue (each factor for the factored
 * schemes, each product for exact) at most KFAC_RCOND times the largest
 * counts as zero: its component is dropped (pseudo-inverse) and `singular` is true.
 */
export function kfacUpdate(factors: KfacFactors, damping: number, scheme: KfacDampingScheme): { update: Matrix; singular: boolean } {
  const p = kfacPreconditioner(factors, damping, scheme);
  return { update: p.apply(factors.gradient), singular: p.singular };
}

/**
 * (G + δ I)^-1 for a separate bias, δ = λ (exact) or sqrt(λ) (the factored
 * schemes), through G's eigendecomposition with the pseudo-inverse cut.
 */
export function biasPreconditioner(G: Matrix, damping: number, scheme: KfacDampingScheme): { apply(db: Vec): Vec; singular: boolean } {
  requireDamping(damping, scheme);
  const { values, vectors } = eigSymmetric(G, 'G');
  const d = values.map((v) => v + (scheme === 'exact' ? damping : Math.sqrt(damping)));
  const singular = zeroBelowCut(d);
  return {
    apply(db) {
      const y = matTvec(vectors, db);
      for (let i = 0; i < y.length; i++) y[i] = d[i] === 0 ? 0 : y[i] / d[i];
      return matvec(vectors, y);
    },
    singular,
  };
}

/** A block's damped inverse applied to parameter vectors: reads the block's entries of g, writes its entries of out. */
export interface KfacBlockPreconditioner {
  readonly block: KfacBlockLayout;
  applyTo(g: ArrayLike<number>, out: Vec): void;
  readonly singular: boolean;
  readonly method: 'cholesky' | 'eigen';
}

/** The damped inverse of one block (and of its separate bias), on parameter vectors. */
export function kfacBlockPreconditioner(block: KfacBlock, damping: number, scheme: KfacDampingScheme): KfacBlockPreconditioner {
  return kfacBlockPreconditioners([block], damping, scheme)[0];
}

/** kfacBlockPreconditioner of every block, the same results, the blocks' factor inverses computed together (kfacPreconditioners). */
export function kfacBlockPreconditioners(blocks: readonly KfacBlock[], damping: number, scheme: KfacDampingScheme): KfacBlockPreconditioner[] {
  const weights = kfacPreconditioners(blocks, damping, scheme);
  return blocks.map((block, b) => {
    const weight = weights[b];
    const bias = !jointBias(block) && block.biasOffset !== null ? biasPreconditioner(block.G, damping, scheme) : null;
    return {
      block,
      applyTo(g: ArrayLike<number>, out: Vec) {
        scatterBlockMatrix(block, weight.apply(blockMatrix(block, g)), out);
        if (bias) out.set(bias.apply(blockBias(block, g) as Vec), block.biasOffset as number);
      },
      singular: weight.singular || (bias?.singular ?? false),
      method: weight.method,
    };
  });
}

function requireParamVector(v: Vec, P: number): void {
  if (!(v instanceof Float64Array) || v.length !== P)
    throw new NatgradError('v', `must be a Float64Array of ${P} entries (one per parameter), got ${v?.length ?? typeof v}`);
}

/** Columns e_i mapped by `apply`: the dense form of an operator on parameter vectors. */
function denseByColumns(P: number, apply: (v: Vec) => Vec): Matrix {
  const M = new Matrix(P, P);
  const e = new Float64Array(P);
  for (let j = 0; j < P; j++) {
    e.fill(0);
    e[j] = 1;
    const col = apply(e);
    for (let i = 0; i < P; i++) M.data[i * P + j] = col[i];
  }
  return M;
}

/**
 * The damped K-FAC inverse of every block as an operator on parameter
 * vectors (P of them); parameters in no block map to 0.
 */
export function kfacInverseOperator(P: number, preconditioners: readonly KfacBlockPreconditioner[]): LinearOperator {
  const apply = (v: Vec): Vec => {
    requireParamVector(v, P);
    const out = new Float64Array(P);
    for (const p of preconditioners) p.applyTo(v, out);
    return out;
  };
  return { shape: [P, P] as const, matvec: apply, rmatvec: apply, dense: () => denseByColumns(P, apply) };
}

/**
 * The K-FAC curvature (block-diagonal, block G ⊗ A over the parameter
 * positions of [W b], and G over a separate bias) as an operator on
 * parameter vectors of length P; parameters in no block map to 0.
 */
export function kfacOperator(P: number, blocks: readonly KfacBlock[]): LinearOperator;
/**
 * The version-1 form: the K-FAC curvature of an MLP's layers (joint bias,
 * layer l's block G_l ⊗ A_l over [W_l b_l]), also on parameter vectors.
 */
export function kfacOperator(spec: MlpSpec, layers: readonly { A: Matrix; G: Matrix }[]): LinearOperator;
export function kfacOperator(first: number | MlpSpec, second: readonly KfacBlock[] | readonly { A: Matrix; G: Matrix }[]): LinearOperator {
  if (typeof first === 'number') return parameterKfacOperator(first, second as readonly KfacBlock[]);
  const spec = requireMlpSpecArgument(first, 'kfacOperator(spec, layers)');
  return parameterKfacOperator(
    paramCount(spec),
    withMlpLayouts(spec, second, 'layers', (l) => [l.G.rows, l.A.rows]),
  );
}

/**
 * The first argument of a version-1 operator: an MLP spec. An array there is
 * the former block-order call, refused (its operator would act on another
 * order than the parameter vector's and give a silently wrong answer).
 */
export function requireMlpSpecArgument(spec: unknown, form: string): MlpSpec {
  if (Array.isArray(spec) || typeof spec !== 'object' || spec === null) {
    throw new NatgradError(
      'spec',
      `must be the MLP's spec: the operator acts on parameter vectors (${form}), got ${Array.isArray(spec) ? 'an array of layers' : typeof spec}`,
    );
  }
  validateMlpSpec(spec as MlpSpec, 'spec');
  return spec as MlpSpec;
}

/**
 * Where each weight matrix of an MLP lives in its parameter vector (per
 * layer W row-major, then b), as the blocks of K-FAC with a joint bias.
 */
export function mlpKfacLayouts(spec: MlpSpec): KfacBlockLayout[] {
  const offsets = layerOffsets(spec);
  return Array.from({ length: layerCount(spec) }, (_, l): KfacBlockLayout => {
    const out = spec.sizes[l + 1];
    const fanIn = spec.sizes[l];
    const bias = layerHasBias(spec, l);
    return {
      name: `L${l + 1}.W`,
      layer: l,
      out,
      fanIn,
      positions: 1,
      weightOffset: offsets[l],
      biasOffset: bias ? offsets[l] + out * fanIn : null,
      bias: 'joint',
      cols: fanIn + (bias ? 1 : 0),
    };
  });
}

/**
 * Per-layer matrices joined to the layouts of the MLP's weight matrices: one per layer, whose
 * `sides` (the sizes of its G and A sides) are its layer's out and cols.
 */
export function withMlpLayouts<T extends object>(
  spec: MlpSpec,
  layers: readonly T[],
  path: string,
  sides: (layer: T) => readonly [number, number],
): (KfacBlockLayout & T)[] {
  const layouts = mlpKfacLayouts(spec);
  if (!Array.isArray(layers) || layers.length !== layouts.length) {
    throw new NatgradError(path, `must have one entry per layer of the MLP (${layouts.length}), got ${Array.isArray(layers) ? layers.length : typeof layers}`);
  }
  return layers.map((l, k) => {
    const [out, cols] = sides(l);
    if (out !== layouts[k].out || cols !== layouts[k].cols) {
      throw new NatgradError(
        `${path}[${k}]`,
        `must be of layer ${k + 1}'s shape (${layouts[k].out} outputs by ${layouts[k].cols} columns of [W b]), got ${out} by ${cols}`,
      );
    }
    return { ...l, ...layouts[k] };
  });
}

function parameterKfacOperator(P: number, blocks: readonly KfacBlock[]): LinearOperator {
  const apply = (v: Vec): Vec => {
    requireParamVector(v, P);
    const out = new Float64Array(P);
    for (const b of blocks) {
      scatterBlockMatrix(b, matmul(matmul(b.G, blockMatrix(b, v)), b.A), out);
      if (!jointBias(b) && b.biasOffset !== null) out.set(matvec(b.G, blockBias(b, v) as Vec), b.biasOffset);
    }
    return out;
  };
  const dense = (): Matrix => {
    const M = new Matrix(P, P);
    for (const b of blocks) {
      for (let i = 0; i < b.out; i++) {
        for (let j = 0; j < b.cols; j++) {
          const row = blockIndex(b, i, j) * P;
          for (let i2 = 0; i2 < b.out; i2++) {
            const g = b.G.data[i * b.out + i2];
            for (let j2 = 0; j2 < b.cols; j2++) M.data[row + blockIndex(b, i2, j2)] = g * b.A.data[j * b.cols + j2];
          }
        }
      }
      if (!jointBias(b) && b.biasOffset !== null) {
        for (let i = 0; i < b.out; i++) for (let i2 = 0; i2 < b.out; i2++) M.data[(b.biasOffset + i) * P + b.biasOffset + i2] = b.G.data[i * b.out + i2];
      }
    }
    return M;
  };
  return { shape: [P, P] as const, matvec: apply, rmatvec: apply, dense };
}

/** One weight matrix's entry of a K-FAC result. */
export interface KfacResultBlock extends KfacBlockLayout {
  A: Matrix;
  /** for a Monte Carlo Fisher, its exact expectation */
  G: Matrix;
  /** out x cols */
  gradient: Matrix;
  /** out x cols; null for a Monte Carlo Fisher (the expectation of an update is not the update of the expectation) */
  update: Matrix | null;
  singular: boolean;
  /** the separate bias's gradient and update (null for a joint bias or no bias) */
  biasGradient: Vec | null;
  biasUpdate: Vec | null;
  /** for a Monte Carlo Fisher, the exact standard deviation of each entry of the M-sample G */
  standardError: { G: Matrix } | null;
}

export interface KfacResultOptions extends KfacFactorOptions {
  /** λ >= 0 [0] */
  damping?: number;
  /** ['factored'] */
  dampingScheme?: KfacDampingScheme;
}

/**
 * The oracle's `kfac` kind for any Sequential model: per weight matrix A, G,
 * the gradient and the damped update, and the loss. For `fisher:
 * 'monte-carlo'`, G is the exact expectation of the M-sample estimate
 * (`samples`), with its standard errors, and there is no update.
 */
export function kfacResult(model: Sequential, theta: Vec, batch: Batch, options: KfacResultOptions = {}): { loss: number; blocks: KfacResultBlock[] } {
  const monteCarlo = requireOneOf(options.fisher ?? 'fisher', KFAC_FISHER_TYPES, 'fisher') === 'monte-carlo';
  // a Monte Carlo result is the estimator's exact expectation: no labels are drawn
  const o = kfacFactorOptions({ ...options, fisher: monteCarlo ? 'fisher' : options.fisher });
  const damping = requireNonNegative(options.damping ?? 0, 'damping');
  const scheme = requireOneOf(options.dampingScheme ?? 'factored', KFAC_DAMPING_SCHEMES, 'dampingScheme');
  const set = kfacFactors(model, theta, batch, { fisher: o.fisher, approximation: o.approximation, bias: o.bias });
  const se = monteCarlo ? monteCarloGStandardErrors(model, theta, batch, o.approximation, o.samples) : null;
  const g = set.gradient as Vec;
  const blocks = set.blocks.map((b, k): KfacResultBlock => {
    const gradient = blockMatrix(b, g);
    const separate = !jointBias(b) && b.biasOffset !== null;
    const biasGradient = separate ? blockBias(b, g) : null;
    let update: Matrix | null = null;
    let biasUpdate: Vec | null = null;
    let singular = false;
    if (!monteCarlo) {
      const u = kfacUpdate({ A: b.A, G: b.G, gradient }, damping, scheme);
      update = u.update;
      singular = u.singular;
      if (separate) {
        const bp = biasPreconditioner(b.G, damping, scheme);
        biasUpdate = bp.apply(biasGradient as Vec);
        singular ||= bp.singular;
      }
    }
    return { ...b, gradient, update, singular, biasGradient, biasUpdate, standardError: se ? { G: se[k] } : null };
  });
  return { loss: set.loss, blocks };
}

/**
 * The oracle's version-1 `kfac` kind for an MLP: per layer A, G, gradient and
 * damped update (joint bias), and the mean loss. Validates every input (JSON
 * paths below `path`).
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
  const { model, theta, batch } = mlpProblem(spec, weights, inputs, targets);
  const { loss, blocks } = kfacResult(model, theta, batch, { fisher, damping, dampingScheme: scheme });
  return { loss, layers: blocks.map((b) => ({ A: b.A, G: b.G, gradient: b.gradient, update: b.update as Matrix, singular: b.singular })) };
}

/** Per-layer out x (in+1) matrices [W_l b_l] (bias last column) as one parameter-order vector. */
export function paramsFromLayerMatrices(spec: MlpSpec, mats: readonly Matrix[]): Vec {
  const v = new Float64Array(paramCount(spec));
  mlpKfacLayouts(spec).forEach((layout, l) => scatterBlockMatrix(layout, mats[l], v));
  return v;
}
