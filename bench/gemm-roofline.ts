/**
 * Where the WebAssembly GEMM stands against the machine: `npx tsx bench/gemm-roofline.ts`.
 * Prints, in GF/s of this process's CPU time (one thread):
 * * the FMA peak WebAssembly can reach here: a loop of independent f64x2
 *   relaxed_madd on registers only (no loads), 8 and 12 accumulators;
 * * the micro-kernel's rate on packed operands already in L1/L2 (the
 *   macro-kernel alone, mc x nc x kc = 96 x 512 x 256, no packing or copies);
 * * the whole product (copy in, pack, multiply, copy out) at n = 512.
 * 128-bit SIMD is half the width of AVX2, so the WebAssembly peak is half of
 * what OpenBLAS's AVX2 kernel can reach on the same core.
 */
import os from 'node:os';
import { peakModule } from './wasm-peak.js';
import { fusedKernelSupported, kernelRuntime } from '../src/linalg/kernels/wasm/runtime.js';
import { FULL } from '../src/linalg/kernels/wasm/gemm-module.js';
import { gemm, setGemmBackend } from '../src/linalg/kernels/gemm.js';

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Best of `rounds` rates (GF/s) of `run`, which does `flops` flops. */
function rate(run: () => void, flops: number, rounds = 7): number {
  run();
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    const t = cpuMs();
    run();
    best = Math.max(best, flops / ((cpuMs() - t) * 1e6));
  }
  return best;
}

console.log(
  `load average before: ${os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(', ')}`,
);
if (!fusedKernelSupported()) {
  console.log('relaxed SIMD FMA unavailable here');
  process.exit(0);
}
const iters = 2e7;
for (const acc of [8, 12]) {
  const peak = peakModule(acc);
  console.log(`register-only f64x2 FMA, ${acc} accumulators: ${rate(() => peak(iters), 4 * acc * iters).toFixed(1)} GF/s`);
}
const rt = kernelRuntime('wasm-relaxed-fma')!;
const { mc, nc, kc } = rt.shape;
const work = rt.scratch(0);
const H = rt.heap();
for (let i = work / 8; i < work / 8 + mc * kc + kc * nc; i++) H[i] = Math.sin(i);
const cBuf = rt.alloc(mc * nc);
const macro = (rt.exports as unknown as Record<string, (...a: number[]) => void>).macro;
const tile = work + 8 * (mc * kc + kc * nc);
const reps = 20;
const micro = rate(
  () => {
    for (let r = 0; r < reps; r++) macro(mc, nc, kc, 1, work, work + 8 * mc * kc, cBuf, 8 * nc, FULL, tile, 0);
  },
  2 * mc * nc * kc * reps,
);
console.log(`micro-kernel on packed operands (${mc} x ${nc} x ${kc}): ${micro.toFixed(1)} GF/s`);
setGemmBackend('wasm-relaxed-fma');
const n = 512;
const A = Float64Array.from({ length: n * n }, (_, i) => Math.sin(i));
const B = Float64Array.from({ length: n * n }, (_, i) => Math.cos(i));
const C = new Float64Array(n * n);
console.log(`whole GEMM n = ${n}: ${rate(() => gemm(false, false, n, n, n, 1, A, 0, n, B, 0, n, 0, C, 0, n), 2 * n ** 3).toFixed(1)} GF/s`);
console.log(
  `load average after: ${os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(', ')}`,
);
