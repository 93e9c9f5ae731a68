/**
 * Validation of the model part of an oracle spec (`model`, `weights`,
 * `inputs`, `targets`) into the library's MLP types, with the JSON path of
 * every violation. The library validates again when it computes; this layer
 * exists so that messages name the spec's own paths and allowed values.
 */
import { NatgradError, childPath, describeValue } from '../core/errors.js';
import { rejectUnknownKeys, requireNonNegative } from '../core/validate.js';
import { MODEL_CURVATURES, type ModelCurvatureKind } from '../curvature/dense-curvature.js';
import { KFAC_DAMPING_SCHEMES, KFAC_FISHER_KINDS, type KfacDampingScheme, type KfacFisherKind } from '../curvature/kfac.js';
import type { Vec } from '../core/vec.js';
import type { Matrix } from '../linalg/matrix.js';
import { ACTIVATIONS, type Activation } from '../models/activations.js';
import { LIKELIHOODS, type Likelihood, type Target } from '../models/likelihoods.js';
import { type LayerWeights, type MlpSpec, layerHasBias, paramCount } from '../models/mlp.js';
import { type JsonObject, isJsonObject, own, readArray, readEnum, readMatrix, readObject, readVector, requireField } from './json-reader.js';
import type { ModelShape } from './limits.js';
import { type LossConvention, REDUCTIONS, type Reduction } from './conventions.js';

/** A validated model problem: the network, its weights and the data. */
export interface ModelProblem {
  spec: MlpSpec;
  weights: LayerWeights[];
  inputs: Vec[];
  targets: Target[];
  /** the loss as the spec states it (`reduction`, `mse`), also carried by `spec` (its likelihood and reduction), which the library computes with */
  convention: LossConvention;
}

/** The fields of the model object of an `mlp`. */
export const MLP_MODEL_FIELDS = ['type', 'sizes', 'activations', 'likelihood', 'bias', 'reduction'] as const;

/** The likelihoods of a model spec: the library's (`mse` is PyTorch's nn.MSELoss). */
export const SPEC_LIKELIHOODS = LIKELIHOODS;
/** The model types of a model spec (`sequential` is read by sequential-spec.ts). */
export const MODEL_TYPES = ['mlp', 'sequential'] as const;
/** The fields of one entry of `weights`. */
export const LAYER_WEIGHT_FIELDS = ['W', 'b'] as const;

function readSizes(model: JsonObject, path: string): number[] {
  const sp = childPath(path, 'sizes');
  const what = 'an array of at least 2 positive integers (layer widths, input first)';
  const arr = readArray(requireField(model, 'sizes', path, what), sp, what);
  if (arr.length < 2) throw new NatgradError(sp, `must be ${what}, got an array of length ${arr.length}`);
  return arr.map((n, i) => {
    const p = childPath(sp, i);
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
      throw new NatgradError(p, `must be a positive integer (a layer width), got ${describeValue(n)}`);
    }
    return n;
  });
}

/** The network and whether its likelihood is `mse`. */
interface ReadModel {
  model: MlpSpec;
  mse: boolean;
}

