/**
 * The `extra` argument of curvature-based transforms: the model and the batch
 * the gradient came from. The weights are the `params` vector handed to
 * `update` (flat, in the parameter order of the oracle contract); the rng
 * drives every draw (Monte Carlo Fisher, Hutchinson probes) so runs replay.
 */
import { NatgradError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { copyArray, requireFiniteVector } from '../core/validate.js';
import type { Vec } from '../core/vec.js';
import type { Target } from '../models/likelihoods.js';
import { type LayerWeights, type MlpSpec, paramCount, unflattenWeights, validateData, validateMlpSpec } from '../models/mlp.js';

/**
 * The `extra` a curvature optimizer needs at each update: the model and the
 * batch the gradient came from (and an rng for those that sample).
 * {@link modelProblem} makes one for a data set.
 */
export interface ModelBatch {
  /** The model. */
  spec: MlpSpec;
  /** The batch's inputs, each of sizes[0] numbers. */
  inputs: readonly Vec[];
  /** One target per input. */
  targets: readonly Target[];
  /** Seeded generator for sampled curvature; required by transforms that sample. */
  rng?: Rng;
}

/** The layer weights of `params` for the batch's model (throws a NatgradError on a size mismatch). */
export function batchWeights(batch: ModelBatch, params: Vec): LayerWeights[] {
  return unflattenWeights(batch.spec, params);
}

/** Batches already checked, with the copy the transforms read: a training run hands the same batch to every update. */
const checkedBatches = new WeakMap<object, ModelBatch>();

/**
 * Throws a NatgradError naming what is wrong unless `extra` is a ModelBatch
 * matching `params`: a valid model, finite inputs of the model's width
 * (`extra.inputs[3][2]` names a NaN), one valid target per input.
 */
export function requireModelBatch(extra: unknown, params: Vec, who: string): ModelBatch {
  const b = extra as ModelBatch | undefined;
  if (!b || typeof b !== 'object' || !b.spec || !Array.isArray(b.inputs) || !Array.isArray(b.targets)) {
    throw new NatgradError('extra', `${who} needs the model and batch as extra: { spec, inputs, targets, rng? }`);
  }
  let checked = checkedBatches.get(b);
  if (!checked) {
    validateMlpSpec(b.spec, 'extra.spec');
    b.inputs.forEach((x, n) => requireFiniteVector(x, `extra.inputs[${n}]`));
    validateData(b.spec, b.inputs, b.targets, 'extra');
    if (b.rng !== undefined && !(b.rng instanceof Rng)) throw new NatgradError('extra.rng', 'must be an Rng (new Rng(seed))');
    checked = { spec: b.spec, inputs: copyArray(b.inputs), targets: copyArray(b.targets), ...(b.rng ? { rng: b.rng } : {}) };
    checkedBatches.set(b, checked);
  }
  if (paramCount(checked.spec) !== params.length) {
    throw new NatgradError('extra.spec', `${who}: the model has ${paramCount(checked.spec)} parameters but params has ${params.length}`);
  }
  return checked;
}

/** The batch's rng, or a NatgradError for a transform that samples. */
export function requireRng(batch: ModelBatch, who: string): Rng {
  if (!batch.rng) throw new NatgradError('extra.rng', `${who} samples and needs a seeded rng in extra`);
  return batch.rng;
}
