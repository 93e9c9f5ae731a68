/**
 * A multilayer perceptron as a conditional model p(y | x, theta), with a
 * hand-written backward pass, Jacobian products and exact Hessian-vector
 * products (Pearlmutter's R-operator).
 *
 * Layer l (1-based in names, 0-based in arrays) computes s_l = W_l a_{l-1} + b_l
 * and a_l = phi_l(s_l), a_0 = x; the network output f = a_L feeds the
 * likelihood. The parameter vector is, layer by layer, W_l row-major then b_l:
 * the order of PyTorch's `parameters_to_vector` for `nn.Linear` layers.
 *
 * Reference: B. A. Pearlmutter, "Fast exact multiplication by the Hessian",
 * Neural Computation 6(1), 1994.
 */
import { NatgradError, childPath, describeValue } from '../core/errors.js';
import { hasOwnConstructor, rejectUnknownKeys, requireFiniteVector, requireResultSize } from '../core/validate.js';
import { Rng } from '../core/rng.js';
import type { Vec } from '../core/vec.js';
import { isMatrix, Matrix } from '../linalg/matrix.js';
import {
  type Activation,
  activate,
  activationDerivative,
  activationSecondDerivative,
  isActivation,
  ACTIVATIONS,
} from './activations.js';
import { type Likelihood, type Target, isLikelihood, likelihoodModel, LIKELIHOODS } from './likelihoods.js';

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
  rejectUnknownKeys(spec, MLP_SPEC_KEYS, path, 'an MLP spec { sizes, activations, likelihood, bias? }');
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
  activations.forEach((a, i) => {
    if (!isActivation(a)) {
      throw new NatgradError(childPath(childPath(path, 'activations'), i), `must be one of ${ACTIVATIONS.join(', ')}, got ${describeValue(a)}`);
    }
  });
  if (!isLikelihood(likelihood)) {
    throw new NatgradError(childPath(path, 'likelihood'), `must be one of ${LIKELIHOODS.join(', ')}, got ${describeValue(likelihood)}`);
  }
  const why = likelihoodModel(likelihood).outputSizeViolation(sizes[L]);
  if (why) throw new NatgradError(childPath(childPath(path, 'sizes'), L), why);
  if (bias !== undefined) {
    if (!Array.isArray(bias) || bias.length !== L || bias.some((b) => typeof b !== 'boolean')) {
      throw new NatgradError(childPath(path, 'bias'), `must be an array of ${L} booleans (one per layer)`);
    }
  }
  requireResultSize(totalParams(spec), childPath(path, 'sizes'), 'the parameter vector of this model');
}

const MLP_SPEC_KEYS = ['sizes', 'activations', 'likelihood', 'bias'];

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
    checkFinite(W.data, childPath(lp, 'W'));
    const nb = layerHasBias(spec, l) ? out : 0;
    if (!(b instanceof Float64Array) || b.length !== nb) {
      const got = b instanceof Float64Array ? `length ${b.length}` : typeof b;
      throw new NatgradError(childPath(lp, 'b'), nb > 0 ? `must have length ${out} (out), got ${got}` : `must be empty (the layer has no bias), got ${got}`);
    }
    checkFinite(b, childPath(lp, 'b'));
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
    throw new NatgradError(tp, `must be an array with one target per input (${inputs.length}), got ${Array.isArray(targets) ? targets.length : typeof targets}`);
  }
  const d = spec.sizes[0];
  const D = spec.sizes[spec.sizes.length - 1];
  const lik = likelihoodModel(spec.likelihood);
  inputs.forEach((x, n) => {
    if (!(x instanceof Float64Array) || x.length !== d || hasOwnConstructor(x)) {
      throw new NatgradError(childPath(ip, n), `must be an array of ${d} numbers (sizes[0]), got ${x instanceof Float64Array ? `length ${x.length}` : typeof x}`);
    }
    checkFinite(x, childPath(ip, n));
  });
  targets.forEach((y, n) => {
    const why = lik.targetViolation(y, D);
    if (why) throw new NatgradError(childPath(tp, n), why);
  });
}

