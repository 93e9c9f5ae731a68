/**
 * Levenberg-Marquardt damping adaptation shared by second-order optimizers:
 * compare the loss change a step produced with the change its quadratic model
 * predicted, and damp more where the model was not trusted.
 *
 * References: K. Levenberg, 1944; D. Marquardt, 1963; J. Nocedal and
 * S. Wright, "Numerical Optimization", 2nd ed., section 4.1; J. Martens,
 * "Deep learning via Hessian-free optimization", ICML 2010, section 4.1.
 */
import { NatgradError } from '../core/errors.js';
import { requireAbove, requirePositive } from '../core/validate.js';

/** Options of the adaptation; defaults in brackets. */
export interface DampingRuleOptions {
  /** Factor by which λ grows after a poor step and shrinks after a good one [1.5, Martens 2010: ×3/2 and ×2/3]. */
  boost?: number;
  /** Lower bound on λ [1e-8]; a floor far below 1e-15 invites NaN (as reported in kfac-jax#183). */
  minDamping?: number;
  /** Upper bound on λ [1e8]. */
  maxDamping?: number;
}

/** A validated adaptation rule. */
export interface DampingRule {
  readonly boost: number;
  readonly minDamping: number;
  readonly maxDamping: number;
}

/** The ratio below which a step counts as poor and above which as good (Moré 1978; Martens 2010). */
export const POOR_RATIO = 0.25;
export const GOOD_RATIO = 0.75;

/** Validates the options, naming `path` prefixes in errors; the initial damping must lie in the bounds. */
export function dampingRule(o: DampingRuleOptions, initialDamping: number): DampingRule {
  const boost = requireAbove(o.boost ?? 1.5, 'boost', 1);
  const minDamping = requirePositive(o.minDamping ?? 1e-8, 'minDamping');
  const maxDamping = requirePositive(o.maxDamping ?? 1e8, 'maxDamping');
  if (!(maxDamping >= minDamping)) {
    throw new NatgradError('minDamping', `need 0 < minDamping <= maxDamping < ∞, got ${minDamping}, ${maxDamping}`);
  }
  if (!(initialDamping >= minDamping && initialDamping <= maxDamping)) {
    throw new NatgradError('damping', `must lie in [minDamping, maxDamping] = [${minDamping}, ${maxDamping}], got ${initialDamping}`);
  }
  return { boost, minDamping, maxDamping };
}

/**
 * ρ = (L(θ + δ) - L(θ)) / (q(δ) - q(0)): the actual over the predicted change
 * of the loss. NaN when the model predicts no decrease (q(δ) >= q(0)) or
 * either change is not finite, so that such a step counts as poor.
 */
export function reductionRatio(actualChange: number, predictedChange: number): number {
  if (!(predictedChange < 0 && Number.isFinite(predictedChange) && Number.isFinite(actualChange))) return Number.NaN;
  return actualChange / predictedChange;
}

/**
 * The next damping: λ·boost when ρ < 1/4 (or NaN), λ/boost when ρ > 3/4,
 * unchanged in between; clamped to [minDamping, maxDamping].
 */
export function adaptDamping(damping: number, ratio: number, rule: DampingRule): number {
  if (!(ratio >= POOR_RATIO)) return Math.min(rule.maxDamping, damping * rule.boost);
  if (ratio > GOOD_RATIO) return Math.max(rule.minDamping, damping / rule.boost);
  return damping;
}

/**
 * K-FAC's schedule of the rule (Martens and Grosse 2015, section 6.5): ρ is
 * measured on every `every`-th step (T1) and λ moves by ω1 = decay^T1
 * (decay 19/20 in the paper), i.e. boost = 1/ω1, so that λ can change by the
 * same factor per step whatever T1 is.
 */
export interface DampingScheduleOptions extends Omit<DampingRuleOptions, 'boost'> {
  /** T1: steps per adaptation [5]. */
  every?: number;
  /** Per-step factor, ω1 = decay^every [19/20]. */
  decay?: number;
}

/** A validated schedule: the rule and its period. */
export interface DampingSchedule {
  readonly rule: DampingRule;
  readonly every: number;
}

/** Validates K-FAC's damping schedule; `path` prefixes the option names in errors. */
export function dampingSchedule(o: DampingScheduleOptions, initialDamping: number): DampingSchedule {
  const every = o.every ?? 5;
  const decay = o.decay ?? 19 / 20;
  if (!(Number.isInteger(every) && every >= 1)) throw new NatgradError('dampingEvery', `must be an integer >= 1, got ${every}`);
  if (!(decay > 0 && decay < 1)) throw new NatgradError('dampingDecay', `must be a number in (0, 1), got ${decay}`);
  return { rule: dampingRule({ minDamping: o.minDamping, maxDamping: o.maxDamping, boost: decay ** -every }, initialDamping), every };
}

/** Whether the step with 0-based index `count` ends an adaptation period (the paper's k ≡ 0 mod T1, counting from 1). */
export const adaptationDue = (schedule: DampingSchedule, count: number): boolean => (count + 1) % schedule.every === 0;
