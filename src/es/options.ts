/**
 * The checks every evolution strategy makes on its arguments before it
 * draws a sample: an objective function, a dimension, and options with known
 * names and valid values (a NaN mean would otherwise search from NaN and
 * return NaN as the best point).
 */
import { describeValue, NatgradError } from '../core/errors.js';
import { requireFiniteVector, requireFunction, requireIntegerInRange, requireOptions, requirePositive, requireResultSize } from '../core/validate.js';
import type { Vec } from '../core/vec.js';
import type { Objective } from './test-functions.js';

/** The options every strategy takes. */
export const ES_OPTION_KEYS: readonly string[] = ['seed', 'mean', 'sigma', 'lambda', 'target', 'maxEvaluations'];

/** The checked common settings of a run; `rates` holds the strategy's own learning rates (undefined when not given). */
export interface EsSettings {
  f: Objective;
  d: number;
  seed: number;
  mean: Vec;
  sigma: number;
  lambda: number | undefined;
  target: number;
  maxEvaluations: number;
  rates: Record<string, number | undefined>;
}

/**
 * Checks the arguments of a strategy named `who` whose own learning-rate
 * options are `rateKeys`; `matrixDimension` says it keeps a d x d matrix
 * (so d is bounded by the size limit).
 */
export function esSettings(f: unknown, d: unknown, options: unknown, rateKeys: readonly string[], who: string, matrixDimension: boolean): EsSettings {
  const objective = requireFunction<Objective>(f, 'f', 'a function of a Float64Array returning a number');
  const dim = requireIntegerInRange(d, 'd', 1);
  if (matrixDimension) requireResultSize(dim * dim, 'd', `the ${dim} x ${dim} search covariance factor`);
  else requireResultSize(dim, 'd', 'the search point');
  const o = requireOptions(options, [...ES_OPTION_KEYS, ...rateKeys], '', `the ${who} options`);
  const seed = o.seed === undefined ? 1 : requireIntegerInRange(o.seed, 'seed', 0);
  const mean = o.mean === undefined ? new Float64Array(dim) : Float64Array.from(requireFiniteVector(o.mean, 'mean', { length: dim, lengthWhat: 'd' }));
  const sigma = requirePositive(o.sigma ?? 1, 'sigma');
  const lambda = o.lambda === undefined ? undefined : requireIntegerInRange(o.lambda, 'lambda', 2, 1_000_000);
  if (o.target !== undefined && (typeof o.target !== 'number' || Number.isNaN(o.target))) {
    throw new NatgradError('target', `must be a number, got ${describeValue(o.target)}`);
  }
  const target = (o.target as number | undefined) ?? 1e-8;
  const maxEvaluations = requireIntegerInRange(o.maxEvaluations ?? 1e6, 'maxEvaluations', 1);
  const rates: Record<string, number | undefined> = {};
  for (const k of rateKeys) rates[k] = o[k] === undefined ? undefined : requirePositive(o[k], k);
  return { f: objective, d: dim, seed, mean, sigma, lambda, target, maxEvaluations, rates };
}

/**
 * A fitness value must be a number. NaN is a number the strategies handle
 * themselves (a population search stops and returns the best point so far,
 * as PyBrain does; the (1+1)-ES counts a NaN offspring as a failure), and
 * +Infinity ranks last: a point to avoid.
 */
export function requireFitness(value: unknown, evaluation: number): number {
  if (typeof value !== 'number') {
    throw new NatgradError('f', `returned ${describeValue(value)} at evaluation ${evaluation}; a fitness must be a number (Infinity marks a point to avoid)`);
  }
  return value;
}
