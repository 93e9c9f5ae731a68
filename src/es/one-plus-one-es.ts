/**
 * The (1+1)-ES with the one-fifth success rule (Rechenberg 1973; the
 * multiplicative form of Kern et al., Natural Computing 2004): one isotropic
 * Gaussian offspring per generation, kept if not worse; σ ← σ exp(1/3) on
 * success and σ exp(-1/12) on failure, stationary at success rate 1/5.
 * The plain-ES baseline of the NES measurements.
 */
import { NatgradError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { Objective } from './test-functions.js';
import type { EsOptions, EsResult } from './utilities.js';

/** Minimises `f` by the (1+1)-ES. */
export function onePlusOneEs(f: Objective, d: number, o: EsOptions = {}): EsResult {
  if (!(Number.isInteger(d) && d >= 1)) throw new NatgradError('d', `must be an integer >= 1, got ${d}`);
  const rng = new Rng(o.seed ?? 1);
  const target = o.target ?? 1e-8;
  const maxEvaluations = o.maxEvaluations ?? 1e6;
  let x: Float64Array = o.mean ? Float64Array.from(o.mean) : new Float64Array(d);
  let fx = f(x);
  let sigma = o.sigma ?? 1;
  let evaluations = 1;
  const trace: [number, number][] = [[1, fx]];
  while (evaluations < maxEvaluations && fx > target) {
    const y = x.map((v) => v + sigma * rng.normal());
    const fy = f(y);
    evaluations++;
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
