/**
 * Validation of the oracle's version-2 model type `sequential` (layers
 * linear, conv2d, activation, flatten, mean, attention): the spec's fields,
 * the network (built by models/, which names every bad layer by its JSON
 * path), the size limits from the network's shapes before any weight or
 * example is read, then the weights, inputs and targets.
 */
import { NatgradError, childPath, describeValue } from '../core/errors.js';
import { rejectUnknownKeys } from '../core/validate.js';
import type { Vec } from '../core/vec.js';
import { KFAC_APPROXIMATIONS, KFAC_FISHER_KINDS, type KfacApproximation, type KfacDampingScheme, type KfacFisherKind } from '../curvature/kfac.js';
import type { ModelCurvatureKind } from '../curvature/model-curvature.js';
import { LIKELIHOODS, type Likelihood } from '../models/likelihoods.js';
import { LAYER_TYPES, type LayerSpec } from '../models/layers/index.js';
import { type Batch, Sequential } from '../models/sequential.js';
import { tensorFromNested } from '../models/tensor.js';
import { type JsonObject, own, readArray, readEnum, readObject, readVector, requireField } from './json-reader.js';
import { type WorkEstimate, assertWithinLimits } from './limits.js';
import { type KfacBias, readCurvatureOrMonteCarlo, readCurvature, readDamping, readKfacFields, readReduction } from './model-spec.js';
import { sequentialDenseEstimate, sequentialEkfacEstimate, sequentialKfacEstimate } from './sequential-limits.js';

/** The fields of a `sequential` model object. */
export const SEQUENTIAL_MODEL_FIELDS = ['type', 'input', 'layers', 'likelihood', 'reduction'] as const;

/** The kinds a sequential model answers: every model kind. */
export const SEQUENTIAL_KINDS = ['fisher', 'natural-gradient', 'kfac', 'diagonal', 'per-example-gradients', 'ekfac'] as const;
type SequentialKind = (typeof SEQUENTIAL_KINDS)[number];

const PROBLEM = ['kind', 'model', 'weights', 'inputs', 'targets', 'reduction'] as const;

/** The fields each kind allows with a sequential model; nothing else may stand in the spec. */
const FIELDS: Record<SequentialKind, readonly string[]> = {
  fisher: [...PROBLEM, 'curvature', 'samples'],
  'natural-gradient': [...PROBLEM, 'curvature', 'gradient', 'damping'],
  kfac: [...PROBLEM, 'fisher', 'damping', 'dampingScheme', 'approximation', 'bias', 'samples'],
  diagonal: [...PROBLEM, 'curvature', 'samples'],
  'per-example-gradients': [...PROBLEM],
  ekfac: [...PROBLEM, 'fisher', 'damping', 'approximation'],
};

/** The fields of every sequential form, for naming a misspelled field of a spec without a kind. */
export const SEQUENTIAL_SPEC_FIELDS: readonly (readonly string[])[] = Object.values(FIELDS);

/** A validated sequential problem: the network, theta in parameter-vector order, the batch. */
export interface SequentialProblem {
  model: Sequential;
  theta: Vec;
  batch: Batch;
}

interface SequentialBase {
  path: string;
  subject: 'sequential';
  network: SequentialProblem;
  estimate: WorkEstimate;
}

export type SequentialParsedSpec = SequentialBase &
  (
    | { kind: 'fisher'; curvature: ModelCurvatureKind; samples: number | null }
    | { kind: 'natural-gradient'; curvature: ModelCurvatureKind; gradient: Float64Array | null; damping: number }
    | {
        kind: 'kfac';
        /** with `samples` (not null), the Monte Carlo estimator of the `fisher` type */
        fisher: KfacFisherKind;
        samples: number | null;
        damping: number;
        scheme: KfacDampingScheme;
        approximation: KfacApproximation;
        bias: KfacBias;
      }
    | { kind: 'diagonal'; curvature: ModelCurvatureKind; samples: number | null }
    | { kind: 'per-example-gradients' }
    | { kind: 'ekfac'; fisher: KfacFisherKind; damping: number; approximation: KfacApproximation }
  );

