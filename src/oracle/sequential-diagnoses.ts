/**
 * Wrong variants of the results of `sequential` models, the mistakes weight
 * sharing adds: the other of K-FAC's expand and reduce [expand-reduce]; the
 * positions summed where they are averaged or the reverse, a factor R (R² for
 * reduce's â and ĝ) in A or G [positions]; convolution patches ordered kernel
 * position first, channel last [patch-order] (in K-FAC's A and gradient, and
 * as TensorFlow's kernel layout in the parameter vector of a gradient, a
 * direction or a curvature matrix); and for the dense curvature, another
 * curvature of the four [empirical] [ggn] [hessian].
 */
import { type KfacApproximation, type KfacResultBlock, kfacResult, kfacUpdate } from '../curvature/kfac.js';
import { type ModelCurvatureKind, curvatureMatrix } from '../curvature/model-curvature.js';
import { Conv2dLayer } from '../models/layers/index.js';
import type { FieldKeys } from './compare.js';
import type { OracleResult } from './compute.js';
import type { SequentialParsedSpec } from './sequential-spec.js';
import { type NumericField, matrixOf, tensorOf, tensorOfMatrix } from './tensor.js';
import { type Variant, pickColumns, pickSymmetric, scaled } from './variant-kit.js';

type SequentialKfacSpec = Extract<SequentialParsedSpec, { kind: 'kfac' }>;

/** Memoized K-FAC blocks of a spec under the other approximation. */
const otherBlocks = new WeakMap<SequentialKfacSpec, KfacResultBlock[]>();

function blocksWith(spec: SequentialKfacSpec, approximation: KfacApproximation): KfacResultBlock[] {
  const { model, theta, batch } = spec.network;
  return kfacResult(model, theta, batch, { fisher: spec.fisher, approximation, bias: 'joint', damping: spec.damping, dampingScheme: spec.scheme }).blocks;
}

/**
 * For a conv2d block: index k of the wrong patch order (kernel row, kernel
 * column, then channel) to the index in unfold's order (channel, kernel row,
 * kernel column); a joint bias stays last. Null for any other block.
 */
export function kernelFirstOrder(spec: SequentialParsedSpec, layer: number, cols: number): number[] | null {
  const l = spec.network.model.layers[layer];
  if (!(l instanceof Conv2dLayer)) return null;
  const { C, kh, kw } = l.geometry;
  if (C === 1 || kh * kw === 1) return null;
  const idx: number[] = [];
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let c = 0; c < C; c++) idx.push(c * kh * kw + i * kw + j);
  for (let k = idx.length; k < cols; k++) idx.push(k);
  return idx;
}

function kfacBlockVariants(field: string, e: NumericField, spec: SequentialKfacSpec, result: OracleResult, l: number): Variant[] {
  if (result.kind !== 'kfac') return [];
  const layer = result.layers[l];
  if (!layer) return [];
  const A = tensorOf(layer.A) as NumericField;
  const G = tensorOf(layer.G) as NumericField;
  const gradient = tensorOf(layer.gradient) as NumericField;
  const other: KfacApproximation = spec.approximation === 'expand' ? 'reduce' : 'expand';
  const variants: Variant[] = [];
  const blocks = (): KfacResultBlock[] => {
    let b = otherBlocks.get(spec);
    if (!b) otherBlocks.set(spec, (b = blocksWith(spec, other)));
    return b;
  };
  const otherValue = (): NumericField | null => {
    const b = blocks()[l];
    const M = field === 'A' ? b.A : field === 'G' ? b.G : field === 'update' ? b.update : b.gradient;
    return M ? tensorOfMatrix(M) : null;
  };
  variants.push({ sentence: `K-FAC ${other} where ${spec.approximation} was asked [expand-reduce]`, value: otherValue });

  // which layer and how many positions this entry of `layers` shares its matrix over
  const { model } = spec.network;
  let k = 0;
  let R = 1;
  let layerIndex = -1;
  model.layers.forEach((ly, li) => {
    for (const b of ly.kfacBlocks) {
      if (k++ === l) {
        R = b.positions;
        layerIndex = li;
      }
    }
  });
  const update = (Af: NumericField, Gf: NumericField, grad: NumericField): NumericField =>
    tensorOfMatrix(kfacUpdate({ A: matrixOf(Af), G: matrixOf(Gf), gradient: matrixOf(grad) }, spec.damping, spec.scheme).update);
  if (R > 1) {
    const factors = spec.approximation === 'reduce' ? [R, 1 / R, R * R, 1 / (R * R)] : [R, 1 / R];
    const name = (c: number): string => (c === R ? `${R} = R` : c === 1 / R ? `1/${R} = 1/R` : c === R * R ? `${R * R} = R²` : `1/${R * R} = 1/R²`);
    const why = (which: 'A' | 'G', c: number): string =>
      which === 'A'
        ? c > 1
          ? 'the inputs summed over the positions where they are averaged'
          : 'the inputs averaged over the positions once more'
        : c > 1
          ? 'the output gradients divided by the positions once less'
          : 'the output gradients averaged over the positions where they are summed';
    for (const c of factors) {
      const sA = `A scaled by ${name(c)} (R = ${R} positions): ${why('A', c)} [positions]`;
      const sG = `G scaled by ${name(c)} (R = ${R} positions): ${why('G', c)} [positions]`;
      if (field === 'A') variants.push({ sentence: sA, value: () => scaled(A, c) });
      if (field === 'G') variants.push({ sentence: sG, value: () => scaled(G, c) });
      if (field === 'update') {
        variants.push({ sentence: `the update of ${sA}`, value: () => update(scaled(A, c), G, gradient) });
        variants.push({ sentence: `the update of ${sG}`, value: () => update(A, scaled(G, c), gradient) });
      }
    }
  }

  const order = layerIndex < 0 ? null : kernelFirstOrder(spec, layerIndex, A.shape[0]);
  if (order) {
    const sentence =
      'convolution patches ordered kernel position first, channel last, instead of the unfold order (channel, kernel row, kernel column) [patch-order]';
    if (field === 'A') variants.push({ sentence, value: () => pickSymmetric(A, order) });
    if (field === 'gradient') variants.push({ sentence, value: () => pickColumns(gradient, order) });
    if (field === 'update') {
      variants.push({ sentence, value: () => pickColumns(e, order) });
      variants.push({ sentence: `A of ${sentence}`, value: () => update(pickSymmetric(A, order), G, gradient) });
    }
  }
  return variants;
}

