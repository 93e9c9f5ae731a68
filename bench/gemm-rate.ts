/**
 * GEMM rate of every backend this process can run, n = 128, 256, 512,
 * interleaved so that they share the machine's load: `npx tsx bench/gemm-rate.ts`.
 * Prints GF/s (median and best of the runs) and the load average. Time is this
 * process's CPU time, which a loaded machine inflates far less than wall time
 * (one thread only; the comparisons with NumPy and PyTorch are in bench/run.ts).
 */
import os from 'node:os';
import { Rng } from '../src/core/rng.js';
import { availableGemmBackends, gemm, setGemmBackend } from '../src/linalg/kernels/index.js';

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((v) => v > 0);
const rng = new Rng(1);
const backends = availableGemmBackends();
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
console.log(
  `load average before: ${os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(', ')}`,
);
for (const n of sizes.length ? sizes : [128, 256, 512]) {
  const A = Float64Array.from({ length: n * n }, () => rng.normal());
  const B = Float64Array.from({ length: n * n }, () => rng.normal());
  const C = new Float64Array(n * n);
  const reps = Math.max(1, Math.round(2e8 / (2 * n ** 3)));
  const rates = new Map<string, number[]>(backends.map((b) => [b, []]));
  for (let round = 0; round < 9; round++) {
    for (const b of backends) {
      setGemmBackend(b);
      gemm(false, false, n, n, n, 1, A, 0, n, B, 0, n, 0, C, 0, n);
      const t = cpuMs();
      for (let r = 0; r < reps; r++) gemm(false, false, n, n, n, 1, A, 0, n, B, 0, n, 0, C, 0, n);
      rates.get(b)!.push((2 * n ** 3 * reps) / ((cpuMs() - t) * 1e6));
    }
  }
  for (const [b, r] of rates) {
    r.sort((x, y) => x - y);
    console.log(`n = ${n} ${b.padEnd(17)} GF/s median ${r[4].toFixed(1)} best ${r[8].toFixed(1)}`);
  }
}
console.log(
  `load average after: ${os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(', ')}`,
);
