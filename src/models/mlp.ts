/**
 * A multilayer perceptron as a conditional model p(y | x, theta): its spec,
 * weights and per-example functions, all computed by the equivalent
 * Sequential model (mlpModel), which holds the one forward, backward,
 * Jacobian and exact Hessian-vector (R-operator) pass.
 *
 * Layer l (1-based in names, 0-based in arrays) computes s_l = W_l a_{l-1} + b_l
 * and a_l = phi_l(s_l), a_0 = x; the network output f = a_L feeds the
 * likelihood. The parameter vector is, layer by layer, W_l row-major then b_l:
 * the order of PyTorch's `parameters_to_vector` for `nn.Linear` layers.

 */
import { NatgradError, childPath, describeValue } from '../core/errors.js';
import { hasOwnConstructor, rejectUnknownKeys, requireFiniteEntries, requireFiniteVector, requireOneOf, requireResultSize } from '../core/validate.js';
import { Rng } from '../core/rng.js';
import type { Vec } from '../core/vec.js';
import { isMatrix, Matrix } from '../linalg/matrix.js';
import { type Activation, ACTIVATIONS } from './activations.js';
import { type Likelihood, type Target, likelihoodModel, LIKELIHOODS } from './likelihoods.js';
import { REDUCTIONS, type Reduction } from './output-loss.js';
import { type Batch, Sequential, type SequentialTrace, sequentialSpecFromMlp } from './sequential.js';
import { Tensor, stackExamples } from './tensor.js';

/**
 * A multilayer perceptron: layer widths, one activation per layer, the output
 * likelihood, and optionally which layers have a bias.
 *
 * @example
 * ```ts
 * const spec: MlpSpec = { sizes: [64, 32, 10], activations: ['tanh', 'identity'], likelihood: 'categorical' };
 * ```
 */
export interface MlpSpec {
  /** L+1 layer widths, input first. */
  sizes: number[];
  /** L activations, one per layer. */
  activations: Activation[];
  /** The output distribution. */
  likelihood: Likelihood;
  /** Per layer, whether it has a bias (default: every layer has one). */
  bias?: boolean[];
  /**
   * How the per-example losses combine into the loss ['mean']: `mean` over
   * the examples, `sum`, or `mean-elements` (PyTorch's reduction='mean',
   * which for `mse` also divides by the output size). Every loss, gradient
   * and curvature of the model is of the loss so reduced.
   */
  reduction?: Reduction;
}

/** One layer's weights: W is out x in; b has length out, or 0 for a layer without bias. */
export interface LayerWeights {
  /** out x in weights. */
  W: Matrix;
  /** out biases (empty for a layer without bias). */
  b: Float64Array;
}

/** Everything the forward pass computed for one input. */
export interface ForwardTrace {
  /** a_0 = x, a_1, ..., a_L (L+1 vectors); a_{l} is the input of layer l+1. */
  activations: Vec[];
  /** s_1, ..., s_L (L vectors). */
  preactivations: Vec[];
  /** f = a_L, the network output. */
  output: Vec;
}

/** Number of layers L. */
export const layerCount = (spec: MlpSpec): number => spec.activations.length;

/** Whether layer l (0-based) has a bias. */
export const layerHasBias = (spec: MlpSpec, l: number): boolean => spec.bias === undefined || spec.bias[l] !== false;

/** Number of parameters of layer l (0-based): out·in, plus out for the bias. */
export function layerParamCount(spec: MlpSpec, l: number): number {
  const out = spec.sizes[l + 1];
  return out * spec.sizes[l] + (layerHasBias(spec, l) ? out : 0);
}

/** Offset of each layer's first parameter in the flat vector, plus the total at the end. */
export function layerOffsets(spec: MlpSpec): number[] {
  const offsets = [0];
  for (let l = 0; l < layerCount(spec); l++) offsets.push(offsets[l] + layerParamCount(spec, l));
  return offsets;
}

/** Total number of parameters of a valid spec. */
const totalParams = (spec: MlpSpec): number => layerOffsets(spec)[layerCount(spec)];

/**
 * Total number of parameters (the spec is checked first).
 *
 * @example
 * ```ts
 * paramCount({ sizes: [2, 8, 3], activations: ['tanh', 'identity'], likelihood: 'categorical' }); // 51
 * ```
 */