function checkFinite(values: ArrayLike<number>, path: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new NatgradError(path, `entries must be finite numbers, entry ${i} is ${values[i]}`);
  }
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
    checkFinite(w.W.data, `weights[${l}].W`);
    checkFinite(w.b, `weights[${l}].b`);
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

/** s = W a + b (b may be empty). */
function affine(W: Matrix, b: Float64Array, a: ArrayLike<number>): Vec {
  const s = new Float64Array(W.rows);
  for (let i = 0; i < W.rows; i++) {
    let t = b.length > 0 ? b[i] : 0;
    const row = i * W.cols;
    for (let j = 0; j < W.cols; j++) t += W.data[row + j] * a[j];
    s[i] = t;
  }
  return s;
}

/** Wᵀ d. */
function transposeTimes(W: Matrix, d: ArrayLike<number>): Vec {
  const out = new Float64Array(W.cols);
  for (let i = 0; i < W.rows; i++) {
    const di = d[i];
    if (di === 0) continue;
    const row = i * W.cols;
    for (let j = 0; j < W.cols; j++) out[j] += W.data[row + j] * di;
  }
  return out;
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
  requireInput(spec, weights, x);
  return forwardUnchecked(spec, weights, x);
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
    if (!(w.b instanceof Float64Array) || (w.b.length !== 0 && w.b.length !== out)) throw new NatgradError(`weights[${l}].b`, `must be a Float64Array of length ${out} (or empty without bias)`);
  });
  requireFiniteVector(x, 'x', { length: spec.sizes[0], lengthWhat: 'the input width, sizes[0]' });
}

/** forward() without the input checks, for the inner loops that have validated their data once. */
function forwardUnchecked(spec: MlpSpec, weights: readonly LayerWeights[], x: Vec): ForwardTrace {
  const activations: Vec[] = [x];
  const preactivations: Vec[] = [];
  for (let l = 0; l < layerCount(spec); l++) {
    const s = affine(weights[l].W, weights[l].b, activations[l]);
    const act = spec.activations[l];
    const a = new Float64Array(s.length);
    for (let i = 0; i < s.length; i++) a[i] = activate(act, s[i]);
    preactivations.push(s);
    activations.push(a);
  }
  return { activations, preactivations, output: activations[activations.length - 1] };
}

/**
 * Back-propagates d(objective)/df through the network: returns
 * d(objective)/ds_l for every layer (the "preactivation gradients"). Linear in
 * `outputGrad`, so it also computes Bᵀ u for B = df/ds_l.
 */
