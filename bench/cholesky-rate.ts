/**
 * Rate of the blocked Cholesky factor + inverse (n³ flops: n³/3 factor, n³/3
 * triangular inverse, n³/3 for L⁻ᵀ L⁻¹) against the GEMM (2 n³) at the same
 * n, interleaved so that both share the machine's load, on the default
 * backend at one thread: `npx tsx bench/cholesky-rate.ts [n ...]`. Time is
 * this process's CPU time; prints the median and best of 9 rounds.
 */
import os from 'node:os';
import { Rng } from '../src/core/rng.js';
import { choleskyInverses } from '../src/linalg/cholesky.js';
import { gemm, gemmBackend } from '../src/linalg/kernels/index.js';
import { Matrix } from '../src/linalg/matrix.js';
import { addScaledIdentity, matmulNT } from '../src/linalg/ops.js';

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((v) => v > 0);
const rng = new Rng(2);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const load = () =>
  os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(', ');
console.log(`backend ${gemmBackend()}; load average before: ${load()}`);
for (const n of sizes.length ? sizes : [257, 512, 785]) {
  const X = new Matrix(
    n,
    n,
    Float64Array.from({ length: n * n }, () => rng.normal()),
  );
  const S = addScaledIdentity(matmulNT(X, X), n);
  const C = new Float64Array(n * n);
  const reps = Math.max(1, Math.round(2e8 / n ** 3));
  const chol: number[] = [];
  const mm: number[] = [];
  for (let round = 0; round < 10; round++) {
    let t = cpuMs();
    for (let r = 0; r < reps; r++) choleskyInverses([S]);
    const c = cpuMs() - t;
    t = cpuMs();
    for (let r = 0; r < reps; r++) gemm(false, false, n, n, n, 1, X.data, 0, n, S.data, 0, n, 0, C, 0, n);
    const g = cpuMs() - t;
    if (round === 0) continue; // warm-up
    chol.push((n ** 3 * reps) / (c * 1e6));
    mm.push((2 * n ** 3 * reps) / (g * 1e6));
  }
  const med = (x: number[]) => [...x].sort((a, b) => a - b)[x.length >> 1];
  const f = (x: number[]) => `${med(x).toFixed(1)} (best ${Math.max(...x).toFixed(1)})`;
  console.log(`n = ${n}: factor + inverse ${f(chol)} GF/s, GEMM ${f(mm)} GF/s, ratio of medians ${(med(chol) / med(mm)).toFixed(2)}`);
}
console.log(`load average after: ${load()}`);