export function paramCount(spec: MlpSpec): number {
  validateMlpSpec(spec, 'spec');
  return totalParams(spec);
}

/** Names in parameter-vector order: W1[i][j] row-major, b1[i], W2[i][j], ... */
export function paramNames(spec: MlpSpec): string[] {
  const names: string[] = [];
  for (let l = 0; l < layerCount(spec); l++) {
    const out = spec.sizes[l + 1];
    const inp = spec.sizes[l];
    for (let i = 0; i < out; i++) for (let j = 0; j < inp; j++) names.push(`W${l + 1}[${i}][${j}]`);
    if (layerHasBias(spec, l)) for (let i = 0; i < out; i++) names.push(`b${l + 1}[${i}]`);
  }
  return names;
}

/** Throws a NatgradError naming the offending field unless the spec describes a valid MLP. */
export function validateMlpSpec(spec: MlpSpec, path = 'spec.model'): void {
  rejectUnknownKeys(spec, MLP_SPEC_KEYS, path, 'an MLP spec { sizes, activations, likelihood, bias?, reduction? }');
  if (spec.reduction !== undefined) requireOneOf(spec.reduction, REDUCTIONS, childPath(path, 'reduction'));
  const { sizes, activations, likelihood, bias } = spec;
  for (const key of ['sizes', 'activations', 'bias'] as const) {
    const v = spec[key];
    if (Array.isArray(v) && hasOwnConstructor(v)) throw new NatgradError(childPath(path, key), 'must be a plain array (it has its own "constructor" property)');
  }
  if (!Array.isArray(sizes) || sizes.length < 2) {
    throw new NatgradError(childPath(path, 'sizes'), 'must be an array of at least 2 layer widths (input first)');
  }
  sizes.forEach((n, i) => {
    if (!Number.isInteger(n) || n < 1) {
      throw new NatgradError(childPath(childPath(path, 'sizes'), i), `must be a positive integer, got ${describeValue(n)}`);
    }
  });
  const L = sizes.length - 1;
  if (!Array.isArray(activations) || activations.length !== L) {
    throw new NatgradError(childPath(path, 'activations'), `must be an array of ${L} activations (one per layer, sizes has ${L + 1} entries)`);
  }
  activations.forEach((a, i) => requireOneOf(a, ACTIVATIONS, childPath(childPath(path, 'activations'), i)));
  requireOneOf(likelihood, LIKELIHOODS, childPath(path, 'likelihood'));
  const why = likelihoodModel(likelihood).outputSizeViolation(sizes[L]);
  if (why) throw new NatgradError(childPath(childPath(path, 'sizes'), L), why);
  if (bias !== undefined) {
    if (!Array.isArray(bias) || bias.length !== L || bias.some((b) => typeof b !== 'boolean')) {
      throw new NatgradError(childPath(path, 'bias'), `must be an array of ${L} booleans (one per layer)`);
    }
  }
  requireResultSize(totalParams(spec), childPath(path, 'sizes'), 'the parameter vector of this model');
}

const MLP_SPEC_KEYS = ['sizes', 'activations', 'likelihood', 'bias', 'reduction'];

/** Throws unless `weights` has one layer per spec layer with the right shapes and finite entries. */
export function validateWeights(spec: MlpSpec, weights: readonly LayerWeights[], path = 'spec.weights'): void {
  const L = layerCount(spec);
  if (!Array.isArray(weights) || weights.length !== L || hasOwnConstructor(weights)) {
    throw new NatgradError(path, `must be an array of ${L} layers, got ${Array.isArray(weights) ? weights.length : typeof weights}`);
  }
  for (let l = 0; l < L; l++) {
    const out = spec.sizes[l + 1];
    const inp = spec.sizes[l];
    const lp = childPath(path, l);
    const { W, b } = weights[l] ?? ({} as LayerWeights);
    if (!isMatrix(W) || W.rows !== out || W.cols !== inp) {
      const got = isMatrix(W) ? `${W.rows} x ${W.cols}` : typeof W;
      throw new NatgradError(childPath(lp, 'W'), `must be ${out} x ${inp} (out x in), got ${got}`);
    }
    requireFiniteEntries(W.data, childPath(lp, 'W'));
    const nb = layerHasBias(spec, l) ? out : 0;
    if (!(b instanceof Float64Array) || b.length !== nb) {
      const got = b instanceof Float64Array ? `length ${b.length}` : typeof b;
      throw new NatgradError(childPath(lp, 'b'), nb > 0 ? `must have length ${out} (out), got ${got}` : `must be empty (the layer has no bias), got ${got}`);
    }
    requireFiniteEntries(b, childPath(lp, 'b'));
  }
}