/**
 * For the whole parameter vector: index k of the layout where every conv2d
 * kernel is flattened [out, kh, kw, C] to its index in PyTorch's
 * [out, C, kh, kw]; null when no convolution has C > 1 and a kernel of more
 * than one entry (the two layouts are then the same).
 */
function kernelFirstParams(spec: SequentialParsedSpec): number[] | null {
  const { model } = spec.network;
  const idx = Array.from({ length: model.paramCount }, (_, k) => k);
  let changed = false;
  model.layers.forEach((layer, l) => {
    if (!(layer instanceof Conv2dLayer)) return;
    const { C, kh, kw, out } = layer.geometry;
    if (C === 1 || kh * kw === 1) return;
    changed = true;
    const base = model.offsets[l];
    let k = base;
    for (let o = 0; o < out; o++)
      for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let c = 0; c < C; c++) idx[k++] = base + ((o * C + c) * kh + i) * kw + j;
  });
  return changed ? idx : null;
}

/** v with its entries permuted: entry k of the result is v[idx[k]]. */
const pickEntries = (v: NumericField, idx: number[]): NumericField => ({ shape: [idx.length], data: Float64Array.from(idx, (i) => v.data[i]) });

const CURVATURE_SENTENCES: Record<ModelCurvatureKind, string> = {
  fisher: 'the Fisher (y drawn from the model) [empirical]',
  'empirical-fisher': 'the empirical Fisher (y the targets) [empirical]',
  ggn: 'the generalized Gauss-Newton matrix [ggn]',
  hessian: 'the Hessian of the loss [hessian]',
};

/** Variants of a sequential result field, after the generic sign, batch-size and transpose ones. */
export function sequentialVariants(keys: FieldKeys, e: NumericField, spec: SequentialParsedSpec, result: OracleResult): Variant[] {
  if (spec.kind === 'kfac') {
    if (keys[0] !== 'layers' || typeof keys[1] !== 'number' || keys.length !== 3) return [];
    return kfacBlockVariants(String(keys[2]), e, spec, result, keys[1]);
  }
  const order = kernelFirstParams(spec);
  const patchOrder = order
    ? 'convolution weights flattened kernel position first, channel last ([out, kh, kw, C], the layout of TensorFlow and JAX kernels) instead of ' +
      "PyTorch's [out, C, kh, kw] [patch-order]"
    : null;
  if (keys[0] === 'gradient' || keys[0] === 'direction')
    return order && patchOrder && e.shape.length === 1 ? [{ sentence: patchOrder, value: () => pickEntries(e, order) }] : [];
  if (keys[0] !== 'matrix' || !('curvature' in spec)) return [];
  const { model, theta, batch } = spec.network;
  const layout: Variant[] = order && patchOrder ? [{ sentence: patchOrder, value: () => pickSymmetric(e, order) }] : [];
  const asked = spec.curvature;
  const others = (Object.keys(CURVATURE_SENTENCES) as ModelCurvatureKind[])
    .filter((k) => k !== asked)
    .map((k) => ({ sentence: `${CURVATURE_SENTENCES[k]} where the ${asked} was asked`, value: () => tensorOfMatrix(curvatureMatrix(model, theta, batch, k)) }));
  return [...layout, ...others];
}
