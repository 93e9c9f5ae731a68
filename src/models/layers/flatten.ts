/**
 * `flatten`: to one axis, row-major (torch.flatten(x, 1)); the data does not
 * move, only the shape changes. On a [D] input it changes nothing.
 */
import type { Vec } from '../../core/vec.js';
import { type Shape, Tensor, shapeSize } from '../tensor.js';
import { type BackwardOptions, type Layer, ParameterFreeLayer, requireLayerInput, type RBackwardInput, type RBackwardOutput } from './layer.js';
import { layerFields } from './spec-fields.js';

export interface FlattenSpec {
  type: 'flatten';
}

export class FlattenLayer extends ParameterFreeLayer implements Layer {
  readonly type = 'flatten' as const;

  constructor(inputShape: Shape) {
    super(inputShape, [shapeSize(inputShape)]);
  }

  static fromSpec(raw: unknown, inputShape: Shape, path: string): FlattenLayer {
    layerFields(raw, [], path, 'flatten');
    return new FlattenLayer(inputShape);
  }

  forward(_theta: Vec, x: Tensor): { output: Tensor; cache: number } {
    requireLayerInput(this, x);
    return { output: x.withExampleShape(this.outputShape), cache: x.batch };
  }

  backward(_theta: Vec, _cache: unknown, dy: Tensor, options: BackwardOptions): Tensor | null {
    return options.inputGradient ? dy.withExampleShape(this.inputShape) : null;
  }

  jvp(_theta: Vec, _v: Vec | null, cache: unknown, dx: Tensor | null): { output: Tensor; tangent: null } {
    const N = cache as number;
    return { output: dx === null ? Tensor.zeros(N, this.outputShape) : dx.withExampleShape(this.outputShape), tangent: null };
  }

  rBackward({ dy, rdy, inputGradient }: RBackwardInput): RBackwardOutput | null {
    return inputGradient ? { dx: dy.withExampleShape(this.inputShape), rdx: rdy.withExampleShape(this.inputShape) } : null;
  }
}
