/**
 * The Kronecker factors of K-FAC for every weight matrix of a Sequential
 * model, from the statistics its layers report (Sequential.collect): the
 * inputs a_{n,r} at each of the R positions that share the matrix (tokens,
 * conv patches in `unfold` order, attention's projections) and the gradients
 * g_{n,r} of -log p(y | x_n) with respect to its pre-activation outputs.
 *
 * With ā = [a; 1] for a matrix with a bias under the joint treatment (a
 * alone otherwise), c the loss's reduction factor and E over y ~ p(.|x_n)
 * (exact, through the output Fisher's square-root rows; the targets for the
 * empirical Fisher; M sampled labels averaged for the Monte Carlo one):
 * * `expand` (Grosse and Martens 2016; Eschenhagen et al. 2023):
 *   A = (1/(N R)) sum_n sum_r ā ā ᵀ,  G = c sum_n E[sum_r g gᵀ];
 * * `reduce` (Eschenhagen et al. 2023): â_n = (1/R) sum_r ā_{n,r},
 *   ĝ_n = sum_r g_{n,r}:  A = (1/N) sum_n â â ᵀ,  G = c sum_n E[ĝ ĝᵀ].
 * A is always an average (over examples, and positions as the approximation
 * says); the whole reduction factor is in G. For R = 1 both are the factors
 * of Martens and Grosse (2015). `separate` bias: A from the inputs alone, and
 * the bias gets the block G.
 *
 * References: J. Martens and R. Grosse, "Optimizing neural networks with
 * Kronecker-factored approximate curvature", ICML 2015; R. Grosse and
 * J. Martens, "A Kronecker-factored approximate Fisher matrix for convolution
 * layers", ICML 2016; R. Eschenhagen, A. Immer, R. Turner, F. Schneider and
 * P. Hennig, "Kronecker-factored approximate curvature for modern neural
 * network architectures", NeurIPS 2023.
 */