/** Throws unless inputs and targets are N >= 1 matching examples of the right sizes. */
export function validateData(spec: MlpSpec, inputs: readonly Vec[], targets: readonly Target[], path = 'spec'): void {
  const ip = childPath(path, 'inputs');
  const tp = childPath(path, 'targets');
  if (!Array.isArray(inputs) || inputs.length < 1) throw new NatgradError(ip, 'must be a non-empty array of input vectors');
  if (hasOwnConstructor(inputs)) throw new NatgradError(ip, 'must be a plain array (it has its own "constructor" property)');
  if (Array.isArray(targets) && hasOwnConstructor(targets)) throw new NatgradError(tp, 'must be a plain array (it has its own "constructor" property)');
  if (!Array.isArray(targets) || targets.length !== inputs.length) {
    throw new NatgradError(
      tp,
      `must be an array with one target per input (${inputs.length}), got ${Array.isArray(targets) ? targets.length : typeof targets}`,
    );
  }
  const d = spec.sizes[0];
  const D = spec.sizes[spec.sizes.length - 1];
  const lik = likelihoodModel(spec.likelihood);
  inputs.forEach((x, n) => {
    if (!(x instanceof Float64Array) || x.length !== d || hasOwnConstructor(x)) {
      throw new NatgradError(
        childPath(ip, n),
        `must be an array of ${d} numbers (sizes[0]), got ${x instanceof Float64Array ? `length ${x.length}` : typeof x}`,
      );
    }
    requireFiniteEntries(x, childPath(ip, n));
  });
  targets.forEach((y, n) => {
    const why = lik.targetViolation(y, D);
    if (why) throw new NatgradError(childPath(tp, n), why);
  });
}

/**
 * The flat parameter vector: per layer W row-major, then b (PyTorch's
 * `parameters_to_vector` order). Weights must be finite.
 *
 * @example
 * ```ts
 * const params0 = flattenWeights(initWeights(spec, new Rng(1)));
 * ```
 */
export function flattenWeights(weights: readonly LayerWeights[]): Vec {
  if (!Array.isArray(weights)) throw new NatgradError('weights', `must be an array of layers { W: Matrix, b: Float64Array }, got ${describeValue(weights)}`);
  weights.forEach((w, l) => {
    if (!isMatrix(w?.W)) throw new NatgradError(`weights[${l}].W`, 'must be a Matrix (out x in)');
    if (!(w.b instanceof Float64Array) || (w.b.length !== 0 && w.b.length !== w.W.rows)) {
      throw new NatgradError(`weights[${l}].b`, `must be a Float64Array of length ${w.W.rows} (out), or empty for a layer without bias`);
    }
    requireFiniteEntries(w.W.data, `weights[${l}].W`);
    requireFiniteEntries(w.b, `weights[${l}].b`);
  });
  let n = 0;
  for (const { W, b } of weights) n += W.data.length + b.length;
  const theta = new Float64Array(n);
  let k = 0;
  for (const { W, b } of weights) {
    theta.set(W.data, k);
    k += W.data.length;
    theta.set(b, k);
    k += b.length;
  }
  return theta;
}

/** Inverse of flattenWeights for the layer shapes of `spec`. */
export function unflattenWeights(spec: MlpSpec, theta: ArrayLike<number>): LayerWeights[] {
  const P = paramCount(spec);
  requireFiniteVector(theta, 'theta', { length: P, lengthWhat: 'the parameter count' });
  const layers: LayerWeights[] = [];
  let k = 0;
  for (let l = 0; l < layerCount(spec); l++) {
    const out = spec.sizes[l + 1];
    const inp = spec.sizes[l];
    const W = new Matrix(out, inp, copyRange(theta, k, out * inp));
    k += out * inp;
    const nb = layerHasBias(spec, l) ? out : 0;
    const b = copyRange(theta, k, nb);
    k += nb;
    layers.push({ W, b });
  }
  return layers;
}

