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
import { Sequential } from '../models/sequential.js';
import { withConvention } from './model-spec.js';
import { isSequentialSpec } from './sequential-spec.js';
import type { ParsedSpec } from './spec.js';
import { type NumericField, tensorOf } from './tensor.js';

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

/** What the conventions of a model spec depend on, for an mlp or a sequential model. */
interface ConventionSubject {
  own: LossConvention;
  /** gaussian or mse: the other of the two is a convention too */
  regression: boolean;
  N: number;
  /** positions per prediction (1 without) */
  T: number;
  /** outputs per prediction */
  D: number;
  /** the library's divisor of the reduced loss under a convention */
  divisor: (c: LossConvention) => number;
  /** the spec under another convention */
  with: (c: LossConvention) => ParsedSpec;
}

function subjectOf(spec: ParsedSpec): ConventionSubject | null {
  if (hasProblem(spec)) {
    const p = spec.problem;
    const D = p.spec.sizes[p.spec.sizes.length - 1];
    return {
      own: p.convention,
      regression: p.spec.likelihood === 'gaussian' || p.spec.likelihood === 'mse',
      N: p.inputs.length,
      T: 1,
      D,
      divisor: (c) => p.inputs.length / reductionScale(c, p.inputs.length, D),
      with: (c) => ({ ...spec, problem: withConvention(p, c) }) as ParsedSpec,
    };
  }
  if (!isSequentialSpec(spec)) return null;
  const { model } = spec.network;
  const N = spec.network.batch.x.batch;
  const regression = model.likelihood === 'gaussian' || model.likelihood === 'mse';
  const rebuilt = (c: LossConvention): Sequential =>
    new Sequential({ ...model.spec, likelihood: regression ? (c.mse ? 'mse' : 'gaussian') : model.likelihood, reduction: c.reduction });
  return {
    own: { reduction: model.reduction, mse: model.likelihood === 'mse' },
    regression,
    N,
    T: model.loss.positions,
    D: model.loss.K,
    divisor: (c) => rebuilt(c).loss.divisor(N),
    with: (c) => ({ ...spec, network: { ...spec.network, model: rebuilt(c) } }) as ParsedSpec,
  };
}

/** N, 1/N, N·D = 12, 2/D: a factor of the reduction in the spec's symbols (T the positions of per-position outputs). */
function reductionFactorName(ratio: number, N: number, T: number, D: number): string {
  // each factor and its reciprocal: `N·D = 12` and `1/(N·D) = 1/12`
  const withReciprocal = ([v, symbol]: [number, string]): [number, string][] => {
    const inverse = symbol.includes('·') ? `1/(${symbol})` : `1/${symbol}`;
    return [
      [v, `${symbol} = ${v}`],
      [1 / v, `${inverse} = 1/${v}`],
    ];
  };
  const factors: [number, string][] =
    T > 1
      ? [
          [N, 'N'],
          [N * T, 'N·T'],
          [N * T * D, 'N·T·D'],
          [T, 'T'],
          [T * D, 'T·D'],
          [D, 'D'],
        ]
      : [
          [N, 'N'],
          [N * D, 'N·D'],
          [D, 'D'],
        ];
  const names = factors.flatMap(withReciprocal);
  for (const [v, name] of names) if (Math.abs(ratio - v) <= 1e-12 * v) return name;
  return String(ratio);
}

function describe(sub: ConventionSubject, alt: LossConvention): string {
  const { own, N, T, D } = sub;
  const parts: string[] = [];
  if (alt.mse !== own.mse) {
    if (alt.mse) {
      const elements = alt.reduction === 'mean-elements' && own.reduction === 'mean';
      parts.push(
        elements
          ? `PyTorch's nn.MSELoss with reduction='mean' (||y - f||² averaged over the N·D elements) where the spec says gaussian: a factor 2/D = ` +
              `${2 / D} on gradients and curvatures [mse]`
          : `nn.MSELoss (||y - f||², without the 1/2) where the spec says gaussian: a factor 2 on gradients and curvatures, 4 on the empirical Fisher [mse]`,
      );
      if (elements && T === 1) return parts[0];
    } else {
      parts.push(
        'the gaussian loss (½||y - f||²) where the spec says mse (nn.MSELoss, ||y - f||²): a factor 1/2 on gradients and curvatures, 1/4 on the ' +
          'empirical Fisher [mse]',
      );
    }
  }
  if (alt.reduction !== own.reduction) {
    const ratio = sub.divisor({ ...own, mse: alt.mse }) / sub.divisor(alt);
    parts.push(`reduction "${alt.reduction}" where the spec says "${own.reduction}": a factor ${reductionFactorName(ratio, N, T, D)} [reduction]`);
  }
  return parts.join('; and ');
}

/**
 * The other conventions of a model spec (mlp or sequential) whose results
 * differ from the spec's: every reduction, and for a gaussian or mse
 * likelihood the other of the two.
 */
export function conventionAlternatives(spec: ParsedSpec): ConventionAlternative[] {
  const sub = subjectOf(spec);
  if (sub === null) return [];
  const { own, N } = sub;
  const msers = sub.regression ? [own.mse, !own.mse] : [own.mse];
  const out: ConventionAlternative[] = [];
  for (const mse of msers) {
    for (const reduction of REDUCTIONS) {
      if (mse === own.mse && reduction === own.reduction) continue;
      const alt: LossConvention = { reduction, mse };
      if (mse === own.mse && sub.divisor(alt) === sub.divisor(own)) continue;
      const altSpec = sub.with(alt);
      let memo: Promise<OracleResult> | null = null;
      const ratio = sub.divisor(own) / sub.divisor(alt);
      const batchSize =
        mse !== own.mse || N < 2
          ? null
          : ratio === N
            ? { factor: N, text: `scaled by ${N} = N [batch-size]` }
            : ratio === 1 / N
              ? { factor: 1 / N, text: `scaled by 1/${N} = 1/N [batch-size]` }
              : null;
      out.push({ sentence: describe(sub, alt), batchSize, spec: altSpec, result: () => (memo ??= computeResult(altSpec)) });
    }
  }
  return out;
}

/** The field at `keys` of a result, as a tensor. */
export function fieldOf(result: unknown, keys: FieldKeys): NumericField | null {
  let v: unknown = result;
  for (const k of keys) {
    if (v === null || typeof v !== 'object') return null;
    v = (v as Record<string | number, unknown>)[k];
  }
  return tensorOf(v);
}
