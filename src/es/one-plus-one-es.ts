/**
 * The (1+1)-ES with the one-fifth success rule (Rechenberg 1973; the
 * multiplicative form of Kern et al., Natural Computing 2004): one isotropic
 * Gaussian offspring per generation, kept if not worse; σ ← σ exp(1/3) on
 * success and σ exp(-1/12) on failure, stationary at success rate 1/5.
 * The plain-ES baseline of the NES measurements.
 */
import { NatgradError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { esSettings, requireFitness } from './options.js';
import type { Objective } from './test-functions.js';
import type { EsOptions, EsResult } from './utilities.js';

/** Minimises `f` by the (1+1)-ES. */
export function onePlusOneEs(f: Objective, d: number, o: EsOptions = {}): EsResult {
  const s = esSettings(f, d, o, [], 'one-plus-one-es', false);
  const rng = new Rng(s.seed);
  const { target, maxEvaluations } = s;
  let x: Float64Array = s.mean;
  let fx = requireFitness(f(x), 1);
  if (Number.isNaN(fx)) throw new NatgradError('f', 'returned NaN at the start point; the search needs a fitness to compare offspring with');
  let sigma = s.sigma;
  let evaluations = 1;
  const trace: [number, number][] = [[1, fx]];
  while (evaluations < maxEvaluations && fx > target) {
    const y = x.map((v) => v + sigma * rng.normal());
    evaluations++;
    // a NaN offspring compares false: it counts as a failure and is not kept
    const fy = requireFitness(f(y), evaluations);
    if (fy <= fx) {
      x = y;
      fx = fy;
      sigma *= Math.exp(1 / 3);
    } else sigma *= Math.exp(-1 / 12);
    if (evaluations % 10 === 0) trace.push([evaluations, fx]);
  }
  trace.push([evaluations, fx]);
  const stop = fx <= target ? 'target' : 'budget';
  return { evaluationsToTarget: stop === 'target' ? evaluations : null, evaluations, best: fx, bestX: x, trace, stop };
}
