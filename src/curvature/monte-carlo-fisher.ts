/**
 * The Monte Carlo Fisher: the expectation over y in F = (1/N) sum_n E_{y ~ p(.|x_n)}[g gᵀ]
 * replaced by S draws from the model, F̂ = (1/(N S)) sum_n sum_s g_ns g_nsᵀ,
 * g_ns = ∇_θ(-log p(y_ns | x_n)), y_ns ~ p(. | x_n, θ). Unbiased, error
 * O(1/sqrt(S)). The targets are sampled from the model, never the training
 * labels (those give the empirical Fisher, a different matrix: kfac-pytorch#109),
 * and each draw is weighted 1/(N S) once (a 1/C applied twice was curvlinops#111).
 *
 * Reference: J. Martens, "New insights and perspectives on the natural
 * gradient method", JMLR 2020, section 11.
 */
import { NatgradError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { Vec } from '../core/vec.js';
import type { LinearOperator } from '../linalg/linear-operator.js';
import { Matrix } from '../linalg/matrix.js';
import { likelihoodModel } from '../models/likelihoods.js';
import { type LayerWeights, type MlpSpec, exampleLossAndGradient, forward, paramCount } from '../models/mlp.js';
import { type CurvatureFactor, columnsToMatrix, factorOperator } from './low-rank.js';

export interface MonteCarloFisher {
  /** F̂ = (1/(N S)) U Uᵀ, columns ordered sample by sample, example by example. */
  factor: CurvatureFactor;
  operator: LinearOperator;
  samples: number;
  /**
   * Entrywise standard error of F̂: the S per-draw estimates F_s = (1/N) sum_n g_ns g_nsᵀ
   * are independent, so se = sd_s(F_s) / sqrt(S). Needs S >= 2; O(S N P²), computed on demand.
   */
  stdError(): Matrix;
}

/** The Monte Carlo Fisher from `samples` draws of y per input, seeded by `rng`. */
export function monteCarloFisher(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  samples: number,
  rng: Rng,
): MonteCarloFisher {
  if (!(Number.isInteger(samples) && samples >= 1)) throw new NatgradError('samples', `must be an integer >= 1, got ${samples}`);
  const lik = likelihoodModel(spec.likelihood);
  const P = paramCount(spec);
  const N = inputs.length;
  const outputs = inputs.map((x) => forward(spec, weights, x).output);
  const cols: Vec[] = [];
  for (let s = 0; s < samples; s++) {
    inputs.forEach((x, n) => {
      const y = lik.sample(rng, outputs[n]);
      cols.push(exampleLossAndGradient(spec, weights, x, y).gradient);
    });
  }
  const factor: CurvatureFactor = { U: columnsToMatrix(cols, P), N: N * samples };
  let se: Matrix | null = null;
  return {
    factor,
    operator: factorOperator(factor),
    samples,
    stdError() {
      if (samples < 2) throw new NatgradError('samples', `a standard error needs at least 2 draws, got ${samples}`);
      if (se) return se.clone();
      const mean = new Float64Array(P * P);
      const m2 = new Float64Array(P * P);
      const Fs = new Float64Array(P * P);
      for (let s = 0; s < samples; s++) {
        Fs.fill(0);
        for (let n = 0; n < N; n++) {
          const g = cols[s * N + n];
          for (let i = 0; i < P; i++) {
            const gi = g[i] / N;
            if (gi !== 0) for (let j = 0; j < P; j++) Fs[i * P + j] += gi * g[j];
          }
        }
        // Welford over the independent per-draw estimates.
        for (let k = 0; k < P * P; k++) {
          const d = Fs[k] - mean[k];
          mean[k] += d / (s + 1);
          m2[k] += d * (Fs[k] - mean[k]);
        }
      }
      se = new Matrix(P, P, m2.map((v) => Math.sqrt(v / (samples - 1) / samples)));
      return se.clone();
    },
  };
}
