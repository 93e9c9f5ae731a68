/**
 * How natural gradient solves (F + λ I) d = g, one entry per solver: this
 * file is the one place a solver is added (its name in the union, its row in
 * the table: what it needs of the options and its solve). Each solver reads the step's Fisher through the
 * context (a factor computed at most once per step, or matrix-free
 * products), and returns its direction with the curvature it formed (for the
 * trust region) and the state it keeps.
 */
import { NatgradError } from '../core/errors.js';
import type { Vec } from '../core/vec.js';
import { type CurvatureFactor as LowRankFactor, factorDampedInverse, topEigenpairs, truncatedDampedOperators } from '../curvature/low-rank.js';
import { type CurvatureFactor, factorGram, factorLayerBlocks } from '../curvature/model-curvature.js';
import { type StabilityOptions, emaMatrix, stabilize } from '../curvature/stability.js';
import { type CgStopReason, conjugateGradient } from '../linalg/cg.js';
import type { LinearOperator } from '../linalg/linear-operator.js';
import type { Matrix } from '../linalg/matrix.js';
import { transpose } from '../linalg/ops.js';
import { blockDiagonalOperator, dampedOperator, denseOperator } from '../linalg/operators.js';
import type { ResolvedBatch } from './extra.js';

export interface NaturalGradientState {
  count: number;
  /** Running average of F (direct) or of its layer blocks (block-diagonal). */
  average: Matrix[] | null;
  /** The last CG solution (warm start) and how CG stopped. */
  lastDirection: Vec | null;
  lastCg: { iterations: number; reason: CgStopReason } | null;
}

/** The options a solver reads (defaults in natural-gradient.ts). */
export interface NaturalGradientSolverOptions {
  damping: number;
  /** the stability options of the dense solvers */
  stability: StabilityOptions;
  /** running-average decay of F */
  emaDecay: number;
  /** eigenpairs kept by the low-rank solver (undefined: all) */
  rank: number | undefined;
  cg: { rtol: number; maxIterations: number; warmStart: boolean };
}

/** What a solver sees at one step. */
export interface NaturalGradientSolveContext {
  grad: Vec;
  state: NaturalGradientState;
  batch: ResolvedBatch;
  /** The chosen Fisher as C = weight · Uᵀ U (computed on first use, once per step). */
  factor(): CurvatureFactor;
  /** F as an operator (matrix-free for the exact Fisher). */
  fisherOperator(): LinearOperator;
}

/** A solver's result: the direction, the curvature it formed (null: none) and the state fields it keeps. */
export interface NaturalGradientSolve {
  direction: Vec;
  fisher: LinearOperator | null;
  state?: Partial<NaturalGradientState>;
}

export interface NaturalGradientSolverDefinition {
  /** Checks what this solver needs of the damping, when the optimizer is made. */
  validate?(o: Pick<NaturalGradientSolverOptions, 'damping'>): void;
  solve(ctx: NaturalGradientSolveContext, o: NaturalGradientSolverOptions): NaturalGradientSolve;
}

/** Refuses λ = 0 for the solvers whose F is singular when there are fewer outer products than parameters. */
const needsDamping =
  (name: string) =>
  (o: Pick<NaturalGradientSolverOptions, 'damping'>): void => {
    if (!(o.damping > 0))
      throw new NatgradError('damping', `the ${name} solver needs damping > 0 (F is singular when there are fewer outer products than parameters)`);
  };

/** The stabilized inverses of running averages of dense blocks of F (the whole F, or one block per layer). */
function denseBlocksSolve(blocksOf: (ctx: NaturalGradientSolveContext) => Matrix[]) {
  return (ctx: NaturalGradientSolveContext, o: NaturalGradientSolverOptions): NaturalGradientSolve => {
    const average = blocksOf(ctx).map((M, l) => emaMatrix(ctx.state.average?.[l] ?? null, M, o.emaDecay));
    const stabilized = average.map((M, l) => stabilize(M, o.stability, `fisher[${l}]`));
    return {
      direction: blockDiagonalOperator(stabilized.map((x) => x.inverse)).matvec(ctx.grad),
      fisher: blockDiagonalOperator(average.map((M) => denseOperator(M))),
      state: { average },
    };
  };
}

/** The same factor in the form of low-rank.ts: C = (1/N) U Uᵀ with U of P rows. */
function lowRankFactor({ U, weight }: CurvatureFactor): LowRankFactor {
  return { U: transpose(U), N: 1 / weight };
}

/** How natural gradient solves for its direction (one row of the table below each). */
export type NaturalGradientSolver = 'direct' | 'cg' | 'low-rank' | 'block-diagonal';

/** Every solver of natural gradient, by name. */
export const NATURAL_GRADIENT_SOLVER_TABLE: Readonly<Record<NaturalGradientSolver, NaturalGradientSolverDefinition>> = Object.freeze({
  /** The eigendecomposition of the dense F with the shared stability options. */
  direct: { solve: denseBlocksSolve((ctx) => [factorGram(ctx.factor())]) },
  /** Matrix-free Fisher-vector products and conjugate gradients (Hessian-free style). */
  cg: {
    validate: needsDamping('cg'),
    solve(ctx, o) {
      const F = ctx.fisherOperator();
      const x0 = o.cg.warmStart && ctx.state.lastDirection ? ctx.state.lastDirection : undefined;
      const r = conjugateGradient(dampedOperator(F, o.damping), ctx.grad, { rtol: o.cg.rtol, maxIterations: o.cg.maxIterations, ...(x0 ? { x0 } : {}) });
      // a zero iterate (non-positive curvature at once) falls back to the gradient
      const direction = r.x.some((v) => v !== 0) ? r.x : Float64Array.from(ctx.grad);
      return { direction, fisher: F, state: { lastDirection: Float64Array.from(direction), lastCg: { iterations: r.iterations, reason: r.reason } } };
    },
  },
  /** F = (1/N) U Uᵀ inverted by Woodbury, optionally truncated to the top `rank` eigenpairs. */
  'low-rank': {
    validate: needsDamping('low-rank'),
    solve(ctx, o) {
      const factor = lowRankFactor(ctx.factor());
      const inverse =
        o.rank === undefined ? factorDampedInverse(factor, o.damping) : truncatedDampedOperators(topEigenpairs(factor, o.rank), o.damping).inverse;
      return { direction: inverse.matvec(ctx.grad), fisher: null };
    },
  },
  /** One dense block per layer. */
  'block-diagonal': { solve: denseBlocksSolve((ctx) => factorLayerBlocks(ctx.batch.model, ctx.factor()).map((x) => x.block)) },
});

/** The solver names, in the table's order. */
export const NATURAL_GRADIENT_SOLVERS = Object.freeze(Object.keys(NATURAL_GRADIENT_SOLVER_TABLE)) as readonly NaturalGradientSolver[];