function readModel(spec: JsonObject, path: string): ReadModel {
  const mp = childPath(path, 'model');
  const model = readObject(
    requireField(spec, 'model', path, 'an object {type: "mlp", sizes, activations, likelihood}'),
    mp,
    'an object {type: "mlp", sizes, activations, likelihood}',
  );
  // a type other than mlp first: a misspelled "sequential" is named as such, not by the mlp's fields
  const given = own(model, 'type');
  if (given !== undefined && given !== 'mlp') readEnum(given, childPath(mp, 'type'), MODEL_TYPES);
  rejectUnknownKeys(model, MLP_MODEL_FIELDS, mp, 'an mlp model');
  requireField(model, 'type', mp, `one of ${MODEL_TYPES.join(', ')}`);
  const sizes = readSizes(model, mp);
  const L = sizes.length - 1;
  const ap = childPath(mp, 'activations');
  const actWhat = `an array of ${L} activation names (one per layer, sizes has ${L + 1} entries), each one of ${ACTIVATIONS.join(', ')}`;
  const acts = readArray(requireField(model, 'activations', mp, actWhat), ap, actWhat);
  if (acts.length !== L) throw new NatgradError(ap, `must be ${actWhat}, got an array of length ${acts.length}`);
  const activations = acts.map((a, i) => readEnum<Activation>(a, childPath(ap, i), ACTIVATIONS));
  const named = readEnum(requireField(model, 'likelihood', mp, `one of ${SPEC_LIKELIHOODS.join(', ')}`), childPath(mp, 'likelihood'), SPEC_LIKELIHOODS);
  const likelihood: Likelihood = named;
  const D = sizes[L];
  if (likelihood === 'bernoulli' && D !== 1) {
    throw new NatgradError(childPath(childPath(mp, 'sizes'), L), `must be 1 for the bernoulli likelihood (one output, a logit), got ${D}`);
  }
  const out: MlpSpec = { sizes, activations, likelihood };
  const bias = own(model, 'bias');
  if (bias !== undefined) {
    const bp = childPath(mp, 'bias');
    const what = `an array of ${L} booleans (whether each layer has a bias; default all true)`;
    const arr = readArray(bias, bp, what);
    if (arr.length !== L) throw new NatgradError(bp, `must be ${what}, got an array of length ${arr.length}`);
    out.bias = arr.map((b, i) => {
      if (typeof b !== 'boolean') throw new NatgradError(childPath(bp, i), `must be true or false, got ${describeValue(b)}`);
      return b;
    });
  }
  return { model: out, mse: named === 'mse' };
}

/**
 * `reduction`, a field of the spec (also accepted inside `model`, next to the
 * likelihood it belongs to in PyTorch; not in both places).
 */
export function readReduction(spec: JsonObject, path: string): Reduction {
  const mp = childPath(path, 'model');
  const inModel = isJsonObject(own(spec, 'model')) ? own(own(spec, 'model') as JsonObject, 'reduction') : undefined;
  const top = own(spec, 'reduction');
  if (top !== undefined && inModel !== undefined) {
    throw new NatgradError(childPath(mp, 'reduction'), 'is given twice (also as spec "reduction"); give it once');
  }
  if (top === undefined && inModel === undefined) return 'mean';
  return readEnum(top ?? inModel, top !== undefined ? childPath(path, 'reduction') : childPath(mp, 'reduction'), REDUCTIONS);
}

function readWeights(spec: JsonObject, model: MlpSpec, path: string): LayerWeights[] {
  const wp = childPath(path, 'weights');
  const L = model.sizes.length - 1;
  const what = `an array of ${L} layers {W: out x in matrix, b: out numbers}`;
  const arr = readArray(requireField(spec, 'weights', path, what), wp, what);
  if (arr.length !== L) throw new NatgradError(wp, `must be ${what}, got an array of length ${arr.length}`);
  return arr.map((layer, l) => {
    const lp = childPath(wp, l);
    const out = model.sizes[l + 1];
    const inp = model.sizes[l];
    const obj = readObject(layer, lp, `an object {W: ${out} x ${inp} matrix, b: ${out} numbers}`);
    rejectUnknownKeys(obj, LAYER_WEIGHT_FIELDS, lp, `the weights of layer ${l + 1}`);
    const W: Matrix = readMatrix(requireField(obj, 'W', lp, `a ${out} x ${inp} matrix (out x in)`), childPath(lp, 'W'), out, inp, 'out x in');
    const hasBias = model.bias === undefined || model.bias[l];
    const braw = own(obj, 'b');
    let b: Float64Array;
    if (hasBias) {
      b = readVector(requireField(obj, 'b', lp, `an array of ${out} numbers (out)`), childPath(lp, 'b'), out);
    } else {
      b = braw === undefined ? new Float64Array(0) : readVector(braw, childPath(lp, 'b'), 0, 'an empty array (model.bias says this layer has no bias)');
    }
    return { W, b };
  });
}

