/**
 * CPU time of the K-FAC step's inverse phase alone (the damped factor inverses of the
 * 784-256-256-10 MLP, batch 256, as in `npm run bench`'s K-FAC step), per step, at the
 * thread count NATGRAD_THREADS: process CPU time (all threads) and wall time, the median
 * and the minimum of RUNS repetitions. On a shared machine the CPU time is the figure to
 * compare at one thread; the wall time at two threads is only indicative.
 *   npx tsx bench/kfac-inverse-cpu.ts [runs]
 */
import { Rng } from '../src/core/rng.js';
import { kfacFactors, kfacPreconditioners } from '../src/curvature/kfac.js';
import { gemmRuntime } from '../src/linalg/kernels/gemm.js';
import { linalgThreads, linalgWorkerJobCount, startLinalgPool } from '../src/linalg/parallel/pool.js';
import { mlpProblem } from './mlp-problem.js';
import { KFAC } from './workloads.js';

const runs = Number(process.argv[2] ?? 15);
const { spec, weights, inputs, targets } = mlpProblem(KFAC.sizes, KFAC.batch, new Rng(20260601));
const { layers } = kfacFactors(spec, weights, inputs, targets, 'empirical-fisher');

const invert = () => kfacPreconditioners(layers, KFAC.lambda, 'factored');

const rt = gemmRuntime();
if (rt) await startLinalgPool(rt);
for (let r = 0; r < 5; r++) invert();
const cpu: number[] = [];
const wall: number[] = [];
for (let r = 0; r < runs; r++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  invert();
  wall.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
}
const med = (x: number[]) => [...x].sort((a, b) => a - b)[x.length >> 1];
const fmt = (x: number[]) => `median ${med(x).toFixed(1)} min ${Math.min(...x).toFixed(1)}`;
console.log(JSON.stringify({ threads: linalgThreads(), cpuMs: fmt(cpu), wallMs: fmt(wall), workerJobs: linalgWorkerJobCount() }));