function copyRange(values: ArrayLike<number>, start: number, length: number): Float64Array {
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = values[start + i];
  return out;
}

/**
 * PyTorch's nn.Linear default: W and b uniform on (-1/sqrt(in), 1/sqrt(in)),
 * drawn from `rng`.
 *
 * @example
 * ```ts
 * const weights = initWeights(spec, new Rng(1));
 * ```
 */
export function initWeights(spec: MlpSpec, rng: Rng): LayerWeights[] {
  validateMlpSpec(spec, 'spec');
  if (!(rng instanceof Rng)) throw new NatgradError('rng', `must be an Rng (new Rng(seed)), got ${describeValue(rng)}`);
  const layers: LayerWeights[] = [];
  for (let l = 0; l < layerCount(spec); l++) {
    const out = spec.sizes[l + 1];
    const inp = spec.sizes[l];
    const bound = 1 / Math.sqrt(inp);
    const W = new Matrix(out, inp);
    for (let i = 0; i < W.data.length; i++) W.data[i] = bound * (2 * rng.uniform() - 1);
    const b = new Float64Array(layerHasBias(spec, l) ? out : 0);
    for (let i = 0; i < b.length; i++) b[i] = bound * (2 * rng.uniform() - 1);
    layers.push({ W, b });
  }
  return layers;
}

/**
 * The MLP of `spec` as a Sequential model (a `linear` and an `activation`
 * layer per MLP layer, the same parameter vector): the one forward and
 * backward implementation every function below runs on. Built once per
 * architecture.
 */
export function mlpModel(spec: MlpSpec): Sequential {
  const key = JSON.stringify([spec.sizes, spec.activations, spec.likelihood, spec.bias ?? null, spec.reduction ?? 'mean']);
  let model = models.get(key);
  if (model === undefined) {
    validateMlpSpec(spec, 'spec');
    model = new Sequential(sequentialSpecFromMlp(spec, spec.reduction ?? 'mean'));
    if (models.size >= 64) models.clear();
    models.set(key, model);
  }
  return model;
}

const models = new Map<string, Sequential>();

/** The inputs of an MLP as one batch [N, sizes[0]]. */
export function mlpInputs(spec: MlpSpec, inputs: readonly ArrayLike<number>[]): Tensor {
  return stackExamples(inputs, [spec.sizes[0]]);
}

/** A model, its parameter vector and a batch of one example. */
function single(spec: MlpSpec, weights: readonly LayerWeights[], x: Vec): { model: Sequential; theta: Vec; trace: SequentialTrace } {
  requireInput(spec, weights, x);
  const model = mlpModel(spec);
  const theta = flattenWeights(weights);
  return { model, theta, trace: model.forward(theta, mlpInputs(spec, [x])) };
}

/**
 * The forward pass for one input, keeping every pre-activation and
 * activation. An input of the wrong width (or a NaN in it) is refused.
 *
 * @example
 * ```ts
 * const { output } = forward(spec, initWeights(spec, new Rng(0)), Float64Array.of(0.5, -1));
 * ```
 */
export function forward(spec: MlpSpec, weights: readonly LayerWeights[], x: Vec): ForwardTrace {
  const { trace } = single(spec, weights, x);
  const activations: Vec[] = [Float64Array.from(x)];
  const preactivations: Vec[] = [];
  for (let l = 0; l < layerCount(spec); l++) {
    preactivations.push(Float64Array.from(trace.outputs[2 * l].data));
    activations.push(Float64Array.from(trace.outputs[2 * l + 1].data));
  }
  return { activations, preactivations, output: activations[activations.length - 1] };
}

/**
 * The checks of a single-input pass, cheaper than the pass: a valid spec,
 * one weight layer of the right shape per layer (entries unchecked), an
 * input vector of sizes[0] finite numbers.
 */
