/**
 * A conditional model p(y | x, theta) as a sequence of batched layers (linear,
 * conv2d, activation, flatten, mean, attention; an MLP is linear and
 * activation layers alternating) feeding a likelihood. The one forward and
 * backward implementation: loss, gradient, per-row gradients, Jacobian-vector
 * products, the exact Hessian-vector product (R-operator), Gauss-Newton
 * products, and the per-layer statistics K-FAC needs, all on whole batches.
 *
 * The parameter vector is the layers' parameters in order, each tensor
 * row-major (C order), W before b, attention's in_proj_weight, in_proj_bias,
 * out_proj_weight, out_proj_bias: `parameters_to_vector(model.parameters())`
 * for the same PyTorch modules. The loss is c sum_n -log p(y_n | x_n), each
 * example's term summed over its positions for per-position outputs, with c
 * the factor of the model's reduction (1/N for `mean`, the default; see
 * OutputLoss.scale).
 */
import { NatgradError, childPath, describeValue } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { Vec } from '../core/vec.js';
import { rejectUnknownKeys, requireIntegerInRange, requireOneOf } from '../core/validate.js';
import { Matrix } from '../linalg/matrix.js';
import { type Layer, type KfacBlockShape, type LayerSpec, buildLayer } from './layers/index.js';
import { LIKELIHOODS, type Likelihood, likelihoodModel } from './likelihoods.js';
import type { MlpSpec } from './mlp.js';
import { type ExampleTarget, OutputLoss, type Reduction } from './output-loss.js';
import { type Shape, Tensor, flatFromNested, formatShape, sameShape, toNested } from './tensor.js';

/** A sequential network as the oracle's version-2 `sequential` model describes it: an input shape, layers applied in order, a likelihood. */
export interface SequentialSpec {
  /** one example's shape: [D], [T, D] or [C, H, W] */
  input: number[];
  layers: LayerSpec[];
  likelihood: Likelihood;
  /** how the per-example losses combine ['mean'] */
  reduction?: Reduction;
}

/** A batch of labelled examples: inputs [N, ...inputShape] and one target per example. */
export interface Batch {
  readonly x: Tensor;
  readonly targets: readonly ExampleTarget[];
}

/** What the forward pass kept: every layer's output and cache. */
export interface SequentialTrace {
  readonly input: Tensor;
  /** outputs[l] is layer l's output */
  readonly outputs: readonly Tensor[];
  readonly caches: readonly unknown[];
  /** the network output f, [N, ...outputShape] */
  readonly output: Tensor;
}

/**
 * What K-FAC needs of one weight matrix (see KfacBlockShape), for a batch:
 * its inputs a_{n,r} at every position and the gradients g_{m,r} with respect
 * to its pre-activation outputs, for each back-propagated output-gradient row
 * m (S rows per example, row m belonging to example floor(m / S)).
 */
export interface KfacStatistics {
  /** the layer's 0-based index in `layers` */
  readonly layer: number;
  readonly block: KfacBlockShape;
  /** where W (out x fanIn, row-major) starts in the parameter vector */
  readonly weightOffset: number;
  /** where b starts in the parameter vector, or null without bias */
  readonly biasOffset: number | null;
  /** N */
  readonly examples: number;
  /** S */
  readonly rowsPerExample: number;
  /** a_{n,r}, N R x fanIn (no 1 appended for the bias) */
  readonly inputs: Float64Array;
  /** g_{m,r}, (N S) R x out */
  readonly outputGradients: Float64Array;
}

export class Sequential {
  readonly inputShape: Shape;
  readonly outputShape: Shape;
  readonly layers: readonly Layer[];
  /** offsets[l]: layer l's first parameter; offsets[L] = paramCount */
  readonly offsets: readonly number[];
  readonly paramCount: number;
  readonly likelihood: Likelihood;
  readonly loss: OutputLoss;
  /** the spec the model was built from (layers, likelihood and reduction) */
  readonly spec: SequentialSpec;

