/**
 * The Gram phase of an order-n inverse from the factor (L⁻ᵀ L⁻¹ by strips of
 * 64 rows, each a lower-triangle product 64 x r x (n - r) on the kernel's
 * arena) three ways in one process, alternated: on one thread; on two with
 * each strip split into column panels (gemmInArena); on two with the strips
 * handed to the threads whole (gemmsInArena). Wall time, median and range.
 *   npx tsx bench/gram-strips-threads.ts [n]
 */
import { Rng } from '../src/core/rng.js';
import { type ArenaProduct, gemmInArena, gemmRuntime, gemmsInArena } from '../src/linalg/kernels/gemm.js';
import { setLinalgThreads, startLinalgPool, linalgWorkerJobCount } from '../src/linalg/parallel/pool.js';
const n = Number(process.argv[2] ?? 785);
const GR = 64;
const rng = new Rng(2);
const rt = gemmRuntime()!;
setLinalgThreads(2);
await startLinalgPool(rt);
const w = rt.alloc(n * n);
const c = rt.alloc(n * n);
const H = rt.heap();
for (let i = 0; i < n * n; i++) H[w / 8 + i] = rng.normal();
const starts: number[] = [];
for (let r0 = 0; r0 < n; r0 += GR) starts.push(r0);
const rows = (r0: number) => Math.min(GR, n - r0);
const strips = starts.map(
  (r0): ArenaProduct => [true, false, rows(r0), r0 + rows(r0), n - r0, 1, w + 8 * (r0 * n + r0), n, w + 8 * r0 * n, n, 0, c + 8 * r0 * n, n, r0],
);
const med = (x: number[]) => [...x].sort((a, b) => a - b)[x.length >> 1];
const res: Record<string, number[]> = {};
const cfg: [string, () => void][] = [
  [
    '1T',
    () => {
      setLinalgThreads(1);
      for (const p of strips) gemmInArena(rt, ...p);
    },
  ],
  [
    '2T split each',
    () => {
      setLinalgThreads(2);
      for (const p of strips) gemmInArena(rt, ...p);
    },
  ],
  [
    '2T strips whole',
    () => {
      setLinalgThreads(2);
      gemmsInArena(rt, strips);
    },
  ],
];
for (let r = 0; r < 25; r++)
  for (const [k, f] of cfg) {
    const t = performance.now();
    f();
    if (r > 2) (res[k] ??= []).push(performance.now() - t);
  }
for (const [k, v] of Object.entries(res)) console.log(k.padEnd(20), med(v).toFixed(2), `[${Math.min(...v).toFixed(2)}–${Math.max(...v).toFixed(2)}]`);
console.log('worker jobs', linalgWorkerJobCount(), 'load', (await import('node:os')).loadavg());
