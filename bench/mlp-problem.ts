/**
 * The benchmarks' MLP problem: a tanh network with a softmax output, weights,
 * standard normal inputs and uniform class targets, all drawn from `rng` in
 * that order (so a given seed gives the same problem in every script).
 */
import type { Rng } from '../src/core/rng.js';
import { type MlpSpec, initWeights } from '../src/models/mlp.js';

export function mlpProblem(sizes: number[], N: number, rng: Rng) {
  const spec: MlpSpec = { sizes, activations: [...sizes.slice(1, -1).map(() => 'tanh' as const), 'identity'], likelihood: 'categorical' };
  const weights = initWeights(spec, rng.split());
  const inputs = Array.from({ length: N }, () => Float64Array.from({ length: sizes[0] }, () => rng.normal()));
  const D = sizes[sizes.length - 1];
  const targets = Array.from({ length: N }, () => Math.floor(rng.uniform() * D));
  return { spec, weights, inputs, targets };
}
