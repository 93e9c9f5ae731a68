/**
 * Fitness shaping by rank-based utilities (Wierstra et al. 2014, section 3.1):
 * u_k = max(0, log(λ/2 + 1) - log k) / Σ_j max(0, log(λ/2 + 1) - log j) - 1/λ
 * for the k-th best of λ samples; they sum to 0 and make the update invariant
 * under monotone transformations of the fitness.
 */
import { NatgradError } from '../core/errors.js';
import { requireIntegerInRange } from '../core/validate.js';
import type { Vec } from '../core/vec.js';
import { esSettings, requireFitness } from './options.js';
import type { Objective } from './test-functions.js';

/** The λ utilities, best first. */
export function nesUtilities(lambda: number): Vec {
  if (!(Number.isInteger(lambda) && lambda >= 2)) throw new NatgradError('lambda', `must be an integer >= 2, got ${lambda}`);
  const raw = Float64Array.from({ length: lambda }, (_, k) => Math.max(0, Math.log(lambda / 2 + 1) - Math.log(k + 1)));
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((r) => r / total - 1 / lambda);
}

/** Utilities assigned to samples by fitness (minimisation: the smallest fitness gets u_1). */
export function rankUtilities(fitness: ArrayLike<number>): Vec {
  const lambda = fitness.length;
  const u = nesUtilities(lambda);
  const order = Array.from({ length: lambda }, (_, i) => i).sort((a, b) => fitness[a] - fitness[b]);
  const out = new Float64Array(lambda);
  order.forEach((idx, rank) => (out[idx] = u[rank]));
  return out;
}

/** Why a search stopped. */
export type EsStop = 'target' | 'budget' | 'NaN fitness';

export interface EsOptions {
  seed?: number;
  /** initial mean [zeros] and step size [1] */
  mean?: ArrayLike<number>;
  sigma?: number;
  /** population size [4 + floor(3 ln d)] */
  lambda?: number;
  /** stop when the best fitness is <= target [1e-8] */
  target?: number;
  /** evaluation budget [1e6]; a generation that would exceed it is not started */
  maxEvaluations?: number;
}

export interface EsResult {
  /** evaluations until the target was reached, null if not within the budget */
  evaluationsToTarget: number | null;
  evaluations: number;
  best: number;
  bestX: Vec;
  /** (evaluations, best fitness so far) once per generation */
  trace: [number, number][];
  stop: EsStop;
}

/** The default population size of NES and CMA-ES: 4 + floor(3 ln d). */
export const defaultLambda = (d: number): number => 4 + Math.floor(3 * Math.log(d));

/** A search's running record: evaluations spent, the best fitness and point so far, and one trace entry per generation. */
export interface SearchProgress {
  evaluations: number;
  best: number;
  bestX: Vec;
  trace: [number, number][];
  /** set by `evaluateGeneration` when a fitness value is NaN */
  sawNaN: boolean;
}

export function startProgress(mean: Vec): SearchProgress {
  return { evaluations: 0, best: Infinity, bestX: Float64Array.from(mean), trace: [], sawNaN: false };
}

/** The settings every population-based search shares, with the defaults filled in. */
export interface SearchSettings {
  f: Objective;
  seed: number;
  lambda: number;
  mean: Float64Array;
  sigma: number;
  target: number;
  maxEvaluations: number;
  /** the strategy's own learning rates, undefined where not given */
  rates: Record<string, number | undefined>;
}

/**
 * Validates and completes the options of the strategy `who` (its own
 * learning-rate options are `rateKeys`; `matrixDimension` says it keeps a
 * d x d matrix): population λ [4 + floor(3 ln d)], start mean [zeros], step
 * size [1], target [1e-8], budget [1e6], which must hold one generation.
 */
export function resolveSearchSettings(f: unknown, d: unknown, o: unknown, rateKeys: readonly string[], who: string, matrixDimension: boolean): SearchSettings {
  const s = esSettings(f, d, o, rateKeys, who, matrixDimension);
  const lambda = s.lambda ?? defaultLambda(s.d);
  return {
    f: s.f,
    seed: s.seed,
    lambda,
    mean: s.mean,
    sigma: s.sigma,
    target: s.target,
    maxEvaluations: requireIntegerInRange(s.maxEvaluations, 'maxEvaluations', lambda),
    rates: s.rates,
  };
}

/**
 * Whether another generation of λ evaluations fits the budget. A generation
 * is never cut short and the budget is never exceeded (PyBrain's rule: stop
 * when evaluations + λ > budget), so a search spends floor(budget/λ)·λ.
 */
export const generationFits = (progress: SearchProgress, lambda: number, maxEvaluations: number): boolean => progress.evaluations + lambda <= maxEvaluations;

/** The result of a search that stopped for `stop`. */
export function finishSearch(progress: SearchProgress, stop: EsStop): EsResult {
  const { evaluations, best, bestX, trace } = progress;
  return { evaluationsToTarget: stop === 'target' ? evaluations : null, evaluations, best, bestX, trace, stop };
}

/**
 * The stop after a generation: the target reached, or a NaN fitness, which
 * has no rank (the search returns the best so far). +Infinity ranks last and
 * is a usable penalty, so it does not stop the search.
 */
export function stopAfterGeneration(progress: SearchProgress, target: number): EsStop | null {
  if (progress.best <= target) return 'target';
  return progress.sawNaN ? 'NaN fitness' : null;
}

/**
 * One generation of a Gaussian search: λ standard-normal z (drawn in order,
 * d coordinates each), their points x = toX(z) and fitness values; updates
 * `progress` and records the generation in its trace.
 */
export function evaluateGeneration(
  rng: { normal(): number },
  lambda: number,
  d: number,
  toX: (z: Vec) => Vec,
  f: (x: Vec) => number,
  progress: SearchProgress,
): { zs: Vec[]; fit: Float64Array } {
  const zs: Vec[] = [];
  const fit = new Float64Array(lambda);
  for (let k = 0; k < lambda; k++) {
    const z = Float64Array.from({ length: d }, () => rng.normal());
    const x = toX(z);
    progress.evaluations++;
    fit[k] = requireFitness(f(x), progress.evaluations);
    if (Number.isNaN(fit[k])) progress.sawNaN = true;
    zs.push(z);
    if (fit[k] < progress.best) {
      progress.best = fit[k];
      progress.bestX = x;
    }
  }
  progress.trace.push([progress.evaluations, progress.best]);
  return { zs, fit };
}
