/**
 * K-FAC's step around a damped curvature preconditioner P_λ (K-FAC, EKFAC):
 * the preconditioned gradient Δ = P_λ g becomes a step δ by
 *
 * 1. rescaling (Martens and Grosse 2015, sections 6.4 and 7): δ = α Δ + μ δ_prev
 *    with (α, μ) minimizing the damped quadratic model
 *    q(δ) = gᵀδ + ½ δᵀ (C + λ I) δ, C the exact Fisher of the batch
 *    (quadratic-model.ts; the forms Δᵀ C Δ, Δᵀ C δ_prev, δ_prevᵀ C δ_prev from
 *    forward-mode products, gaussNewtonForms).
 *    `rescale: 'alpha'` drops μ (δ = α Δ, section 6.4), `'none'` takes δ = -lr Δ;
 * 2. the KL clip of kfac-pytorch (kl-clip.ts): the step is scaled by
 *    ν = min(1, sqrt(κ / n)), n its squared damped Fisher norm: lr² gᵀΔ for
 *    δ = -lr Δ (kfac-pytorch's formula, approximate Fisher), δᵀ(C + λ I)δ from
 *    the model when rescaling (the whole step, momentum part included; a
 *    shorter step along the model's minimizer still lowers the model);
 * 3. Levenberg-Marquardt damping (section 6.5): on every T1-th step the
 *    reduction ratio ρ = (L(θ + δ) - L(θ)) / (q₀(δ) - q₀(0)) is measured on the
 *    batch, q₀ the undamped model (as the authors' tensorflow/kfac does by
 *    default: `_INCLUDE_DAMPING_IN_QMODEL_CHANGE = False`), and λ <- λ/ω1 when
 *    ρ < 1/4, λ <- ω1 λ when ρ > 3/4, ω1 = (19/20)^T1 (damping.ts). The new λ
 *    is used from the next step on; no step is rejected.
 *
 * lr multiplies the rescaled step (1: the model's minimizer). The damping of
 * the preconditioner is λ itself (factored damping uses √λ per factor, i.e.
 * the paper's γ = √λ; the greedy γ search of section 6.6 is not done).
 * Each part can be switched off; with all three off the step is -lr P_λ g
 * with a fixed λ, the plain preconditioned-gradient method.
 *
 * Reference: J. Martens and R. Grosse, "Optimizing neural networks with
 * Kronecker-factored approximate curvature", ICML 2015, sections 6.4, 6.5, 7.
 */
import { dot, type Vec } from '../core/vec.js';
import { requireBoolean, requireNonNegative, requireOneOf } from '../core/validate.js';
import { curvatureForms } from '../curvature/model-curvature.js';
import { assertFiniteUpdate, type OptionKinds, optimizerOptions, optionKinds, rateAt, type Schedule, validateSchedule } from './common.js';
import { adaptationDue, adaptDamping, dampingSchedule, reductionRatio } from './damping.js';
import { type ModelBatch, type ResolvedBatch, requireModelBatch } from './extra.js';
import { klClipFactor, validateKlClip } from './kl-clip.js';
import { type CurvatureForms, minimizeModel, modelChange, modelSquaredNorm, type QuadraticModel, quadraticModel } from './quadratic-model.js';
import { guarded, type Transform } from './transform.js';

/** A preconditioner whose damping λ is chosen anew at every step. */
export interface DampedPreconditioner<S> {
  init(params: Vec): S;
  /** The preconditioned gradient P_λ g (a descent direction with a minus sign) and the next state. */
  update(g: Vec, state: S, params: Vec, batch: ResolvedBatch, damping: number): readonly [Vec, S];
}

/** How the step is rescaled by the quadratic model: not at all, along Δ (α), or along Δ and the previous step (α, μ). */
export const STEP_RESCALES = ['none', 'alpha', 'alpha-mu'] as const;
export type StepRescale = (typeof STEP_RESCALES)[number];

/** Options of the step; defaults in brackets. */
export interface CurvatureStepOptions {
  /** Multiplier of the (rescaled) step, or a schedule of the step count [1]. */
  lr?: Schedule;
  /** Initial damping λ₀ (the fixed λ when adaptiveDamping is false). */
  damping?: number;
  /** Levenberg-Marquardt adaptation of λ [true]. */
  adaptiveDamping?: boolean;
  /** T1: steps per adaptation [5]. */
  dampingEvery?: number;
  /** Per-step factor ω, ω1 = ω^T1 [19/20]. */
  dampingDecay?: number;
  /** Bounds on the adapted λ [1e-8, 1e8]. */
  minDamping?: number;
  maxDamping?: number;
  /** Step rescaling by the quadratic model ['alpha-mu']. */
  rescale?: StepRescale;
  /** KL bound κ on the squared Fisher norm of a step, or null for no clip [1]. */
  klClip?: number | null;
}

/** The options of the step with the kind of each value, for the factories' option check. */
export const CURVATURE_STEP_OPTION_KINDS = optionKinds<CurvatureStepOptions>({
  lr: 'schedule',
  damping: 'number',
  adaptiveDamping: 'boolean',
  dampingEvery: 'number',
  dampingDecay: 'number',
  minDamping: 'number',
  maxDamping: 'number',
  rescale: 'string',
  klClip: 'number-or-null',
});

/** Defaults of the step's options (measured on the problems of docs/experiments.md). */
export const CURVATURE_STEP_DEFAULTS = {
  lr: 1,
  damping: 1e-3,
  adaptiveDamping: true,
  rescale: 'alpha-mu',
  klClip: 1,
} as const satisfies CurvatureStepOptions;