/** True when a parsed spec is of a sequential model. */
export const isSequentialSpec = (spec: object): spec is SequentialParsedSpec => (spec as { subject?: unknown }).subject === 'sequential';

/**
 * True when the raw spec's `model` is an object with `"type": "sequential"`,
 * or without a type but with the fields of a sequential model, or a spec
 * without a model but with `approximation` (so that a misspelled `type` or
 * `model` is named as such).
 */
export function hasSequentialModel(obj: JsonObject): boolean {
  const model = own(obj, 'model');
  // no model (a misspelled one?) but a field only sequential specs have
  if (model === undefined) return own(obj, 'approximation') !== undefined;
  if (typeof model !== 'object' || model === null || Array.isArray(model)) return false;
  const m = model as JsonObject;
  const type = own(m, 'type');
  return type === 'sequential' || (type === undefined && (own(m, 'layers') !== undefined || own(m, 'input') !== undefined));
}

const MODEL_WHAT = 'an object {type: "sequential", input, layers, likelihood}';

/** Every field any layer type defines: a layer without `type` is checked against these, so a misspelled `type` is named. */
const ANY_LAYER_FIELDS = ['type', 'out', 'bias', 'kernel', 'stride', 'padding', 'fn', 'heads', 'causal'] as const;

/** Throws for a layer object without `type`, naming a misspelled one first. */
function requireLayerType(layer: unknown, path: string): void {
  if (typeof layer !== 'object' || layer === null || Array.isArray(layer) || own(layer as JsonObject, 'type') !== undefined) return;
  rejectUnknownKeys(layer, ANY_LAYER_FIELDS, path, 'a layer');
  requireField(layer as JsonObject, 'type', path, `one of ${LAYER_TYPES.join(', ')}`);
}

/** Builds the network of `spec.model`; every layer error names its path (`spec.model.layers[2].kernel`). */
function readNetwork(obj: JsonObject, path: string): Sequential {
  const mp = childPath(path, 'model');
  const model = readObject(own(obj, 'model'), mp, MODEL_WHAT);
  rejectUnknownKeys(model, SEQUENTIAL_MODEL_FIELDS, mp, 'a sequential model');
  requireField(model, 'type', mp, '"sequential" (or "mlp", with sizes and activations)');
  const input = requireField(model, 'input', mp, "one example's shape: [D], [T, D] or [C, H, W]");
  const layers = requireField(model, 'layers', mp, 'a non-empty array of layers');
  const likelihood = readEnum<Likelihood>(requireField(model, 'likelihood', mp, `one of ${LIKELIHOODS.join(', ')}`), childPath(mp, 'likelihood'), LIKELIHOODS);
  const reduction = readReduction(obj, path);
  if (!Array.isArray(input))
    throw new NatgradError(childPath(mp, 'input'), `must be one example's shape, [D], [T, D] or [C, H, W], got ${describeValue(input)}`);
  if (Array.isArray(layers)) layers.forEach((layer, l) => requireLayerType(layer, childPath(childPath(mp, 'layers'), l)));
  return new Sequential({ input: input as number[], layers: layers as LayerSpec[], likelihood, reduction }, mp);
}

/** Reads weights, inputs and targets once the size limits have passed. */
function readProblem(obj: JsonObject, model: Sequential, N: number, path: string): SequentialProblem {
  const wp = childPath(path, 'weights');
  const L = model.layers.length;
  const weights = requireField(obj, 'weights', path, `an array of ${L} object${L === 1 ? '' : 's'}, one per layer ({} for a layer without parameters)`);
  const theta = model.paramsFromJson(weights, wp);
  const x = tensorFromNested(own(obj, 'inputs'), model.inputShape, childPath(path, 'inputs'));
  const tp = childPath(path, 'targets');
  const rawTargets = requireField(obj, 'targets', path, `an array with one target per input (${N})`);
  const targets = model.loss.targetsFromJson(rawTargets, N, tp);
  return { model, theta, batch: { x, targets } };
}

