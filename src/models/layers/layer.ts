/**
 * The contract every layer of a `Sequential` model keeps. A layer is built
 * for one example shape; it then works on whole batches, with its parameters
 * given as its slice of the model's parameter vector (PyTorch's
 * `parameters_to_vector` order: each tensor row-major, W before b).
 *
 * Four passes, each on a batch:
 * * forward: y = f(theta, x), keeping in a cache what the other passes need;
 * * backward (VJP): dx = (df/dx)ᵀ dy and the parameter gradient (df/dtheta)ᵀ dy,
 *   for any number of output-gradient rows per example;
 * * jvp (forward mode): dy = (df/dtheta) v + (df/dx) dx, keeping the tangents;
 * * rBackward: the backward pass differentiated along the tangent of the
 *   forward pass (Pearlmutter's R-operator), giving R(dx) and R(dtheta), so
 *   that the exact Hessian-vector product of a loss costs one forward, one
 *   tangent and one backward sweep.
 *
 * Reference: B. A. Pearlmutter, "Fast exact multiplication by the Hessian",
 * Neural Computation 6(1), 1994.
 */
import { NatgradError } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { Vec } from '../../core/vec.js';
import { type Shape, type Tensor, formatShape, sameShape } from '../tensor.js';

export type LayerType = 'linear' | 'conv2d' | 'activation' | 'flatten' | 'mean' | 'attention';

export const LAYER_TYPES: readonly LayerType[] = ['linear', 'conv2d', 'activation', 'flatten', 'mean', 'attention'];

/** One parameter tensor of a layer, in parameter-vector order. */
export interface ParamTensor {
  /** `W`, `b`, or PyTorch's attribute name (`in_proj_weight`, ...) */
  readonly name: string;
  readonly shape: Shape;
  /** first entry within the layer's slice */
  readonly offset: number;
}

/**
 * A weight matrix as K-FAC sees it: s_{n,r} = W a_{n,r} + b at each of
 * `positions` positions r of an example, W of shape out x fanIn (row-major in
 * the parameter vector, also for a conv kernel: `W.reshape(out, -1)`).
 */
export interface KfacBlockShape {
  /** `W` for linear and conv2d, `in_proj` and `out_proj` for attention */
  readonly name: string;
  readonly out: number;
  readonly fanIn: number;
  /** R, the number of positions per example that share the matrix */
  readonly positions: number;
  /** first entry of W within the layer's slice */
  readonly weightOffset: number;
  /** first entry of b within the layer's slice, or null without bias */
  readonly biasOffset: number | null;
}

/**
 * Where a backward pass writes a layer's parameter gradient. `perRow` false:
 * the sum over every output-gradient row is added to `data[offset ..]`;
 * `perRow` true: row m's gradient is written to `data[m stride + offset ..]`
 * (a rows x P matrix, P = stride), for per-example gradients and the exact
 * Fisher's pulled-back square-root columns.
 */
export interface ParamGradient {
  readonly data: Float64Array;
  /** the layer's first parameter within a row */
  readonly offset: number;
  readonly perRow: boolean;
  /** the row length when perRow */
  readonly stride: number;
}

export interface BackwardOptions {
  /**
   * S: the output gradient has S rows per example, row m belonging to example
   * floor(m / S) of the forward pass (S > 1 back-propagates several vectors
   * per example at once, e.g. the columns of the output Fisher's square root).
   */
  readonly rowsPerExample: number;
  /** destination of the parameter gradient, or null when only dx is wanted */
  readonly grad: ParamGradient | null;
  /**
   * When set, each weight matrix (index into `kfacBlocks`) hands over the
   * gradient with respect to its pre-activation output, (rows R) x out.
   */
  readonly collect: ((block: number, outputGradient: Float64Array) => void) | null;
  /** false when dx is not wanted (the first layer): backward then skips it and returns null */
  readonly inputGradient: boolean;
}

export interface LayerForward {
  readonly output: Tensor;
  /** what backward, jvp and rBackward need; opaque to everything but the layer */
  readonly cache: unknown;
}

export interface LayerTangent {
  /** dy, the output tangent */
  readonly output: Tensor;
  /** the tangents rBackward needs; opaque */
  readonly tangent: unknown;
}

