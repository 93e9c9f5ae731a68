import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { fisherMatrix } from '../../src/curvature/dense-curvature.js';
import { kfacFactors } from '../../src/curvature/kfac.js';
import { maxAbs, maxAbsDiff } from '../../src/linalg/ops.js';
import { type MlpSpec, initWeights, sampleTargets } from '../../src/models/mlp.js';
import { shardRanges, shardedFisherStatistics } from '../../src/parallel/sharded-fisher.js';

const spec: MlpSpec = { sizes: [4, 5, 3], activations: ['tanh', 'identity'], likelihood: 'categorical' };

function data(seed: number, n: number) {
  const rng = new Rng(seed);
  const weights = initWeights(spec, rng);
  const inputs = Array.from({ length: n }, () => Float64Array.from({ length: 4 }, () => rng.normal()));
  return { weights, inputs, targets: sampleTargets(spec, weights, inputs, rng) };
}

/** Sums of N terms in a different order: relative difference O(N ε); 64 examples, so 1e-13. */
const TOL = 1e-13;

describe('data-parallel Fisher and K-FAC statistics (worker_threads, sum then normalise)', () => {
  test('2 workers give the single-process Fisher and K-FAC factors to rounding', async () => {
    const { weights, inputs, targets } = data(1, 64);
    const r = await shardedFisherStatistics(spec, weights, inputs, { workers: 2 });
    expect(r.shardSizes).toEqual([32, 32]);
    const F = fisherMatrix(spec, weights, inputs);
    expect(maxAbsDiff(r.fisher, F)).toBeLessThan(TOL * maxAbs(F));
    const single = kfacFactors(spec, weights, inputs, targets, 'fisher').layers;
    single.forEach((f, l) => {
      expect(maxAbsDiff(r.kfac[l].A, f.A)).toBeLessThan(TOL * maxAbs(f.A));
      expect(maxAbsDiff(r.kfac[l].G, f.G)).toBeLessThan(TOL * maxAbs(f.G));
    });
  });

  test('sensitivity: normalising each shard by its own size and summing (mean of sums) is caught for unequal shards', async () => {
    const { weights, inputs } = data(2, 7);
    const r = await shardedFisherStatistics(spec, weights, inputs, { workers: 2 });
    expect(r.shardSizes).toEqual([3, 4]);
    const F = fisherMatrix(spec, weights, inputs);
    const a = fisherMatrix(spec, weights, inputs.slice(0, 3));
    const b = fisherMatrix(spec, weights, inputs.slice(3));
    const wrong = a.clone();
    for (let i = 0; i < wrong.data.length; i++) wrong.data[i] = (a.data[i] + b.data[i]) / 2;
    expect(maxAbsDiff(wrong, F)).toBeGreaterThan(1e3 * TOL * maxAbs(F));
    expect(maxAbsDiff(r.fisher, F)).toBeLessThan(TOL * maxAbs(F));
  });

  test('any activation, likelihood and bias pattern an MLP allows: softplus, gaussian and a layer without bias (workers run the compiled model)', async () => {
    const cases: MlpSpec[] = [
      { sizes: [3, 4, 2], activations: ['softplus', 'identity'], likelihood: 'categorical' },
      { sizes: [3, 4, 2], activations: ['sigmoid', 'identity'], likelihood: 'gaussian', bias: [false, true] },
      // a reduced loss: the Fisher and G of the sum (mse: of N·D elements), A still an average
      { sizes: [3, 4, 2], activations: ['tanh', 'identity'], likelihood: 'categorical', reduction: 'sum' },
      { sizes: [3, 4, 2], activations: ['tanh', 'identity'], likelihood: 'mse', reduction: 'mean-elements' },
    ];
    for (const s of cases) {
      const rng = new Rng(7);
      const weights = initWeights(s, rng);
      const inputs = Array.from({ length: 9 }, () => Float64Array.from({ length: 3 }, () => rng.normal()));
      const targets = sampleTargets(s, weights, inputs, rng);
      const r = await shardedFisherStatistics(s, weights, inputs, { workers: 2 });
      const F = fisherMatrix(s, weights, inputs);
      expect(maxAbsDiff(r.fisher, F)).toBeLessThan(TOL * maxAbs(F));
      kfacFactors(s, weights, inputs, targets, 'fisher').layers.forEach((f, l) => {
        expect(maxAbsDiff(r.kfac[l].A, f.A)).toBeLessThan(TOL * maxAbs(f.A));
        expect(maxAbsDiff(r.kfac[l].G, f.G)).toBeLessThan(TOL * maxAbs(f.G));
      });
    }
  });

  test('shards are contiguous, cover every example once and differ in size by at most one', () => {
    for (const [n, k] of [
      [10, 3],
      [7, 2],
      [2, 5],
    ] as const) {
      const r = shardRanges(n, k);
      expect(r[0][0]).toBe(0);
      expect(r[r.length - 1][1]).toBe(n);
      for (let i = 1; i < r.length; i++) expect(r[i][0]).toBe(r[i - 1][1]);
      const sizes = r.map(([a, b]) => b - a);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });
});
