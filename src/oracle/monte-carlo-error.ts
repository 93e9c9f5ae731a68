/**
 * Exact standard errors of Monte Carlo Fisher estimators. The estimator of a
 * Fisher-type matrix draws M labels y ~ p(.|x_n) per example and averages
 *   F_hat = c sum_n (1/M) sum_m v_{n,m} v_{n,m}ᵀ,
 * v = Bᵀ r(y) the back-propagated output gradient r = ∇_f(-log p(y|f)) (B = the
 * output Jacobian for the dense Fisher, df/ds_l for K-FAC's G). Its expectation is
 * the exact Fisher; the examples and draws are independent, so entry (i, j)
 * has variance c² sum_n Var_y(v_i v_j) / M, with
 * * a finite label space (categorical, bernoulli): Var = sum_k p_k (v_ki v_kj)² - (sum_k p_k v_ki v_kj)²;
 * * a gaussian label (v is normal with mean 0 and covariance C):
 *   Var = C_ii C_jj + C_ij² (Isserlis' theorem).
 */
import type { Vec } from '../core/vec.js';
import { Matrix } from '../linalg/matrix.js';
import { likelihoodModel } from '../models/likelihoods.js';
import { type LayerWeights, type MlpSpec, backward, forward, layerCount, outputJacobian } from '../models/mlp.js';

/** Sums of the per-example second moments and variances of v vᵀ. */
class MomentSums {
  readonly mean: Matrix;
  readonly variance: Matrix;
  constructor(readonly n: number) {
    this.mean = Matrix.zeros(n, n);
    this.variance = Matrix.zeros(n, n);
  }

  /** One example with a finite label space: outcomes v_k with probabilities p_k. */
  addDiscrete(vs: readonly Vec[], ps: readonly number[]): void {
    const n = this.n;
    const m2 = new Float64Array(n * n);
    const m4 = new Float64Array(n * n);
    vs.forEach((v, k) => {
      const p = ps[k];
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const x = v[i] * v[j];
          m2[i * n + j] += p * x;
          m4[i * n + j] += p * x * x;
        }
      }
    });
    for (let t = 0; t < n * n; t++) {
      this.mean.data[t] += m2[t];
      this.variance.data[t] += Math.max(0, m4[t] - m2[t] * m2[t]);
    }
  }

  /** One example whose v is normal with mean 0 and covariance C. */
  addGaussian(C: Matrix): void {
    const n = this.n;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const cij = C.data[i * n + j];
        this.mean.data[i * n + j] += cij;
        this.variance.data[i * n + j] += C.data[i * n + i] * C.data[j * n + j] + cij * cij;
      }
    }
  }

  /** The scaled expectation c sum_n E[v vᵀ] and the standard error of its M-sample estimate. */
  result(c: number, M: number): { expectation: Matrix; standardError: Matrix } {
    const expectation = new Matrix(this.n, this.n, this.mean.data.map((x) => c * x));
    const standardError = new Matrix(this.n, this.n, this.variance.data.map((v) => Math.abs(c) * Math.sqrt(v / M)));
    return { expectation, standardError };
  }
}

/**
 * The label noise of one example: its outcomes (finite label space), or the
 * covariance of the output gradient r (gaussian: κ I, κ = 1 for a unit
 * variance, 2 for nn.MSELoss, whose gradient 2(f - y) has y ~ N(f, I/2)).
 */
type LabelNoise = { outcomes: { r: Vec; p: number }[] } | { kappa: number };

function labelNoise(spec: MlpSpec, f: Vec, mse: boolean): LabelNoise {
  const lik = likelihoodModel(spec.likelihood);
  const support = lik.support(f);
  if (support === null) return { kappa: mse ? 2 : 1 };
  return { outcomes: support.map(({ target, probability }) => ({ r: lik.gradient(f, target), p: probability })) };
}

const unit = (D: number, d: number): Vec => {
  const e = new Float64Array(D);
  e[d] = 1;
  return e;
};

/**
 * The Monte Carlo Fisher of an mlp in parameter space: expectation and
 * standard error of c sum_n (1/M) sum_m g gᵀ, g the parameter gradient of
 * the per-example term at a drawn label (c = reduction over N, times m² for
 * MSE is folded into the label noise and c by the caller).
 */
export function monteCarloFisherError(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  c: number,
  M: number,
  mse: boolean,
): { expectation: Matrix; standardError: Matrix } {
  const P = weights.reduce((s, w) => s + w.W.rows * w.W.cols + w.b.length, 0);
  const sums = new MomentSums(P);
  for (const x of inputs) {
    const J = outputJacobian(spec, weights, x);
    const f = forward(spec, weights, x).output;
    const noise = labelNoise(spec, f, mse);
    if ('kappa' in noise) {
      sums.addGaussian(gram(J, noise.kappa));
    } else {
      sums.addDiscrete(
        noise.outcomes.map(({ r }) => transposeTimes(J, r)),
        noise.outcomes.map(({ p }) => p),
      );
    }
  }
  return sums.result(c, M);
}

/**
 * K-FAC's G under Monte Carlo labels, per layer: expectation and standard
 * error of c sum_n (1/M) sum_m g gᵀ, g = d(term)/ds_l at a drawn label.
 */
export function monteCarloKfacGError(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  c: number,
  M: number,
  mse: boolean,
): { expectation: Matrix; standardError: Matrix }[] {
  const L = layerCount(spec);
  const sums = Array.from({ length: L }, (_, l) => new MomentSums(spec.sizes[l + 1]));
  for (const x of inputs) {
    const tr = forward(spec, weights, x);
    const noise = labelNoise(spec, tr.output, mse);
    if ('kappa' in noise) {
      // C_l = κ B_lᵀ B_l, B_l = df/ds_l: its rows are the back-propagated unit output gradients
      const D = tr.output.length;
      const rows = Array.from({ length: D }, (_, d) => backward(spec, weights, tr, unit(D, d)));
      for (let l = 0; l < L; l++) {
        const B = new Matrix(D, spec.sizes[l + 1]);
        rows.forEach((deltas, d) => B.data.set(deltas[l], d * B.cols));
        sums[l].addGaussian(gram(B, noise.kappa));
      }
    } else {
      const deltas = noise.outcomes.map(({ r }) => backward(spec, weights, tr, r));
      const ps = noise.outcomes.map(({ p }) => p);
      for (let l = 0; l < L; l++) sums[l].addDiscrete(deltas.map((d) => d[l]), ps);
    }
  }
  return sums.map((s) => s.result(c, M));
}

/** κ Jᵀ J. */
function gram(J: Matrix, kappa: number): Matrix {
  const { rows, cols } = J;
  const C = Matrix.zeros(cols, cols);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < cols; i++) {
      const a = kappa * J.data[r * cols + i];
      if (a === 0) continue;
      for (let j = 0; j < cols; j++) C.data[i * cols + j] += a * J.data[r * cols + j];
    }
  }
  return C;
}

/** Jᵀ r. */
function transposeTimes(J: Matrix, r: ArrayLike<number>): Vec {
  const out = new Float64Array(J.cols);
  for (let d = 0; d < J.rows; d++) for (let i = 0; i < J.cols; i++) out[i] += J.data[d * J.cols + i] * r[d];
  return out;
}
