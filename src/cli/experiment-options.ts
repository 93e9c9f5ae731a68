/**
 * The options `natgrad train` and `natgrad compare` share: the problem, the
 * optimizer names and the numeric settings, each bad value a NatgradError
 * naming the flag and what is allowed.
 */
import { NatgradError } from '../core/errors.js';
import { buildProblem, PROBLEM_NAMES, type ExperimentProblem } from '../experiments/problems.js';
import { OPTIMIZER_NAMES } from '../optim/registry.js';
import { requireOneOf } from '../core/validate.js';
import { ITERATIONS_RULE, SEED_RULE } from './limits.js';
import { optionalDecimal } from './numbers.js';

/** One optimizer name from the registry. */
export function parseOptimizer(value: string | undefined, flag = '--optimizer'): string {
  return requireOneOf(value, OPTIMIZER_NAMES, flag);
}

/** A comma-separated list of distinct optimizer names. */
export function parseOptimizerList(value: string | undefined, flag = '--optimizers'): string[] {
  if (value === undefined || value.trim() === '') throw new NatgradError(flag, `must be a comma-separated list of ${OPTIMIZER_NAMES.join(', ')}`);
  const names = value.split(',').map((s) => s.trim());
  names.forEach((n) => parseOptimizer(n, flag));
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new NatgradError(flag, `lists ${dup} twice`);
  return names;
}

export interface ExperimentSettings {
  problem: ExperimentProblem;
  iterations: number;
  seed: number;
  targetLoss: number;
}

/** The problem (built with the seed) and the shared numeric settings. */
export function parseSettings(o: { problem?: string; iterations?: string; seed?: string; target?: string }): ExperimentSettings {
  const seed = optionalDecimal(o.seed, '--seed', SEED_RULE, 0);
  const iterations = optionalDecimal(o.iterations, '--iterations', ITERATIONS_RULE, 0);
  if (o.problem === undefined) throw new NatgradError('--problem', `is required: one of ${PROBLEM_NAMES.join(', ')}`);
  const problem = buildProblem(o.problem, seed, '--problem');
  return {
    problem,
    iterations: o.iterations === undefined ? problem.iterations : iterations,
    seed,
    targetLoss: optionalDecimal(o.target, '--target', {}, problem.targetLoss),
  };
}