function requireInput(spec: MlpSpec, weights: readonly LayerWeights[], x: Vec): void {
  validateMlpSpec(spec, 'spec');
  if (!Array.isArray(weights) || weights.length !== spec.activations.length) {
    throw new NatgradError('weights', `must be an array of ${spec.activations.length} layers { W, b }`);
  }
  weights.forEach((w, l) => {
    const out = spec.sizes[l + 1];
    const inp = spec.sizes[l];
    if (!isMatrix(w?.W) || w.W.rows !== out || w.W.cols !== inp) throw new NatgradError(`weights[${l}].W`, `must be a ${out} x ${inp} Matrix (out x in)`);
    if (!(w.b instanceof Float64Array) || w.b.length !== (layerHasBias(spec, l) ? out : 0)) {
      throw new NatgradError(`weights[${l}].b`, layerHasBias(spec, l) ? `must be a Float64Array of length ${out}` : 'must be empty: the layer has no bias');
    }
  });
  requireFiniteVector(x, 'x', { length: spec.sizes[0], lengthWhat: 'the input width, sizes[0]' });
}

/**
 * Back-propagates d(objective)/df through the network: returns
 * d(objective)/ds_l for every layer (the "preactivation gradients"). Linear in
 * `outputGrad`, so it also computes Bᵀ u for B = df/ds_l.
 */
export function backward(spec: MlpSpec, weights: readonly LayerWeights[], trace: ForwardTrace, outputGrad: ArrayLike<number>): Vec[] {
  const { model, theta, trace: t } = single(spec, weights, trace.activations[0]);
  const u = new Tensor([1, spec.sizes[spec.sizes.length - 1]], Float64Array.from(outputGrad));
  return model.collect(theta, t, u).statistics.map((s) => Float64Array.from(s.outputGradients));
}

/** The flat parameter gradient from preactivation gradients: dW_l = δ_l a_{l-1}ᵀ, db_l = δ_l. */
export function parameterGradient(spec: MlpSpec, trace: ForwardTrace, deltas: readonly Vec[]): Vec {
  const offsets = layerOffsets(spec);
  const g = new Float64Array(offsets[offsets.length - 1]);
  for (let l = 0; l < layerCount(spec); l++) {
    const a = trace.activations[l];
    const d = deltas[l];
    let k = offsets[l];
    for (let i = 0; i < d.length; i++) for (let j = 0; j < a.length; j++) g[k++] = d[i] * a[j];
    if (layerHasBias(spec, l)) for (let i = 0; i < d.length; i++) g[k++] = d[i];
  }
  return g;
}

/** -log p(y | x) and its gradient in theta for one example. */
export function exampleLossAndGradient(spec: MlpSpec, weights: readonly LayerWeights[], x: Vec, y: Target): { loss: number; gradient: Vec } {
  requireInput(spec, weights, x);
  const { loss, gradient } = mlpModel(spec).lossAndGradient(flattenWeights(weights), mlpInputs(spec, [x]), [y]);
  return { loss, gradient };
}

/** Per-example gradients of -log p(y_n | x_n) (not divided by N). */
export function perExampleGradients(spec: MlpSpec, weights: readonly LayerWeights[], inputs: readonly Vec[], targets: readonly Target[]): Vec[] {
  const G = mlpModel(spec).exampleLossGradients(flattenWeights(weights), mlpInputs(spec, inputs), targets);
  return inputs.map((_, n) => G.data.slice(n * G.cols, (n + 1) * G.cols));
}

/**
 * The loss c sum_n -log p(y_n | x_n) and its gradient, c the factor of the
 * spec's reduction (1/N, the mean, by default). The model,
 * the weights (NaN weights are refused) and the data are checked first.
 *
 * @example
 * ```ts
 * const { loss, gradient } = lossAndGradient(spec, weights, inputs, targets);
 * ```
 */
export function lossAndGradient(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  targets: readonly Target[],
): { loss: number; gradient: Vec } {
  validateMlpSpec(spec, 'spec');
  validateWeights(spec, weights, 'weights');
  if (Array.isArray(inputs)) inputs.forEach((x, n) => requireFiniteVector(x, `inputs[${n}]`));
  validateData(spec, inputs, targets, '');
  // per-example terms summed in order, then divided by the reduction's divisor: the rounding of the mean as written
  const model = mlpModel(spec);
  const theta = flattenWeights(weights);
  const x = mlpInputs(spec, inputs);
  const trace = model.forward(theta, x);
  const { losses, gradient: u } = model.loss.lossAndGradient(trace.output, targets);
  const rows = model.vjpRows(theta, trace, u);
  const N = inputs.length;
  const P = rows.cols;
  const gradient = new Float64Array(P);
  let loss = 0;
  for (let n = 0; n < N; n++) {
    loss += losses[n];
    for (let i = 0; i < P; i++) gradient[i] += rows.data[n * P + i];
  }
  const divisor = model.loss.divisor(N);
  for (let i = 0; i < P; i++) gradient[i] /= divisor;
  return { loss: loss / divisor, gradient };
}

