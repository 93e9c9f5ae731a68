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
import { type LayerWeights, type MlpSpec, mlpInputs, mlpModel, unflattenWeights, validateData, validateMlpSpec } from '../models/mlp.js';
import type { ExampleTarget } from '../models/output-loss.js';
import { type Batch, Sequential } from '../models/sequential.js';
import { Tensor } from '../models/tensor.js';

/**
 * The `extra` a curvature optimizer needs at each update: the model and the
 * batch the gradient came from (and an rng for those that sample), for an
 * MLP ({@link MlpBatch}) or any Sequential model ({@link SequentialBatch}).
 * {@link modelProblem} and {@link sequentialProblem} make one for a data set.
 */
export type ModelBatch = MlpBatch | SequentialBatch;

/** The batch of an MLP. */
export interface MlpBatch {
  /** The model. */
  spec: MlpSpec;
  /** The batch's inputs, each of sizes[0] numbers. */
  inputs: readonly Vec[];
  /** One target per input. */
  targets: readonly Target[];
  /** Seeded generator for sampled curvature; required by transforms that sample. */
  rng?: Rng;
}

/** The batch of a Sequential model (CNN, attention, MLP as layers). */
export interface SequentialBatch {
  /** The model. */
  model: Sequential;
  /** The inputs, [N, ...model.inputShape]. */
  x: Tensor;
  /** One target per example (per position for per-position outputs). */
  targets: readonly ExampleTarget[];
  /** Seeded generator for sampled curvature; required by transforms that sample. */
  rng?: Rng;
}

/** A checked batch in both forms: every transform can use the Sequential one; `mlp` is set for an MLP batch. */
export interface ResolvedBatch {
  model: Sequential;
  batch: Batch;
  rng?: Rng;
  mlp: MlpBatch | null;
}

/** The layer weights of `params` for the batch's model (throws a NatgradError on a size mismatch). */
export function batchWeights(batch: MlpBatch, params: Vec): LayerWeights[] {
  return unflattenWeights(batch.spec, params);
}

/** Batches already checked, with the copy the transforms read: a training run hands the same batch to every update. */
const checkedBatches = new WeakMap<object, ResolvedBatch>();

/**
 * Throws a NatgradError naming what is wrong unless `extra` is a ModelBatch
 * matching `params`: a valid model, finite inputs of the model's shape
 * (`extra.inputs[3][2]` names a NaN), one valid target per input.
 */
export function requireModelBatch(extra: unknown, params: Vec, who: string): ResolvedBatch {
  const b = extra as Partial<MlpBatch & SequentialBatch> | undefined;
  const sequential = !!b && typeof b === 'object' && b.model instanceof Sequential;
  if (!b || typeof b !== 'object' || (!sequential && (!b.spec || !Array.isArray(b.inputs))) || !Array.isArray(b.targets)) {
    throw new NatgradError('extra', `${who} needs the model and batch as extra: { spec, inputs, targets, rng? } or { model, x, targets, rng? }`);
  }
  let checked = checkedBatches.get(b);
  if (!checked) {
    if (b.rng !== undefined && !(b.rng instanceof Rng)) throw new NatgradError('extra.rng', 'must be an Rng (new Rng(seed))');
    const rng = b.rng ? { rng: b.rng } : {};
    if (sequential) {
      const sb = b as SequentialBatch;
      if (!(sb.x instanceof Tensor)) throw new NatgradError('extra.x', `must be a Tensor of inputs [N, ${sb.model.inputShape.join(', ')}]`);
      sb.model.checkInput(sb.x, 'extra.x');
      requireFiniteVector(sb.x.data, 'extra.x');
      sb.model.loss.validateTargets(sb.targets, sb.x.batch, 'extra.targets');
      checked = { model: sb.model, batch: { x: new Tensor(sb.x.shape, Float64Array.from(sb.x.data)), targets: copyArray(sb.targets) }, ...rng, mlp: null };
    } else {
      const mb = b as MlpBatch;
      validateMlpSpec(mb.spec, 'extra.spec');
      mb.inputs.forEach((x, n) => requireFiniteVector(x, `extra.inputs[${n}]`));
      validateData(mb.spec, mb.inputs, mb.targets, 'extra');
      const mlp: MlpBatch = { spec: mb.spec, inputs: copyArray(mb.inputs), targets: copyArray(mb.targets), ...rng };
      checked = { model: mlpModel(mb.spec), batch: { x: mlpInputs(mb.spec, mlp.inputs), targets: mlp.targets }, ...rng, mlp };
    }
    checkedBatches.set(b, checked);
  }
  if (checked.model.paramCount !== params.length) {
    throw new NatgradError(
      sequential ? 'extra.model' : 'extra.spec',
      `${who}: the model has ${checked.model.paramCount} parameters but params has ${params.length}`,
    );
  }
  return checked;
}

/** requireModelBatch for the transforms written for MLPs only: a Sequential batch is refused by name. */
export function requireMlpBatch(extra: unknown, params: Vec, who: string): MlpBatch {
  const r = requireModelBatch(extra, params, who);
  if (r.mlp === null)
    throw new NatgradError(
      'extra.model',
      `${who} supports MLP batches ({ spec, inputs, targets }); for a Sequential model use kfac, ekfac, shampoo or natural gradient`,
    );
  return r.mlp;
}

/** The batch's rng, or a NatgradError for a transform that samples. */
export function requireRng(batch: { rng?: Rng }, who: string): Rng {
  if (!batch.rng) throw new NatgradError('extra.rng', `${who} samples and needs a seeded rng in extra`);
  return batch.rng;
}
