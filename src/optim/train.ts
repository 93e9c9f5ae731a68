/**
 * The training loop of the engine: evaluate the objective, record, test the
 * stopping rules, apply one transform update, repeat. Every optimizer runs
 * through this one loop, so their histories are comparable (loss against
 * iterations and against wall time, iterations and time to a target loss).
 *
 * Stopping rules, tested in this order after each evaluation: non-finite loss,
 * loss <= targetLoss, ||gradient|| <= gradientTolerance, a callback asking to
 * stop, wall time >= timeBudgetMs, iteration = maxIterations.
 */
import { NatgradError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { norm2, type Vec } from '../core/vec.js';
import type { Target } from '../models/likelihoods.js';
import { lossAndGradient, type MlpSpec, unflattenWeights } from '../models/mlp.js';
import type { ModelBatch } from './extra.js';
import type { Transform } from './transform.js';

export interface TrainRecord {
  /** Number of updates applied before this evaluation. */
  iteration: number;
  loss: number;
  gradientNorm: number;
  /** Wall time since the start, including this evaluation. */
  timeMs: number;
}

export type StopReason = 'max-iterations' | 'target-loss' | 'gradient-tolerance' | 'callback' | 'time-budget' | 'non-finite';

export interface TrainOptions<X> {
  /** The loss to minimize and its gradient at params. */
  objective: (params: Vec, iteration: number) => { loss: number; gradient: Vec };
  /** The extra handed to the transform (e.g. a ModelBatch); undefined by default. */
  extra?: (params: Vec, iteration: number) => X;
  /** [1000] */
  maxIterations?: number;
  targetLoss?: number;
  timeBudgetMs?: number;
  gradientTolerance?: number;
  /** Called after every evaluation; return true to stop. */
  onIteration?: (record: TrainRecord, params: Vec) => boolean | void;
  /** Milliseconds clock [performance.now]; injectable so time rules can be tested. */
  clock?: () => number;
}

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

function checkOptional(value: number | undefined, path: string, ok: (v: number) => boolean, what: string): void {
  if (value !== undefined && !ok(value)) throw new NatgradError(path, `must be ${what}, got ${value}`);
}

/** Runs `transform` from params0 until a stopping rule fires. */
export function train<S, X>(transform: Transform<S, X>, params0: Vec, o: TrainOptions<X>): TrainResult {
  const maxIterations = o.maxIterations ?? 1000;
  checkOptional(maxIterations, 'maxIterations', (v) => Number.isInteger(v) && v >= 0, 'an integer >= 0');
  checkOptional(o.timeBudgetMs, 'timeBudgetMs', (v) => v > 0, 'a number > 0');
  checkOptional(o.gradientTolerance, 'gradientTolerance', (v) => v >= 0, 'a number >= 0');
  checkOptional(o.targetLoss, 'targetLoss', (v) => !Number.isNaN(v), 'a number');
  const clock = o.clock ?? (() => performance.now());
  const start = clock();
  let params = Float64Array.from(params0);
  let state = transform.init(params);
  const history: TrainRecord[] = [];
  let reachedTarget: TrainResult['reachedTarget'] = null;
  for (let it = 0; ; it++) {
    const { loss, gradient } = o.objective(params, it);
    const record: TrainRecord = { iteration: it, loss, gradientNorm: norm2(gradient), timeMs: clock() - start };
    history.push(record);
    let stop: StopReason | null = null;
    if (!Number.isFinite(loss) || !Number.isFinite(record.gradientNorm)) stop = 'non-finite';
    else if (o.targetLoss !== undefined && loss <= o.targetLoss) {
      reachedTarget = { iteration: it, timeMs: record.timeMs };
      stop = 'target-loss';
    } else if (o.gradientTolerance !== undefined && record.gradientNorm <= o.gradientTolerance) stop = 'gradient-tolerance';
    else if (o.onIteration?.(record, params) === true) stop = 'callback';
    else if (o.timeBudgetMs !== undefined && record.timeMs >= o.timeBudgetMs) stop = 'time-budget';
    else if (it >= maxIterations) stop = 'max-iterations';
    if (stop) return { params, history, stopReason: stop, iterations: it, finalLoss: loss, timeMs: clock() - start, reachedTarget };
    const extra = o.extra ? o.extra(params, it) : (undefined as X);
    const [step, next] = transform.update(gradient, state, params, extra);
    state = next as S;
    const updated = new Float64Array(params.length);
    for (let i = 0; i < params.length; i++) updated[i] = params[i] + step[i];
    params = updated;
  }
}

/**
 * The objective and ModelBatch extra of a full-batch model problem: the mean
 * negative log-likelihood of the data, and the data with a generator seeded
 * by `seed` for transforms that sample.
 */
export function modelProblem(
  spec: MlpSpec,
  inputs: readonly Vec[],
  targets: readonly Target[],
  seed: number | string = 0,
): { objective: TrainOptions<ModelBatch>['objective']; extra: (params: Vec, iteration: number) => ModelBatch } {
  const rng = new Rng(seed);
  const batch: ModelBatch = { spec, inputs, targets, rng };
  return {
    objective: (params) => lossAndGradient(spec, unflattenWeights(spec, params), inputs, targets),
    extra: () => batch,
  };
}