  /** Builds and validates the model; errors name the JSON path below `path` (`spec.model.layers[2].kernel`). */
  constructor(spec: SequentialSpec, path = 'spec.model') {
    const inputPath = childPath(path, 'input');
    if (!Array.isArray(spec.input) || spec.input.length < 1 || spec.input.length > 3) {
      throw new NatgradError(inputPath, `must be one example's shape, [D], [T, D] or [C, H, W], got ${describeValue(spec.input)}`);
    }
    spec.input.forEach((d, i) => requireIntegerInRange(d, childPath(inputPath, i), 1));
    this.inputShape = Object.freeze([...spec.input]);
    const layersPath = childPath(path, 'layers');
    if (!Array.isArray(spec.layers) || spec.layers.length < 1) {
      throw new NatgradError(layersPath, `must be a non-empty array of layers, got ${describeValue(spec.layers)}`);
    }
    this.likelihood = requireOneOf(spec.likelihood, LIKELIHOODS, childPath(path, 'likelihood'));
    const layers: Layer[] = [];
    const offsets = [0];
    let shape: Shape = this.inputShape;
    spec.layers.forEach((raw, l) => {
      const layer = buildLayer(raw, shape, childPath(layersPath, l));
      layers.push(layer);
      offsets.push(offsets[l] + layer.paramCount);
      shape = layer.outputShape;
    });
    this.layers = layers;
    this.offsets = offsets;
    this.paramCount = offsets[layers.length];
    this.outputShape = shape;
    this.loss = new OutputLoss(likelihoodModel(this.likelihood), shape, layersPath, spec.reduction ?? 'mean', childPath(path, 'reduction'));
    this.spec = Object.freeze({ ...spec, reduction: this.loss.reduction });
  }

  get reduction(): Reduction {
    return this.loss.reduction;
  }

  /** The same network and likelihood with another reduction of the loss. */
  withReduction(reduction: Reduction): Sequential {
    return reduction === this.reduction ? this : new Sequential({ ...this.spec, reduction });
  }

  /** c, the reduction's factor for a batch of N examples: the loss is c sum_n -log p(y_n | x_n). */
  scale(N: number): number {
    return this.loss.scale(N);
  }

  /** `L<l>.<name>[i][j]...` in parameter-vector order, l the 1-based layer position. */
  paramNames(): string[] {
    const names: string[] = [];
    this.layers.forEach((layer, l) => {
      for (const p of layer.params) {
        const idx = new Array<number>(p.shape.length).fill(0);
        const count = p.shape.reduce((a, b) => a * b, 1);
        for (let k = 0; k < count; k++) {
          names.push(`L${l + 1}.${p.name}${idx.map((i) => `[${i}]`).join('')}`);
          for (let a = idx.length - 1; a >= 0; a--) {
            if (++idx[a] < p.shape[a]) break;
            idx[a] = 0;
          }
        }
      }
    });
    return names;
  }

  /** Layer l's slice of theta (a view). */
  layerParams(theta: Vec, l: number): Vec {
    return theta.subarray(this.offsets[l], this.offsets[l + 1]);
  }

  /** PyTorch's default initialisation of every layer, drawn layer by layer. */
  initParams(rng: Rng): Vec {
    const theta = new Float64Array(this.paramCount);
    this.layers.forEach((layer, l) => layer.init(rng, this.layerParams(theta, l)));
    return theta;
  }

  /** Throws unless theta has paramCount finite entries. */
  checkParams(theta: Vec, path = 'theta'): void {
    if (!(theta instanceof Float64Array) || theta.length !== this.paramCount) {
      throw new NatgradError(path, `must have ${this.paramCount} entries (the parameter count), got ${describeValue(theta)}`);
    }
  }

  /** Throws unless x is a batch [N >= 1, ...inputShape]. */
  checkInput(x: Tensor, path = 'spec.inputs'): void {
    if (x.batch < 1 || !sameShape(x.exampleShape, this.inputShape)) {
      throw new NatgradError(path, `must be a batch of examples of shape ${formatShape(this.inputShape)}, got ${formatShape(x.shape)} (batch first)`);
    }
  }

  /**
   * The parameter vector from the oracle's `weights`: one object per layer,
   * `{}` for layers without parameters, each tensor a nested array of its shape.
   */
  paramsFromJson(raw: unknown, path = 'spec.weights'): Vec {
    const L = this.layers.length;
    if (!Array.isArray(raw) || raw.length !== L) {
      throw new NatgradError(path, `must be an array of ${L} objects, one per layer ({} for a layer without parameters), got ${describeValue(raw)}`);
    }
    const theta = new Float64Array(this.paramCount);
    this.layers.forEach((layer, l) => {
      const lp = childPath(path, l);
      const w = raw[l];
      if (w === null || typeof w !== 'object' || Array.isArray(w)) throw new NatgradError(lp, `must be an object, got ${describeValue(w)}`);
      const names = layer.params.map((p) => p.name);
      rejectUnknownKeys(w, names, lp, `the weights of layer ${l + 1} (${layer.type})`);
      for (const p of layer.params) {
        const v = (w as Record<string, unknown>)[p.name];
        const pp = childPath(lp, p.name);
        if (v === undefined) throw new NatgradError(pp, `is missing: the ${layer.type} layer ${l + 1} needs ${p.name} of shape ${formatShape(p.shape)}`);
        theta.set(flatFromNested(v, p.shape, pp, `${p.name} of layer ${l + 1} (${layer.type}) has shape ${formatShape(p.shape)}`), this.offsets[l] + p.offset);
      }
    });
    return theta;
  }

