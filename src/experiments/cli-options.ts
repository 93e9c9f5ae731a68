/**
 * Validation of the string options of `natgrad train` and `natgrad compare`:
 * each bad value becomes a NatgradError naming the flag and what is allowed.
 */
import { NatgradError } from '../core/errors.js';
import { OPTIMIZER_NAMES } from '../optim/registry.js';
import { buildProblem, type ExperimentProblem } from './problems.js';

/** A non-negative integer flag, or `fallback` when absent. */
export function parseInteger(value: string | undefined, flag: string, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min) throw new NatgradError(flag, `must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  return n;
}

/** A finite number flag, or `fallback` when absent. */
export function parseNumber(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new NatgradError(flag, `must be a finite number, got ${JSON.stringify(value)}`);
  return n;
}

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
  const seed = parseInteger(o.seed, '--seed', 0, 0);
  const iterations = parseInteger(o.iterations, '--iterations', 1, 1);
  const problem = buildProblem(o.problem ?? '', seed, '--problem');
  return {
    problem,
    iterations: o.iterations === undefined ? problem.iterations : iterations,
    seed,
    targetLoss: parseNumber(o.target, '--target', problem.targetLoss),
  };
}
