/**
 * The K-FAC step's inverse phase (the damped factor inverses of the
 * 784-256-256-10 MLP, batch 256, as in `npm run bench`) at one thread and at
 * two in ONE process, alternated round by round so that both see the same
 * load: wall time per phase, median and range over the rounds, and the
 * order-785 factor's inverse alone.
 *   npx tsx bench/kfac-inverse-threads.ts [rounds]
 */
import { Rng } from '../src/core/rng.js';
import { kfacFactors, kfacPreconditioners } from '../src/curvature/kfac.js';
import { choleskyInverses } from '../src/linalg/cholesky.js';
import { gemmRuntime } from '../src/linalg/kernels/gemm.js';
import { addScaledIdentity } from '../src/linalg/ops.js';
import { setLinalgThreads, startLinalgPool } from '../src/linalg/parallel/pool.js';
import { mlpProblem } from './mlp-problem.js';
import { KFAC } from './workloads.js';

const rounds = Number(process.argv[2] ?? 15);
const { spec, weights, inputs, targets } = mlpProblem(KFAC.sizes, KFAC.batch, new Rng(20260601));
const { layers } = kfacFactors(spec, weights, inputs, targets, 'empirical-fisher');
const big = addScaledIdentity(layers[0].A, Math.sqrt(KFAC.lambda));

const rt = gemmRuntime();
setLinalgThreads(2);
if (rt) await startLinalgPool(rt);
const times: Record<string, number[]> = {};
const time = (name: string, f: () => void) => {
  const t = performance.now();
  f();
  (times[name] ??= []).push(performance.now() - t);
};
for (let r = 0; r < rounds + 2; r++) {
  for (const T of r % 2 ? [2, 1] : [1, 2]) {
    setLinalgThreads(T);
    if (r < 2) {
      kfacPreconditioners(layers, KFAC.lambda, 'factored');
      continue;
    }
    time(`inverse phase ${T}T`, () => kfacPreconditioners(layers, KFAC.lambda, 'factored'));
    time(`order-${big.rows} inverse ${T}T`, () => choleskyInverses([big]));
  }
}
const med = (x: number[]) => [...x].sort((a, b) => a - b)[x.length >> 1];
for (const [k, v] of Object.entries(times).sort())
  console.log(`${k.padEnd(24)} ${med(v).toFixed(1)} ms [${Math.min(...v).toFixed(1)}–${Math.max(...v).toFixed(1)}]`);