  /** The oracle's `weights` form of theta. */
  paramsToJson(theta: Vec): Record<string, unknown>[] {
    return this.layers.map((layer, l) => {
      const w: Record<string, unknown> = {};
      const t = this.layerParams(theta, l);
      for (const p of layer.params) w[p.name] = toNested(t.subarray(p.offset, p.offset + p.shape.reduce((a, b) => a * b, 1)), p.shape);
      return w;
    });
  }

  /** The forward pass of a batch, keeping what the other passes need. */
  forward(theta: Vec, x: Tensor): SequentialTrace {
    this.checkParams(theta);
    this.checkInput(x);
    const outputs: Tensor[] = [];
    const caches: unknown[] = [];
    let h = x;
    this.layers.forEach((layer, l) => {
      const r = layer.forward(this.layerParams(theta, l), h);
      outputs.push(r.output);
      caches.push(r.cache);
      h = r.output;
    });
    return { input: x, outputs, caches, output: h };
  }

  /** The network output f(x), [N, ...outputShape]. */
  predict(theta: Vec, x: Tensor): Tensor {
    return this.forward(theta, x).output;
  }

  /** Back-propagates dOut through every layer; the shared body of vjp, vjpRows and collect. */
  private backwardPass(
    theta: Vec,
    trace: SequentialTrace,
    dOut: Tensor,
    grad: { data: Float64Array; perRow: boolean } | null,
    collect: ((l: number, block: number, g: Float64Array) => void) | null,
    inputGradient: boolean,
  ): Tensor | null {
    const N = trace.input.batch;
    if (dOut.batch % N !== 0 || !sameShape(dOut.exampleShape, this.outputShape)) {
      throw new NatgradError('outputGradient', `must be [N S, ...${formatShape(this.outputShape)}] for N = ${N} examples, got ${formatShape(dOut.shape)}`);
    }
    const rowsPerExample = dOut.batch / N;
    let dy: Tensor | null = dOut;
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const layer = this.layers[l];
      dy = layer.backward(this.layerParams(theta, l), trace.caches[l], dy as Tensor, {
        inputGradient: l > 0 || inputGradient,
        rowsPerExample,
        grad: grad === null || layer.paramCount === 0 ? null : { data: grad.data, offset: this.offsets[l], perRow: grad.perRow, stride: this.paramCount },
        collect: collect === null || layer.kfacBlocks.length === 0 ? null : (block, g) => collect(l, block, g),
      });
    }
    return dy;
  }

  /**
   * Jᵀ u summed over rows: the parameter gradient sum_m J_{n(m)}ᵀ u_m and,
   * when asked for, the input gradient, for u = dOut of shape [N S, ...outputShape].
   */
  vjp(theta: Vec, trace: SequentialTrace, dOut: Tensor, options: { inputGradient?: boolean } = {}): { gradient: Vec; inputGradient: Tensor | null } {
    const gradient = new Float64Array(this.paramCount);
    const inputGradient = this.backwardPass(theta, trace, dOut, { data: gradient, perRow: false }, null, options.inputGradient === true);
    return { gradient, inputGradient };
  }

  /** J_{n(m)}ᵀ u_m for every row m of dOut ([N S, ...outputShape]), as an (N S) x P matrix. */
  vjpRows(theta: Vec, trace: SequentialTrace, dOut: Tensor): Matrix {
    const G = new Matrix(dOut.batch, this.paramCount);
    this.backwardPass(theta, trace, dOut, { data: G.data, perRow: true }, null, false);
    return G;
  }

  /**
   * The output Jacobians: row n O + k is d f_{n,k} / d theta, O the output size
   * (positions included), an (N O) x P matrix.
   */
  outputJacobians(theta: Vec, trace: SequentialTrace): Matrix {
    const N = trace.input.batch;
    const O = trace.output.exampleSize;
    const E = Tensor.zeros(N * O, this.outputShape);
    for (let m = 0; m < N * O; m++) E.data[m * O + (m % O)] = 1;
    return this.vjpRows(theta, trace, E);
  }

  /** J v + J_x dx: the output tangent along parameter direction v (null: 0) and input direction dx (null: 0). */
  jvp(theta: Vec, trace: SequentialTrace, v: Vec | null, dx: Tensor | null = null): Tensor {
    return this.tangents(theta, trace, v, dx).output;
  }

  private tangents(theta: Vec, trace: SequentialTrace, v: Vec | null, dx: Tensor | null): { output: Tensor; tangents: unknown[] } {
    if (v !== null) this.checkParams(v, 'v');
    if (dx !== null && !sameShape(dx.shape, trace.input.shape)) {
      throw new NatgradError('dx', `must have the shape of the input batch ${formatShape(trace.input.shape)}, got ${formatShape(dx.shape)}`);
    }
    const tangents: unknown[] = [];
    let r: Tensor | null = dx;
    for (let l = 0; l < this.layers.length; l++) {
      const t = this.layers[l].jvp(this.layerParams(theta, l), v === null ? null : this.layerParams(v, l), trace.caches[l], r);
      tangents.push(t.tangent);
      r = t.output;
    }
    return { output: r as Tensor, tangents };
  }

  /** The loss L = c sum_n -log p(y_n | x_n) and its gradient, with the trace. */
  lossAndGradient(theta: Vec, x: Tensor, targets: readonly ExampleTarget[]): { loss: number; gradient: Vec; trace: SequentialTrace } {
    this.loss.validateTargets(targets, x.batch);
    const trace = this.forward(theta, x);
    const c = this.scale(x.batch);
    const { losses, gradient: g } = this.loss.lossAndGradient(trace.output, targets);
    for (let i = 0; i < g.data.length; i++) g.data[i] *= c;
    return { loss: this.loss.reduce(sum(losses), x.batch), gradient: this.vjp(theta, trace, g).gradient, trace };
  }

  /** The loss L = c sum_n -log p(y_n | x_n) alone. */
  lossValue(theta: Vec, x: Tensor, targets: readonly ExampleTarget[]): number {
    this.loss.validateTargets(targets, x.batch);
    return this.loss.reduce(sum(this.loss.losses(this.predict(theta, x), targets)), x.batch);
  }

  /**
   * The gradients of the per-example terms -log p(y_n | x_n), not reduced
   * (not multiplied by c), N x P.
   */
  exampleLossGradients(theta: Vec, x: Tensor, targets: readonly ExampleTarget[]): Matrix {
    this.loss.validateTargets(targets, x.batch);
    const trace = this.forward(theta, x);
    return this.vjpRows(theta, trace, this.loss.lossAndGradient(trace.output, targets).gradient);
  }

  /**
   * ∇²L v for the loss L, exact: a tangent sweep along v, then the
   * backward pass differentiated along it (R-operator), starting from
   * R(∇_f ℓ) = H_f R(f).
   */
  hessianVectorProduct(theta: Vec, x: Tensor, targets: readonly ExampleTarget[], v: Vec): Vec {
    return this.hessianProducts(theta, x, targets)(v);
  }

  /**
   * v -> ∇²L v at one point, the forward pass and the output gradient done
   * once: each product is one tangent sweep and one R-backward sweep (a
   * dense Hessian takes P of them).
   */
  hessianProducts(theta: Vec, x: Tensor, targets: readonly ExampleTarget[]): (v: Vec) => Vec {
    this.loss.validateTargets(targets, x.batch);
    const trace = this.forward(theta, x);
    const c = this.scale(x.batch);
    const dyOut = this.loss.lossAndGradient(trace.output, targets).gradient;
    for (let i = 0; i < dyOut.data.length; i++) dyOut.data[i] *= c;
    return (v) => {
      this.checkParams(v, 'v');
      const { output: rf, tangents } = this.tangents(theta, trace, v, null);
      let rdy = this.loss.hessianProduct(trace.output, targets, rf);
      for (let i = 0; i < rdy.data.length; i++) rdy.data[i] *= c;
      let dy = dyOut;
      const hv = new Float64Array(this.paramCount);
      for (let l = this.layers.length - 1; l >= 0; l--) {
        const r = this.layers[l].rBackward({
          theta: this.layerParams(theta, l),
          v: this.layerParams(v, l),
          cache: trace.caches[l],
          tangent: tangents[l],
          dy,
          rdy,
          hv: this.layerParams(hv, l),
          inputGradient: l > 0,
        });
        if (r === null) break;
        dy = r.dx;
        rdy = r.rdx;
      }
      return hv;
    };
  }

  /** c sum_n J_nᵀ H_n J_n v, H_n the Hessian of -log p(y_n | f) in the output (the GGN). */
  ggnVectorProduct(theta: Vec, x: Tensor, targets: readonly ExampleTarget[], v: Vec): Vec {
    this.loss.validateTargets(targets, x.batch);
    const trace = this.forward(theta, x);
    const u = this.loss.hessianProduct(trace.output, targets, this.jvp(theta, trace, v));
    const c = this.scale(x.batch);
    for (let i = 0; i < u.data.length; i++) u.data[i] *= c;
    return this.vjp(theta, trace, u).gradient;
  }

  /** c sum_n J_nᵀ F(f_n) J_n v, F the Fisher of the output distribution (the Fisher of the model). */
  fisherVectorProduct(theta: Vec, x: Tensor, v: Vec): Vec {
    const trace = this.forward(theta, x);
    const u = this.loss.fisherProduct(trace.output, this.jvp(theta, trace, v));
    const c = this.scale(x.batch);
    for (let i = 0; i < u.data.length; i++) u.data[i] *= c;
    return this.vjp(theta, trace, u).gradient;
  }

  /**
   * The K-FAC statistics of every weight matrix, in parameter-vector order,
   * for the output-gradient rows dOut ([N S, ...outputShape]): the loss
   * gradient at the targets (S = 1, empirical Fisher), the rows of
   * `loss.fisherSqrtRows` (exact Fisher expectation), or sampled labels'
   * gradients (Monte Carlo). With `gradient`, also sum_m J_{n(m)}ᵀ dOut_m.
   */
  collect(theta: Vec, trace: SequentialTrace, dOut: Tensor, options: { gradient?: boolean } = {}): { statistics: KfacStatistics[]; gradient: Vec | null } {
    const grads = new Map<string, Float64Array>();
    const gradient = options.gradient ? new Float64Array(this.paramCount) : null;
    this.backwardPass(theta, trace, dOut, gradient === null ? null : { data: gradient, perRow: false }, (l, b, g) => grads.set(`${l}:${b}`, g), false);
    const N = trace.input.batch;
    const statistics: KfacStatistics[] = [];
    this.layers.forEach((layer, l) => {
      const inputs = layer.kfacInputs(trace.caches[l]);
      layer.kfacBlocks.forEach((block, b) => {
        statistics.push({
          layer: l,
          block,
          weightOffset: this.offsets[l] + block.weightOffset,
          biasOffset: block.biasOffset === null ? null : this.offsets[l] + block.biasOffset,
          examples: N,
          rowsPerExample: dOut.batch / N,
          inputs: inputs[b],
          outputGradients: grads.get(`${l}:${b}`) as Float64Array,
        });
      });
    });
    return { statistics, gradient };
  }

  /** One y_n ~ p(. | x_n, theta) per example (per position for [T, K] outputs). */
  sampleTargets(theta: Vec, x: Tensor, rng: Rng): ExampleTarget[] {
    return this.loss.sample(this.predict(theta, x), rng);
  }
}

