/**
 * Wrong variants that come from another loss convention than the spec's:
 * the candidate was produced with another `reduction` ([reduction], the
 * factor named) or with PyTorch's nn.MSELoss where the spec says gaussian, or
 * the reverse ([mse], the factor 2 or 2/D). Each alternative is the oracle's
 * own result for the spec with that convention, so every field (loss,
 * gradient, curvature, G, updates) gets the factor it really carries.
 */
import type { FieldKeys } from './compare.js';
import { type OracleResult, computeResult } from './compute.js';
import { type LossConvention, REDUCTIONS, reductionScale } from './conventions.js';
import { withConvention } from './model-spec.js';
import type { ParsedSpec } from './spec.js';
import { type Tensor, tensorOf } from './tensor.js';

/** A spec with another loss convention, and the sentence naming the difference. */
export interface ConventionAlternative {
  sentence: string;
  /** for another reduction alone: `scaled by 6 = N [batch-size]` when the ratio is N or 1/N (it scales every field but the damped updates) */
  batchSize: { factor: number; text: string } | null;
  spec: ParsedSpec;
  result: () => Promise<OracleResult>;
}

type ModelSpec = Extract<ParsedSpec, { problem: unknown }>;

const hasProblem = (spec: ParsedSpec): spec is ModelSpec => 'problem' in spec;

/** N, 1/N, N·D = 12, 2/D: a factor of the reduction in the spec's symbols. */
function reductionFactorName(ratio: number, N: number, D: number): string {
  const names: [number, string][] = [
    [N, `N = ${N}`],
    [1 / N, `1/N = 1/${N}`],
    [N * D, `N·D = ${N * D}`],
    [1 / (N * D), `1/(N·D) = 1/${N * D}`],
    [D, `D = ${D}`],
    [1 / D, `1/D = 1/${D}`],
  ];
  for (const [v, name] of names) if (Math.abs(ratio - v) <= 1e-12 * v) return name;
  return String(ratio);
}

function describe(spec: ModelSpec, alt: LossConvention): string {
  const own = spec.problem.convention;
  const N = spec.problem.inputs.length;
  const D = spec.problem.spec.sizes[spec.problem.spec.sizes.length - 1];
  const parts: string[] = [];
  if (alt.mse !== own.mse) {
    if (alt.mse) {
      const elements = alt.reduction === 'mean-elements' && own.reduction === 'mean';
      parts.push(
        elements
          ? `PyTorch's nn.MSELoss with reduction='mean' (||y - f||² averaged over the N·D elements) where the spec says gaussian: a factor 2/D = ${2 / D} on gradients and curvatures [mse]`
          : `nn.MSELoss (||y - f||², without the 1/2) where the spec says gaussian: a factor 2 on gradients and curvatures, 4 on the empirical Fisher [mse]`,
      );
      if (elements) return parts[0];
    } else {
      parts.push('the gaussian loss (½||y - f||²) where the spec says mse (nn.MSELoss, ||y - f||²): a factor 1/2 on gradients and curvatures, 1/4 on the empirical Fisher [mse]');
    }
  }
  if (alt.reduction !== own.reduction) {
    const ratio = reductionScale(alt, N, D) / reductionScale({ ...own, mse: alt.mse }, N, D);
    parts.push(`reduction "${alt.reduction}" where the spec says "${own.reduction}": a factor ${reductionFactorName(ratio, N, D)} [reduction]`);
  }
  return parts.join('; and ');
}

/**
 * The other conventions of a model spec whose results differ from the spec's:
 * every reduction, and for a gaussian or mse likelihood the other of the two.
 */
export function conventionAlternatives(spec: ParsedSpec): ConventionAlternative[] {
  if (!hasProblem(spec)) return [];
  const own = spec.problem.convention;
  const lik = spec.problem.spec.likelihood;
  const msers = lik === 'gaussian' || lik === 'mse' ? [own.mse, !own.mse] : [own.mse];
  const out: ConventionAlternative[] = [];
  for (const mse of msers) {
    for (const reduction of REDUCTIONS) {
      if (mse === own.mse && reduction === own.reduction) continue;
      const alt: LossConvention = { reduction, mse };
      const N = spec.problem.inputs.length;
      const D = spec.problem.spec.sizes[spec.problem.spec.sizes.length - 1];
      if (mse === own.mse && reductionScale(alt, N, D) === reductionScale(own, N, D)) continue;
      const altSpec = { ...spec, problem: withConvention(spec.problem, alt) } as ParsedSpec;
      let memo: Promise<OracleResult> | null = null;
      const ratio = reductionScale(alt, N, D) / reductionScale(own, N, D);
      const batchSize =
        mse !== own.mse || N < 2 ? null : ratio === N ? { factor: N, text: `scaled by ${N} = N [batch-size]` } : ratio === 1 / N ? { factor: 1 / N, text: `scaled by 1/${N} = 1/N [batch-size]` } : null;
      out.push({ sentence: describe(spec, alt), batchSize, spec: altSpec, result: () => (memo ??= computeResult(altSpec)) });
    }
  }
  return out;
}

/** The field at `keys` of a result, as a tensor. */
export function fieldOf(result: unknown, keys: FieldKeys): Tensor | null {
  let v: unknown = result;
  for (const k of keys) {
    if (v === null || typeof v !== 'object') return null;
    v = (v as Record<string | number, unknown>)[k];
  }
  return tensorOf(v);
}
