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
import { requireIntegerInRange, requireOneOf, requirePositive, requireTypedOptions } from '../core/validate.js';
import { dot, type Vec } from '../core/vec.js';
import { type CurvatureFactor, curvatureFactor, curvatureOperator, factorOperator } from '../curvature/model-curvature.js';
import { monteCarloFisher } from '../curvature/monte-carlo-fisher.js';
import { type StabilityOptions, validateDecay, validateStability } from '../curvature/stability.js';
import type { LinearOperator } from '../linalg/linear-operator.js';
import {
  assertFiniteUpdate,
  checkClipKeys,
  optimizerOptions,
  optionKinds,
  type Schedule,
  scaleByLearningRate,
  validateSchedule,
  STABILITY_OPTION_KINDS,
} from './common.js';
import { type ModelBatch, type ResolvedBatch, requireModelBatch, requireRng } from './extra.js';
import {
  NATURAL_GRADIENT_SOLVER_TABLE,
  NATURAL_GRADIENT_SOLVERS,
  type NaturalGradientSolver,
  type NaturalGradientSolverOptions,
  type NaturalGradientState,
} from './natural-gradient-solvers.js';
import { chain, type Transform } from './transform.js';

export { NATURAL_GRADIENT_SOLVERS, type NaturalGradientSolver, type NaturalGradientState } from './natural-gradient-solvers.js';

/** The Fisher natural gradient uses: exact, empirical (training labels) or Monte Carlo. */
export type FisherChoice = 'exact' | 'empirical' | 'monte-carlo';

export const FISHER_CHOICES: readonly FisherChoice[] = ['exact', 'empirical', 'monte-carlo'];

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

/** The options with their defaults, checked (the solver's own needs by its entry of the table). */
function resolveOptions(
  o: ScaleByNaturalGradientOptions,
): NaturalGradientSolverOptions & { fisher: FisherChoice; solver: NaturalGradientSolver; samples: number } {
  validateStability(o);
  const fisher = o.fisher ?? 'exact';
  const solver = o.solver ?? 'direct';
  requireOneOf(fisher, FISHER_CHOICES, 'fisher');
  requireOneOf(solver, NATURAL_GRADIENT_SOLVERS, 'solver');
  validateDecay(o.emaDecay ?? 0, 'emaDecay');
  const samples = requireIntegerInRange(o.samples ?? 1, 'samples', 1);
  if (o.rank !== undefined) requireIntegerInRange(o.rank, 'rank', 0);
  NATURAL_GRADIENT_SOLVER_TABLE[solver].validate?.({ damping: o.damping ?? 1e-4 });
  if (o.trustRegion !== undefined) requirePositive(o.trustRegion, 'trustRegion');
  const rtol = o.cg?.rtol ?? 1e-6;
  const maxIt = o.cg?.maxIterations ?? 50;
  if (!(rtol > 0 && rtol < 1)) throw new NatgradError('cg.rtol', `must be in (0, 1), got ${rtol}`);
  if (!(Number.isInteger(maxIt) && maxIt >= 1)) throw new NatgradError('cg.maxIterations', `must be an integer >= 1, got ${maxIt}`);
  const damping = o.damping ?? 1e-4;
  return {
    fisher,
    solver,
    samples,
    damping,
    stability: { damping, clip: o.clip, rcond: o.rcond },
    emaDecay: o.emaDecay ?? 0,
    rank: o.rank,
    cg: { rtol, maxIterations: maxIt, warmStart: o.cg?.warmStart ?? false },
  };
}

/** d = (F + λ I)⁻¹ g by the chosen solver, optionally shrunk to the trust region dᵀ F d <= δ². */
export function scaleByNaturalGradient(o: ScaleByNaturalGradientOptions = {}): Transform<NaturalGradientState, ModelBatch> {
  const r = resolveOptions(o);
  const { solve } = NATURAL_GRADIENT_SOLVER_TABLE[r.solver];
  return {
    init: () => ({ count: 0, average: null, lastDirection: null, lastCg: null }),
    update(g, s, params, extra) {
      const batch = requireModelBatch(extra, params, 'natural gradient');
      const theta = Float64Array.from(params);
      let cached: CurvatureFactor | null = null;
      const factor = (): CurvatureFactor => (cached ??= fisherFactor(batch, theta, r.fisher, r.samples));
      // products with the exact Fisher need no factor: one tangent and one backward sweep each
      const fisherOperator = (): LinearOperator =>
        r.fisher === 'exact' ? curvatureOperator(batch.model, theta, batch.batch, 'fisher') : factorOperator(factor());
      const solved = solve({ grad: g, state: s, batch, factor, fisherOperator }, r);
      let d = solved.direction;
      if (o.trustRegion !== undefined) {
        const q = dot(d, (solved.fisher ?? fisherOperator()).matvec(d));
        if (q > o.trustRegion ** 2) {
          const f = o.trustRegion / Math.sqrt(q);
          d = d.map((v) => v * f);
        }
      }
      return [assertFiniteUpdate(d, 'natural gradient'), { ...s, count: s.count + 1, ...solved.state }] as const;
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
  ...STABILITY_OPTION_KINDS,
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
