/**
 * The Monte Carlo Fisher: the expectation over y in F = c sum_n E_{y ~ p(.|x_n)}[g gᵀ]
 * replaced by M draws from the model, F̂ = (c/M) sum_n sum_s g_ns g_nsᵀ,
 * g_ns = ∇_θ(-log p(y_ns | x_n)), y_ns ~ p(. | x_n, θ) (all T labels of a
 * per-position output drawn at once). Unbiased, error O(1/sqrt(M)). The
 * targets are sampled from the model, never the training labels (those give
 * the empirical Fisher, a different matrix: kfac-pytorch#109), and each draw
 * is weighted c/M once (a 1/C applied twice was curvlinops#111).
 *
 * Two views: `monteCarloFisher` draws the labels (the estimator an optimizer
 * uses), and `monteCarloFisherMoments` gives what a drawn estimate is checked
 * against: its exact expectation (the Fisher) and the exact standard
 * deviation of each entry (label-moments.ts).
 *
 * Reference: J. Martens, "New insights and perspectives on the natural
 * gradient method", JMLR 2020, section 11.
 */
import { NatgradError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { requireIntegerInRange } from '../core/validate.js';
import type { Vec } from '../core/vec.js';
import type { LinearOperator } from '../linalg/linear-operator.js';
import { Matrix } from '../linalg/matrix.js';
import type { ExampleTarget } from '../models/output-loss.js';
import { type LayerWeights, type MlpSpec, mlpProblem } from '../models/mlp.js';
import { type Batch, Sequential } from '../models/sequential.js';
import type { Tensor } from '../models/tensor.js';
import { outcomeWeights, standardErrors, vectorStatisticVariance } from './label-moments.js';
import { type CurvatureFactor, checkProblem, curvatureDiagonal, curvatureMatrix, factorOperator } from './model-curvature.js';

/** A model's Monte Carlo Fisher: the factor of the sampled gradients, its operator, the labels drawn and the standard error. */
export interface ModelMonteCarloFisher {
  /** F̂ = (c/M) Uᵀ U, rows ordered draw by draw, example by example. */
  factor: CurvatureFactor;
  operator: LinearOperator;
  samples: number;
  /** The labels drawn, draw by draw (targets[s][n]). */
  targets: ExampleTarget[][];
  /**
   * Entrywise standard error of F̂ estimated from the draws: the M per-draw
   * estimates F_s = c sum_n g_ns g_nsᵀ are independent, so se = sd_s(F_s) / sqrt(M).
   * Needs M >= 2; O(M N P²).
   */
  stdError(): Matrix;
}

/** M label draws per example from the model, draw by draw (the order of monteCarloFisher). */
export function sampleLabelSets(model: Sequential, theta: Vec, x: Tensor, samples: number, rng: Rng): ExampleTarget[][] {
  requireIntegerInRange(samples, 'samples', 1);
  const output = model.predict(theta, x);
  return Array.from({ length: samples }, () => model.loss.sample(output, rng));
}

/** The Monte Carlo Fisher from `samples` draws of y per example, seeded by `rng`. */
export function monteCarloFisher(model: Sequential, theta: Vec, x: Tensor, samples: number, rng: Rng): ModelMonteCarloFisher;
/** The version-1 form for an MLP: its inputs as vectors, the mean over examples. */
export function monteCarloFisher(spec: MlpSpec, weights: readonly LayerWeights[], inputs: readonly Vec[], samples: number, rng: Rng): ModelMonteCarloFisher;
export function monteCarloFisher(
  first: Sequential | MlpSpec,
  second: Vec | readonly LayerWeights[],
  third: Tensor | readonly Vec[],
  samples: number,
  rng: Rng,
): ModelMonteCarloFisher {
  if (first instanceof Sequential) return sequentialMonteCarloFisher(first, second as Vec, third as Tensor, samples, rng);
  const { model, theta, batch } = mlpProblem(first, second as readonly LayerWeights[], third as readonly Vec[]);
  return sequentialMonteCarloFisher(model, theta, batch.x, samples, rng);
}

function sequentialMonteCarloFisher(model: Sequential, theta: Vec, x: Tensor, samples: number, rng: Rng): ModelMonteCarloFisher {
  model.checkParams(theta);
  model.checkInput(x);
  const targets = sampleLabelSets(model, theta, x, samples, rng);
  const N = x.batch;
  const P = model.paramCount;
  const U = new Matrix(samples * N, P);
  targets.forEach((ys, s) => U.data.set(model.exampleLossGradients(theta, x, ys).data, s * N * P));
  const c = model.scale(N);
  const factor: CurvatureFactor = { U, weight: c / samples, rowsPerExample: 1 };
  let se: Matrix | null = null;
  return {
    factor,
    operator: factorOperator(factor),
    samples,
    targets,
    stdError() {
      if (samples < 2) throw new NatgradError('samples', `a standard error needs at least 2 draws, got ${samples}`);
      if (se) return se.clone();
      const mean = new Float64Array(P * P);
      const m2 = new Float64Array(P * P);
      const Fs = new Float64Array(P * P);
      for (let s = 0; s < samples; s++) {
        Fs.fill(0);
        for (let n = 0; n < N; n++) {
          const o = (s * N + n) * P;
          for (let i = 0; i < P; i++) {
            const gi = c * U.data[o + i];
            if (gi !== 0) for (let j = 0; j < P; j++) Fs[i * P + j] += gi * U.data[o + j];
          }
        }
        // Welford over the independent per-draw estimates.
        for (let k = 0; k < P * P; k++) {
          const d = Fs[k] - mean[k];
          mean[k] += d / (s + 1);
          m2[k] += d * (Fs[k] - mean[k]);
        }
      }
      se = new Matrix(
        P,
        P,
        m2.map((v) => Math.sqrt(v / (samples - 1) / samples)),
      );
      return se.clone();
    },
  };
}

/**
 * The label outcomes of a batch pulled back to the parameters: weighted rows
 * Ũ (N S x P), with the outcome probabilities and positions.
 */
function parameterOutcomes(model: Sequential, theta: Vec, x: Tensor) {
  const trace = model.forward(theta, x);
  const outcomes = model.loss.labelOutcomes(trace.output);
  const w = outcomeWeights(outcomes);
  const rows = outcomes.rows;
  const O = rows.exampleSize;
  for (let r = 0; r < rows.batch; r++) for (let i = 0; i < O; i++) rows.data[r * O + i] *= w[r];
  return { U: model.vjpRows(theta, trace, rows), outcomes };
}

/** What an M-sample Monte Carlo estimate is checked against: its expectation and the standard deviation of each entry. */
export interface MonteCarloMoments<T> {
  /** the exact expectation (the Fisher, or its diagonal) */
  value: T;
  /** the exact standard deviation of the M-sample estimate of each entry */
  standardError: T;
  samples: number;
}

/**
 * The exact expectation (the Fisher) and the exact entrywise standard
 * deviation of the M-sample Monte Carlo Fisher of the batch. The targets of
 * `batch` are not used (the labels are the model's own).
 */
export function monteCarloFisherMoments(model: Sequential, theta: Vec, batch: Batch, samples: number): MonteCarloMoments<Matrix> {
  const P = model.paramCount;
  const standardError = new Matrix(P, P, monteCarloStandardErrors(model, theta, batch, samples, false));
  return { value: curvatureMatrix(model, theta, batch, 'fisher'), standardError, samples };
}

/** The same for the diagonal of the Monte Carlo Fisher. */
export function monteCarloDiagonalMoments(model: Sequential, theta: Vec, batch: Batch, samples: number): MonteCarloMoments<Vec> {
  const standardError = monteCarloStandardErrors(model, theta, batch, samples, true);
  return { value: curvatureDiagonal(model, theta, batch, 'fisher'), standardError, samples };
}

/** The entrywise standard errors of the M-sample Monte Carlo Fisher (its diagonal only when `diagonal`). */
function monteCarloStandardErrors(model: Sequential, theta: Vec, batch: Batch, samples: number, diagonal: boolean): Float64Array {
  requireIntegerInRange(samples, 'samples', 1);
  checkProblem(model, theta, batch);
  const N = batch.x.batch;
  const { U, outcomes } = parameterOutcomes(model, theta, batch.x);
  const v = vectorStatisticVariance(U.data, N, outcomes.rowsPerExample, model.paramCount, outcomes.position, outcomes.probability, diagonal);
  return standardErrors(v, model.scale(N), samples);
}