function readTarget(y: unknown, model: MlpSpec, path: string): Target {
  const D = model.sizes[model.sizes.length - 1];
  switch (model.likelihood) {
    case 'categorical': {
      const allowed = `a class index, an integer in 0..${D - 1}`;
      if (typeof y !== 'number' || !Number.isInteger(y) || y < 0 || y >= D) throw new NatgradError(path, `must be ${allowed}, got ${describeValue(y)}`);
      return y;
    }
    case 'bernoulli':
      if (y !== 0 && y !== 1) throw new NatgradError(path, `must be 0 or 1 (bernoulli target), got ${describeValue(y)}`);
      return y;
    case 'gaussian':
    case 'mse':
      return readVector(
        y,
        path,
        D,
        `an array of ${D} finite number${D === 1 ? '' : 's'} (${model.likelihood} targets are arrays of the output size, also when it is 1)`,
      );
  }
}

/** A model spec's network and its number of examples, read before any weight or example is. */
export interface ModelHead {
  model: MlpSpec;
  convention: LossConvention;
  /** the number of examples (the length of `inputs`) */
  N: number;
}

/** Validates `model` and the length of `inputs`: what the size limits need, before anything is allocated. */
export function readModelHead(spec: JsonObject, path: string): ModelHead {
  const { model, mse } = readModel(spec, path);
  const convention: LossConvention = { reduction: readReduction(spec, path), mse };
  model.reduction = convention.reduction;
  const ip = childPath(path, 'inputs');
  const d = model.sizes[0];
  const inWhat = `a non-empty array of inputs, each an array of ${d} numbers (sizes[0])`;
  const rawInputs = readArray(requireField(spec, 'inputs', path, inWhat), ip, inWhat);
  if (rawInputs.length === 0) throw new NatgradError(ip, `must be ${inWhat}, got an empty array`);
  return { model, convention, N: rawInputs.length };
}

/** The shape the size limits are computed from. */
export function modelShape(head: ModelHead): ModelShape {
  const { model, N } = head;
  const L = model.sizes.length - 1;
  const D = model.sizes[L];
  return {
    sizes: model.sizes,
    bias: model.sizes.slice(1).map((_, l) => layerHasBias(model, l)),
    N,
    R: model.likelihood === 'bernoulli' ? 1 : D,
    P: paramCount(model),
  };
}

/** Validates `weights`, `inputs` and `targets` of a spec object at `path` against its network. */
export function readModelData(spec: JsonObject, head: ModelHead, path: string): ModelProblem {
  const { model } = head;
  const weights = readWeights(spec, model, path);
  const d = model.sizes[0];
  const ip = childPath(path, 'inputs');
  const rawInputs = readArray(own(spec, 'inputs'), ip);
  const inputs = rawInputs.map((x, n) => readVector(x, childPath(ip, n), d, `an array of ${d} finite numbers (sizes[0])`));
  const tp = childPath(path, 'targets');
  const tWhat = `an array of ${inputs.length} targets, one per input`;
  const rawTargets = readArray(requireField(spec, 'targets', path, tWhat), tp, tWhat);
  if (rawTargets.length !== inputs.length) throw new NatgradError(tp, `must be ${tWhat}, got an array of length ${rawTargets.length}`);
  const targets = rawTargets.map((y, n) => readTarget(y, model, childPath(tp, n)));
  return { spec: model, weights, inputs, targets, convention: head.convention };
}

/** The problem under another loss convention: the same network and data, with the convention's likelihood (gaussian or mse) and reduction. */
export function withConvention(problem: ModelProblem, convention: LossConvention): ModelProblem {
  const likelihood =
    problem.spec.likelihood === 'gaussian' || problem.spec.likelihood === 'mse' ? (convention.mse ? 'mse' : 'gaussian') : problem.spec.likelihood;
  return { ...problem, spec: { ...problem.spec, likelihood, reduction: convention.reduction }, convention };
}

/** The Monte Carlo curvature name of `fisher` and `diagonal` specs. */
export const MONTE_CARLO_CURVATURE = 'monte-carlo-fisher';
/** The Monte Carlo Fisher type of `kfac` specs. */
export const MONTE_CARLO_KFAC = 'monte-carlo';
/** The largest number of Monte Carlo samples a spec may name. */
export const MAX_SAMPLES = 2 ** 40;

/**
 * `samples` (M, the labels drawn per example): required exactly when `monteCarlo`
 * (the curvature or Fisher type names the Monte Carlo estimator), refused otherwise.
 */