/** The loss alone (the mean by default; see MlpSpec.reduction). */
export function meanLoss(spec: MlpSpec, weights: readonly LayerWeights[], inputs: readonly Vec[], targets: readonly Target[]): number {
  const model = mlpModel(spec);
  model.loss.validateTargets(targets, inputs.length, 'targets');
  const losses = model.loss.losses(model.predict(flattenWeights(weights), mlpInputs(spec, inputs)), targets);
  let loss = 0;
  for (let n = 0; n < losses.length; n++) loss += losses[n];
  return model.loss.reduce(loss, inputs.length);
}

/** c, the factor of the spec's reduction for N examples: the loss is c sum_n -log p(y_n | x_n). */
export function lossScale(spec: MlpSpec, N: number): number {
  return mlpModel(spec).scale(N);
}

/** The network output f(x). */
export const predict = (spec: MlpSpec, weights: readonly LayerWeights[], x: Vec): Vec => Float64Array.from(single(spec, weights, x).trace.output.data);

/** Jᵀ u, J = df/dtheta at x (D x P): one backward pass. */
export function vjp(spec: MlpSpec, weights: readonly LayerWeights[], x: Vec, u: ArrayLike<number>): Vec {
  const { model, theta, trace } = single(spec, weights, x);
  return model.vjp(theta, trace, new Tensor(trace.output.shape, Float64Array.from(u))).gradient;
}

/** J v, J = df/dtheta at x: the directional derivative of the output (forward mode). */
export function jvp(spec: MlpSpec, weights: readonly LayerWeights[], x: Vec, v: ArrayLike<number>): Vec {
  const { model, theta, trace } = single(spec, weights, x);
  return model.jvp(theta, trace, Float64Array.from(v)).data;
}

/** The Jacobian df/dtheta at x, D x P, one backward pass per output. */
export function outputJacobian(spec: MlpSpec, weights: readonly LayerWeights[], x: Vec): Matrix {
  const { model, theta, trace } = single(spec, weights, x);
  return model.outputJacobians(theta, trace);
}

/**
 * ∇²_theta(-log p(y | x)) v for one example, exact, by the R-operator:
 * a forward-mode pass in direction v through the forward and backward passes.
 */
export function exampleHessianVectorProduct(spec: MlpSpec, weights: readonly LayerWeights[], x: Vec, y: Target, v: ArrayLike<number>): Vec {
  requireInput(spec, weights, x);
  return mlpModel(spec).hessianVectorProduct(flattenWeights(weights), mlpInputs(spec, [x]), [y], Float64Array.from(v));
}

/** ∇²L v for the loss L = c sum_n -log p(y_n | x_n) (c of the spec's reduction), exact. */
export function hessianVectorProduct(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  targets: readonly Target[],
  v: ArrayLike<number>,
): Vec {
  return mlpModel(spec).hessianVectorProduct(flattenWeights(weights), mlpInputs(spec, inputs), targets, Float64Array.from(v));
}

/** One y_n ~ p(. | x_n, theta) per input. */
export function sampleTargets(spec: MlpSpec, weights: readonly LayerWeights[], inputs: readonly Vec[], rng: Rng): Target[] {
  return mlpModel(spec).sampleTargets(flattenWeights(weights), mlpInputs(spec, inputs), rng) as Target[];
}

/** An MLP problem in the Sequential form: the model, the parameter vector and the batch (targets may be empty when none are needed). */
export function mlpProblem(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  targets: readonly Target[] = [],
): { model: Sequential; theta: Vec; batch: Batch } {
  return { model: mlpModel(spec), theta: flattenWeights(weights), batch: { x: mlpInputs(spec, inputs), targets } };
}