import { NatgradError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { requireIntegerInRange, requireOneOf } from '../core/validate.js';
import type { Vec } from '../core/vec.js';
import { syrk } from '../linalg/kernels/syrk.js';
import { Matrix } from '../linalg/matrix.js';
import type { ExampleTarget } from '../models/output-loss.js';
import type { Target } from '../models/likelihoods.js';
import { type LayerWeights, type MlpSpec, mlpProblem } from '../models/mlp.js';
import { type Batch, type KfacStatistics, Sequential, type SequentialTrace } from '../models/sequential.js';
import { Tensor } from '../models/tensor.js';
import { outcomeWeights, sharedStatisticVariance, standardErrors, vectorStatisticVariance } from './label-moments.js';
import { checkProblem } from './model-curvature.js';

/** The Fisher of the contract's version 1: exact expectation, or at the training labels. */
export type KfacFisherKind = 'fisher' | 'empirical-fisher';
export const KFAC_FISHER_KINDS: readonly KfacFisherKind[] = ['fisher', 'empirical-fisher'];

/** Every Fisher K-FAC can approximate: also `monte-carlo`, labels drawn from the model. */
export type KfacFisherType = KfacFisherKind | 'monte-carlo';
export const KFAC_FISHER_TYPES: readonly KfacFisherType[] = ['fisher', 'empirical-fisher', 'monte-carlo'];

/** How a weight matrix shared by R positions is factored. */
export type KfacApproximation = 'expand' | 'reduce';
export const KFAC_APPROXIMATIONS: readonly KfacApproximation[] = ['expand', 'reduce'];

/** Whether the bias joins the weight's Kronecker block (ā = [a; 1]) or has its own block G. */
export type KfacBias = 'joint' | 'separate';
export const KFAC_BIAS_MODES: readonly KfacBias[] = ['joint', 'separate'];

/** Options of kfacFactors; defaults in brackets. */
export interface KfacFactorOptions {
  /** ['fisher'] */
  fisher?: KfacFisherType;
  /** ['expand'] */
  approximation?: KfacApproximation;
  /** ['joint'] */
  bias?: KfacBias;
  /** label draws per example for 'monte-carlo' [1] */
  samples?: number;
  /** drives the draws of 'monte-carlo' (required there) */
  rng?: Rng;
  /** also return the loss gradient [true] */
  gradient?: boolean;
}

/** Where a weight matrix lives in the parameter vector and how its block is laid out. */
export interface KfacBlockLayout {
  /** `L<l>.W`, `L<l>.in_proj`, `L<l>.out_proj` (l 1-based) */
  readonly name: string;
  /** the layer's 0-based index */
  readonly layer: number;
  readonly out: number;
  readonly fanIn: number;
  /** R */
  readonly positions: number;
  /** W (out x fanIn, row-major) starts here in the parameter vector */
  readonly weightOffset: number;
  /** b starts here, or null without bias */
  readonly biasOffset: number | null;
  /** 'joint': the block is over [W b] (bias last column); 'separate': W's block, and b's own */
  readonly bias: KfacBias;
  /** columns of the block's matrices: fanIn, plus 1 for a joint bias */
  readonly cols: number;
}

/** One weight matrix's Kronecker factors and gradient, as matrices. */
export interface KfacFactors {
  /** cols x cols */
  A: Matrix;
  /** out x out */
  G: Matrix;
  /** out x cols, [dL/dW dL/db] for a joint bias (bias last column) */
  gradient: Matrix;
}

/** One weight matrix's Kronecker factors. */
export interface KfacBlock extends KfacBlockLayout {
  /** cols x cols */
  readonly A: Matrix;
  /** out x out */
  readonly G: Matrix;
}

/** The factors of every weight matrix, in parameter-vector order, with the loss (and its gradient). */
export interface KfacFactorSet {
  loss: number;
  gradient: Vec | null;
  blocks: KfacBlock[];
}

export function blockLayout(s: KfacStatistics, bias: KfacBias): KfacBlockLayout {
  const joint = bias === 'joint' && s.biasOffset !== null;
  return {
    name: `L${s.layer + 1}.${s.block.name}`,
    layer: s.layer,
    out: s.block.out,
    fanIn: s.block.fanIn,
    positions: s.block.positions,
    weightOffset: s.weightOffset,
    biasOffset: s.biasOffset,
    bias,
    cols: s.block.fanIn + (joint ? 1 : 0),
  };
}

/** True when the block's matrices carry the bias as their last column. */
export const jointBias = (b: KfacBlockLayout): boolean => b.cols > b.fanIn;

/** The block's part of a parameter vector as an out x cols matrix ([W b] for a joint bias, W otherwise). */
export function blockMatrix(b: KfacBlockLayout, v: ArrayLike<number>): Matrix {
  const M = new Matrix(b.out, b.cols);
  const { out, fanIn, cols, weightOffset, biasOffset } = b;
  for (let i = 0; i < out; i++) {
    for (let j = 0; j < fanIn; j++) M.data[i * cols + j] = v[weightOffset + i * fanIn + j];
    if (cols > fanIn) M.data[i * cols + fanIn] = v[(biasOffset as number) + i];
  }
  return M;
}

/** The bias part of a parameter vector (length out), or null without bias. */
export function blockBias(b: KfacBlockLayout, v: ArrayLike<number>): Vec | null {
  if (b.biasOffset === null) return null;
  return Float64Array.from({ length: b.out }, (_, i) => v[(b.biasOffset as number) + i]);
}

/** Writes an out x cols block matrix back into parameter-vector positions of `v`. */
export function scatterBlockMatrix(b: KfacBlockLayout, M: Matrix, v: Vec): void {
  const { out, fanIn, cols, weightOffset, biasOffset } = b;
  for (let i = 0; i < out; i++) {
    for (let j = 0; j < fanIn; j++) v[weightOffset + i * fanIn + j] = M.data[i * cols + j];
    if (cols > fanIn) v[(biasOffset as number) + i] = M.data[i * cols + fanIn];
  }
}

/** The parameter index of entry (i, j) of the block matrix. */
export function blockIndex(b: KfacBlockLayout, i: number, j: number): number {
  return j < b.fanIn ? b.weightOffset + i * b.fanIn + j : (b.biasOffset as number) + i;
}

/** Checks and defaults of the factor options. */
export function kfacFactorOptions(o: KfacFactorOptions = {}) {
  const fisher = requireOneOf(o.fisher ?? 'fisher', KFAC_FISHER_TYPES, 'fisher');
  const approximation = requireOneOf(o.approximation ?? 'expand', KFAC_APPROXIMATIONS, 'approximation');
  const bias = requireOneOf(o.bias ?? 'joint', KFAC_BIAS_MODES, 'bias');
  const samples = requireIntegerInRange(o.samples ?? 1, 'samples', 1);
  if (fisher === 'monte-carlo' && o.rng === undefined) throw new NatgradError('rng', 'a Monte Carlo K-FAC draws labels and needs a seeded rng');
  return { fisher, approximation, bias, samples, rng: o.rng, gradient: o.gradient ?? true };
}

/**
 * The output-gradient rows whose back-propagation gives G: the output
 * Fisher's square-root rows (exact expectation), the loss gradients at the
 * targets (empirical), or at M label draws per example (Monte Carlo, example
 * by example, draw by draw); with the weight w of G = w sum_m g gᵀ.
 */
function fisherRows(
  model: Sequential,
  _theta: Vec,
  trace: SequentialTrace,
  batch: Batch,
  lossGradient: Tensor,
  o: ReturnType<typeof kfacFactorOptions>,
): { rows: Tensor; weight: number } {
  const N = batch.x.batch;
  const c = model.scale(N);
  if (o.fisher === 'fisher') return { rows: model.loss.fisherSqrtRows(trace.output).rows, weight: c };
  if (o.fisher === 'empirical-fisher') return { rows: lossGradient, weight: c };
  const M = o.samples;
  const O = trace.output.exampleSize;
  const rows = Tensor.zeros(N * M, model.outputShape);
  for (let s = 0; s < M; s++) {
    const ys: ExampleTarget[] = model.loss.sample(trace.output, o.rng as Rng);
    const g = model.loss.lossAndGradient(trace.output, ys).gradient;
    for (let n = 0; n < N; n++) rows.data.set(g.data.subarray(n * O, (n + 1) * O), (n * M + s) * O);
  }
  return { rows, weight: c / M };
}

/**
 * A of one weight matrix from its inputs (N R x fanIn): the expand or reduce
 * average of ā āᵀ, cols x cols (the last row and column from the appended 1).
 */
export function inputFactor(inputs: Float64Array, N: number, R: number, fanIn: number, cols: number, approximation: KfacApproximation): Matrix {
  let rows = N * R;
  let X = inputs;
  if (approximation === 'reduce' && R > 1) {
    X = new Float64Array(N * fanIn);
    for (let n = 0; n < N; n++) {
      for (let r = 0; r < R; r++) {
        const o = (n * R + r) * fanIn;
        for (let j = 0; j < fanIn; j++) X[n * fanIn + j] += inputs[o + j];
      }
      for (let j = 0; j < fanIn; j++) X[n * fanIn + j] /= R;
    }
    rows = N;
  }
  const A = new Matrix(cols, cols);
  syrk(true, fanIn, rows, 1 / rows, X, 0, fanIn, 0, A.data, 0, cols);
  if (cols > fanIn) {
    const mean = new Float64Array(fanIn);
    for (let r = 0; r < rows; r++) for (let j = 0; j < fanIn; j++) mean[j] += X[r * fanIn + j];
    for (let j = 0; j < fanIn; j++) {
      A.data[fanIn * cols + j] = mean[j] / rows;
      A.data[j * cols + fanIn] = mean[j] / rows;
    }
    A.data[fanIn * cols + fanIn] = 1;
  }
  return A;
}

/**
 * The per-row output gradients of one weight matrix for the approximation:
 * expand keeps the (rows R) x out positions, reduce sums them to rows x out.
 */
export function reducedGradients(
  grads: Float64Array,
  rows: number,
  R: number,
  out: number,
  approximation: KfacApproximation,
): { data: Float64Array; rows: number } {
  if (approximation === 'expand' || R === 1) return { data: grads, rows: rows * R };
  const g = new Float64Array(rows * out);
  for (let m = 0; m < rows; m++) {
    for (let r = 0; r < R; r++) {
      const o = (m * R + r) * out;
      for (let i = 0; i < out; i++) g[m * out + i] += grads[o + i];
    }
  }
  return { data: g, rows };
}

/** G = w Dᵀ D for the rows D of reducedGradients. */
export function outputFactor(grads: Float64Array, rows: number, R: number, out: number, approximation: KfacApproximation, weight: number): Matrix {
  const d = reducedGradients(grads, rows, R, out, approximation);
  const G = new Matrix(out, out);
  if (d.rows > 0) syrk(true, out, d.rows, weight, d.data, 0, out, 0, G.data, 0, out);
  return G;
}

/**
 * The K-FAC factors of every weight matrix (parameter-vector order), the
 * loss and, unless `gradient: false`, its gradient, from one forward pass and
 * one batched backward pass of the rows G needs (two for the exact and Monte
 * Carlo Fishers when the gradient is wanted).
 */
export function kfacFactors(model: Sequential, theta: Vec, batch: Batch, options?: KfacFactorOptions): KfacFactorSet;
/**
 * The version-1 form for an MLP: per layer A = (1/N) sum ā āᵀ, G = (1/N) sum E[g gᵀ]
 * and the gradient [dW db] (bias last column), and the mean loss.
 */
export function kfacFactors(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  targets: readonly Target[],
  fisher: KfacFisherKind,
): { loss: number; layers: KfacFactors[] };
export function kfacFactors(...args: unknown[]): KfacFactorSet | { loss: number; layers: KfacFactors[] } {
  if (args[0] instanceof Sequential) return modelKfacFactors(args[0], args[1] as Vec, args[2] as Batch, args[3] as KfacFactorOptions | undefined);
  const [spec, weights, inputs, targets, fisher] = args as [MlpSpec, LayerWeights[], Vec[], Target[], KfacFisherKind];
  requireOneOf(fisher, KFAC_FISHER_KINDS, 'fisher');
  const { model, theta, batch } = mlpProblem(spec, weights, inputs, targets);
  const set = modelKfacFactors(model, theta, batch, { fisher });
  return { loss: set.loss, layers: set.blocks.map((b) => ({ A: b.A, G: b.G, gradient: blockMatrix(b, set.gradient as Vec) })) };
}

function modelKfacFactors(model: Sequential, theta: Vec, batch: Batch, options: KfacFactorOptions = {}): KfacFactorSet {
  const o = kfacFactorOptions(options);
  checkProblem(model, theta, batch);
  const N = batch.x.batch;
  const c = model.scale(N);
  const trace = model.forward(theta, batch.x);
  const { losses, gradient: lossGradient } = model.loss.lossAndGradient(trace.output, batch.targets);
  let loss = 0;
  for (const l of losses) loss += l;
  const { rows, weight } = fisherRows(model, theta, trace, batch, lossGradient, o);
  const empirical = o.fisher === 'empirical-fisher';
  const collected = model.collect(theta, trace, rows, { gradient: o.gradient && empirical });
  let gradient: Vec | null = null;
  if (o.gradient) {
    gradient = empirical ? (collected.gradient as Vec) : model.vjp(theta, trace, lossGradient).gradient;
    for (let i = 0; i < gradient.length; i++) gradient[i] *= c;
  }
  const blocks = collected.statistics.map((s) => {
    const layout = blockLayout(s, o.bias);
    const R = s.block.positions;
    return {
      ...layout,
      A: inputFactor(s.inputs, N, R, s.block.fanIn, layout.cols, o.approximation),
      G: outputFactor(s.outputGradients, N * s.rowsPerExample, R, s.block.out, o.approximation, weight),
    };
  });
  return { loss: c * loss, gradient, blocks };
}

/**
 * The exact standard deviation of each entry of the M-sample Monte Carlo G of
 * every weight matrix (A and the gradient do not depend on the labels), from
 * the label outcomes pulled back to each matrix's outputs (label-moments.ts).
 */
export function monteCarloGStandardErrors(model: Sequential, theta: Vec, batch: Batch, approximation: KfacApproximation, samples: number): Matrix[] {
  requireIntegerInRange(samples, 'samples', 1);
  requireOneOf(approximation, KFAC_APPROXIMATIONS, 'approximation');
  checkProblem(model, theta, batch);
  const N = batch.x.batch;
  const trace = model.forward(theta, batch.x);
  const outcomes = model.loss.labelOutcomes(trace.output);
  const w = outcomeWeights(outcomes);
  const O = outcomes.rows.exampleSize;
  for (let r = 0; r < outcomes.rows.batch; r++) for (let i = 0; i < O; i++) outcomes.rows.data[r * O + i] *= w[r];
  const S = outcomes.rowsPerExample;
  const c = model.scale(N);
  return model.collect(theta, trace, outcomes.rows).statistics.map((s) => {
    const { out, positions: R } = s.block;
    const v =
      approximation === 'expand' && R > 1
        ? sharedStatisticVariance(s.outputGradients, N, S, R, out, outcomes.position, outcomes.probability)
        : vectorStatisticVariance(reducedGradients(s.outputGradients, N * S, R, out, 'reduce').data, N, S, out, outcomes.position, outcomes.probability, false);
    return new Matrix(out, out, standardErrors(v, c, samples));
  });
}
