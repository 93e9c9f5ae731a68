/**
 * The running averages of the Kronecker factors that K-FAC and EKFAC both
 * keep: each step's factors A and G of every weight matrix (from the
 * batch, at the chosen Fisher, labels drawn from the batch's rng for a
 * Monte Carlo one), averaged as decay · previous + (1 - decay) · new.
 */
import type { Rng } from '../core/rng.js';
import { requireDecay, requireOneOf } from '../core/validate.js';
import type { Vec } from '../core/vec.js';
import { type KfacApproximation, type KfacBlock, KFAC_APPROXIMATIONS, kfacFactors } from '../curvature/kfac.js';
import { emaMatrix } from '../curvature/stability.js';
import type { Matrix } from '../linalg/matrix.js';
import { type ResolvedBatch, requireRng } from './extra.js';

/** Which Fisher K-FAC's factors estimate: the exact one, the empirical one, or a Monte Carlo one. */
export const KFAC_FISHER_CHOICES = ['fisher', 'empirical-fisher', 'monte-carlo'] as const;
export type KfacFisherChoice = (typeof KFAC_FISHER_CHOICES)[number];

/** The options of the factor averages; defaults in brackets. */
export interface KfacAveragingOptions {
  /** ['fisher'] */
  fisher?: KfacFisherChoice;
  /** [0.95] */
  emaDecay?: number;
  /** How a matrix shared by several positions is factored ['expand']. */
  approximation?: KfacApproximation;
}

/** The validated averaging options with their defaults. */
export function kfacAveraging(o: KfacAveragingOptions): Required<KfacAveragingOptions> {
  return {
    fisher: requireOneOf(o.fisher ?? 'fisher', KFAC_FISHER_CHOICES, 'fisher'),
    emaDecay: requireDecay(o.emaDecay ?? 0.95, 'emaDecay'),
    approximation: requireOneOf(o.approximation ?? 'expand', KFAC_APPROXIMATIONS, 'approximation'),
  };
}

/** The running averages of the factors A and G of every weight matrix (null before the first step). */
export interface KfacFactorAverages {
  A: Matrix[] | null;
  G: Matrix[] | null;
}

/** This step's factor blocks and the averages A and G after it (the rng is the batch's, for a Monte Carlo Fisher). */
export function averageKfacFactors(
  b: ResolvedBatch,
  params: Vec,
  previous: KfacFactorAverages,
  o: Required<KfacAveragingOptions>,
  who: string,
): { blocks: KfacBlock[]; A: Matrix[]; G: Matrix[]; rng: Rng | undefined } {
  // a Monte Carlo K-FAC draws one label per example from the model
  const rng = o.fisher === 'monte-carlo' ? requireRng(b, who) : undefined;
  const { blocks } = kfacFactors(b.model, params, b.batch, { fisher: o.fisher, rng, approximation: o.approximation, gradient: false });
  const A = blocks.map((f, l) => emaMatrix(previous.A?.[l] ?? null, f.A, o.emaDecay));
  const G = blocks.map((f, l) => emaMatrix(previous.G?.[l] ?? null, f.G, o.emaDecay));
  return { blocks, A, G, rng };
}