/** Validates a spec of any model kind whose model is `sequential`. */
export function parseSequentialSpec(obj: JsonObject, kind: SequentialKind, path: string): SequentialParsedSpec {
  if ((kind === 'fisher' || kind === 'natural-gradient') && own(obj, 'family') !== undefined) {
    throw new NatgradError(path, 'has both "family" and "model"; give one: a distribution family or a model (mlp or sequential)');
  }
  rejectUnknownKeys(obj, FIELDS[kind], path, `a ${kind} spec of a sequential model`);
  const model = readNetwork(obj, path);
  const ip = childPath(path, 'inputs');
  const inWhat = `a non-empty array of inputs, each a nested array of shape [${model.inputShape.join(', ')}] (model.input)`;
  const rawInputs = readArray(requireField(obj, 'inputs', path, inWhat), ip, inWhat);
  if (rawInputs.length === 0) throw new NatgradError(ip, `must be ${inWhat}, got an empty array`);
  const N = rawInputs.length;
  const mp = childPath(path, 'model');
  const base = { path, subject: 'sequential' as const };
  const limited = (estimate: WorkEstimate): WorkEstimate => {
    assertWithinLimits(estimate, mp);
    return estimate;
  };
  const readApproximation = (): KfacApproximation => {
    const a = own(obj, 'approximation');
    return a === undefined ? 'expand' : readEnum(a, childPath(path, 'approximation'), KFAC_APPROXIMATIONS);
  };
  switch (kind) {
    case 'fisher':
    case 'diagonal': {
      const { curvature, samples } = readCurvatureOrMonteCarlo(obj, path);
      const estimate = limited(sequentialDenseEstimate('fisher', curvature, model, N));
      return { ...base, kind, curvature, samples, estimate, network: readProblem(obj, model, N, path) };
    }
    case 'natural-gradient': {
      const damping = own(obj, 'damping') === undefined ? 0 : readDamping(own(obj, 'damping'), childPath(path, 'damping'));
      const curvature = readCurvature(obj, path, 'fisher');
      const estimate = limited(sequentialDenseEstimate(kind, curvature, model, N));
      const network = readProblem(obj, model, N, path);
      const g = own(obj, 'gradient');
      const P = model.paramCount;
      const gradient = g === undefined ? null : readVector(g, childPath(path, 'gradient'), P, `an array of ${P} numbers (one per parameter)`);
      return { ...base, kind, curvature, gradient, damping, estimate, network };
    }
    case 'kfac': {
      const { fisher, samples, damping, scheme, bias } = readKfacFields(obj, path);
      const approximation = readApproximation();
      const estimate = limited(sequentialKfacEstimate(fisher, model, N));
      return { ...base, kind, fisher, samples, damping, scheme, approximation, bias, estimate, network: readProblem(obj, model, N, path) };
    }
    case 'per-example-gradients': {
      const P = model.paramCount;
      const estimate = limited(sequentialKfacEstimate('empirical-fisher', model, N));
      const perExample = { size: N * P, what: `${N} gradients of ${P} parameters (${N} x ${P})` };
      const withResult = { ...estimate, result: perExample, largest: perExample.size > estimate.largest.size ? perExample : estimate.largest };
      return { ...base, kind, estimate: limited(withResult), network: readProblem(obj, model, N, path) };
    }
    case 'ekfac': {
      const fisher = readEnum(requireField(obj, 'fisher', path, `one of ${KFAC_FISHER_KINDS.join(', ')}`), childPath(path, 'fisher'), KFAC_FISHER_KINDS);
      const damping = readDamping(requireField(obj, 'damping', path, 'a finite number >= 0 (the damping lambda)'), childPath(path, 'damping'));
      const approximation = readApproximation();
      const estimate = limited(sequentialEkfacEstimate(fisher, model, N));
      return { ...base, kind, fisher, damping, approximation, estimate, network: readProblem(obj, model, N, path) };
    }
  }
}
