/**
 * The ranges of the CLI's numeric options, in one place so that the help and
 * the checks say the same. Each cap lies far past any real run; a value past
 * it is a typo (`--iterations 1e15`), refused rather than run for ever.
 */
import { availableParallelism } from 'node:os';
import type { NumberRule } from './numbers.js';

/**
 * The most iterations `train` and `compare` run. The problems' budgets are
 * 200 to 500 and a run also stops after its time budget: a million is far
 * past any real run.
 */
export const ITERATION_CAP = 1_000_000;

export const ITERATIONS_RULE: NumberRule = { integer: true, min: 1, max: ITERATION_CAP, maxReason: 'the iteration cap' };

/** Seeds are 32-bit (the generators take `seed >>> 0`): a larger one would alias a smaller. */
export const SEED_RULE: NumberRule = { integer: true, min: 0, max: 2 ** 32 - 1, maxReason: 'seeds are 32-bit' };

/** The default seed of `natgrad verify`. */
export const DEFAULT_VERIFY_SEED = 20261125;

/** `verify --jobs`: each worker holds a symbolic engine of its own (tens of MB), so more than 64 only exhausts memory. */
export const JOBS_RULE: NumberRule = { integer: true, min: 1, max: 64, maxReason: 'each worker holds its own symbolic engine' };

/** `verify --runs`: 10^4 cases of every property is hours of work. */
export const RUNS_RULE: NumberRule = { integer: true, min: 1, max: 10_000, maxReason: 'the cap on cases per property' };

/** `derive --dim`: symbolic derivations grow fast with the dimension. */
export const DIM_RULE: NumberRule = { integer: true, min: 2, max: 4, maxReason: 'symbolic derivations grow fast with the dimension' };

/** The default `verify --jobs`: one worker per core, at most 8. */
export const defaultJobs = (): number => Math.max(1, Math.min(8, availableParallelism()));
