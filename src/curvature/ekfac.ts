/**
 * Eigenvalue-corrected K-FAC (EKFAC): keep K-FAC's Kronecker eigenbasis
 * Q = Q_G ⊗ Q_A of each weight matrix (G = Q_G Λ_G Q_Gᵀ, A = Q_A Λ_A Q_Aᵀ) but
 * replace the Kronecker eigenvalues λ_G,i λ_A,j by the second moments of the
 * per-example gradients in that basis,
 *   s_ij = c sum_n E_y[((Q_Gᵀ Γ_n Q_A)_ij)²],  Γ_n = sum_r g_{n,r} ā_{n,r}ᵀ,
 * Γ_n being example n's gradient of [W b] (summed over the R positions that
 * share the matrix), so that the block is Q diag(s) Qᵀ. s is the diagonal of
 * Qᵀ F Q for the exact Fisher block F: among all matrices diagonal in the
 * basis Q this is the Frobenius-closest to F, and K-FAC is one of them, so
 * EKFAC is never farther from the Fisher block than K-FAC.
 *
 * Blocks act on parameter vectors as in kfac.ts (joint bias: [W b]).
 *
 * Reference: T. George, C. Laurent, X. Bouthillier, N. Ballas and P. Vincent,
 * "Fast approximate natural gradient descent in a Kronecker-factored
 * eigenbasis", NeurIPS 2018.
 */