export function backward(spec: MlpSpec, weights: readonly LayerWeights[], trace: ForwardTrace, outputGrad: ArrayLike<number>): Vec[] {
  const L = layerCount(spec);
  const deltas: Vec[] = new Array(L);
  let da: ArrayLike<number> = outputGrad;
  for (let l = L - 1; l >= 0; l--) {
    const s = trace.preactivations[l];
    const act = spec.activations[l];
    const ds = new Float64Array(s.length);
    for (let i = 0; i < s.length; i++) ds[i] = activationDerivative(act, s[i]) * da[i];
    deltas[l] = ds;
    if (l > 0) da = transposeTimes(weights[l].W, ds);
  }
  return deltas;
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
export function exampleLossAndGradient(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  x: Vec,
  y: Target,
): { loss: number; gradient: Vec } {
  const lik = likelihoodModel(spec.likelihood);
  const trace = forward(spec, weights, x);
  const loss = lik.negLogLik(trace.output, y);
  const deltas = backward(spec, weights, trace, lik.gradient(trace.output, y));
  return { loss, gradient: parameterGradient(spec, trace, deltas) };
}

/** Per-example gradients of -log p(y_n | x_n) (not divided by N). */
export function perExampleGradients(spec: MlpSpec, weights: readonly LayerWeights[], inputs: readonly Vec[], targets: readonly Target[]): Vec[] {
  return inputs.map((x, n) => exampleLossAndGradient(spec, weights, x, targets[n]).gradient);
}

/**
 * The mean loss (1/N) sum_n -log p(y_n | x_n) and its gradient. The model,
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
  const N = inputs.length;
  const gradient = new Float64Array(paramCount(spec));
  let loss = 0;
  for (let n = 0; n < N; n++) {
    const e = exampleLossAndGradient(spec, weights, inputs[n], targets[n]);
    loss += e.loss;
    for (let i = 0; i < gradient.length; i++) gradient[i] += e.gradient[i];
  }
  for (let i = 0; i < gradient.length; i++) gradient[i] /= N;
  return { loss: loss / N, gradient };
}

/** The mean loss alone (one forward pass per example). */
export function meanLoss(spec: MlpSpec, weights: readonly LayerWeights[], inputs: readonly Vec[], targets: readonly Target[]): number {
  const lik = likelihoodModel(spec.likelihood);
  let loss = 0;
  for (let n = 0; n < inputs.length; n++) loss += lik.negLogLik(forward(spec, weights, inputs[n]).output, targets[n]);
  return loss / inputs.length;
}

/** The network output f(x). */
export const predict = (spec: MlpSpec, weights: readonly LayerWeights[], x: Vec): Vec => forward(spec, weights, x).output;

/** Jᵀ u, J = df/dtheta at x (D x P): one backward pass. */
export function vjp(spec: MlpSpec, weights: readonly LayerWeights[], x: Vec, u: ArrayLike<number>): Vec {
  const trace = forward(spec, weights, x);
  return parameterGradient(spec, trace, backward(spec, weights, trace, u));
}

/** The tangents R(s_l), R(a_l) of a forward pass in direction v (forward mode). */
function forwardTangent(spec: MlpSpec, weights: readonly LayerWeights[], trace: ForwardTrace, v: ArrayLike<number>): { rs: Vec[]; ra: Vec[] } {
  const offsets = layerOffsets(spec);
  const L = layerCount(spec);
  const rs: Vec[] = [];
  const ra: Vec[] = [new Float64Array(spec.sizes[0])];
  for (let l = 0; l < L; l++) {
    const { W } = weights[l];
    const a = trace.activations[l];
    const rPrev = ra[l];
    const out = W.rows;
    const inp = W.cols;
    const off = offsets[l];
    const bias = layerHasBias(spec, l);
    const r = new Float64Array(out);
    // R(s) = V_W a + W R(a_prev) + V_b
    for (let i = 0; i < out; i++) {
      let t = bias ? v[off + out * inp + i] : 0;
      for (let j = 0; j < inp; j++) t += v[off + i * inp + j] * a[j] + W.data[i * inp + j] * rPrev[j];
      r[i] = t;
    }
    const s = trace.preactivations[l];
    const act = spec.activations[l];
    const rA = new Float64Array(out);
    for (let i = 0; i < out; i++) rA[i] = activationDerivative(act, s[i]) * r[i];
    rs.push(r);
    ra.push(rA);
  }
  return { rs, ra };
}

/** J v, J = df/dtheta at x: the directional derivative of the output (forward mode). */
export function jvp(spec: MlpSpec, weights: readonly LayerWeights[], x: Vec, v: ArrayLike<number>): Vec {
  const trace = forward(spec, weights, x);
  const { ra } = forwardTangent(spec, weights, trace, v);
  return ra[ra.length - 1];
}

/** The Jacobian df/dtheta at x, D x P, one backward pass per output. */
export function outputJacobian(spec: MlpSpec, weights: readonly LayerWeights[], x: Vec): Matrix {
  const trace = forward(spec, weights, x);
  const D = trace.output.length;
  const P = paramCount(spec);
  const J = new Matrix(D, P);
  for (let k = 0; k < D; k++) {
    const e = new Float64Array(D);
    e[k] = 1;
    J.data.set(parameterGradient(spec, trace, backward(spec, weights, trace, e)), k * P);
  }
  return J;
}

/**
 * ∇²_theta(-log p(y | x)) v for one example, exact, by the R-operator:
 * a forward-mode pass in direction v through the forward and backward passes.
 */
export function exampleHessianVectorProduct(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  x: Vec,
  y: Target,
  v: ArrayLike<number>,
): Vec {
  const lik = likelihoodModel(spec.likelihood);
  const L = layerCount(spec);
  const offsets = layerOffsets(spec);
  const trace = forward(spec, weights, x);
  const { rs, ra } = forwardTangent(spec, weights, trace, v);
  const f = trace.output;
  // R(d loss/df) = H_f R(f), H_f the Hessian of -log p in the output.
  const H = lik.hessian(f, y);
  const rf = ra[L];
  const rDa0 = new Float64Array(f.length);
  for (let i = 0; i < f.length; i++) {
    let t = 0;
    for (let j = 0; j < f.length; j++) t += H.data[i * f.length + j] * rf[j];
    rDa0[i] = t;
  }
  let da: Vec = lik.gradient(f, y);
  let rDa: Vec = rDa0;
  const hv = new Float64Array(offsets[L]);
  for (let l = L - 1; l >= 0; l--) {
    const { W } = weights[l];
    const s = trace.preactivations[l];
    const act = spec.activations[l];
    const out = W.rows;
    const inp = W.cols;
    const ds = new Float64Array(out);
    const rDs = new Float64Array(out);
    for (let i = 0; i < out; i++) {
      const d1 = activationDerivative(act, s[i]);
      ds[i] = d1 * da[i];
      rDs[i] = activationSecondDerivative(act, s[i]) * rs[l][i] * da[i] + d1 * rDa[i];
    }
    const a = trace.activations[l];
    const rA = ra[l];
    let k = offsets[l];
    // R(dW) = R(δ) aᵀ + δ R(a)ᵀ ; R(db) = R(δ)
    for (let i = 0; i < out; i++) for (let j = 0; j < inp; j++) hv[k++] = rDs[i] * a[j] + ds[i] * rA[j];
    if (layerHasBias(spec, l)) for (let i = 0; i < out; i++) hv[k++] = rDs[i];
    if (l > 0) {
      // R(Wᵀ δ) = V_Wᵀ δ + Wᵀ R(δ)
      const off = offsets[l];
      const nextDa = transposeTimes(W, ds);
      const nextRDa = transposeTimes(W, rDs);
      for (let i = 0; i < out; i++) {
        const di = ds[i];
        if (di === 0) continue;
        for (let j = 0; j < inp; j++) nextRDa[j] += v[off + i * inp + j] * di;
      }
      da = nextDa;
      rDa = nextRDa;
    }
  }
  return hv;
}

/** ∇²L v for the mean loss L = (1/N) sum_n -log p(y_n | x_n), exact. */
export function hessianVectorProduct(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  targets: readonly Target[],
  v: ArrayLike<number>,
): Vec {
  const N = inputs.length;
  const out = new Float64Array(paramCount(spec));
  for (let n = 0; n < N; n++) {
    const h = exampleHessianVectorProduct(spec, weights, inputs[n], targets[n], v);
    for (let i = 0; i < out.length; i++) out[i] += h[i];
  }
  for (let i = 0; i < out.length; i++) out[i] /= N;
  return out;
}

/** One y_n ~ p(. | x_n, theta) per input. */
export function sampleTargets(spec: MlpSpec, weights: readonly LayerWeights[], inputs: readonly Vec[], rng: Rng): Target[] {
  const lik = likelihoodModel(spec.likelihood);
  return inputs.map((x) => lik.sample(rng, predict(spec, weights, x)));
}
