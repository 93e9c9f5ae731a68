/**
 * Data-parallel Fisher and K-FAC statistics: the examples are split into
 * contiguous shards, each worker_thread returns the shard's sums, and the
 * main thread adds them and divides once by N ("sum, then normalise"), so
 * the result equals the single-process mean up to the reordering of the
 * floating-point additions.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { NatgradError } from '../core/errors.js';
import { startModuleWorker } from '../core/module-worker.js';
import type { Vec } from '../core/vec.js';
import { Matrix } from '../linalg/matrix.js';
import { type LayerWeights, type MlpSpec, flattenWeights, layerHasBias, mlpModel, paramCount, validateMlpSpec } from '../models/mlp.js';
import type { ShardPayload, ShardSums } from './fisher-kernel.js';

export interface ShardedFisherResult {
  /** (1/N) Σ_n J_nᵀ F_out J_n */
  fisher: Matrix;
  /** per layer the K-FAC factors A = (1/N) Σ ā āᵀ and G = (1/N) Σ E[g gᵀ] */
  kfac: { A: Matrix; G: Matrix }[];
  /** examples per shard */
  shardSizes: number[];
}

/** Contiguous, deterministic shard boundaries: sizes differ by at most one. */
export function shardRanges(n: number, shards: number): [number, number][] {
  if (!(Number.isInteger(shards) && shards >= 1)) throw new NatgradError('workers', `must be an integer >= 1, got ${shards}`);
  const out: [number, number][] = [];
  for (let i = 0; i < shards; i++) out.push([Math.floor((i * n) / shards), Math.floor(((i + 1) * n) / shards)]);
  return out;
}

/**
 * Workers kept between calls, so that repeated calls (a training loop, a test
 * suite) skip a worker's start-up, which loads the model code (0.15 s of CPU
 * from dist/, most of a second from source). An idle worker is unreferenced:
 * it never keeps the process alive. At most one per core is kept.
 */
const idle: Worker[] = [];
const MAX_IDLE = availableParallelism();

function takeWorker(): Worker {
  const kept = idle.pop();
  if (kept) {
    kept.ref();
    return kept;
  }
  const w = startModuleWorker(import.meta.url, 'fisher-worker');
  w.on('exit', () => {
    const i = idle.indexOf(w);
    if (i >= 0) idle.splice(i, 1);
  });
  return w;
}

function runShard(payload: ShardPayload): Promise<ShardSums> {
  const w = takeWorker();
  return new Promise((resolve, reject) => {
    const onMessage = (m: ShardSums): void => {
      w.off('error', onError);
      if (idle.length < MAX_IDLE) {
        w.unref();
        idle.push(w);
      } else void w.terminate();
      resolve(m);
    };
    const onError = (e: Error): void => {
      w.off('message', onMessage);
      void w.terminate();
      reject(e);
    };
    w.once('message', onMessage);
    w.once('error', onError);
    w.postMessage(payload);
  });
}

/** The Fisher and K-FAC statistics of an MLP (K-FAC with the bias joint to W), computed by `workers` worker threads. */
export async function shardedFisherStatistics(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  o: { workers?: number } = {},
): Promise<ShardedFisherResult> {
  validateMlpSpec(spec, 'spec');
  const N = inputs.length;
  if (N === 0) throw new NatgradError('inputs', 'at least one example is required');
  const theta = flattenWeights(weights);
  const ranges = shardRanges(N, o.workers ?? 2).filter(([a, b]) => b > a);
  const parts = await Promise.all(ranges.map(([a, b]) => runShard({ spec, theta, inputs: inputs.slice(a, b).map((x) => Float64Array.from(x)) })));
  const P = paramCount(spec);
  const fisher = Matrix.zeros(P, P);
  const kfac = spec.activations.map((_, l) => ({ A: Matrix.zeros(spec.sizes[l] + (layerHasBias(spec, l) ? 1 : 0)), G: Matrix.zeros(spec.sizes[l + 1]) }));
  for (const part of parts) {
    for (let i = 0; i < fisher.data.length; i++) fisher.data[i] += part.fisher[i];
    kfac.forEach((f, l) => {
      for (let i = 0; i < f.A.data.length; i++) f.A.data[i] += part.A[l][i];
      for (let i = 0; i < f.G.data.length; i++) f.G.data[i] += part.G[l][i];
    });
  }
  // A is an average over the examples; the Fisher and G carry the spec's reduction (the mean by default)
  const divisor = mlpModel(spec).loss.divisor(N);
  for (const f of kfac) for (let i = 0; i < f.A.data.length; i++) f.A.data[i] /= N;
  for (const M of [fisher, ...kfac.map((f) => f.G)]) for (let i = 0; i < M.data.length; i++) M.data[i] /= divisor;
  return { fisher, kfac, shardSizes: ranges.map(([a, b]) => b - a) };
}
