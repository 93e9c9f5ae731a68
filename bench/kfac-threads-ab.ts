/**
 * The K-FAC step at one thread against two in ONE process (the pool started
 * with two threads; setLinalgThreads switches between rounds), interleaved,
 * so that both see the same load: per round one full step and one amortized
 * block of KFAC.every steps at each thread count. Prints medians and spreads
 * of the wall time, and the CPU time per wall time (cores used).
 *   NATGRAD_THREADS=2 npx tsx bench/kfac-threads-ab.ts [rounds]
 */
import { Rng } from '../src/core/rng.js';
import { type KfacPreconditioner, kfacFactors, kfacPreconditioners } from '../src/curvature/kfac.js';
import { gemmRuntime } from '../src/linalg/kernels/gemm.js';
import { setLinalgThreads, startLinalgPool } from '../src/linalg/parallel/pool.js';
import type { LayerWeights } from '../src/models/mlp.js';
import { mlpProblem } from './mlp-problem.js';
import { KFAC } from './workloads.js';

const rounds = Number(process.argv[2] ?? 9);
const { spec, weights: weights0, inputs, targets } = mlpProblem(KFAC.sizes, KFAC.batch, new Rng(20260601));

function stepper() {
  const weights: LayerWeights[] = weights0.map((w) => ({ W: w.W.clone(), b: w.b.slice() }));
  let pre: KfacPreconditioner[] = [];
  return (refresh: boolean) => {
    const { layers } = kfacFactors(spec, weights, inputs, targets, 'empirical-fisher');
    if (refresh) pre = kfacPreconditioners(layers, KFAC.lambda, 'factored');
    layers.forEach((f, l) => {
      const U = pre[l].apply(f.gradient);
      const { W, b } = weights[l];
      const k = U.cols;
      for (let i = 0; i < W.rows; i++) {
        for (let j = 0; j < W.cols; j++) W.data[i * W.cols + j] -= KFAC.lr * U.data[i * k + j];
        b[i] -= KFAC.lr * U.data[i * k + W.cols];
      }
    });
  };
}

const rt = gemmRuntime();
setLinalgThreads(2);
if (rt) await startLinalgPool(rt);
const step = stepper();
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const out: Record<string, { wall: number[]; cores: number[] }> = {};
const time = (name: string, f: () => void) => {
  const c = cpuNow();
  const w = performance.now();
  f();
  const wall = performance.now() - w;
  out[name] ??= { wall: [], cores: [] };
  out[name].wall.push(wall);
  out[name].cores.push((cpuNow() - c) / wall);
};
for (const T of [1, 2]) {
  setLinalgThreads(T);
  for (let r = 0; r < 2; r++) step(true);
}
for (let r = 0; r < rounds; r++) {
  for (const T of r % 2 ? [2, 1] : [1, 2]) {
    setLinalgThreads(T);
    time(`full ${T}T`, () => step(true));
    time(`amortized ${T}T (per step)`, () => {
      for (let s = 0; s < KFAC.every; s++) step(s === 0);
    });
  }
}
const med = (x: number[]) => {
  const s = [...x].sort((a, b) => a - b);
  return s[s.length >> 1];
};
for (const [k, v] of Object.entries(out)) {
  const scale = k.startsWith('amortized') ? 1 / KFAC.every : 1;
  const w = v.wall.map((x) => x * scale);
  console.log(
    `${k.padEnd(28)} wall ${med(w).toFixed(1)} ms [${Math.min(...w).toFixed(1)}–${Math.max(...w).toFixed(1)}], cores used ${med(v.cores).toFixed(2)}`,
  );
}
