/**
 * `linear` {out, bias}: nn.Linear, acting on the last axis. On an input of
 * shape [..., D] the same W (out x D) and b apply at every position, R being
 * the product of the leading axes (R = 1 on a vector, T on a [T, D] sequence).
 */
import { childPath } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { Vec } from '../../core/vec.js';
import { requireIntegerInRange } from '../../core/validate.js';
import { type Shape, Tensor, shapeSize } from '../tensor.js';
import { WEIGHT_AND_BIAS, affineBackward, affineForward, affineLayout, affineRBackward, affineTangent } from './affine.js';
import type { BackwardOptions, KfacBlockShape, Layer, RBackwardInput, RBackwardOutput } from './layer.js';
import { LayerShapes, fillUniform, requireLayerInput } from './layer.js';
import { layerFields, optionalBoolean, requireRank } from './spec-fields.js';

export interface LinearSpec {
  type: 'linear';
  out: number;
  /** default true */
  bias?: boolean;
}

/** What the forward pass keeps for the backward pass and K-FAC. */
export interface LinearCache {
  /** the input, N R x D */
  input: Float64Array;
  N: number;
}

/** The tangent the JVP carries through this layer. */
export interface LinearTangent {
  /** the input tangent, or null for 0 */
  rInput: Float64Array | null;
}

export class LinearLayer extends LayerShapes implements Layer {
  readonly type = 'linear' as const;
  private readonly block: KfacBlockShape;

  constructor(inputShape: Shape, out: number, bias: boolean) {
    const D = inputShape[inputShape.length - 1];
    const layout = affineLayout(WEIGHT_AND_BIAS, [out, D], D, shapeSize(inputShape.slice(0, -1)), 0, bias);
    super(inputShape, [...inputShape.slice(0, -1), out], [layout]);
    this.block = layout.block;
  }

  /** From its JSON description, for an input of shape `inputShape`; errors name `path`. */
  static fromSpec(raw: unknown, inputShape: Shape, path: string): LinearLayer {
    const f = layerFields(raw, ['out', 'bias'], path, 'linear');
    requireRank(inputShape, [1, 2, 3], path, 'linear', 'an input of rank 1 to 3 and acts on its last axis');
    const out = requireIntegerInRange(f.out, childPath(path, 'out'), 1);
    return new LinearLayer(inputShape, out, optionalBoolean(f.bias, childPath(path, 'bias'), true));
  }

  forward(theta: Vec, x: Tensor): { output: Tensor; cache: LinearCache } {
    requireLayerInput(this, x);
    const N = x.batch;
    const S = affineForward(this.block, theta, x.data, N * this.block.positions);
    return { output: new Tensor([N, ...this.outputShape], S), cache: { input: x.data, N } };
  }

  backward(theta: Vec, cache: unknown, dy: Tensor, options: BackwardOptions): Tensor | null {
    const c = cache as LinearCache;
    options.collect?.(0, dy.data);
    const dx = affineBackward(this.block, theta, c.input, dy.data, dy.batch, options.rowsPerExample, options.grad, options.inputGradient);
    return dx === null ? null : new Tensor([dy.batch, ...this.inputShape], dx);
  }

  jvp(theta: Vec, v: Vec | null, cache: unknown, dx: Tensor | null): { output: Tensor; tangent: LinearTangent } {
    const c = cache as LinearCache;
    const rS = affineTangent(this.block, theta, v, c.input, dx?.data ?? null, c.N * this.block.positions);
    return { output: new Tensor([c.N, ...this.outputShape], rS), tangent: { rInput: dx?.data ?? null } };
  }

  rBackward({ theta, v, cache, tangent, dy, rdy, hv, inputGradient }: RBackwardInput): RBackwardOutput | null {
    const c = cache as LinearCache;
    const t = tangent as LinearTangent;
    const r = affineRBackward(this.block, theta, v, c.input, t.rInput, dy.data, rdy.data, c.N * this.block.positions, hv, inputGradient);
    return r === null ? null : { dx: new Tensor([c.N, ...this.inputShape], r.dA), rdx: new Tensor([c.N, ...this.inputShape], r.rdA) };
  }

  kfacInputs(cache: unknown): Float64Array[] {
    return [(cache as LinearCache).input];
  }

  /** nn.Linear's default: W and b uniform on (-1/sqrt(D), 1/sqrt(D)). */
  init(rng: Rng, theta: Vec): void {
    const bound = 1 / Math.sqrt(this.block.fanIn);
    fillUniform(rng, theta.subarray(0, this.paramCount), bound);
  }
}