import { NatgradError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { requireIntegerInRange, requireNonNegative, requireOneOf } from '../core/validate.js';
import type { Vec } from '../core/vec.js';
import { pseudoReciprocals } from '../linalg/eigen-cut.js';
import { eigSymmetric } from '../linalg/eigen-symmetric.js';
import { gemm } from '../linalg/kernels/gemm.js';
import type { LinearOperator } from '../linalg/linear-operator.js';
import { Matrix } from '../linalg/matrix.js';
import { matmul, matmulNT, matmulTN } from '../linalg/ops.js';
import type { Target } from '../models/likelihoods.js';
import { type LayerWeights, type MlpSpec, mlpProblem, paramCount } from '../models/mlp.js';
import { type Batch, type KfacStatistics, Sequential } from '../models/sequential.js';
import { Tensor } from '../models/tensor.js';
import {
  type KfacApproximation,
  type KfacBlock,
  type KfacBlockLayout,
  type KfacFisherKind,
  type KfacFisherType,
  KFAC_APPROXIMATIONS,
  KFAC_FISHER_KINDS,
  KFAC_FISHER_TYPES,
  blockIndex,
  blockMatrix,
  kfacFactors,
  scatterBlockMatrix,
} from './kfac-factors.js';
import { KFAC_RCOND, requireMlpSpecArgument, withMlpLayouts } from './kfac.js';
import { checkProblem } from './model-curvature.js';
import { type StabilityOptions, stabilizedEigenvalues } from './stability.js';

/** The Kronecker eigenbasis of one block: Q_G (out x out) and Q_A (cols x cols). */
export interface EkfacBasis {
  QG: Matrix;
  QA: Matrix;
}

/** One block's EKFAC curvature: where it lives, its basis and the out x cols scalings s_ij. */
export interface EkfacBlock extends KfacBlockLayout, EkfacBasis {
  scalings: Matrix;
}

/** The eigenbases of K-FAC factors. */
export function ekfacBases(blocks: readonly { A: Matrix; G: Matrix }[]): EkfacBasis[] {
  return blocks.map(({ A, G }, l) => ({ QG: eigSymmetric(G, `blocks[${l}].G`).vectors, QA: eigSymmetric(A, `blocks[${l}].A`).vectors }));
}

/** Options of the scalings; defaults in brackets. */
export interface EkfacScalingOptions {
  /** ['fisher'] */
  fisher?: KfacFisherType;
  /** label draws per example for 'monte-carlo' [1] */
  samples?: number;
  /** drives the draws of 'monte-carlo' */
  rng?: Rng;
}

/**
 * The scalings s_ij in fixed bases (a stale basis is allowed: EKFAC
 * re-estimates the scalings more often than the basis), one per block of
 * `layouts` (the blocks of kfacFactors, joint bias). `fisher`: exact
 * expectation over y through the output Fisher's square-root rows;
 * `empirical-fisher`: y the target; `monte-carlo`: M labels drawn per example.
 */
export function ekfacScalings(
  model: Sequential,
  theta: Vec,
  batch: Batch,
  layouts: readonly KfacBlockLayout[],
  bases: readonly EkfacBasis[],
  options?: EkfacScalingOptions,
): Matrix[];
/** The version-1 form for an MLP's layers (joint bias), `kind` the Fisher (pass targets sampled from the model for a Monte Carlo one). */
export function ekfacScalings(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  targets: readonly Target[],
  kind: KfacFisherKind,
  bases: readonly EkfacBasis[],
): Matrix[];
export function ekfacScalings(...args: unknown[]): Matrix[] {
  if (args[0] instanceof Sequential) {
    const [model, theta, batch, layouts, bases, options] = args as [Sequential, Vec, Batch, KfacBlockLayout[], EkfacBasis[], EkfacScalingOptions | undefined];
    return modelEkfacScalings(model, theta, batch, layouts, bases, options);
  }
  const [spec, weights, inputs, targets, kind, bases] = args as [MlpSpec, LayerWeights[], Vec[], Target[], KfacFisherKind, EkfacBasis[]];
  requireOneOf(kind, KFAC_FISHER_KINDS, 'fisher');
  const { model, theta, batch } = mlpProblem(spec, weights, inputs, targets);
  const layouts = kfacFactors(model, theta, batch, { fisher: kind, gradient: false }).blocks;
  return modelEkfacScalings(model, theta, batch, layouts, bases, { fisher: kind });
}

function modelEkfacScalings(
  model: Sequential,
  theta: Vec,
  batch: Batch,
  layouts: readonly KfacBlockLayout[],
  bases: readonly EkfacBasis[],
  options: EkfacScalingOptions = {},
): Matrix[] {
  const fisher = requireOneOf(options.fisher ?? 'fisher', KFAC_FISHER_TYPES, 'fisher');
  const M = requireIntegerInRange(options.samples ?? 1, 'samples', 1);
  checkProblem(model, theta, batch);
  const N = batch.x.batch;
  const trace = model.forward(theta, batch.x);
  const c = model.scale(N);
  let rows: Tensor;
  let weight = c;
  if (fisher === 'fisher') rows = model.loss.fisherSqrtRows(trace.output).rows;
  else if (fisher === 'empirical-fisher') rows = model.loss.lossAndGradient(trace.output, batch.targets).gradient;
  else {
    if (!options.rng) throw new NatgradError('rng', 'a Monte Carlo EKFAC draws labels and needs a seeded rng');
    const O = trace.output.exampleSize;
    rows = Tensor.zeros(N * M, model.outputShape);
    for (let s = 0; s < M; s++) {
      const g = model.loss.lossAndGradient(trace.output, model.loss.sample(trace.output, options.rng)).gradient;
      for (let n = 0; n < N; n++) rows.data.set(g.data.subarray(n * O, (n + 1) * O), (n * M + s) * O);
    }
    weight = c / M;
  }
  const { statistics } = model.collect(theta, trace, rows);
  if (statistics.length !== bases.length || layouts.length !== bases.length) {
    throw new NatgradError('bases', `must have one basis per weight matrix (${statistics.length}), got ${bases.length}`);
  }
  return statistics.map((s, k) => blockScalings(s, layouts[k], bases[k], weight));
}

/** s = w sum_m ((D_m Q_G)ᵀ (Ā_n Q_A))², D_m the R x out output gradients of row m, Ā_n the R x cols inputs of its example. */
function blockScalings(s: KfacStatistics, layout: KfacBlockLayout, { QG, QA }: EkfacBasis, weight: number): Matrix {
  const { out, fanIn, positions: R } = s.block;
  const k = layout.cols;
  const N = s.examples;
  const S = s.rowsPerExample;
  if (QG.rows !== out || QA.rows !== k)
    throw new NatgradError(
      'bases',
      `a basis of ${layout.name} must be ${out} x ${out} and ${k} x ${k}, got ${QG.rows} x ${QG.rows} and ${QA.rows} x ${QA.rows}`,
    );
  // the rotated inputs Ā Q_A (N R x k) and output gradients D Q_G ((N S) R x out)
  const abar = new Float64Array(N * R * k);
  for (let q = 0; q < N * R; q++) {
    abar.set(s.inputs.subarray(q * fanIn, (q + 1) * fanIn), q * k);
    if (k > fanIn) abar[q * k + fanIn] = 1;
  }
  const Ar = new Float64Array(N * R * k);
  gemm(false, false, N * R, k, k, 1, abar, 0, k, QA.data, 0, k, 0, Ar, 0, k);
  const Dr = new Float64Array(N * S * R * out);
  gemm(false, false, N * S * R, out, out, 1, s.outputGradients, 0, out, QG.data, 0, out, 0, Dr, 0, out);
  const out2 = new Matrix(out, k);
  if (R === 1) {
    // (d_i a_j)² = d_i² a_j²: one product per row offset of an example
    for (let i = 0; i < Ar.length; i++) Ar[i] *= Ar[i];
    for (let i = 0; i < Dr.length; i++) Dr[i] *= Dr[i];
    for (let j = 0; j < S; j++) gemm(true, false, out, k, N, weight, Dr, j * out, S * out, Ar, 0, k, 1, out2.data, 0, k);
    return out2;
  }
  const Gm = new Float64Array(out * k);
  for (let m = 0; m < N * S; m++) {
    const n = Math.floor(m / S);
    gemm(true, false, out, k, R, 1, Dr, m * R * out, out, Ar, n * R * k, k, 0, Gm, 0, k);
    for (let q = 0; q < out * k; q++) out2.data[q] += weight * Gm[q] * Gm[q];
  }
  return out2;
}

/** Options of ekfacBlocks; defaults in brackets. */
export interface EkfacBlockOptions extends EkfacScalingOptions {
  /** the factors whose eigenbasis is kept ['expand'] */
  approximation?: KfacApproximation;
}

/** EKFAC of a model: K-FAC factors (joint bias), their eigenbases and the re-estimated scalings. */
export function ekfacBlocks(
  model: Sequential,
  theta: Vec,
  batch: Batch,
  options: EkfacBlockOptions = {},
): { loss: number; gradient: Vec; blocks: EkfacBlock[] } {
  const approximation = requireOneOf(options.approximation ?? 'expand', KFAC_APPROXIMATIONS, 'approximation');
  const set = kfacFactors(model, theta, batch, { ...options, approximation, bias: 'joint' });
  const bases = ekfacBases(set.blocks);
  const scalings = modelEkfacScalings(model, theta, batch, set.blocks, bases, options);
  return { loss: set.loss, gradient: set.gradient as Vec, blocks: set.blocks.map((b, k) => layoutWith(b, bases[k], scalings[k])) };
}

function layoutWith(b: KfacBlock | KfacBlockLayout, basis: EkfacBasis, scalings: Matrix): EkfacBlock {
  const { name, layer, out, fanIn, positions, weightOffset, biasOffset, bias, cols } = b;
  return { name, layer, out, fanIn, positions, weightOffset, biasOffset, bias, cols, ...basis, scalings };
}

/** An EKFAC block of explicit bases and scalings (for running averages kept by an optimizer). */
export function ekfacBlock(layout: KfacBlockLayout, basis: EkfacBasis, scalings: Matrix): EkfacBlock {
  return layoutWith(layout, basis, scalings);
}

/** Q_G [(Q_Gᵀ X Q_A) ∘ w] Q_Aᵀ for the out x cols block matrix X. */
function spectralApply({ QG, QA }: EkfacBasis, w: Float64Array, X: Matrix): Matrix {
  const C = matmul(matmulTN(QG, X), QA);
  for (let i = 0; i < C.data.length; i++) C.data[i] *= w[i];
  return matmulNT(matmul(QG, C), QA);
}

function blockOperator(P: number, blocks: readonly EkfacBlock[], weights: readonly Float64Array[]): LinearOperator {
  const apply = (v: Vec): Vec => {
    if (!(v instanceof Float64Array) || v.length !== P) throw new NatgradError('v', `must be a Float64Array of ${P} entries (one per parameter)`);
    const out = new Float64Array(P);
    blocks.forEach((b, k) => scatterBlockMatrix(b, spectralApply(b, weights[k], blockMatrix(b, v)), out));
    return out;
  };
  const dense = (): Matrix => {
    const M = new Matrix(P, P);
    blocks.forEach((b, k) => {
      const D = ekfacBlockMatrix(b, weights[k]);
      const n = b.out * b.cols;
      for (let p = 0; p < n; p++) {
        const row = blockIndex(b, Math.floor(p / b.cols), p % b.cols) * P;
        for (let q = 0; q < n; q++) M.data[row + blockIndex(b, Math.floor(q / b.cols), q % b.cols)] = D.data[p * n + q];
      }
    });
    return M;
  };
  return { shape: [P, P] as const, matvec: apply, rmatvec: apply, dense };
}

/**
 * One block as a dense matrix over the row-major flattened [W b]:
 * (Q_G ⊗ Q_A) diag(vecRow w) (Q_G ⊗ Q_A)ᵀ (w the scalings by default).
 */
export function ekfacBlockMatrix(b: EkfacBlock, w: Float64Array = b.scalings.data): Matrix {
  const n = b.out * b.cols;
  const Q = new Matrix(n, n);
  for (let i = 0; i < b.out; i++) {
    for (let j = 0; j < b.cols; j++) {
      for (let i2 = 0; i2 < b.out; i2++) {
        const g = b.QG.data[i * b.out + i2];
        for (let j2 = 0; j2 < b.cols; j2++) Q.data[(i * b.cols + j) * n + i2 * b.cols + j2] = g * b.QA.data[j * b.cols + j2];
      }
    }
  }
  const QW = new Matrix(n, n);
  for (let p = 0; p < n; p++) for (let q = 0; q < n; q++) QW.data[p * n + q] = Q.data[p * n + q] * w[q];
  return matmulNT(QW, Q);
}

/** The EKFAC curvature on parameter vectors of length P: block Q diag(s) Qᵀ over each [W b]. */
export function ekfacOperator(P: number, blocks: readonly EkfacBlock[]): LinearOperator;
/** The version-1 form: an MLP's EKFAC layers (joint bias), also on parameter vectors. */
export function ekfacOperator(spec: MlpSpec, layers: readonly EkfacLayer[]): LinearOperator;
export function ekfacOperator(first: number | MlpSpec, second: readonly EkfacBlock[] | readonly EkfacLayer[]): LinearOperator {
  const [P, bs] = parameterBlocks(first, second, 'ekfacOperator(spec, layers)');
  return blockOperator(
    P,
    bs,
    bs.map((b) => b.scalings.data),
  );
}

/**
 * The preconditioner on parameter vectors: block Q diag(1/μ) Qᵀ with μ the
 * scalings stabilized by `o` (damping, clipping, condition guard: see
 * stability.ts), so it is symmetric positive definite and finite for any
 * damping >= 0.
 */
export function ekfacInverseOperator(P: number, blocks: readonly EkfacBlock[], o?: StabilityOptions): LinearOperator;
/** The version-1 form for an MLP's layers, also on parameter vectors. */
export function ekfacInverseOperator(spec: MlpSpec, layers: readonly EkfacLayer[], o?: StabilityOptions): LinearOperator;
export function ekfacInverseOperator(first: number | MlpSpec, second: readonly EkfacBlock[] | readonly EkfacLayer[], o: StabilityOptions = {}): LinearOperator {
  const [P, bs] = parameterBlocks(first, second, 'ekfacInverseOperator(spec, layers, options)');
  return blockOperator(
    P,
    bs,
    bs.map((b) => stabilizedEigenvalues(b.scalings.data, o).map((m) => 1 / m)),
  );
}

/** The blocks on parameter vectors of either form: (P, blocks), or an MLP's spec and layers. */
function parameterBlocks(first: number | MlpSpec, second: readonly EkfacBlock[] | readonly EkfacLayer[], form: string): [number, readonly EkfacBlock[]] {
  if (typeof first === 'number') return [first, second as readonly EkfacBlock[]];
  const spec = requireMlpSpecArgument(first, form);
  return [paramCount(spec), withMlpLayouts(spec, second as readonly EkfacLayer[], 'layers', (l) => [l.QG.rows, l.QA.rows])];
}

/** One MLP layer's EKFAC curvature of the version-1 form: basis and out x (in+1) scalings. */
export interface EkfacLayer extends EkfacBasis {
  scalings: Matrix;
}

/** The version-1 EKFAC of an MLP: per layer (joint bias) the K-FAC eigenbasis and the re-estimated scalings. */
export function ekfacLayers(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  targets: readonly Target[],
  kind: KfacFisherKind,
): EkfacLayer[] {
  requireOneOf(kind, KFAC_FISHER_KINDS, 'fisher');
  const { model, theta, batch } = mlpProblem(spec, weights, inputs, targets);
  return ekfacBlocks(model, theta, batch, { fisher: kind }).blocks.map(({ QG, QA, scalings }) => ({ QG, QA, scalings }));
}

/** One block's entry of the oracle's `ekfac` kind. */
export interface EkfacResultBlock extends EkfacBlock {
  /** the block over the row-major flattened [W b] */
  matrix: Matrix;
  /** out x cols */
  gradient: Matrix;
  /** vecRow(update) = (matrix + λ I)^-1 vecRow(gradient), out x cols */
  update: Matrix;
}

/**
 * The oracle's `ekfac` kind for any Sequential model: per weight matrix the
 * corrected block, the gradient and the update with the damping added to the
 * corrected eigenvalues (exact in that basis), and the loss.
 */
export function ekfacResult(
  model: Sequential,
  theta: Vec,
  batch: Batch,
  options: EkfacBlockOptions & { damping?: number } = {},
): { loss: number; blocks: EkfacResultBlock[] } {
  const damping = requireNonNegative(options.damping ?? 0, 'damping');
  const { loss, gradient, blocks } = ekfacBlocks(model, theta, batch, options);
  return {
    loss,
    blocks: blocks.map((b) => {
      const grad = blockMatrix(b, gradient);
      // a damped eigenvalue at most KFAC_RCOND times the largest counts as 0 (pseudo-inverse), as for K-FAC
      const d = b.scalings.data.map((s) => s + damping);
      const { inv } = pseudoReciprocals(d, KFAC_RCOND);
      return { ...b, matrix: ekfacBlockMatrix(b), gradient: grad, update: spectralApply(b, inv, grad) };
    }),
  };
}