/** What the last step did, for diagnostics and tests. */
export interface CurvatureStepReport {
  /** Coefficient of Δ in the step before the KL clip: -lr without rescaling, lr α* with it. */
  alpha: number;
  /** Coefficient of the previous step before the KL clip (0 unless rescale is 'alpha-mu' and a previous step exists). */
  mu: number;
  /** The KL clip's factor ν (1: not active). */
  klScale: number;
  /** q₀(δ) - q₀(0), the undamped model's change (NaN when the model was not formed). */
  predictedChange: number;
  /** ρ of this step (NaN when it was not measured). */
  ratio: number;
  /** The damping the step was computed with. */
  damping: number;
}

export interface CurvatureStepState<S> {
  inner: S;
  count: number;
  /** λ for the next step. */
  damping: number;
  /** The last step δ (the second direction of 'alpha-mu'). */
  previous: Vec | null;
  last: CurvatureStepReport | null;
}

/** K-FAC's step control around `preconditioner`; `who` names the optimizer in errors. */
export function curvatureStep<S>(preconditioner: DampedPreconditioner<S>, o: CurvatureStepOptions, who: string): Transform<CurvatureStepState<S>, ModelBatch> {
  const lr = o.lr ?? CURVATURE_STEP_DEFAULTS.lr;
  validateSchedule(lr);
  const d0 = requireNonNegative(o.damping ?? CURVATURE_STEP_DEFAULTS.damping, 'damping');
  const adaptive = requireBoolean(o.adaptiveDamping ?? CURVATURE_STEP_DEFAULTS.adaptiveDamping, 'adaptiveDamping');
  const schedule = adaptive ? dampingSchedule({ every: o.dampingEvery, decay: o.dampingDecay, minDamping: o.minDamping, maxDamping: o.maxDamping }, d0) : null;
  const rescale = requireOneOf(o.rescale ?? CURVATURE_STEP_DEFAULTS.rescale, STEP_RESCALES, 'rescale');
  const kappa = validateKlClip(o.klClip === undefined ? CURVATURE_STEP_DEFAULTS.klClip : o.klClip);
  return {
    init: (params) => ({ inner: preconditioner.init(params), count: 0, damping: d0, previous: null, last: null }),
    update(g, s, params, extra) {
      const b = requireModelBatch(extra, params, who);
      const [direction, inner] = preconditioner.update(g, s.inner, params, b, s.damping);
      const rate = rateAt(lr, s.count);
      const due = schedule !== null && adaptationDue(schedule, s.count);
      const fisher: CurvatureForms = (V) => curvatureForms(b.model, params, b.batch, 'fisher', V);
      const directions = rescale === 'alpha-mu' && s.previous !== null && s.previous.some((v) => v !== 0) ? [direction, s.previous] : [direction];
      let model: QuadraticModel | null = null;
      let coefficients: number[];
      if (rescale === 'none') {
        coefficients = [-rate];
        if (due) model = quadraticModel(g, directions, fisher);
      } else {
        model = quadraticModel(g, directions, fisher);
        coefficients = minimizeModel(model, s.damping).map((c) => rate * c);
      }
      const [alpha, mu = 0] = coefficients;
      // Without rescaling the step is -lr Δ and its squared norm lr² gᵀΔ (kfac-pytorch); with it, the step
      // leaves the line of Δ, and the model's own δᵀ(C + λI)δ bounds all of it (clipping α alone would
      // leave μ δ_prev, fitted to the unclipped α, unbounded).
      const klScale =
        kappa === null ? 1 : klClipFactor(kappa, rescale === 'none' ? alpha * alpha * dot(g, direction) : modelSquaredNorm(model!, coefficients, s.damping));
      coefficients = coefficients.map((c) => klScale * c);
      const step = new Float64Array(params.length);
      directions.forEach((v, i) => {
        for (let j = 0; j < step.length; j++) step[j] += coefficients[i] * v[j];
      });
      assertFiniteUpdate(step, who);
      const predictedChange = model ? modelChange(model, coefficients, 0) : Number.NaN;
      let ratio = Number.NaN;
      let damping = s.damping;
      if (due && schedule) {
        const lossAt = (theta: Vec) => b.model.lossValue(theta, b.batch.x, b.batch.targets);
        ratio = reductionRatio(lossAt(params.map((p, j) => p + step[j])) - lossAt(params), predictedChange);
        damping = adaptDamping(s.damping, ratio, schedule.rule);
      }
      const last: CurvatureStepReport = { alpha, mu, klScale, predictedChange, ratio, damping: s.damping };
      return [step, { inner, count: s.count + 1, damping, previous: step, last }] as const;
    },
  };
}

/** A damped preconditioner with the damping held fixed, as a plain transform (the preconditioned gradient). */
export function withFixedDamping<S>(preconditioner: DampedPreconditioner<S>, damping: number, who: string): Transform<S, ModelBatch> {
  requireNonNegative(damping, 'damping');
  return {
    init: (params) => preconditioner.init(params),
    update: (g, s, params, extra) => preconditioner.update(g, s, params, requireModelBatch(extra, params, who), damping),
  };
}

/** Every option of a preconditioner (`kinds`) inside the step control, with its kind. */
export function stepControlOptionKinds(kinds: OptionKinds): OptionKinds {
  return Object.freeze({ ...kinds, ...CURVATURE_STEP_OPTION_KINDS });
}

/** A named optimizer: the preconditioner `make(o)` inside K-FAC's step control, an option outside `kinds` (or of another kind) refused first. */
export function stepControlled<O extends CurvatureStepOptions, S>(
  o: O,
  kinds: OptionKinds,
  who: string,
  make: (o: O) => DampedPreconditioner<S>,
): Transform<CurvatureStepState<S>, ModelBatch> {
  const options = optimizerOptions<O>(o, kinds, who);
  return guarded(curvatureStep(make(options), options, who));
}
