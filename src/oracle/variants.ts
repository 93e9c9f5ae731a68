/**
 * The known wrong variants of each result field (mistakes seen in the public issue trackers of curvature libraries), computed from
 * the spec: simple transforms of the expected value (sign, transpose, a
 * dropped bias column, a permutation) and library recomputations for the
 * mistakes that change the computation (empirical instead of true Fisher,
 * another damping scheme, the Kronecker factors swapped). `check` names the
 * first variant a mismatching candidate matches.
 *
 * Each sentence contains its keyword in brackets; the contract's keywords are
 * [sign] [batch-size] [scale] [transpose] [swapped] [empirical] [bias]
 * [column-major] [damping]; a few more name mistakes the contract does not
 * list ([hessian] [ggn] [constant] [exponent] [inverse] [untransformed]).
 */
import type { FieldKeys } from './compare.js';
import type { OracleResult } from './compute.js';
import { familyFisherVariants, reparameterizeVariants, shampooVariants } from './family-variants.js';
import { kfacVariants } from './kfac-variants.js';
import { curvatureMatrixVariants, layoutVariants, lossVariants, naturalGradientVariants } from './model-variants.js';
import { sequentialVariants } from './sequential-diagnoses.js';
import { isSequentialSpec } from './sequential-spec.js';
import type { ParsedSpec } from './spec.js';
import type { NumericField } from './tensor.js';
import { type Recomputer, type Variant, batchSizeVariants, signVariant, transposeVariant } from './variant-kit.js';

export { Recomputer, type Variant } from './variant-kit.js';

/** Output size C of a model spec (for naming a factor 1/C), or null. */
export function outputCount(spec: ParsedSpec): number | null {
  if (isSequentialSpec(spec)) return spec.network.model.loss.K;
  if ('problem' in spec) return spec.problem.spec.sizes[spec.problem.spec.sizes.length - 1];
  return null;
}

/** Number of examples N of a model spec, or null. */
export function exampleCount(spec: ParsedSpec): number | null {
  if (isSequentialSpec(spec)) return spec.network.batch.x.batch;
  return 'problem' in spec ? spec.problem.inputs.length : null;
}

/**
 * The variants of one field, most specific first: sign and batch size, then
 * the named mistakes in the contract's order. The generic constant factor
 * [scale] is tried last by the caller.
 */
export async function variantsFor(keys: FieldKeys, e: NumericField, result: OracleResult, rc: Recomputer): Promise<Variant[]> {
  const spec = rc.spec;
  const out: Variant[] = [...signVariant(e)];
  const N = exampleCount(spec);
  if (N !== null) out.push(...batchSizeVariants(e, N));
  out.push(...transposeVariant(e));
  if (isSequentialSpec(spec)) return [...out, ...sequentialVariants(keys, e, spec, result)];
  switch (spec.kind) {
    case 'fisher':
      if (spec.subject === 'family') out.push(...familyFisherVariants(e));
      else if (keys[0] === 'matrix') out.push(...curvatureMatrixVariants(e, spec, rc));
      else if (keys[0] === 'gradient') out.push(...layoutVariants(e, spec.problem));
      else if (keys[0] === 'loss') out.push(...lossVariants(e, spec.problem));
      break;
    case 'natural-gradient':
      out.push(...naturalGradientVariants(keys, e, spec, result, rc));
      break;
    case 'kfac':
      out.push(...kfacVariants(keys, e, spec, result, rc));
      break;
    case 'shampoo':
      out.push(...shampooVariants(keys, spec, result));
      break;
    case 'reparameterize':
      out.push(...(await reparameterizeVariants(keys, spec, result)));
      break;
  }
  return out;
}
