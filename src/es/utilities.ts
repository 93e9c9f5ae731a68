/**
 * Fitness shaping by rank-based utilities (Wierstra et al. 2014, section 3.1):
 * u_k = max(0, log(λ/2 + 1) - log k) / Σ_j max(0, log(λ/2 + 1) - log j) - 1/λ
 * for the k-th best of λ samples; they sum to 0 and make the update invariant
 * under monotone transformations of the fitness.
 */
import { NatgradError } from '../core/errors.js';
import type { Vec } from '../core/vec.js';
import { requireFitness } from './options.js';

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

/** A search's running record: evaluations spent, the best fitness and point so far, and one trace entry per generation. */
export interface SearchProgress {
  evaluations: number;
  best: number;
  bestX: Vec;
  trace: [number, number][];
}

export function startProgress(mean: Vec): SearchProgress {
  return { evaluations: 0, best: Infinity, bestX: Float64Array.from(mean), trace: [] };
}

/**
 * One generation of a Gaussian search: λ standard-normal z (drawn in order,
 * d coordinates each), their points x = toX(z) and fitness values; updates
 * `progress` and records the generation in its trace.
 */
export function evaluateGeneration(rng: { normal(): number }, lambda: number, d: number, toX: (z: Vec) => Vec, f: (x: Vec) => number, progress: SearchProgress): { zs: Vec[]; fit: Float64Array } {
  const zs: Vec[] = [];
  const fit = new Float64Array(lambda);
  for (let k = 0; k < lambda; k++) {
    const z = Float64Array.from({ length: d }, () => rng.normal());
    const x = toX(z);
    progress.evaluations++;
    fit[k] = requireFitness(f(x), progress.evaluations);
    zs.push(z);
    if (fit[k] < progress.best) {
      progress.best = fit[k];
      progress.bestX = x;
    }
  }
  progress.trace.push([progress.evaluations, progress.best]);
  return { zs, fit };
}
