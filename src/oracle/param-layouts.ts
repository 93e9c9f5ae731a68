/**
 * Wrong orderings of a model's parameter vector that real code has used, as
 * index maps into the contract order (per layer W row-major, then b):
 * `order[k]` is the contract index of the parameter at position k of the
 * wrong layout. Used by `check` to recognise a permuted vector or matrix.
 */
import type { MlpSpec } from '../models/mlp.js';
import type { NumericField } from './tensor.js';

export interface ParamLayout {
  order: number[];
  /** what the layout is, for the diagnosis sentence */
  description: string;
}

interface LayerShape {
  offset: number;
  out: number;
  inp: number;
  bias: boolean;
}

function layerShapes(spec: MlpSpec): LayerShape[] {
  const shapes: LayerShape[] = [];
  let offset = 0;
  for (let l = 0; l + 1 < spec.sizes.length; l++) {
    const out = spec.sizes[l + 1];
    const inp = spec.sizes[l];
    const bias = spec.bias === undefined || spec.bias[l] !== false;
    shapes.push({ offset, out, inp, bias });
    offset += out * inp + (bias ? out : 0);
  }
  return shapes;
}

const wIndex = (s: LayerShape, i: number, j: number): number => s.offset + i * s.inp + j;
const bIndex = (s: LayerShape, i: number): number => s.offset + s.out * s.inp + i;

function build(spec: MlpSpec, perLayer: (s: LayerShape, push: (k: number) => void) => void): number[] {
  const order: number[] = [];
  for (const s of layerShapes(spec)) perLayer(s, (k) => order.push(k));
  return order;
}

/** True when some layer has a bias (the bias layouts differ from the contract's). */
export const anyBias = (spec: MlpSpec): boolean => layerShapes(spec).some((s) => s.bias);

/** Parameters without the biases (a model written as if no layer had one). */
export function withoutBiasLayout(spec: MlpSpec): ParamLayout {
  const order = build(spec, (s, push) => {
    for (let i = 0; i < s.out; i++) for (let j = 0; j < s.inp; j++) push(wIndex(s, i, j));
  });
  return { order, description: 'the bias entries are missing' };
}

/** b before W in every layer. */
export function biasFirstLayout(spec: MlpSpec): ParamLayout {
  const order = build(spec, (s, push) => {
    if (s.bias) for (let i = 0; i < s.out; i++) push(bIndex(s, i));
    for (let i = 0; i < s.out; i++) for (let j = 0; j < s.inp; j++) push(wIndex(s, i, j));
  });
  return { order, description: 'the bias placed before W in each layer' };
}

/** W flattened column-major (in-major), b after it. */
export function columnMajorLayout(spec: MlpSpec): ParamLayout {
  const order = build(spec, (s, push) => {
    for (let j = 0; j < s.inp; j++) for (let i = 0; i < s.out; i++) push(wIndex(s, i, j));
    if (s.bias) for (let i = 0; i < s.out; i++) push(bIndex(s, i));
  });
  return { order, description: 'W flattened column-major instead of row-major (equivalently [W b] column-major)' };
}

/** [W b] flattened row-major: b_i right after row i of W (the K-FAC block layout). */
export function augmentedRowsLayout(spec: MlpSpec): ParamLayout {
  const order = build(spec, (s, push) => {
    for (let i = 0; i < s.out; i++) {
      for (let j = 0; j < s.inp; j++) push(wIndex(s, i, j));
      if (s.bias) push(bIndex(s, i));
    }
  });
  return { order, description: 'the parameters ordered as [W b] row by row (each b_i after row i of W)' };
}

/** True when the layout is the identity (then it cannot explain a mismatch). */
export const isIdentityLayout = (layout: ParamLayout, P: number): boolean => layout.order.length === P && layout.order.every((k, i) => k === i);

/** A parameter vector or a P x P matrix reordered (and possibly restricted) by a layout. */
export function applyLayout(t: NumericField, layout: ParamLayout): NumericField {
  const o = layout.order;
  const n = o.length;
  if (t.shape.length === 1) return { shape: [n], data: Float64Array.from(o, (k) => t.data[k]) };
  const P = t.shape[1];
  const data = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) data[i * n + j] = t.data[o[i] * P + o[j]];
  return { shape: [n, n], data };
}
