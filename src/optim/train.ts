/**
 * The training loop of the engine: evaluate the objective, record, test the
 * stopping rules, apply one transform update, repeat. Every optimizer runs
 * through this one loop, so their histories are comparable (loss against
 * iterations and against wall time, iterations and time to a target loss).
 */
import { describeValue, NatgradError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import {
  copyArray,
  rejectUnknownKeys,
  requireFiniteVector,
  requireFunction,
  requireIntegerInRange,
  requireOneOf,
  requireOptions,
  requirePositive,
  requireNonNegative,
} from '../core/validate.js';
import { norm2, type Vec } from '../core/vec.js';
import type { Target } from '../models/likelihoods.js';
import { lossAndGradient, type MlpSpec, unflattenWeights, validateData, validateMlpSpec } from '../models/mlp.js';
import { type ExampleTarget, REDUCTIONS, type Reduction } from '../models/output-loss.js';
import { Sequential } from '../models/sequential.js';
import { Tensor } from '../models/tensor.js';
import type { MlpBatch, ModelBatch, SequentialBatch } from './extra.js';
import { requireTransform, type Transform } from './transform.js';

/** One evaluation of the objective during {@link train}. */
export interface TrainRecord {
  /** Number of updates applied before this evaluation. */
  iteration: number;
  loss: number;
  gradientNorm: number;
  /** Wall time since the start, including this evaluation. */
  timeMs: number;
}

/** Why {@link train} stopped. */
export type StopReason = 'max-iterations' | 'target-loss' | 'gradient-tolerance' | 'callback' | 'time-budget' | 'non-finite';

/**
 * What {@link train} does when the loss or the gradient becomes NaN or
 * infinite, or a step overflows the parameters: `'throw'` a NatgradError
 * naming the iteration and the value (the default: a diverged run is an
 * error, not a result), or `'stop'` and return the history so far with
 * stopReason `'non-finite'` (for comparisons where divergence is an outcome).
 */
export type NonFinitePolicy = 'throw' | 'stop';

/** The options of {@link train} other than `extra`. */
export interface TrainOptionsBase {
  /** The loss to minimize and its gradient at params. */
  objective: (params: Vec, iteration: number) => { loss: number; gradient: ArrayLike<number> };
  /** Updates at most [1000]. */
  maxIterations?: number;
  /** Stop at the first evaluation with loss <= targetLoss [none]. */
  targetLoss?: number;
  /** Stop once the wall time reaches this many milliseconds [none]. */
  timeBudgetMs?: number;
  /** Stop once ||gradient|| <= gradientTolerance [none]. */
  gradientTolerance?: number;
  /** Called after every evaluation; return true to stop. */
  onIteration?: (record: TrainRecord, params: Vec) => boolean | void;
  /** Milliseconds clock [performance.now]; injectable so time rules can be tested. */
  clock?: () => number;
  /** A NaN or infinite loss, gradient or step: throw (default) or stop. */
  onNonFinite?: NonFinitePolicy;
}

/**
 * The `extra` option: required when the transform needs one (a curvature
 * optimizer needs the model and batch, a {@link ModelBatch}), optional when
 * the transform takes any extra (`unknown`) or none.
 */
export type TrainExtraOption<X> = undefined extends X
  ? { /** The extra handed to the transform at each update [undefined]. */ extra?: (params: Vec, iteration: number) => X }
  : { /** The extra handed to the transform at each update (the model and batch, for a curvature optimizer). */ extra: (params: Vec, iteration: number) => X };

/**
 * The options of {@link train}: the objective, stopping rules, callbacks,
 * and `extra` when the transform needs it (required by the types for K-FAC,
 * natural gradient and the other curvature optimizers).
 */
export type TrainOptions<X> = TrainOptionsBase & TrainExtraOption<X>;

/** What {@link train} returns. */
export interface TrainResult {
  params: Vec;
  history: TrainRecord[];
  stopReason: StopReason;
  /** Updates applied. */
  iterations: number;
  finalLoss: number;
  timeMs: number;
  /** First evaluation at or below targetLoss, or null. */
  reachedTarget: { iteration: number; timeMs: number } | null;
}

const TRAIN_OPTION_KEYS = [
  'objective',
  'extra',
  'maxIterations',
  'targetLoss',
  'timeBudgetMs',
  'gradientTolerance',
  'onIteration',
  'clock',
  'onNonFinite',
] as const satisfies readonly (keyof TrainOptions<unknown>)[];

const NON_FINITE_POLICIES: readonly NonFinitePolicy[] = ['throw', 'stop'];

/** The first index of a non-finite entry, or -1. */
function firstNonFinite(v: ArrayLike<number>): number {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return i;
  return -1;
}

/**
 * Runs `transform` from params0 until a stopping rule fires. Stopping rules,
 * tested in this order after each evaluation: non-finite loss or gradient
 * (see `onNonFinite`), loss <= targetLoss, ||gradient|| <= gradientTolerance,
 * a callback asking to stop, wall time >= timeBudgetMs, iteration = maxIterations.
 *
 * The arguments are checked: finite parameters, a gradient of the
 * parameters' length, known option names; a curvature optimizer without
 * `extra` is a type error (and a NatgradError at run time).
 *
 * @example
 * ```ts
 * const objective = (p: Float64Array) => ({ loss: 0.5 * p[0] ** 2, gradient: Float64Array.of(p[0]) });
 * const result = train(sgd({ lr: 0.5 }), Float64Array.of(1), { objective, maxIterations: 50 });
 * ```
 */
export function train<S, X>(transform: Transform<S, X>, params0: ArrayLike<number>, options: TrainOptions<NoInfer<X>>): TrainResult {
  requireTransform(transform, 'transform');
  requireFiniteVector(params0, 'params', { nonEmpty: true });
  if (options === undefined) throw new NatgradError('options', 'must be an object with at least objective: (params, iteration) => { loss, gradient }');
  const o = requireOptions(options, TRAIN_OPTION_KEYS, '', 'the train options') as unknown as TrainOptionsBase & {
    extra?: (params: Vec, iteration: number) => X;
  };
  const objective = requireFunction<TrainOptionsBase['objective']>(o.objective, 'objective', 'a function (params, iteration) => { loss, gradient }');
  const extraOf =
    o.extra === undefined ? undefined : requireFunction<(params: Vec, iteration: number) => X>(o.extra, 'extra', 'a function (params, iteration) => extra');
  const onIteration = o.onIteration === undefined ? undefined : requireFunction<NonNullable<TrainOptionsBase['onIteration']>>(o.onIteration, 'onIteration');
  const clock = o.clock === undefined ? () => performance.now() : requireFunction<() => number>(o.clock, 'clock');
  const maxIterations = requireIntegerInRange(o.maxIterations ?? 1000, 'maxIterations', 0);
  const timeBudgetMs = o.timeBudgetMs === undefined ? undefined : requirePositive(o.timeBudgetMs, 'timeBudgetMs');
  const gradientTolerance = o.gradientTolerance === undefined ? undefined : requireNonNegative(o.gradientTolerance, 'gradientTolerance');
  if (o.targetLoss !== undefined && (typeof o.targetLoss !== 'number' || Number.isNaN(o.targetLoss))) {
    throw new NatgradError('targetLoss', `must be a number, got ${describeValue(o.targetLoss)}`);
  }
  const targetLoss = o.targetLoss;
  const policy = requireOneOf(o.onNonFinite ?? 'throw', NON_FINITE_POLICIES, 'onNonFinite');
  const P = params0.length;

  const start = clock();
  let params = Float64Array.from(params0);
  let state = transform.init(params);
  const history: TrainRecord[] = [];
  let reachedTarget: TrainResult['reachedTarget'] = null;
  const finish = (stopReason: StopReason, iterations: number, finalLoss: number): TrainResult => ({
    params,
    history,
    stopReason,
    iterations,
    finalLoss,
    timeMs: clock() - start,
    reachedTarget,
  });
  const lastFinite = (): string => {
    const last = history.length >= 2 ? history[history.length - 2] : undefined;
    return last ? ` (the loss was ${last.loss} at iteration ${last.iteration})` : '';
  };
  const advice = "the run diverged: lower the learning rate or raise the damping, or pass onNonFinite: 'stop' to get the history instead";

  for (let it = 0; ; it++) {
    const evaluation = objective(params, it) as { loss?: unknown; gradient?: unknown } | null | undefined;
    if (typeof evaluation !== 'object' || evaluation === null || typeof evaluation.loss !== 'number') {
      throw new NatgradError('objective', `must return { loss: number, gradient }, got ${evaluation === null ? 'null' : typeof evaluation} at iteration ${it}`);
    }
    const loss = evaluation.loss;
    const gradient = evaluation.gradient as ArrayLike<number>;
    if (!(Array.isArray(gradient) || ArrayBuffer.isView(gradient)) || gradient.length !== P) {
      const got = Array.isArray(gradient) || ArrayBuffer.isView(gradient) ? `${(gradient as ArrayLike<number>).length} entries` : typeof gradient;
      throw new NatgradError('gradient', `must have ${P} entries (one per parameter), got ${got} from the objective at iteration ${it}`);
    }
    const record: TrainRecord = { iteration: it, loss, gradientNorm: norm2(gradient), timeMs: clock() - start };
    history.push(record);
    const badEntry = firstNonFinite(gradient);
    if (!Number.isFinite(loss) || badEntry >= 0) {
      if (policy === 'stop') return finish('non-finite', it, loss);
      if (!Number.isFinite(loss)) throw new NatgradError('loss', `is ${loss} at iteration ${it}${lastFinite()}; ${advice}`);
      throw new NatgradError(`gradient[${badEntry}]`, `is ${gradient[badEntry]} at iteration ${it}; ${advice}`);
    }
    let stop: StopReason | null = null;
    if (targetLoss !== undefined && loss <= targetLoss) {
      reachedTarget = { iteration: it, timeMs: record.timeMs };
      stop = 'target-loss';
    } else if (gradientTolerance !== undefined && record.gradientNorm <= gradientTolerance) stop = 'gradient-tolerance';
    else if (onIteration?.(record, params) === true) stop = 'callback';
    else if (timeBudgetMs !== undefined && record.timeMs >= timeBudgetMs) stop = 'time-budget';
    else if (it >= maxIterations) stop = 'max-iterations';
    if (stop) return finish(stop, it, loss);
    const extra = extraOf ? extraOf(params, it) : (undefined as X);
    const out = transform.update(Float64Array.from(gradient), state, params, extra) as unknown;
    if (!Array.isArray(out) || out.length !== 2 || !(Array.isArray(out[0]) || ArrayBuffer.isView(out[0]))) {
      throw new NatgradError('transform', `update must return [step, state], got ${describeValue(out)} at iteration ${it}`);
    }
    const step = out[0] as ArrayLike<number>;
    state = out[1] as S;
    const updated = new Float64Array(P);
    for (let i = 0; i < P; i++) updated[i] = params[i] + step[i];
    const overflow = firstNonFinite(updated);
    if (overflow >= 0 || step.length !== P) {
      if (policy === 'stop') return finish('non-finite', it, loss);
      if (step.length !== P) throw new NatgradError('step', `the transform returned ${step.length} entries for ${P} parameters at iteration ${it}`);
      throw new NatgradError(`params[${overflow}]`, `became ${updated[overflow]} after the update at iteration ${it} (step ${step[overflow]}); ${advice}`);
    }
    params = updated;
  }
}

/** What {@link modelProblem} and {@link sequentialProblem} return: the two functions {@link train} takes for a model. */
export interface ModelProblem<B extends ModelBatch = ModelBatch> {
  /** The loss of the iteration's batch (the whole data, or its mini-batch) and its gradient at params. */
  objective: (params: Vec, iteration: number) => { loss: number; gradient: Vec };
  /** The model and the same batch, for curvature optimizers. */
  extra: (params: Vec, iteration: number) => B;
}

/** Options of {@link modelProblem} and {@link sequentialProblem}; defaults in brackets. */
export interface ModelProblemOptions {
  /**
   * Examples per mini-batch [all: full batch]. Each epoch visits the examples
   * once in a new shuffled order, in batches of this size (the last one
   * smaller when it does not divide the count); iteration t uses batch t.
   */
  batchSize?: number;
  /**
   * How the per-example losses of a batch combine [the model's own: MlpSpec.reduction
   * or the Sequential's, 'mean' by default]: `mean`, `sum` or `mean-elements`.
   * The objective, and every curvature a transform computes from the extra, is
   * of the loss so reduced: with `sum`, gradients and curvatures are N times
   * the mean's, so SGD at lr/N follows the mean's trajectory, and a natural
   * gradient with damping N λ takes the same step as the mean's with λ.
   */
  reduction?: Reduction;
}

/**
 * The example indices of each iteration: all of them (full batch), or the
 * consecutive slices of a fresh seeded permutation per epoch. Epochs are
 * drawn in order from one stream, so iteration t's batch depends only on
 * the seed and t.
 */
export function miniBatchSchedule(N: number, batchSize: number | undefined, seed: number | string): (iteration: number) => number[] | null {
  if (batchSize === undefined) return () => null;
  const B = requireIntegerInRange(batchSize, 'batchSize', 1, N);
  const perEpoch = Math.ceil(N / B);
  const rng = new Rng(`${seed}:batches`);
  const epochs: number[][] = [];
  return (iteration) => {
    requireIntegerInRange(iteration, 'iteration', 0);
    const e = Math.floor(iteration / perEpoch);
    while (epochs.length <= e) epochs.push(rng.permutation(N));
    const k = iteration % perEpoch;
    return epochs[e].slice(k * B, Math.min(N, (k + 1) * B));
  };
}

/**
 * The objective and extra of a problem whose batch for iteration t comes
 * from `batchAt(indices)` (indices null: the whole data), built once per
 * iteration and shared by the objective and the extra.
 */
function batchedProblem<Bt extends ModelBatch>(
  N: number,
  options: ModelProblemOptions,
  seed: number | string,
  batchAt: (indices: number[] | null) => Bt,
  lossAndGradient: (batch: Bt, params: Vec) => { loss: number; gradient: Vec },
): ModelProblem<Bt> {
  rejectUnknownKeys(options, ['batchSize', 'reduction'], 'options', 'the model problem options');
  const schedule = miniBatchSchedule(N, options.batchSize, seed);
  const full = batchAt(null);
  let current: { iteration: number; batch: Bt } | null = null;
  const at = (iteration: number): Bt => {
    if (options.batchSize === undefined) return full;
    if (current === null || current.iteration !== iteration) current = { iteration, batch: batchAt(schedule(iteration)) };
    return current.batch;
  };
  return {
    objective: (params, iteration) => lossAndGradient(at(iteration), params),
    extra: (_params, iteration) => at(iteration),
  };
}

/**
 * The objective and ModelBatch extra of an MLP problem: the negative
 * log-likelihood of the data reduced as `options.reduction` or the spec says
 * (the mean by default) (or of each iteration's mini-batch, see
 * {@link ModelProblemOptions}), and the data with a generator seeded by
 * `seed` for transforms that sample. The model and the data are checked
 * here (a NaN input is named, `inputs[3][2]`).
 *
 * @example
 * ```ts
 * const { objective, extra } = modelProblem(spec, inputs, targets);
 * const result = train(kfac(), params0, { objective, extra, maxIterations: 20 });
 * ```
 */
export function modelProblem(
  spec: MlpSpec,
  inputs: readonly Vec[],
  targets: readonly Target[],
  seed: number | string = 0,
  options: ModelProblemOptions = {},
): ModelProblem<MlpBatch> {
  rejectUnknownKeys(options, ['batchSize', 'reduction'], 'options', 'the model problem options');
  if (options.reduction !== undefined) spec = { ...spec, reduction: requireOneOf(options.reduction, REDUCTIONS, 'options.reduction') };
  validateMlpSpec(spec, 'spec');
  if (!Array.isArray(inputs)) throw new NatgradError('inputs', 'must be an array of input vectors (Float64Array)');
  inputs.forEach((x, n) => requireFiniteVector(x, `inputs[${n}]`));
  validateData(spec, inputs, targets, '');
  const rng = new Rng(seed);
  const data = { inputs: copyArray(inputs), targets: copyArray(targets) };
  return batchedProblem<MlpBatch>(
    inputs.length,
    options,
    seed,
    (idx) => (idx === null ? { spec, ...data, rng } : { spec, inputs: idx.map((n) => data.inputs[n]), targets: idx.map((n) => data.targets[n]), rng }),
    (b, params) => lossAndGradient(spec, unflattenWeights(spec, params), b.inputs, b.targets),
  );
}

/**
 * The objective and extra of a Sequential model (CNN, attention, ...) on
 * inputs x ([N, ...model.inputShape]) with one target per example: the loss
 * under the model's reduction (of the whole data or of each iteration's
 * mini-batch) and its gradient; the extra carries the batch and a generator
 * seeded by `seed` for transforms that sample.
 *
 * @example
 * ```ts
 * const { objective, extra } = sequentialProblem(model, x, targets, { batchSize: 32, seed: 1 });
 * const result = train(kfac(), model.initParams(new Rng(0)), { objective, extra, maxIterations: 50 });
 * ```
 */
export function sequentialProblem(
  model: Sequential,
  x: Tensor,
  targets: readonly ExampleTarget[],
  options: ModelProblemOptions & { seed?: number | string } = {},
): ModelProblem<SequentialBatch> {
  if (!(model instanceof Sequential)) throw new NatgradError('model', 'must be a Sequential model (new Sequential(spec))');
  rejectUnknownKeys(options, ['batchSize', 'reduction', 'seed'], 'options', 'the sequential problem options');
  if (options.reduction !== undefined) model = model.withReduction(requireOneOf(options.reduction, REDUCTIONS, 'options.reduction'));
  if (!(x instanceof Tensor)) throw new NatgradError('x', `must be a Tensor of inputs [N, ${model.inputShape.join(', ')}]`);
  model.checkInput(x, 'x');
  requireFiniteVector(x.data, 'x');
  model.loss.validateTargets(targets, x.batch, 'targets');
  const { seed = 0, ...rest } = options;
  const rng = new Rng(seed);
  const size = x.exampleSize;
  const data = { x: new Tensor(x.shape, Float64Array.from(x.data)), targets: copyArray(targets) };
  return batchedProblem<SequentialBatch>(
    x.batch,
    rest,
    seed,
    (idx) => {
      if (idx === null) return { model, ...data, rng };
      const xb = Tensor.zeros(idx.length, model.inputShape);
      idx.forEach((n, k) => xb.data.set(data.x.data.subarray(n * size, (n + 1) * size), k * size));
      return { model, x: xb, targets: idx.map((n) => data.targets[n]), rng };
    },
    (b, params) => {
      const { loss, gradient } = model.lossAndGradient(params, b.x, b.targets);
      return { loss, gradient };
    },
  );
}
