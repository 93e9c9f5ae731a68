/**
 * Damped Newton: θ <- θ - lr (H + λ I)⁻¹ ∇L with H the exact Hessian of the
 * mean loss. An indefinite H is handled in its eigenbasis: 'absolute' uses |λ_i|
 * (saddle-free Newton), 'clip' uses max(λ_i, 0); then the shared stability
 * options (damping, clipping, condition guard) make the preconditioner
 * symmetric positive definite. Near a minimum with Lipschitz H and lr = 1,
 * convergence is quadratic.
 *
 * Options [defaults]: lr [1], damping [0], clip [none], negativeCurvature ['absolute'].
 * Needs a ModelBatch in extra. Example: `newton({ damping: 1e-8 })`.
 * References: J. Nocedal and S. Wright, "Numerical optimization", 2nd ed., ch. 3;
 * Y. Dauphin et al., "Identifying and attacking the saddle point problem", NeurIPS 2014.
 */
import { NatgradError } from '../core/errors.js';
import { hessianMatrix } from '../curvature/model-curvature.js';
import { type StabilityOptions, scaledEigen, spectralOperator, stabilizedEigenvalues } from '../curvature/stability.js';
import { Matrix } from '../linalg/matrix.js';
import type { LinearOperator } from '../linalg/linear-operator.js';
import { assertFiniteUpdate, type EmptyState, optionKinds, type Schedule, descentChain, STABILITY_OPTION_KINDS } from './common.js';
import { type ModelBatch, requireModelBatch } from './extra.js';
import type { Transform } from './transform.js';

/** How Newton treats negative curvature: `absolute` (saddle-free Newton) or `clip` (to 0). */
export type NegativeCurvature = 'absolute' | 'clip';

/** The options of {@link scaleByNewton}. */
export interface ScaleByNewtonOptions extends StabilityOptions {
  /** How negative Hessian eigenvalues are treated: their absolute value, or clipped to 0 ['absolute']. */
  negativeCurvature?: NegativeCurvature;
}

/** The stabilized inverse of a symmetric, possibly indefinite, curvature. */
export function newtonPreconditioner(H: Matrix, o: ScaleByNewtonOptions = {}): LinearOperator {
  const mode = o.negativeCurvature ?? 'absolute';
  if (mode !== 'absolute' && mode !== 'clip') throw new NatgradError('negativeCurvature', `must be 'absolute' or 'clip', got ${JSON.stringify(mode)}`);
  const { values, vectors } = scaledEigen(H, 'hessian');
  const mu = stabilizedEigenvalues(mode === 'absolute' ? values.map(Math.abs) : values, o);
  return spectralOperator(
    vectors,
    mu.map((m) => 1 / m),
  );
}

export type NewtonState = EmptyState;

/** (H + λ I)⁻¹ g with the exact Hessian of the batch. */
export function scaleByNewton(o: ScaleByNewtonOptions = {}): Transform<NewtonState, ModelBatch> {
  newtonPreconditioner(Matrix.identity(1), o); // validates the options once, up front
  return {
    init: () => ({}),
    update(g, s, params, extra) {
      const b = requireModelBatch(extra, params, 'newton');
      const H = hessianMatrix(b.model, Float64Array.from(params), b.batch);
      return [assertFiniteUpdate(newtonPreconditioner(H, o).matvec(g), 'newton'), s] as const;
    },
  };
}

/** The options of {@link newton}. */
export interface NewtonOptions extends ScaleByNewtonOptions {
  /** The learning rate, or a schedule of the step [1]. */
  lr?: Schedule;
}

/** The options (and the kind of each value) of {@link newton}. */
export const NEWTON_OPTION_KINDS = optionKinds<NewtonOptions>({
  lr: 'schedule',
  ...STABILITY_OPTION_KINDS,
  negativeCurvature: 'string',
});

/**
 * Damped Newton = chain(scaleByNewton, scaleByLearningRate). Needs a
 * ModelBatch as `extra`.
 *
 * @example
 * ```ts
 * const opt = newton({ damping: 1e-8 });
 * ```
 */
export function newton(o: NewtonOptions = {}): Transform<unknown[], ModelBatch> {
  return descentChain(o, NEWTON_OPTION_KINDS, 'newton', scaleByNewton, 1);
}
