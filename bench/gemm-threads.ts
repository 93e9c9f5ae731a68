/**
 * GEMM at one and two threads, interleaved in one process so that the
 * machine's load falls on both alike: `npx tsx bench/gemm-threads.ts [n ...]`
 * (default n = 128, 256, 512; BENCH_ROUNDS rounds, default 9). The product
 * runs through gemm() (operands copied into the kernel's memory and back) and
 * through gemmInArena() (operands already there: the kernel and the split alone).
 *
 * Besides the wall-clock rate it prints, per call, the CPU time of all the
 * process's threads and the time they spent runnable but not running (Linux
 * /proc/self/task/N/schedstat). CPU time over wall time is the cores it
 * used, and the time runnable but not running is how long its threads
 * waited for a core: on a shared machine a 2T run that gets one core's worth
 * cannot scale, whatever the code does. The CPU time per call is what the
 * code itself costs (at 2T: the 1T work plus the split's extra packing and the
 * threads' spinning).
 */
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { Rng } from '../src/core/rng.js';
import { gemm, gemmBackend, gemmInArena, gemmRuntime } from '../src/linalg/kernels/gemm.js';
import { FULL } from '../src/linalg/kernels/wasm/gemm-module.js';
import { linalgWorkerJobCount, setLinalgThreads, startLinalgPool } from '../src/linalg/parallel/pool.js';

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((v) => v > 0);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 9) | 0);

/** CPU and run-queue wait (ms) summed over the process's threads; zeros where /proc is missing. */
function schedTotals(): { cpu: number; wait: number } {
  let cpu = 0;
  let wait = 0;
  try {
    for (const t of readdirSync('/proc/self/task')) {
      const [run, queued] = readFileSync(`/proc/self/task/${t}/schedstat`, 'utf8').split(' ').map(Number);
      cpu += run / 1e6;
      wait += queued / 1e6;
    }
  } catch {
    // not Linux: the columns read 0
  }
  return { cpu, wait };
}

const load = () =>
  os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(', ');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const rt = gemmRuntime();
if (!rt?.shared) {
  console.log(`backend ${gemmBackend()}: no shared WebAssembly memory, so no second thread to compare`);
  process.exit(0);
}
setLinalgThreads(2);
await startLinalgPool(rt);
console.log(`backend ${gemmBackend()}; ${ROUNDS} rounds, 1T and 2T interleaved; load average before: ${load()}`);
console.log('| n | path | T | ms/call | GF/s | 2T/1T | CPU ms/call (all threads) | runnable-not-running ms/call | cores used | worker panels/call |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
const rng = new Rng(1);
for (const n of sizes.length ? sizes : [128, 256, 512]) {
  const A = Float64Array.from({ length: n * n }, () => rng.normal());
  const B = Float64Array.from({ length: n * n }, () => rng.normal());
  const C = new Float64Array(n * n);
  const mark = rt.mark();
  const a = rt.alloc(n * n);
  const b = rt.alloc(n * n);
  const c = rt.alloc(n * n);
  rt.heap().set(A, a / 8);
  rt.heap().set(B, b / 8);
  const paths: Record<string, () => void> = {
    'gemm()': () => gemm(false, false, n, n, n, 1, A, 0, n, B, 0, n, 0, C, 0, n),
    arena: () => gemmInArena(rt, false, false, n, n, n, 1, a, n, b, n, 0, c, n, FULL),
  };
  // about 50 ms per sample: the kernel updates a running thread's CPU time only every few milliseconds
  const reps = Math.max(3, Math.round(1e9 / (2 * n ** 3)));
  type Sample = { ms: number; cpu: number; wait: number; jobs: number };
  const samples: Record<string, Sample[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [path, call] of Object.entries(paths)) {
      for (const T of [1, 2]) {
        setLinalgThreads(T);
        call();
        const jobs = linalgWorkerJobCount();
        const s = schedTotals();
        const t = performance.now();
        for (let r = 0; r < reps; r++) call();
        const ms = (performance.now() - t) / reps;
        const e = schedTotals();
        (samples[`${path} ${T}`] ??= []).push({
          ms,
          cpu: (e.cpu - s.cpu) / reps,
          wait: (e.wait - s.wait) / reps,
          jobs: (linalgWorkerJobCount() - jobs) / reps,
        });
      }
    }
  }
  rt.release(mark);
  for (const path of Object.keys(paths)) {
    const one = median(samples[`${path} 1`].map((s) => s.ms));
    for (const T of [1, 2]) {
      const xs = samples[`${path} ${T}`];
      const ms = median(xs.map((s) => s.ms));
      const cpu = median(xs.map((s) => s.cpu));
      const used = median(xs.map((s) => s.cpu / s.ms));
      console.log(
        `| ${n} | ${path} | ${T} | ${ms.toFixed(3)} | ${((2 * n ** 3) / ms / 1e6).toFixed(1)} | ${T === 2 ? (one / ms).toFixed(2) : ''} | ${cpu.toFixed(3)} | ${median(xs.map((s) => s.wait)).toFixed(3)} | ${used.toFixed(2)} | ${median(xs.map((s) => s.jobs)).toFixed(2)} |`,
      );
    }
  }
}
console.log(`load average after: ${load()}`);
process.exit(0);
