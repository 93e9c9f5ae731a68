/**
 * The options `natgrad train` and `natgrad compare` share: the problem, the
 * optimizer names and the numeric settings, each bad value a NatgradError
 * naming the flag and what is allowed.
 */
import type { Command } from 'commander';
import { NatgradError } from '../core/errors.js';
import { buildProblem, PROBLEM_NAMES, PROBLEMS, type ExperimentProblem } from '../experiments/problems.js';
import { OPTIMIZER_NAMES, OPTIMIZERS } from '../optim/registry.js';
import { type NumberRule, optionalDecimal } from './numbers.js';
import { describeOptions } from './optimizer-options.js';

/**
 * The most iterations a run may ask for. The problems' budgets are in the
 * hundreds and a run also stops after its time budget; a million is far past
 * any real run, and a count past it (`--iterations 1e15`) is a typo.
 */
export const ITERATION_CAP = 1_000_000;

/** Seeds are 32-bit (the generators take `seed >>> 0`): a larger one would alias a smaller. */
export const SEED_MAX = 2 ** 32 - 1;

export const ITERATIONS_RULE: NumberRule = { integer: true, min: 1, max: ITERATION_CAP, maxReason: 'the iteration cap' };
export const SEED_RULE: NumberRule = { integer: true, min: 0, max: SEED_MAX, maxReason: 'seeds are 32-bit' };

/** One optimizer name from the registry. */
export function parseOptimizer(value: string | undefined, flag = '--optimizer'): string {
  if (value === undefined || !OPTIMIZER_NAMES.includes(value)) {
    throw new NatgradError(flag, `must be one of ${OPTIMIZER_NAMES.join(', ')}, got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
  }
  return value;
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

const listed = (names: readonly string[]): string => names.join(', ');

/** The options `train` and `compare` share, with their choices and defaults in the help. */
export function addRunOptions(cmd: Command): Command {
  return cmd
    .option('--iterations <n>', `iteration budget, an integer from 1 to ${ITERATION_CAP} (default: the problem's, 200 to 500)`)
    .option('--seed <n>', `seed of the initial weights and the data split, 0 to ${SEED_MAX} (default: 0)`)
    .option('--target <loss>', 'target training loss; iterations and time to reach it are the headline measures (default: the problem\'s)')
    .option('--lr <x>', 'learning rate: shortcut for --option lr=x (default: the optimizer\'s, see below)')
    .option('--damping <x>', 'damping: shortcut for --option damping=x (default: the optimizer\'s, see below)')
    .option('--option <key=value>', 'set an optimizer option (repeatable), e.g. --option emaDecay=0.9 or --option cg.maxIterations=20; compare also takes name:key=value for one optimizer', (v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
}

/** The problems, the optimizers and every option with its default, after the options in the help. */
export function runHelpText(): string {
  const problems = PROBLEMS.map((p) => `  ${p.name.padEnd(24)} ${p.summary}`);
  const optimizers = OPTIMIZERS.flatMap((o) => [`  ${o.name.padEnd(32)} ${o.summary}`, `  ${''.padEnd(32)} ${describeOptions(o.defaults)}`]);
  return [
    '',
    `Problems (--problem): ${listed(PROBLEM_NAMES)}`,
    ...problems,
    '',
    'Optimizers (--optimizer) and their options with the registry defaults (a problem may override some):',
    ...optimizers,
  ].join('\n');
}
