/**
 * `mean`: the mean over the position axes, [C, H, W] -> [C] (global average
 * pooling: positions are the trailing axes of a channels-first image) and
 * [T, D] -> [D] (positions are the leading axis of a sequence). Both are
 * y[n, a, b] = (1/P) sum_p x[n, a, p, b] with (a, P, b) = (C, HW, 1) or
 * (1, T, D). Linear, so its R-operator is its backward pass.
 */
import type { Vec } from '../../core/vec.js';
import { type Shape, Tensor } from '../tensor.js';
import { type BackwardOptions, type Layer, ParameterFreeLayer, requireLayerInput, type RBackwardInput, type RBackwardOutput } from './layer.js';
import { layerFields, requireRank } from './spec-fields.js';

export interface MeanSpec {
  type: 'mean';
}

export class MeanLayer extends ParameterFreeLayer implements Layer {
  readonly type = 'mean' as const;
  /** outer axis, positions, inner axis */
  private readonly a: number;
  private readonly P: number;
  private readonly b: number;

  constructor(inputShape: Shape) {
    const image = inputShape.length === 3;
    super(inputShape, image ? [inputShape[0]] : [inputShape[1]]);
    [this.a, this.P, this.b] = image ? [inputShape[0], inputShape[1] * inputShape[2], 1] : [1, inputShape[0], inputShape[1]];
  }

  static fromSpec(raw: unknown, inputShape: Shape, path: string): MeanLayer {
    layerFields(raw, [], path, 'mean');
    requireRank(inputShape, [2, 3], path, 'mean', 'a [T, D] sequence or a [C, H, W] image');
    return new MeanLayer(inputShape);
  }

  forward(_theta: Vec, x: Tensor): { output: Tensor; cache: number } {
    requireLayerInput(this, x);
    return { output: this.reduce(x), cache: x.batch };
  }

  private reduce(x: Tensor): Tensor {
    const { a, P, b } = this;
    const N = x.batch;
    const y = Tensor.zeros(N, this.outputShape);
    const X = x.data;
    const Y = y.data;
    for (let n = 0; n < N; n++) {
      for (let i = 0; i < a; i++) {
        const yo = (n * a + i) * b;
        const xo = (n * a + i) * P * b;
        for (let p = 0; p < P; p++) for (let j = 0; j < b; j++) Y[yo + j] += X[xo + p * b + j];
        for (let j = 0; j < b; j++) Y[yo + j] /= P;
      }
    }
    return y;
  }

  backward(_theta: Vec, _cache: unknown, dy: Tensor, options: BackwardOptions): Tensor | null {
    return options.inputGradient ? this.spread(dy) : null;
  }

  /** dx[m, a, p, b] = dy[m, a, b] / P, the adjoint of the mean. */
  private spread(dy: Tensor): Tensor {
    const { a, P, b } = this;
    const M = dy.batch;
    const dx = Tensor.zeros(M, this.inputShape);
    const G = dy.data;
    const X = dx.data;
    for (let m = 0; m < M; m++) {
      for (let i = 0; i < a; i++) {
        const yo = (m * a + i) * b;
        const xo = (m * a + i) * P * b;
        for (let p = 0; p < P; p++) for (let j = 0; j < b; j++) X[xo + p * b + j] = G[yo + j] / P;
      }
    }
    return dx;
  }

  jvp(_theta: Vec, _v: Vec | null, cache: unknown, dx: Tensor | null): { output: Tensor; tangent: null } {
    return { output: dx === null ? Tensor.zeros(cache as number, this.outputShape) : this.reduce(dx), tangent: null };
  }

  rBackward({ dy, rdy, inputGradient }: RBackwardInput): RBackwardOutput | null {
    return inputGradient ? { dx: this.spread(dy), rdx: this.spread(rdy) } : null;
  }
}
