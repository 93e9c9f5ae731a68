/**
 * Short seeded runs of every optimizer (the registry's rows and the solver
 * and refresh variants the rows do not reach), whose parameters after a few
 * steps are pinned in fixtures/pinned-runs.json: a change to how an
 * optimizer is assembled must leave its trajectory bit-identical.
 * Regenerate (only for an intended change of results) with
 * `npx tsx test/optim/fixtures/make-pinned-runs.ts`.
 */
import type { Vec } from '../../src/core/vec.js';
import { createOptimizer, OPTIMIZER_NAMES, type OptimizerOptions } from '../../src/optim/registry.js';
import { modelProblem, train } from '../../src/optim/train.js';
import { mlpClassifier } from './problems.js';

export interface PinnedRun {
  label: string;
  name: string;
  options?: OptimizerOptions;
}

/** Steps of each run: enough for the running averages, the bias corrections and the refresh schedules to matter. */
export const PINNED_STEPS = 4;

export const PINNED_RUNS: readonly PinnedRun[] = [
  ...OPTIMIZER_NAMES.map((name) => ({ label: name, name })),
  { label: 'adam, schedule', name: 'adam', options: { lr: (k: number) => 0.01 / (1 + k), b1: 0.5, b2: 0.7 } },
  { label: 'rmsprop, decay 0.5', name: 'rmsprop', options: { decay: 0.5 } },
  { label: 'adahessian, power 0.5, 2 probes', name: 'adahessian', options: { hessianPower: 0.5, probes: 2 } },
  { label: 'natural-gradient, cg', name: 'natural-gradient', options: { solver: 'cg', damping: 1e-2 } },
  {
    label: 'natural-gradient, cg warm start, empirical',
    name: 'natural-gradient',
    options: { solver: 'cg', fisher: 'empirical', damping: 1e-2, cg: { warmStart: true, maxIterations: 5 } },
  },
  { label: 'natural-gradient, low-rank rank 4', name: 'natural-gradient', options: { solver: 'low-rank', rank: 4, damping: 1e-2 } },
  { label: 'natural-gradient, direct ema 0.5', name: 'natural-gradient', options: { emaDecay: 0.5, damping: 1e-2 } },
  {
    label: 'natural-gradient, block-diagonal ema 0.5, clip',
    name: 'natural-gradient',
    options: { solver: 'block-diagonal', emaDecay: 0.5, damping: 1e-2, clip: { mode: 'floor', threshold: 1e-3 } },
  },
  { label: 'natural-gradient, cg trust region', name: 'natural-gradient', options: { solver: 'cg', damping: 1e-2, trustRegion: 0.1 } },
  { label: 'kfac, every 2, monte-carlo, factored', name: 'kfac', options: { inverseEvery: 2, fisher: 'monte-carlo', dampingScheme: 'factored' } },
  { label: 'kfac, exact damping, fixed', name: 'kfac', options: { dampingScheme: 'exact', adaptiveDamping: false, rescale: 'none' } },
  { label: 'ekfac, basis every 2, empirical', name: 'ekfac', options: { basisEvery: 2, fisher: 'empirical-fisher' } },
];

/** The parameters after PINNED_STEPS updates of a run on the seeded MLP classifier (labels and probes drawn from seed 7). */
export function pinnedParams(run: PinnedRun): Vec {
  const p = mlpClassifier();
  const { objective, extra } = modelProblem(p.spec, p.inputs, p.targets, 7);
  return train(createOptimizer(run.name, run.options), p.params0, { objective, extra, maxIterations: PINNED_STEPS }).params;
}
