/**
 * A likelihood of src/models/likelihoods.ts applied to a batch of network
 * outputs, one prediction per example (output [K]) or one per position
 * (output [T, K]): then the positions are independent given x and
 * -log p(y | x) = sum_t -log p(y_t | f_t). Everything here is per example
 * (not reduced); the loss of a batch is c sum_n -log p(y_n | x_n) with the
 * factor c of the reduction (`scale`).
 */
import { NatgradError, childPath, describeValue } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import { requireOneOf } from '../core/validate.js';
import { eigSymmetric } from '../linalg/eigen-symmetric.js';
import type { LikelihoodModel, Target } from './likelihoods.js';
import { type Shape, Tensor, formatShape } from './tensor.js';

/**
 * How the per-example losses of a batch combine into the loss: `mean` over the
 * N examples (each summed over its positions), `sum`, or `mean-elements`,
 * PyTorch's reduction='mean': divided by the number of predictions N T, and
 * for `mse` by the number of entries N T D.
 */
export type Reduction = 'mean' | 'sum' | 'mean-elements';

export const REDUCTIONS: readonly Reduction[] = ['mean', 'sum', 'mean-elements'];

/**
 * The rows whose label-weighted outer products give the moments of the
 * output gradient u(y) = d(-log p(y_t | f_t))/df over y ~ p(. | f), one
 * position at a time (see `OutputLoss.labelOutcomes`).
 */
export interface LabelOutcomes {
  /** of shape [N S, ...outputShape], where row n S + j is nonzero at position position[j] only */
  readonly rows: Tensor;
  /** S */
  readonly rowsPerExample: number;
  /** the position t of row j of every example (j < S) */
  readonly position: Int32Array;
  /**
   * Discrete labels: row n S + j is u at one outcome of its position and
   * `probability[n S + j]` that outcome's probability. null: the label is
   * normal, and the rows of a position are the columns of a square root of
   * u's covariance (u is then normal, so its moments follow from them).
   */
  readonly probability: Float64Array | null;
}

/**
 * One example's target: for an output [K], a class index (categorical), 0 or
 * 1 (bernoulli) or a Float64Array of K (gaussian); for an output [T, K], an
 * array of T such targets.
 */
export type ExampleTarget = Target | readonly Target[];

export class OutputLoss {
  readonly likelihood: LikelihoodModel;
  readonly outputShape: Shape;
  /** T, or 1 for an output [K] */
  readonly positions: number;
  /** K, the size of one prediction */
  readonly K: number;
  readonly reduction: Reduction;
  private readonly perPosition: boolean;

  /** Throws (at `path`) unless the output shape is [K] or [T, K] with a K the likelihood takes. */
  constructor(likelihood: LikelihoodModel, outputShape: Shape, path = 'spec.model.layers', reduction: Reduction = 'mean', reductionPath = 'spec.reduction') {
    this.reduction = requireOneOf(reduction, REDUCTIONS, reductionPath);
    if (outputShape.length !== 1 && outputShape.length !== 2) {
      throw new NatgradError(
        path,
        `the output of the last layer has shape ${formatShape(outputShape)}; the ${likelihood.name} likelihood takes [K] (one prediction per example) ` +
          `or [T, K] (one per position): add a flatten or mean layer`,
      );
    }
    this.likelihood = likelihood;
    this.outputShape = outputShape;
    this.perPosition = outputShape.length === 2;
    this.positions = this.perPosition ? outputShape[0] : 1;
    this.K = outputShape[outputShape.length - 1];
    const why = likelihood.outputSizeViolation(this.K);
    if (why) throw new NatgradError(path, `the output of the last layer has shape ${formatShape(outputShape)}: ${why}`);
  }

  /**
   * The number the summed per-example losses are divided by for a batch of N
   * examples: N (mean), 1 (sum), N T or, for mse, N T K (mean-elements).
   * The one place a reduction's factor is defined.
   */
  divisor(N: number): number {
    switch (this.reduction) {
      case 'mean':
        return N;
      case 'sum':
        return 1;
      case 'mean-elements':
        return N * this.positions * this.likelihood.elementsPerPrediction(this.K);
    }
  }

  /**
   * c = 1 / divisor(N), the factor of the reduction: the loss is
   * c sum_n -log p(y_n | x_n), and every curvature of it is c times the sum
   * of the per-example ones.
   */
  scale(N: number): number {
    return 1 / this.divisor(N);
  }

  /** c sum_n l_n from the sum of the per-example terms, divided (not multiplied) so the mean rounds as written. */
  reduce(total: number, N: number): number {
    return total / this.divisor(N);
  }

  /** The target of example n at position t. */
  target(targets: readonly ExampleTarget[], n: number, t: number): Target {
    return this.perPosition ? (targets[n] as readonly Target[])[t] : (targets[n] as Target);
  }

