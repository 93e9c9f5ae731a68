/**
 * One shard of the data-parallel Fisher: per-shard SUMS (not means) of
 *   the exact Fisher sum_n J_nᵀ F_out(f_n) J_n (P x P, row-major) and
 *   the K-FAC statistics sum_n ā āᵀ and sum_n sum_r g_r g_rᵀ per layer,
 * computed by the same Sequential model and curvature code as a
 * single-process run (the worker, fisher-worker.ts, imports this module), so
 * any activation and likelihood an MLP allows works here too.
 */
import type { Vec } from '../core/vec.js';
import { inputFactor, outputFactor } from '../curvature/kfac-factors.js';
import { factorGram } from '../curvature/model-curvature.js';
import { type MlpSpec, mlpInputs, mlpModel } from '../models/mlp.js';

/** What the main thread sends a worker. */
export interface ShardPayload {
  spec: MlpSpec;
  theta: Float64Array;
  inputs: Float64Array[];
}

/** What a worker sends back: sums over its shard. */
export interface ShardSums {
  fisher: Float64Array;
  A: Float64Array[];
  G: Float64Array[];
  count: number;
}

/** The shard's sums: the Fisher square-root rows of each example back-propagated once for both the Fisher and G. */
export function shardSums({ spec, theta, inputs }: ShardPayload): ShardSums {
  const model = mlpModel(spec);
  const x = mlpInputs(spec, inputs as readonly Vec[]);
  const N = inputs.length;
  const trace = model.forward(theta, x);
  const { rows } = model.loss.fisherSqrtRows(trace.output);
  const fisher = factorGram({ U: model.vjpRows(theta, trace, rows), weight: 1 }).data;
  const A: Float64Array[] = [];
  const G: Float64Array[] = [];
  for (const s of model.collect(theta, trace, rows).statistics) {
    const { out, fanIn, positions: R } = s.block;
    const cols = fanIn + (s.biasOffset === null ? 0 : 1);
    const mean = inputFactor(s.inputs, N, R, fanIn, cols, 'expand').data;
    A.push(mean.map((v) => v * N * R));
    G.push(outputFactor(s.outputGradients, rows.batch, R, out, 'expand', 1).data);
  }
  return { fisher, A, G, count: N };
}
