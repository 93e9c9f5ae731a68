/**
 * The K-FAC step of `npm run bench` (MLP 784-256-256-10, batch 256, empirical
 * Fisher, factored damping, Cholesky inverses) timed phase by phase, at the
 * thread count NATGRAD_THREADS: the full step (inverses every step) and the
 * amortized one (inverses every KFAC.every steps), process CPU time and wall
 * time, median and spread over RUNS repetitions, and the share of each phase.
 *   npx tsx bench/kfac-step-phases.ts [runs]
 */
import { Rng } from '../src/core/rng.js';
import { type KfacPreconditioner, kfacFactors, kfacPreconditioners } from '../src/curvature/kfac.js';
import { gemmRuntime } from '../src/linalg/kernels/gemm.js';
import { linalgThreads, linalgWorkerJobCount, startLinalgPool } from '../src/linalg/parallel/pool.js';
import type { LayerWeights } from '../src/models/mlp.js';
import { mlpProblem } from './mlp-problem.js';
import { KFAC } from './workloads.js';

const runs = Number(process.argv[2] ?? 9);
const { spec, weights: weights0, inputs, targets } = mlpProblem(KFAC.sizes, KFAC.batch, new Rng(20260601));

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function stepper() {
  const weights: LayerWeights[] = weights0.map((w) => ({ W: w.W.clone(), b: w.b.slice() }));
  let pre: KfacPreconditioner[] = [];
  const phase = { factors: 0, inverses: 0, precondition: 0, update: 0 };
  const step = (refresh: boolean) => {
    let t = performance.now();
    const { layers } = kfacFactors(spec, weights, inputs, targets, 'empirical-fisher');
    phase.factors += performance.now() - t;
    t = performance.now();
    if (refresh) pre = kfacPreconditioners(layers, KFAC.lambda, 'factored');
    phase.inverses += performance.now() - t;
    t = performance.now();
    const updates = layers.map((f, l) => pre[l].apply(f.gradient));
    phase.precondition += performance.now() - t;
    t = performance.now();
    updates.forEach((U, l) => {
      const { W, b } = weights[l];
      const k = U.cols;
      for (let i = 0; i < W.rows; i++) {
        for (let j = 0; j < W.cols; j++) W.data[i * W.cols + j] -= KFAC.lr * U.data[i * k + j];
        b[i] -= KFAC.lr * U.data[i * k + W.cols];
      }
    });
    phase.update += performance.now() - t;
  };
  return { step, phase };
}

const rt = gemmRuntime();
if (rt) await startLinalgPool(rt);
const full = stepper();
const amort = stepper();
for (let r = 0; r < 3; r++) full.step(true);
for (const k of Object.keys(full.phase) as (keyof typeof full.phase)[]) full.phase[k] = 0;
const res = { fullCpu: [] as number[], fullWall: [] as number[], amCpu: [] as number[], amWall: [] as number[] };
for (let r = 0; r < runs; r++) {
  let c = cpuNow();
  let w = performance.now();
  full.step(true);
  res.fullWall.push(performance.now() - w);
  res.fullCpu.push(cpuNow() - c);
  c = cpuNow();
  w = performance.now();
  for (let s = 0; s < KFAC.every; s++) amort.step(s === 0);
  res.amWall.push((performance.now() - w) / KFAC.every);
  res.amCpu.push((cpuNow() - c) / KFAC.every);
}
const med = (x: number[]) => {
  const s = [...x].sort((a, b) => a - b);
  return s[s.length >> 1];
};
const fmt = (x: number[]) => `${med(x).toFixed(1)} [${Math.min(...x).toFixed(1)}–${Math.max(...x).toFixed(1)}]`;
const share = (p: Record<string, number>) => {
  const tot = Object.values(p).reduce((a, b) => a + b, 0);
  return Object.entries(p)
    .map(([k, v]) => `${k} ${((100 * v) / tot).toFixed(0)}% (${(v / runs).toFixed(1)} ms)`)
    .join(', ');
};
console.log(
  JSON.stringify({
    threads: linalgThreads(),
    full: { cpu: fmt(res.fullCpu), wall: fmt(res.fullWall) },
    amortized: { cpu: fmt(res.amCpu), wall: fmt(res.amWall) },
    fullPhases: share(full.phase),
    workerJobs: linalgWorkerJobCount(),
  }),
);
