/**
 * Natural gradient descent: θ <- θ - lr (F + λ I)⁻¹ ∇L, F the Fisher of the
 * model's predictive distribution, with the choices users ask for:
 * * fisher: 'exact' (expectation over y in closed form), 'empirical' (training
 *   labels; not the Fisher, kfac-pytorch#109) or 'monte-carlo' (y sampled from
 *   the model, `samples` draws per input);
 * * solver: 'direct' (eigendecomposition of the dense F with the shared
 *   stability options), 'cg' (Hessian-free style: matrix-free Fisher-vector
 *   products and conjugate gradients), 'low-rank' (F = (1/N) U Uᵀ, inverted by
 *   Woodbury, optionally truncated to the top `rank` eigenpairs),
 *   'block-diagonal' (one dense block per layer);
 * * trustRegion δ: the direction d is scaled by min(1, δ / sqrt(dᵀ F d)), so
 *   the alias's step Δ = -lr d satisfies Δᵀ F Δ <= δ² (it passes δ / lr).
 * CG stopping rule: ||(F + λ I) d - g|| <= cg.rtol ||g|| or cg.maxIterations
 * iterations or a direction of non-positive curvature (then the last iterate
 * is used, the gradient if that is zero).
 *
 * Options [defaults]: lr [1], fisher ['exact'], solver ['direct'], damping [1e-4],
 * clip [none], rcond [1e-12], emaDecay [0] (running average of F, direct and
 * block-diagonal), samples [1], rank [all], cg { rtol [1e-6], maxIterations [50],
 * warmStart [false] }, trustRegion [none]. Needs a ModelBatch in extra (with an
 * rng for 'monte-carlo'). Example: `naturalGradient({ lr: 1, damping: 1e-3, solver: 'cg' })`.
 *
 * References: S. Amari, "Natural gradient works efficiently in learning", 1998;
 * J. Martens, "Deep learning via Hessian-free optimization", ICML 2010;
 * J. Schulman et al., "Trust region policy optimization", ICML 2015 (trust region);
 * J. Martens, "New insights and perspectives on the natural gradient method", JMLR 2020.
 */
import { NatgradError } from '../core/errors.js';
import { dot, type Vec } from '../core/vec.js';
import {
  type CurvatureFactor as LowRankFactor,
  factorDampedInverse,
  topEigenpairs,
  truncatedDampedOperators,
} from '../curvature/low-rank.js';
import { type CurvatureFactor, curvatureFactor, curvatureOperator, factorGram, factorLayerBlocks, factorOperator } from '../curvature/model-curvature.js';
import { monteCarloFisher } from '../curvature/monte-carlo-fisher.js';
import { type StabilityOptions, emaMatrix, stabilize, validateDecay, validateStability } from '../curvature/stability.js';
import { conjugateGradient, type CgStopReason } from '../linalg/cg.js';
import type { LinearOperator } from '../linalg/linear-operator.js';
import type { Matrix } from '../linalg/matrix.js';
import { transpose } from '../linalg/ops.js';
import { blockDiagonalOperator, dampedOperator, denseOperator } from '../linalg/operators.js';
import {
  assertFiniteUpdate,
  checkClipKeys,
  optimizerOptions,
  optionKinds,
  type Schedule,
  scaleByLearningRate,
  validateSchedule,
} from './common.js';
import { requireTypedOptions, requireOneOf } from '../core/validate.js';
import { type ModelBatch, type ResolvedBatch, requireModelBatch, requireRng } from './extra.js';
import { chain, type Transform } from './transform.js';

/** The Fisher natural gradient uses: exact, empirical (training labels) or Monte Carlo. */
export type FisherChoice = 'exact' | 'empirical' | 'monte-carlo';
/** How natural gradient solves for its direction. */
export type NaturalGradientSolver = 'direct' | 'cg' | 'low-rank' | 'block-diagonal';

export const FISHER_CHOICES: readonly FisherChoice[] = ['exact', 'empirical', 'monte-carlo'];
export const NATURAL_GRADIENT_SOLVERS: readonly NaturalGradientSolver[] = ['direct', 'cg', 'low-rank', 'block-diagonal'];