export function readSamples(obj: JsonObject, path: string, monteCarlo: boolean, field: string, mcName: string): number | null {
  const v = own(obj, 'samples');
  const sp = childPath(path, 'samples');
  if (!monteCarlo) {
    if (v !== undefined) throw new NatgradError(sp, `is only allowed with ${field} "${mcName}" (the number of labels drawn per example)`);
    return null;
  }
  if (v === undefined) throw new NatgradError(sp, `is required with ${field} "${mcName}": the number M of labels drawn per example, an integer >= 1`);
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > MAX_SAMPLES) {
    throw new NatgradError(sp, `must be an integer from 1 to 2^40 (the labels drawn per example), got ${describeValue(v)}`);
  }
  return v;
}

/** `curvature` of a model spec, `fallback` when it is left out (an error when there is none). */
export function readCurvature(obj: JsonObject, path: string, fallback: ModelCurvatureKind | null): ModelCurvatureKind {
  const v = own(obj, 'curvature');
  if (v === undefined) {
    if (fallback) return fallback;
    throw new NatgradError(childPath(path, 'curvature'), `is required: one of ${MODEL_CURVATURES.join(', ')}`);
  }
  return readEnum(v, childPath(path, 'curvature'), MODEL_CURVATURES);
}

/** `curvature` of a fisher or diagonal spec, which may name the Monte Carlo Fisher, and its `samples`. */
export function readCurvatureOrMonteCarlo(obj: JsonObject, path: string): { curvature: ModelCurvatureKind; samples: number | null } {
  const allowed = [...MODEL_CURVATURES, MONTE_CARLO_CURVATURE];
  const v = own(obj, 'curvature');
  if (v === undefined) throw new NatgradError(childPath(path, 'curvature'), `is required: one of ${allowed.join(', ')}`);
  const name = readEnum(v, childPath(path, 'curvature'), allowed);
  const mc = name === MONTE_CARLO_CURVATURE;
  return { curvature: mc ? 'fisher' : (name as ModelCurvatureKind), samples: readSamples(obj, path, mc, 'curvature', MONTE_CARLO_CURVATURE) };
}

export const KFAC_BIAS = ['joint', 'separate'] as const;
export type KfacBias = (typeof KFAC_BIAS)[number];

/** A non-negative finite damping. */
export function readDamping(v: unknown, path: string): number {
  return requireNonNegative(v, path, 'the damping lambda');
}

/** The fields every kfac spec shares: the Fisher type (and Monte Carlo samples), damping, its scheme and the bias convention. */
export function readKfacFields(
  obj: JsonObject,
  path: string,
): { fisher: KfacFisherKind; samples: number | null; damping: number; scheme: KfacDampingScheme; bias: KfacBias } {
  const kinds = [...KFAC_FISHER_KINDS, MONTE_CARLO_KFAC];
  const named = readEnum(requireField(obj, 'fisher', path, `one of ${kinds.join(', ')}`), childPath(path, 'fisher'), kinds);
  const mc = named === MONTE_CARLO_KFAC;
  const samples = readSamples(obj, path, mc, 'fisher', MONTE_CARLO_KFAC);
  const fisher: KfacFisherKind = mc ? 'fisher' : (named as KfacFisherKind);
  // a Monte Carlo result has no update, so damping and its scheme may be left out (they are still validated when given)
  const dampingRaw = mc ? own(obj, 'damping') : requireField(obj, 'damping', path, 'a finite number >= 0 (the damping lambda)');
  const damping = dampingRaw === undefined ? 0 : readDamping(dampingRaw, childPath(path, 'damping'));
  const schemeRaw = mc ? own(obj, 'dampingScheme') : requireField(obj, 'dampingScheme', path, `one of ${KFAC_DAMPING_SCHEMES.join(', ')}`);
  const scheme = schemeRaw === undefined ? 'factored' : readEnum(schemeRaw, childPath(path, 'dampingScheme'), KFAC_DAMPING_SCHEMES);
  const biasRaw = own(obj, 'bias');
  const bias: KfacBias = biasRaw === undefined ? 'joint' : readEnum(biasRaw, childPath(path, 'bias'), KFAC_BIAS);
  return { fisher, samples, damping, scheme, bias };
}
