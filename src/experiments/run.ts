/**
 * One optimizer on one experiment problem through the engine's train() loop:
 * full batch, the registry's optimizer with the problem's option overrides,
 * run for the whole iteration budget (so final losses compare), with the first
 * evaluation at or below the target loss recorded as the headline measure.
 */
import type { Vec } from '../core/vec.js';
import { modelProblem, train, type StopReason, type TrainRecord } from '../optim/train.js';
import { optimizerEntry, type OptimizerOptions } from '../optim/registry.js';
import type { ExperimentProblem, TestMetric } from './problems.js';

export interface RunOptions {
  iterations: number;
  seed: number;
  targetLoss: number;
  /** Stop a run after this much wall time [120000]. */
  timeBudgetMs?: number;
  /** Stop as soon as the target is reached [false]. */
  stopAtTarget?: boolean;
  /** Called after every evaluation (progress bars). */
  onIteration?: (record: TrainRecord) => void;
  /** The optimizer's options [the registry's defaults with the problem's overrides]. */
  options?: OptimizerOptions;
}

export interface RunResult {
  optimizer: string;
  options: OptimizerOptions;
  history: TrainRecord[];
  /** First evaluation at or below the target, or null. */
  reachedTarget: { iteration: number; timeMs: number } | null;
  iterations: number;
  finalLoss: number;
  timeMs: number;
  stopReason: StopReason;
  metric: TestMetric;
  params: Vec;
}

/** The registry defaults of `optimizer` overridden by the problem's options for it. */
export function problemOptimizerOptions(problem: ExperimentProblem, optimizer: string): OptimizerOptions {
  return { ...optimizerEntry(optimizer, '--optimizer').defaults, ...(problem.optimizerOptions[optimizer] ?? {}) };
}

/** Trains `optimizer` on `problem` and measures iterations and time to the target loss. */
export function runOptimizer(problem: ExperimentProblem, optimizer: string, o: RunOptions): RunResult {
  const options = o.options ?? problemOptimizerOptions(problem, optimizer);
  const transform = optimizerEntry(optimizer, '--optimizer').create(options);
  const { objective, extra } = modelProblem(problem.spec, problem.trainInputs, problem.trainTargets, o.seed);
  const result = train(transform, problem.params0, {
    objective,
    extra,
    maxIterations: o.iterations,
    timeBudgetMs: o.timeBudgetMs ?? 120_000,
    targetLoss: o.stopAtTarget ? o.targetLoss : undefined,
    // A comparison reports a diverged optimizer as an outcome, not an error.
    onNonFinite: 'stop',
    onIteration: (record) => {
      o.onIteration?.(record);
    },
  });
  const hit = result.history.find((r) => r.loss <= o.targetLoss);
  return {
    optimizer,
    options,
    history: result.history,
    reachedTarget: hit ? { iteration: hit.iteration, timeMs: hit.timeMs } : null,
    iterations: result.iterations,
    finalLoss: result.finalLoss,
    timeMs: result.timeMs,
    stopReason: result.stopReason,
    metric: problem.evaluate(result.params),
    params: result.params,
  };
}