function sum(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/**
 * The model of an oracle `sequential` spec: `{input, layers, likelihood}`
 * (other keys are the caller's to check), with the spec's reduction.
 */
export function sequentialFromSpec(raw: unknown, path = 'spec.model', reduction: Reduction = 'mean'): Sequential {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new NatgradError(path, `must be an object, got ${describeValue(raw)}`);
  const r = raw as Record<string, unknown>;
  return new Sequential({ input: r.input as number[], layers: r.layers as LayerSpec[], likelihood: r.likelihood as Likelihood, reduction }, path);
}

/**
 * The MLP of a version-1 spec as a sequential model: per layer a `linear`
 * (with the layer's bias flag) and an `activation`. The parameter vector is
 * the same (per layer W row-major, then b); `W<l>` is named `L<2l-1>.W`.
 */
export function sequentialSpecFromMlp(spec: MlpSpec, reduction: Reduction = spec.reduction ?? 'mean'): SequentialSpec {
  const layers: LayerSpec[] = [];
  spec.activations.forEach((fn, l) => {
    layers.push({ type: 'linear', out: spec.sizes[l + 1], bias: spec.bias === undefined || spec.bias[l] !== false });
    layers.push({ type: 'activation', fn });
  });
  return { input: [spec.sizes[0]], layers, likelihood: spec.likelihood, reduction };
}