  /** Throws (at `path[n]`, `path[n][t]`) unless `targets` holds N valid targets for this output. */
  validateTargets(targets: readonly unknown[], N: number, path = 'spec.targets'): void {
    if (!Array.isArray(targets) || targets.length !== N) {
      throw new NatgradError(path, `must be an array with one target per input (${N}), got ${describeValue(targets)}`);
    }
    targets.forEach((y, n) => {
      const p = childPath(path, n);
      if (!this.perPosition) {
        const why = this.likelihood.targetViolation(y, this.K);
        if (why) throw new NatgradError(p, why);
        return;
      }
      if (!Array.isArray(y) || y.length !== this.positions) {
        throw new NatgradError(
          p,
          `must be an array of ${this.positions} targets, one per position of the output ${formatShape(this.outputShape)}, got ${describeValue(y)}`,
        );
      }
      y.forEach((yt, t) => {
        const why = this.likelihood.targetViolation(yt, this.K);
        if (why) throw new NatgradError(childPath(p, t), why);
      });
    });
  }

  /** Targets from JSON (gaussian vectors become Float64Arrays), validated. */
  targetsFromJson(raw: unknown, N: number, path = 'spec.targets'): ExampleTarget[] {
    if (!Array.isArray(raw)) throw new NatgradError(path, `must be an array with one target per input (${N}), got ${describeValue(raw)}`);
    const vector = this.likelihood.vectorTargets;
    const one = (y: unknown): unknown => (vector && Array.isArray(y) && y.every((e) => typeof e === 'number') ? Float64Array.from(y as number[]) : y);
    const targets = raw.map((y) => (this.perPosition && Array.isArray(y) ? y.map(one) : one(y)));
    this.validateTargets(targets, N, path);
    return targets as ExampleTarget[];
  }

  /** f_{n,t}, a view of output row n at position t. */
  private prediction(output: Tensor, n: number, t: number): Float64Array {
    const o = (n * this.positions + t) * this.K;
    return output.data.subarray(o, o + this.K);
  }

  /** -log p(y_n | x_n) per example (summed over positions) and its gradient in the output, [N, ...outputShape]. */
  lossAndGradient(output: Tensor, targets: readonly ExampleTarget[]): { losses: Float64Array; gradient: Tensor } {
    const N = output.batch;
    const losses = new Float64Array(N);
    const gradient = new Tensor(output.shape);
    for (let n = 0; n < N; n++) {
      for (let t = 0; t < this.positions; t++) {
        const f = this.prediction(output, n, t);
        const y = this.target(targets, n, t);
        losses[n] += this.likelihood.negLogLik(f, y);
        gradient.data.set(this.likelihood.gradient(f, y), (n * this.positions + t) * this.K);
      }
    }
    return { losses, gradient };
  }

  /** -log p(y_n | x_n) per example. */
  losses(output: Tensor, targets: readonly ExampleTarget[]): Float64Array {
    const N = output.batch;
    const losses = new Float64Array(N);
    for (let n = 0; n < N; n++) {
      for (let t = 0; t < this.positions; t++) losses[n] += this.likelihood.negLogLik(this.prediction(output, n, t), this.target(targets, n, t));
    }
    return losses;
  }

  /** H u per example and position, H the Hessian of -log p(y|f) in f (block-diagonal over positions). */
  hessianProduct(output: Tensor, targets: readonly ExampleTarget[], u: Tensor): Tensor {
    return this.blockProduct(output, u, (f, n, t) => this.likelihood.hessian(f, this.target(targets, n, t)));
  }

  /** F u per example and position, F the Fisher of p(.|f) (the expectation over all T labels jointly is block-diagonal). */
  fisherProduct(output: Tensor, u: Tensor): Tensor {
    return this.blockProduct(output, u, (f) => this.likelihood.fisher(f));
  }

  private blockProduct(output: Tensor, u: Tensor, block: (f: Float64Array, n: number, t: number) => { data: Float64Array }): Tensor {
    const N = output.batch;
    const K = this.K;
    const out = new Tensor(output.shape);
    for (let n = 0; n < N; n++) {
      for (let t = 0; t < this.positions; t++) {
        const o = (n * this.positions + t) * K;
        const H = block(this.prediction(output, n, t), n, t).data;
        for (let i = 0; i < K; i++) {
          let s = 0;
          for (let j = 0; j < K; j++) s += H[i * K + j] * u.data[o + j];
          out.data[o + i] = s;
        }
      }
    }
    return out;
  }