/** The options of {@link scaleByNaturalGradient} (defaults in the module comment). */
export interface ScaleByNaturalGradientOptions extends StabilityOptions {
  /** Which Fisher: 'exact', 'empirical' or 'monte-carlo' ['exact']. */
  fisher?: FisherChoice;
  /** How (F + λ I) d = g is solved: 'direct', 'cg', 'low-rank' or 'block-diagonal' ['direct']. */
  solver?: NaturalGradientSolver;
  /** Running-average decay of F (direct and block-diagonal solvers) [0]. */
  emaDecay?: number;
  /** Draws of y per input for the Monte Carlo Fisher [1]. */
  samples?: number;
  /** Eigenpairs kept by the low-rank solver [all]. */
  rank?: number;
  /** Conjugate-gradient settings of the 'cg' solver. */
  cg?: {
    /** Relative residual to stop at [1e-6]. */
    rtol?: number;
    /** Iteration limit [50]. */
    maxIterations?: number;
    /** Start from the previous solution [false]. */
    warmStart?: boolean;
  };
  /** Trust-region radius δ: steps satisfy Δᵀ F Δ <= δ² [none]. */
  trustRegion?: number;
}

export interface NaturalGradientState {
  count: number;
  /** Running average of F (direct) or of its layer blocks (block-diagonal). */
  average: Matrix[] | null;
  /** The last CG solution (warm start) and how CG stopped. */
  lastDirection: Vec | null;
  lastCg: { iterations: number; reason: CgStopReason } | null;
}

/**
 * The chosen Fisher of a batch as a factor, C = weight · Uᵀ U: the output
 * Fisher's square-root rows pulled back (exact), the per-example gradients
 * at the training labels (empirical), or at `samples` label draws per
 * example from the batch's rng (Monte Carlo, the draw order of monteCarloFisher).
 */
export function fisherFactor(b: ResolvedBatch, params: Vec, fisher: FisherChoice, samples: number): CurvatureFactor {
  if (fisher === 'monte-carlo') {
    const rng = requireRng(b, 'natural gradient with a Monte Carlo Fisher');
    return monteCarloFisher(b.model, params, b.batch.x, samples, rng).factor;
  }
  return curvatureFactor(b.model, params, b.batch, fisher === 'exact' ? 'fisher' : 'empirical-fisher');
}

/** The same factor in the form of low-rank.ts: C = (1/N) U Uᵀ with U of P rows. */
function lowRankFactor({ U, weight }: CurvatureFactor): LowRankFactor {
  return { U: transpose(U), N: 1 / weight };
}

function validateOptions(o: ScaleByNaturalGradientOptions): void {
  validateStability(o);
  const fisher = o.fisher ?? 'exact';
  const solver = o.solver ?? 'direct';
  requireOneOf(fisher, FISHER_CHOICES, 'fisher');
  requireOneOf(solver, NATURAL_GRADIENT_SOLVERS, 'solver');
  validateDecay(o.emaDecay ?? 0, 'emaDecay');
  const samples = o.samples ?? 1;
  if (!(Number.isInteger(samples) && samples >= 1)) throw new NatgradError('samples', `must be an integer >= 1, got ${samples}`);
  if (o.rank !== undefined && !(Number.isInteger(o.rank) && o.rank >= 0)) throw new NatgradError('rank', `must be an integer >= 0, got ${o.rank}`);
  if ((solver === 'low-rank' || solver === 'cg') && !((o.damping ?? 1e-4) > 0)) {
    throw new NatgradError('damping', `the ${solver} solver needs damping > 0 (F is singular when there are fewer outer products than parameters)`);
  }
  if (o.trustRegion !== undefined && !(o.trustRegion > 0 && Number.isFinite(o.trustRegion))) {
    throw new NatgradError('trustRegion', `must be a finite number > 0, got ${o.trustRegion}`);
  }
  const rtol = o.cg?.rtol ?? 1e-6;
  const maxIt = o.cg?.maxIterations ?? 50;
  if (!(rtol > 0 && rtol < 1)) throw new NatgradError('cg.rtol', `must be in (0, 1), got ${rtol}`);
  if (!(Number.isInteger(maxIt) && maxIt >= 1)) throw new NatgradError('cg.maxIterations', `must be an integer >= 1, got ${maxIt}`);
}

