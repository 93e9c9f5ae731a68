/**
 * Forward + backward of a 784-256-256-10 tanh MLP on a batch of 256
 * (categorical, float64) through the batched Sequential model, against the
 * per-example MLP of src/models/mlp.ts and the batched pass inside
 * src/curvature/kfac.ts (which also forms the K-FAC factors; the Sequential
 * side then does the same with its statistics). Prints medians and ratios.
 *   npx tsx bench/sequential-mlp.ts
 */
import { Rng } from '../src/core/rng.js';
import { kfacFactors } from '../src/curvature/kfac.js';
import { gemm, syrk } from '../src/linalg/kernels/index.js';
import * as mlp from '../src/models/mlp.js';
import { Sequential, sequentialSpecFromMlp } from '../src/models/sequential.js';
import { stackExamples } from '../src/models/tensor.js';

const N = 256;
const spec: mlp.MlpSpec = { sizes: [784, 256, 256, 10], activations: ['tanh', 'tanh', 'identity'], likelihood: 'categorical' };
const rng = new Rng(1);
const weights = mlp.initWeights(spec, rng);
const theta = mlp.flattenWeights(weights);
const inputs = Array.from({ length: N }, () => Float64Array.from({ length: 784 }, () => rng.normal()));
const targets = Array.from({ length: N }, () => rng.integer(10));
const model = new Sequential(sequentialSpecFromMlp(spec));
const x = stackExamples(inputs, [784]);

function median(f: () => void, runs: number): number {
  f();
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    f();
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(runs / 2)];
}

/** The K-FAC factors from the Sequential statistics: A = Āᵀ Ā / N (bias column appended), G = Δᵀ Δ / N. */
function sequentialFactors(): void {
  const trace = model.forward(theta, x);
  const g = model.loss.lossAndGradient(trace.output, targets).gradient;
  const { statistics } = model.collect(theta, trace, g, { gradient: true });
  for (const s of statistics) {
    const { out, fanIn } = s.block;
    const k = fanIn + 1;
    const abar = new Float64Array(N * k);
    for (let n = 0; n < N; n++) {
      abar.set(s.inputs.subarray(n * fanIn, (n + 1) * fanIn), n * k);
      abar[n * k + fanIn] = 1;
    }
    const A = new Float64Array(k * k);
    const G = new Float64Array(out * out);
    const grad = new Float64Array(out * k);
    syrk(true, k, N, 1 / N, abar, 0, k, 0, A, 0, k);
    syrk(true, out, N, 1 / N, s.outputGradients, 0, out, 0, G, 0, out);
    gemm(true, false, out, k, N, 1 / N, s.outputGradients, 0, out, abar, 0, k, 0, grad, 0, k);
  }
}

const runs = Number(process.argv[2] ?? 15);
const seqGrad = median(() => model.lossAndGradient(theta, x, targets), runs);
const oldGrad = median(() => mlp.lossAndGradient(spec, weights, inputs, targets), Math.max(3, Math.floor(runs / 3)));
const seqKfac = median(sequentialFactors, runs);
const oldKfac = median(() => kfacFactors(spec, weights, inputs, targets, 'empirical-fisher'), runs);
console.log(`forward+backward (loss and gradient), 784-256-256-10 tanh, batch ${N}`);
console.log(`  Sequential (batched)        ${seqGrad.toFixed(1)} ms`);
console.log(`  mlp.ts (per example)        ${oldGrad.toFixed(1)} ms   ratio old/new ${(oldGrad / seqGrad).toFixed(1)}x`);
console.log('forward+backward+K-FAC factors (empirical Fisher)');
console.log(`  Sequential + collect + syrk ${seqKfac.toFixed(1)} ms`);
console.log(`  kfac.ts batched pass        ${oldKfac.toFixed(1)} ms   ratio old/new ${(oldKfac / seqKfac).toFixed(2)}x`);