  /**
   * Rows whose outer products sum, per example, to the output Fisher (joint
   * over positions): the columns of each position's square-root factor, each
   * placed at its position. S = T R rows per example (R columns of one
   * position's factor); row n S + t R + r. Pulled back through the network,
   * they give the exact Fisher expectation over y without sampling.
   */
  fisherSqrtRows(output: Tensor): { rows: Tensor; rowsPerExample: number } {
    const N = output.batch;
    const T = this.positions;
    const K = this.K;
    let R = -1;
    let rows: Tensor | null = null;
    for (let n = 0; n < N; n++) {
      for (let t = 0; t < T; t++) {
        const Sq = this.likelihood.fisherSqrt(this.prediction(output, n, t));
        if (rows === null) {
          R = Sq.cols;
          rows = Tensor.zeros(N * T * R, this.outputShape);
        }
        for (let r = 0; r < R; r++) {
          const o = (n * T * R + t * R + r) * T * K + t * K;
          for (let i = 0; i < K; i++) rows.data[o + i] = Sq.data[i * R + r];
        }
      }
    }
    return { rows: rows ?? Tensor.zeros(0, this.outputShape), rowsPerExample: T * Math.max(R, 0) };
  }

  /**
   * The label outcomes of every example, position by position: for a
   * discrete likelihood, one row per outcome y_t of each position with its
   * probability (u at that outcome); for a normal one, the columns of the
   * Fisher square root (u ~ N(0, S Sᵀ)). Pulled back through the network, they
   * give the exact moments of any statistic quadratic in the gradient, among
   * them the standard error of a Monte Carlo Fisher.
   */
  labelOutcomes(output: Tensor): LabelOutcomes {
    const N = output.batch;
    const T = this.positions;
    const K = this.K;
    const lik = this.likelihood;
    const f0 = this.prediction(output, 0, 0);
    const discrete = lik.support(f0) !== null;
    const perPosition = discrete ? (lik.support(f0) as unknown[]).length : lik.fisherSqrt(f0).cols;
    const S = T * perPosition;
    const rows = Tensor.zeros(N * S, this.outputShape);
    const probability = discrete ? new Float64Array(N * S) : null;
    const position = Int32Array.from({ length: S }, (_, j) => Math.floor(j / perPosition));
    for (let n = 0; n < N; n++) {
      for (let t = 0; t < T; t++) {
        const f = this.prediction(output, n, t);
        const base = n * S + t * perPosition;
        if (probability) {
          (lik.support(f) as { target: Target; probability: number }[]).forEach(({ target, probability: p }, k) => {
            rows.data.set(lik.gradient(f, target), (base + k) * T * K + t * K);
            probability[base + k] = p;
          });
        } else {
          const Sq = lik.fisherSqrt(f);
          for (let r = 0; r < perPosition; r++) for (let i = 0; i < K; i++) rows.data[(base + r) * T * K + t * K + i] = Sq.data[i * perPosition + r];
        }
      }
    }
    return { rows, rowsPerExample: S, position, probability };
  }

  /**
   * Rows whose outer products sum, per example, to the Hessian of
   * -log p(y_n | f) in the output at the targets (block-diagonal over
   * positions): K columns of a symmetric PSD square root of each position's
   * K x K Hessian (negative eigenvalues, which a convex loss has only by
   * round-off, count as 0), placed like fisherSqrtRows: S = T K rows per
   * example. Pulled back through the network they give the GGN.
   */
  hessianSqrtRows(output: Tensor, targets: readonly ExampleTarget[]): { rows: Tensor; rowsPerExample: number } {
    const N = output.batch;
    const T = this.positions;
    const K = this.K;
    const rows = Tensor.zeros(N * T * K, this.outputShape);
    for (let n = 0; n < N; n++) {
      for (let t = 0; t < T; t++) {
        const { values, vectors } = eigSymmetric(this.likelihood.hessian(this.prediction(output, n, t), this.target(targets, n, t)), 'output Hessian');
        for (let r = 0; r < K; r++) {
          const w = Math.sqrt(Math.max(values[r], 0));
          if (w === 0) continue;
          const o = (n * T * K + t * K + r) * T * K + t * K;
          for (let i = 0; i < K; i++) rows.data[o + i] = w * vectors.data[i * K + r];
        }
      }
    }
    return { rows, rowsPerExample: T * K };
  }

  /** y_n ~ p(. | f_n), position by position, example by example. */
  sample(output: Tensor, rng: Rng): ExampleTarget[] {
    const N = output.batch;
    const targets: ExampleTarget[] = [];
    for (let n = 0; n < N; n++) {
      if (!this.perPosition) {
        targets.push(this.likelihood.sample(rng, this.prediction(output, n, 0)));
        continue;
      }
      const ys: Target[] = [];
      for (let t = 0; t < this.positions; t++) ys.push(this.likelihood.sample(rng, this.prediction(output, n, t)));
      targets.push(ys);
    }
    return targets;
  }
}
