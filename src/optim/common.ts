/**
 * Small transforms every named optimizer is built from. Sign convention of
 * the engine: a transform's output is ADDED to the parameters, so the
 * preconditioners return gradient-like directions and scaleByLearningRate
 * turns them into descent steps (multiplies by -lr).
 */
import { describeValue, NatgradError } from '../core/errors.js';
import {
  hasOwn,
  type OptionKind,
  requireFinite,
  requireFiniteWhere,
  requireNonNegative,
  requireOneOf,
  requireOptions,
  requirePositive,
  requireTypedOptions,
} from '../core/validate.js';
import { norm2, type Vec } from '../core/vec.js';
import type { StabilityOptions } from '../curvature/stability.js';
import { chain, type Transform } from './transform.js';

/** Stateless transforms keep no state. */
export type EmptyState = Record<string, never>;

const EMPTY: EmptyState = {};

/** A learning rate: a number, or a schedule of the step count (0-based). */
export type Schedule = number | ((step: number) => number);

/** A learning rate must be a finite number >= 0 (a negative one ascends the loss). */
const LR_ALLOWED = 'a finite number >= 0 or a schedule (a function of the step returning one)';

/** Throws unless lr is a finite number >= 0 or a function (whose values are checked at each step). */
export function validateSchedule(lr: unknown, path = 'lr'): asserts lr is Schedule {
  if (typeof lr !== 'function') requireFiniteWhere(lr, path, LR_ALLOWED, (x) => x >= 0);
}

/** The rate of a learning rate or schedule at `step`, refused unless finite and >= 0. */
export function rateAt(lr: Schedule, step: number, path = 'lr'): number {
  if (typeof lr === 'number') return lr;
  const rate = lr(step);
  if (!(typeof rate === 'number' && Number.isFinite(rate) && rate >= 0)) {
    throw new NatgradError(path, `the schedule gave ${describeValue(rate)} at step ${step}; a learning rate must be a finite number >= 0`);
  }
  return rate;
}

/** Multiplies by a constant factor. */
export function scale(factor: number): Transform<EmptyState> {
  requireFinite(factor, 'factor');
  return { init: () => EMPTY, update: (g, s) => [g.map((v) => factor * v), s] as const };
}

export interface ScaleByScheduleState {
  count: number;
}

/** Multiplies by -lr(step): the descent step of a learning rate or schedule. */
export function scaleByLearningRate(lr: Schedule): Transform<ScaleByScheduleState> {
  validateSchedule(lr);
  return {
    init: () => ({ count: 0 }),
    update(g, s) {
      const rate = rateAt(lr, s.count);
      return [g.map((v) => -rate * v), { count: s.count + 1 }] as const;
    },
  };
}

/** Passes the gradient through unchanged. */
export function identity(): Transform<EmptyState> {
  return { init: () => EMPTY, update: (g, s) => [Float64Array.from(g), s] as const };
}

/** Rescales the update to Euclidean norm at most maxNorm (a cheap guard against blow-ups). */
export function clipByGlobalNorm(maxNorm: number): Transform<EmptyState> {
  requirePositive(maxNorm, 'maxNorm');
  return {
    init: () => EMPTY,
    update(g, s) {
      const n = norm2(g);
      const f = n > maxNorm ? maxNorm / n : 1;
      return [g.map((v) => f * v), s] as const;
    },
  };
}

/** Adds weightDecay · params (L2 regularization folded into the update, AdamW style). */
export function addDecayedWeights(weightDecay: number): Transform<EmptyState> {
  requireNonNegative(weightDecay, 'weightDecay');
  return { init: () => EMPTY, update: (g, s, p) => [g.map((v, i) => v + weightDecay * p[i]), s] as const };
}

/** Throws unless every entry of an update is finite: a preconditioner must never emit NaN. */
export function assertFiniteUpdate(u: Vec, who: string): Vec {
  for (let i = 0; i < u.length; i++) {
    if (!Number.isFinite(u[i])) throw new NatgradError(who, `update entry ${i} is ${u[i]}; increase the damping or the clipping threshold`);
  }
  return u;
}

export type { OptionKind } from '../core/validate.js';

/** The kind of each option of an options type (see OptionKind). */
export type OptionKinds = Readonly<Record<string, OptionKind>>;

/**
 * The options of an options type with the kind of each value, written as
 * `{ lr: 'schedule', decay: 'number', ... }` so the compiler checks the list
 * is complete and has no extra name.
 */
export const optionKinds = <T>(kinds: OptionKindsOf<T>): Readonly<OptionKindsOf<T>> => Object.freeze({ ...kinds });

/** Every option of an options type, each with its kind. */
export type OptionKindsOf<T> = { [K in keyof Required<T>]: OptionKind };

/**
 * The options argument of a named optimizer: nothing or an object whose keys
 * are all in `kinds` (a misspelled one is a NatgradError with a did-you-mean)
 * and whose values have the stated kinds.
 */
export function optimizerOptions<T>(o: unknown, kinds: OptionKinds, who: string): T {
  return requireTypedOptions(o, kinds, '', `the ${who} options`, renamedOption(kinds)) as T;
}

/** Former option names and their names now: ε is `eps` in every optimizer (as in optax). */
const RENAMED_OPTIONS: Readonly<Record<string, string>> = Object.freeze({ epsilon: 'eps' });

/** For a key no option name is close to: `; did you mean "eps"?` when it is the former name of an option in `kinds`. */
export function renamedOption(kinds: OptionKinds): (key: string) => string {
  return (key) => {
    const now = hasOwn(RENAMED_OPTIONS, key) ? RENAMED_OPTIONS[key] : undefined;
    return now !== undefined && hasOwn(kinds, now) ? `; did you mean ${JSON.stringify(now)}? (${JSON.stringify(key)} is its former name)` : '';
  };
}

/**
 * A named optimizer of the form chain(scaleBy(options), scaleByLearningRate(lr)):
 * the options are checked against `kinds` first (see optimizerOptions), and
 * the keys of a `clip` option. Without `defaultLr` the lr option is required;
 * the curvature optimizers give 1, the full step of a Newton-type method.
 */
export function descentChain<O extends { lr?: Schedule; clip?: unknown }, X = unknown>(
  o: O,
  kinds: OptionKinds,
  who: string,
  scaleBy: (options: O) => Transform<any, X>,
  defaultLr?: number,
): Transform<unknown[], X> {
  const options = optimizerOptions<O>(o, kinds, who);
  checkClipKeys(options.clip);
  return chain<X>(scaleBy(options), scaleByLearningRate((options.lr ?? defaultLr) as Schedule));
}

/** The stability options every curvature preconditioner shares. */
export const STABILITY_OPTION_KINDS = optionKinds<StabilityOptions>({ damping: 'number', clip: 'object', rcond: 'number' });

/** Rejects a `clip` option that is not `{ mode, threshold }` (its values are checked by validateStability). */
export function checkClipKeys(clip: unknown, path = 'clip'): void {
  if (clip === undefined) return;
  const c = requireOptions(clip, ['mode', 'threshold'], path, 'the clip option');
  requireOneOf(c.mode, ['floor', 'drop'], `${path}.mode`);
  requireNonNegative(c.threshold, `${path}.threshold`);
}
