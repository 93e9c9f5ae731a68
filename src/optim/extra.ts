/**
 * The `extra` argument of curvature-based transforms: the model and the batch
 * the gradient came from. The weights are the `params` vector handed to
 * `update` (flat, in the parameter order of the oracle contract); the rng
 * drives every draw (Monte Carlo Fisher, Hutchinson probes) so runs replay.
 */
import { NatgradError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { Vec } from '../core/vec.js';
import type { Target } from '../models/likelihoods.js';
import { type LayerWeights, type MlpSpec, paramCount, unflattenWeights } from '../models/mlp.js';

export interface ModelBatch {
  spec: MlpSpec;
  inputs: readonly Vec[];
  targets: readonly Target[];
  /** Seeded generator for sampled curvature; required by transforms that sample. */
  rng?: Rng;
}

/** The layer weights of `params` for the batch's model (throws a NatgradError on a size mismatch). */
export function batchWeights(batch: ModelBatch, params: Vec): LayerWeights[] {
  return unflattenWeights(batch.spec, params);
}

/** Throws a NatgradError naming what is missing unless `extra` is a ModelBatch matching `params`. */
export function requireModelBatch(extra: unknown, params: Vec, who: string): ModelBatch {
  const b = extra as ModelBatch | undefined;
  if (!b || typeof b !== 'object' || !b.spec || !Array.isArray(b.inputs) || !Array.isArray(b.targets)) {
    throw new NatgradError('extra', `${who} needs the model and batch as extra: { spec, inputs, targets, rng? }`);
  }
  if (paramCount(b.spec) !== params.length) {
    throw new NatgradError('extra.spec', `${who}: the model has ${paramCount(b.spec)} parameters but params has ${params.length}`);
  }
  return b;
}

/** The batch's rng, or a NatgradError for a transform that samples. */
export function requireRng(batch: ModelBatch, who: string): Rng {
  if (!batch.rng) throw new NatgradError('extra.rng', `${who} samples and needs a seeded rng in extra`);
  return batch.rng;
}
