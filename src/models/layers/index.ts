/**
 * The layer registry: a layer's JSON description to a built `Layer`. Adding a
 * layer type is one file in this folder and one entry below.
 */
import { childPath } from '../../core/errors.js';
import { requireOneOf } from '../../core/validate.js';
import type { Shape } from '../tensor.js';
import { type ActivationSpec, ActivationLayer } from './activation.js';
import { type AttentionSpec, AttentionLayer } from './attention.js';
import { type Conv2dSpec, Conv2dLayer } from './conv2d.js';
import { type FlattenSpec, FlattenLayer } from './flatten.js';
import { LAYER_TYPES, type Layer, type LayerType } from './layer.js';
import { type LinearSpec, LinearLayer } from './linear.js';
import { type MeanSpec, MeanLayer } from './mean.js';
import { layerFields } from './spec-fields.js';

/** One layer of a sequential network: linear, conv2d, activation, flatten, mean or attention, with PyTorch's semantics. */
export type LayerSpec = LinearSpec | Conv2dSpec | ActivationSpec | FlattenSpec | MeanSpec | AttentionSpec;

const BUILDERS: Record<LayerType, (raw: unknown, inputShape: Shape, path: string) => Layer> = {
  linear: LinearLayer.fromSpec,
  conv2d: Conv2dLayer.fromSpec,
  activation: ActivationLayer.fromSpec,
  flatten: FlattenLayer.fromSpec,
  mean: MeanLayer.fromSpec,
  attention: AttentionLayer.fromSpec,
};

/** The layer `raw` describes, for inputs of one example's shape `inputShape`; errors name `path`. */
export function buildLayer(raw: unknown, inputShape: Shape, path: string): Layer {
  const f = layerFields(raw, Object.keys(raw ?? {}), path, 'network');
  const type = requireOneOf(f.type, LAYER_TYPES, childPath(path, 'type'));
  return BUILDERS[type](raw, inputShape, path);
}

export * from './layer.js';
export { ActivationLayer, AttentionLayer, Conv2dLayer, FlattenLayer, LinearLayer, MeanLayer };
export type { ActivationSpec, AttentionSpec, Conv2dSpec, FlattenSpec, LinearSpec, MeanSpec };
export type { Conv2dGeometry } from './conv2d.js';
export type { ActivationCache } from './activation.js';
export type { AttentionCache, AttentionTangent } from './attention.js';
export type { Conv2dCache, Conv2dTangent } from './conv2d.js';
export type { LinearCache, LinearTangent } from './linear.js';