/** d = (F + λ I)⁻¹ g by the chosen solver, optionally shrunk to the trust region dᵀ F d <= δ². */
export function scaleByNaturalGradient(o: ScaleByNaturalGradientOptions = {}): Transform<NaturalGradientState, ModelBatch> {
  validateOptions(o);
  const fisher = o.fisher ?? 'exact';
  const solver = o.solver ?? 'direct';
  const damping = o.damping ?? 1e-4;
  const decay = o.emaDecay ?? 0;
  const samples = o.samples ?? 1;
  const stab: StabilityOptions = { damping, clip: o.clip, rcond: o.rcond };
  return {
    init: () => ({ count: 0, average: null, lastDirection: null, lastCg: null }),
    update(g, s, params, extra) {
      const b = requireModelBatch(extra, params, 'natural gradient');
      const theta = Float64Array.from(params);
      let cached: CurvatureFactor | null = null;
      const factor = (): CurvatureFactor => (cached ??= fisherFactor(b, theta, fisher, samples));
      // products with the exact Fisher need no factor: one tangent and one backward sweep each
      const fisherOp = (): LinearOperator => (fisher === 'exact' ? curvatureOperator(b.model, theta, b.batch, 'fisher') : factorOperator(factor()));
      let d: Vec;
      let next: NaturalGradientState = { ...s, count: s.count + 1 };
      let F: LinearOperator | null = null;
      if (solver === 'direct' || solver === 'block-diagonal') {
        const fresh = solver === 'direct' ? [factorGram(factor())] : factorLayerBlocks(b.model, factor()).map((x) => x.block);
        const avg = fresh.map((M, l) => emaMatrix(s.average?.[l] ?? null, M, decay));
        next = { ...next, average: avg };
        const stabilized = avg.map((M, l) => stabilize(M, stab, `fisher[${l}]`));
        d = blockDiagonalOperator(stabilized.map((x) => x.inverse)).matvec(g);
        F = blockDiagonalOperator(avg.map((M) => denseOperator(M)));
      } else if (solver === 'low-rank') {
        if (o.rank === undefined) {
          d = factorDampedInverse(lowRankFactor(factor()), damping).matvec(g);
        } else {
          d = truncatedDampedOperators(topEigenpairs(lowRankFactor(factor()), o.rank), damping).inverse.matvec(g);
        }
      } else {
        F = fisherOp();
        const x0 = o.cg?.warmStart && s.lastDirection ? s.lastDirection : undefined;
        const r = conjugateGradient(dampedOperator(F, damping), g, {
          rtol: o.cg?.rtol ?? 1e-6,
          maxIterations: o.cg?.maxIterations ?? 50,
          ...(x0 ? { x0 } : {}),
        });
        d = r.x.some((v) => v !== 0) ? r.x : Float64Array.from(g);
        next = { ...next, lastDirection: Float64Array.from(d), lastCg: { iterations: r.iterations, reason: r.reason } };
      }
      if (o.trustRegion !== undefined) {
        const q = dot(d, (F ?? fisherOp()).matvec(d));
        if (q > o.trustRegion ** 2) {
          const f = o.trustRegion / Math.sqrt(q);
          d = d.map((v) => v * f);
        }
      }
      return [assertFiniteUpdate(d, 'natural gradient'), next] as const;
    },
  };
}

/** The options of {@link naturalGradient}. */
export interface NaturalGradientOptions extends ScaleByNaturalGradientOptions {
  /** The learning rate, or a schedule of the step [1]. */
  lr?: Schedule;
}

/** The options (and the kind of each value) of {@link naturalGradient}. */
export const NATURAL_GRADIENT_OPTION_KINDS = optionKinds<NaturalGradientOptions>({
  lr: 'schedule',
  fisher: 'string',
  solver: 'string',
  damping: 'number',
  clip: 'object',
  rcond: 'number',
  emaDecay: 'number',
  samples: 'number',
  rank: 'number',
  cg: 'object',
  trustRegion: 'number',
});

const CG_KEYS = optionKinds<NonNullable<ScaleByNaturalGradientOptions['cg']>>({ rtol: 'number', maxIterations: 'number', warmStart: 'boolean' });

/**
 * Natural gradient = chain(scaleByNaturalGradient, scaleByLearningRate); a
 * trust region δ bounds Δᵀ F Δ <= δ². Needs a ModelBatch as `extra` (with an
 * rng for the Monte Carlo Fisher).
 *
 * @example
 * ```ts
 * const opt = naturalGradient({ lr: 1, damping: 1e-3, solver: 'cg' });
 * ```
 */
export function naturalGradient(o: NaturalGradientOptions = {}): Transform<unknown[], ModelBatch> {
  o = optimizerOptions<NaturalGradientOptions>(o, NATURAL_GRADIENT_OPTION_KINDS, 'natural-gradient');
  checkClipKeys(o.clip);
  requireTypedOptions(o.cg, CG_KEYS, 'cg', 'the cg options');
  const lr = o.lr ?? 1;
  validateSchedule(lr);
  if (o.trustRegion !== undefined && !(typeof lr === 'number' && lr > 0)) {
    throw new NatgradError('lr', 'a trust region needs a constant learning rate > 0 (the bound is on lr · d)');
  }
  const trustRegion = o.trustRegion === undefined ? undefined : o.trustRegion / Math.abs(lr as number);
  return chain<ModelBatch>(scaleByNaturalGradient({ ...o, trustRegion }), scaleByLearningRate(lr));
}