/** What the R-backward pass of a layer takes. */
export interface RBackwardInput {
  /** the layer's parameters */
  readonly theta: Vec;
  /** the layer's slice of the parameter tangent */
  readonly v: Vec;
  /** what forward returned as its cache */
  readonly cache: unknown;
  /** what jvp returned as its tangent */
  readonly tangent: unknown;
  /** the output gradient, one row per example */
  readonly dy: Tensor;
  /** R(dy), its derivative along the tangent */
  readonly rdy: Tensor;
  /** the layer's slice of Hv, to which R(dtheta) is added */
  readonly hv: Vec;
  /** false when dx is not wanted (the first layer): rBackward then returns null */
  readonly inputGradient: boolean;
}

/** dx and R(dx), the input gradient and its derivative along the tangent. */
export interface RBackwardOutput {
  readonly dx: Tensor;
  readonly rdx: Tensor;
}

export interface Layer {
  readonly type: LayerType;
  /** one example's input shape */
  readonly inputShape: Shape;
  /** one example's output shape */
  readonly outputShape: Shape;
  /** parameter tensors in parameter-vector order */
  readonly params: readonly ParamTensor[];
  readonly paramCount: number;
  /** the weight matrices K-FAC approximates, in parameter-vector order */
  readonly kfacBlocks: readonly KfacBlockShape[];
  /** y = f(theta, x) on a batch x of shape [N, ...inputShape] */
  forward(theta: Vec, x: Tensor): LayerForward;
  /** dx for dy of shape [N S, ...outputShape] (null when options.inputGradient is false); the parameter gradient goes to options.grad */
  backward(theta: Vec, cache: unknown, dy: Tensor, options: BackwardOptions): Tensor | null;
  /** forward mode along parameter tangent v (null: zero) and input tangent dx (null: zero) */
  jvp(theta: Vec, v: Vec | null, cache: unknown, dx: Tensor | null): LayerTangent;
  /**
   * The backward pass of dy (one row per example) and its R-derivative along
   * the tangent of `jvp(theta, v, cache, dx)`, given R(dy) = rdy: returns dx and
   * R(dx) (or null when `inputGradient` is false), and adds R(dtheta) to
   * `hv` (the layer's slice).
   */
  rBackward(input: RBackwardInput): RBackwardOutput | null;
  /** each weight matrix's inputs a_{n,r}, N x R x fanIn, in kfacBlocks order */
  kfacInputs(cache: unknown): Float64Array[];
  /** PyTorch's default initialisation of the layer's parameters, written into theta (its slice) */
  init(rng: Rng, theta: Vec): void;
}

/** Throws unless x is a batch of the layer's input shape, naming the layer and both shapes. */
export function requireLayerInput(layer: Layer, x: Tensor, what = 'x'): void {
  if (!sameShape(x.exampleShape, layer.inputShape)) {
    throw new NatgradError(
      what,
      `a ${layer.type} layer built for inputs of shape ${formatShape(layer.inputShape)} got a batch of shape ${formatShape(x.shape)} (batch first)`,
    );
  }
}

/** One affine map's share of a layer's parameters: its tensors, its K-FAC block and how many entries it takes. */
export interface AffineLayout {
  readonly params: readonly ParamTensor[];
  readonly block: KfacBlockShape;
  readonly size: number;
}

/**
 * The shapes and the parameter layout of a layer, its affine maps' layouts
 * one after the other in parameter-vector order.
 */
export abstract class LayerShapes {
  readonly inputShape: Shape;
  readonly outputShape: Shape;
  readonly params: readonly ParamTensor[];
  readonly paramCount: number;
  readonly kfacBlocks: readonly KfacBlockShape[];

  constructor(inputShape: Shape, outputShape: Shape, maps: readonly AffineLayout[]) {
    this.inputShape = inputShape;
    this.outputShape = outputShape;
    this.params = maps.flatMap((m) => m.params);
    this.paramCount = maps.reduce((n, m) => n + m.size, 0);
    this.kfacBlocks = maps.map((m) => m.block);
  }
}

/**
 * What every layer without parameters shares: no parameter tensors, no
 * weight matrices for K-FAC, nothing to initialise. Such a layer still
 * implements the four passes.
 */
export abstract class ParameterFreeLayer extends LayerShapes {
  constructor(inputShape: Shape, outputShape: Shape) {
    super(inputShape, outputShape, []);
  }

  kfacInputs(): Float64Array[] {
    return [];
  }

  init(): void {}
}

/** Uniform on (-bound, bound). */
export function fillUniform(rng: Rng, out: Float64Array, bound: number): void {
  for (let i = 0; i < out.length; i++) out[i] = bound * (2 * rng.uniform() - 1);
}
