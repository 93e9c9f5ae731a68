/**
 * `npm run bench`: runs every workload in natgrad and in NumPy and PyTorch
 * (Debian's python3-numpy and python3-torch on OpenBLAS, float64) with one
 * and with two threads, and writes bench/RESULTS.md: the goals table
 * (natgrad / PyTorch, same run, same threads), every workload's times and
 * ratios, the kernel each natgrad run used, the load average around every
 * process, bench/NOTES.md (the analysis, kept by hand) and the raw JSON.
 *
 * The configurations are interleaved (natgrad, PyTorch and NumPy at 1T, then
 * at 2T, repeated BENCH_ROUNDS times, default 3) so that a change in the
 * machine's load falls on all of them; each figure is the median over the
 * rounds of each process's own median.
 *
 * Installs the peers with apt-get when they are missing or when NumPy maps
 * the reference BLAS instead of OpenBLAS (as root), or says clearly that it
 * cannot and reports natgrad alone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { kfacStepFlops, kfacStepTotals } from './kfac-flops.js';
import { CLOCK, CNN_KFAC, KFAC, SIZES, THREADS, WARM_UP } from './workloads.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
/** Debian's interpreter: the packages live in its dist-packages, which other interpreters on PATH may not see. */
const PYTHON = '/usr/bin/python3';
const PEER_PACKAGES = ['python3-numpy', 'python3-torch', 'libopenblas0-pthread'];
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3) | 0);

type Results = Record<string, any>;
type Lib = 'natgrad' | 'numpy' | 'torch';

/** T threads everywhere, and OpenBLAS left to pick its own kernel (PERFORMANCE.md). */
function threadEnv(T: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NATGRAD_THREADS: String(T),
    OPENBLAS_NUM_THREADS: String(T),
    MKL_NUM_THREADS: String(T),
    // PyTorch's intra-op pool stays at 1 (peers.py): OpenBLAS provides the threads
    OMP_NUM_THREADS: '1',
  };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

function peersAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import numpy, torch'], { stdio: 'ignore' }).status === 0;
}

/** True when NumPy's BLAS is OpenBLAS (Debian falls back to the unoptimized reference BLAS without libopenblas0). */
function openBlasMapped(): boolean {
  const probe = "import numpy as np; a = np.ones((8, 8)); a @ a; print(any('openblas' in l for l in open('/proc/self/maps')))";
  const r = spawnSync(PYTHON, ['-c', probe], { encoding: 'utf8' });
  return r.stdout.trim() === 'True';
}

/** True when NumPy and PyTorch can be imported on OpenBLAS, installing them first if needed and possible. */
function ensurePeers(): { ok: boolean; note: string } {
  if (peersAvailable() && openBlasMapped()) return { ok: true, note: 'NumPy and PyTorch were already installed, on OpenBLAS.' };
  if (process.getuid?.() !== 0) {
    return {
      ok: false,
      note: `NumPy/PyTorch on OpenBLAS are missing and this is not root, so they cannot be installed here: run \`apt-get install -y ${PEER_PACKAGES.join(' ')}\` as root and rerun.`,
    };
  }
  log(`installing ${PEER_PACKAGES.join(' ')} with apt-get (this can take minutes)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
  const r = spawnSync('apt-get', ['install', '-y', ...PEER_PACKAGES], { stdio: 'inherit', env });
  if (r.status === 0 && peersAvailable() && openBlasMapped()) return { ok: true, note: `Installed ${PEER_PACKAGES.join(' ')} with apt-get.` };
  return { ok: false, note: `apt-get could not install ${PEER_PACKAGES.join(' ')} (exit ${r.status}); NumPy/PyTorch columns are empty.` };
}

interface Run {
  lib: Lib;
  threads: number;
  round: number;
  loadBefore: number[];
  loadAfter: number[];
  out: Results | null;
  /** cores' worth of CPU other processes used while this one ran (NaN where /proc/stat is missing) */
  otherCores: number;
}

/** Seconds of CPU the whole machine has spent busy since boot (Linux /proc/stat), or NaN elsewhere. */
function machineBusySeconds(): number {
  try {
    const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/**
 * Runs one benchmark process; besides its results, the CPU that other
 * processes used while it ran, in cores: the machine's busy time over the
 * process's life minus the process's own CPU time (which it reports as
 * `process-cpu-s`), over its wall time. The 1-min load average cannot tell
 * this: the bench's own back-to-back processes keep it near 1 (2 after a 2T run).
 */
function runJson(cmd: string, args: string[], T: number): { out: Results | null; otherCores: number } {
  log(`${cmd} ${args.join(' ')} (threads ${T}, load ${os.loadavg()[0].toFixed(2)})`);
  const busy = machineBusySeconds();
  const wall = performance.now();
  const r = spawnSync(cmd, args, { cwd: root, env: threadEnv(T), encoding: 'utf8', maxBuffer: 1 << 26 });
  const seconds = (performance.now() - wall) / 1000;
  if (r.status !== 0) {
    log(`failed (exit ${r.status}): ${r.stderr}`);
    return { out: null, otherCores: Number.NaN };
  }
  const out = JSON.parse(r.stdout);
  const own = Number(out['process-cpu-s']);
  return { out, otherCores: Math.max(0, (machineBusySeconds() - busy - own) / seconds) };
}

function runLib(lib: Lib, T: number, only?: string): { out: Results | null; otherCores: number } {
  const extra = only ? ['--only', only] : [];
  if (lib === 'natgrad') return runJson(process.execPath, ['--import', 'tsx', path.join(here, 'natgrad-workloads.ts'), ...extra], T);
  return runJson(PYTHON, [path.join(here, 'peers.py'), lib, '--threads', String(T), ...extra], T);
}

const median = (xs: number[]): number | undefined => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return undefined;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
};

/** The threshold above which a run is reported as shared: other processes used this many cores (median over the processes). */
const QUIET_OTHER_CORES = 0.1;

/** One line on how quiet the machine was, from the other processes' CPU while each benchmark process ran. */
function quietness(runs: readonly Run[]): string {
  const other = runs.map((r) => r.otherCores).filter(Number.isFinite);
  if (other.length === 0) return 'CPU of other processes: not measured (no /proc/stat)';
  const m = median(other) as number;
  return (
    `CPU used by other processes while each benchmark process ran (cores): median ${m.toFixed(2)}, max ${Math.max(...other).toFixed(2)}` +
    (m > QUIET_OTHER_CORES
      ? ' — **the machine was not quiet: absolute times are inflated and noisy (2T most of all); the ratios (same run, same load) are the meaningful figures**'
      : ' (quiet)')
  );
}

/** Combines the rounds of one (lib, threads): per workload the median of the rounds' medians, all runs kept. */
function combine(runs: Run[]): Results {
  const out: Results = {};
  const outs = runs.map((r) => r.out).filter((o): o is Results => o !== null);
  if (outs.length === 0) return out;
  for (const key of Object.keys(outs[0])) {
    const vals = outs.map((o) => o[key]);
    if (vals[0] && typeof vals[0] === 'object' && 'median' in vals[0]) {
      out[key] = { median: median(vals.map((v) => v.median)), rounds: vals.map((v) => v.median), runs: vals.flatMap((v) => v.runs) };
      if ('samplesPerSecond' in vals[0]) out[key].samplesPerSecond = median(vals.map((v) => v.samplesPerSecond));
    } else {
      out[key] = vals[vals.length - 1];
    }
  }
  return out;
}

const fmt = (v: number | undefined, digits = 1) => (v === undefined || !Number.isFinite(v) ? '—' : v >= 100 ? v.toFixed(0) : v.toFixed(digits));
const ratio = (a?: number, b?: number) => (a === undefined || b === undefined || !Number.isFinite(a / b) ? '—' : (a / b).toFixed(2));

/** Flops of the workloads that are mostly multiply-adds (natgrad's count), for the floor at the WebAssembly peak. */
const FLOPS: Record<string, number> = (() => {
  const { full, amortized } = kfacStepTotals(kfacStepFlops(KFAC.sizes, KFAC.batch).natgrad, KFAC.every);
  return { 'kfac-full': full, 'kfac-amortized': amortized, ...Object.fromEntries(SIZES.map((n) => [`gemm-${n}`, 2 * n ** 3])) };
})();

/** The WebAssembly FMA peak (GF/s per thread) natgrad's processes measured, median over them. */
const wasmPeak = (runs: readonly Run[]): number | undefined => median(runs.filter((r) => r.lib === 'natgrad').map((r) => Number(r.out?.['wasm-fma-peak'])));

/** natgrad / PyTorch if every flop of workload `key` ran at `peak` on T threads, against PyTorch's time (ms); NaN where unknown. */
const floorRatio = (key: string, T: number, peak: number | undefined, torchMs: number | undefined): number =>
  FLOPS[key] === undefined || peak === undefined || torchMs === undefined ? Number.NaN : FLOPS[key] / (T * peak * 1e6) / torchMs;

/** The workloads of the goals (natgrad / PyTorch), with their targets. */
const GOALS: { key: string; label: string; target: number; throughput?: boolean }[] = [
  { key: 'kfac-full', label: 'K-FAC step (Cholesky inverses every step)', target: 1.5 },
  { key: 'kfac-amortized', label: 'K-FAC step, factors every step, inverses every 10 steps', target: 2 },
  { key: 'gemm-128', label: 'GEMM n = 128', target: 1.8 },
  { key: 'gemm-256', label: 'GEMM n = 256', target: 1.8 },
  { key: 'gemm-512', label: 'GEMM n = 512', target: 1.8 },
  { key: 'eigh-256', label: 'symmetric eigendecomposition n = 256', target: 3 },
  { key: 'eigh-512', label: 'symmetric eigendecomposition n = 512', target: 3 },
  { key: 'dense-fisher', label: 'exact dense Fisher', target: 2 },
  { key: 'cnn-kfac', label: 'CNN K-FAC step (KFC factors, Cholesky inverses)', target: 3 },
  { key: 'mc-fisher', label: 'Monte Carlo Fisher (analytic score), time per sample', target: 3, throughput: true },
];

const CNN_LABEL =
  'K-FAC step, CNN conv 1→16 3x3 (28x28), relu, conv 16→32 3x3 stride 2, relu, mean, linear 32→10, batch 128, empirical Fisher, KFC factors + Cholesky inverses + update (PyTorch: unfold + matmul, autograd)';
const CNN_SECTION = '## CNN K-FAC step: natgrad / PyTorch, filtered run';
/** Dated measurements by hand (rooflines, profiles, filtered runs): a bench run keeps them. */
const ENGINE_SECTION = '## Engine speed:';

/**
 * The filtered runs: natgrad and PyTorch (when it is installed) alternated
 * within each round and thread count, BENCH_ROUNDS rounds, each process
 * running only the `only` workloads.
 */
function interleavedRuns(only: string, threads: readonly number[]): { libs: Lib[]; runs: Run[] } {
  const peers = ensurePeers();
  log(peers.note);
  const libs: Lib[] = peers.ok ? ['natgrad', 'torch'] : ['natgrad'];
  const runs: Run[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const T of threads) {
      for (const lib of libs) {
        const before = os.loadavg();
        const { out, otherCores } = runLib(lib, T, only);
        runs.push({ lib, threads: T, round, loadBefore: before, loadAfter: os.loadavg(), out, otherCores });
      }
    }
  }
  return { libs, runs };
}

/**
 * `npm run bench -- --only cnn-kfac`: the CNN K-FAC step alone, natgrad and
 * PyTorch interleaved at 1T, written as its own section of RESULTS.md
 * (replaced by the next filtered run, kept by a full run).
 */
function cnnOnly(): void {
  const started = new Date();
  const loadBefore = os.loadavg();
  const { libs, runs } = interleavedRuns('cnn-kfac', [1]);
  const loadAfter = os.loadavg();
  const res = Object.fromEntries(libs.map((lib) => [lib, combine(runs.filter((r) => r.lib === lib))])) as Record<Lib, Results>;
  const ng = res.natgrad?.['cnn-kfac']?.median as number | undefined;
  const pt = res.torch?.['cnn-kfac']?.median as number | undefined;
  const prof = res.natgrad?.['cnn-kfac-profile'] as Record<string, number> | undefined;
  const section = [
    CNN_SECTION,
    '',
    `Produced by \`${CLOCK === 'cpu' ? 'BENCH_CLOCK=cpu ' : ''}${process.env.BENCH_ROUNDS ? `BENCH_ROUNDS=${ROUNDS} ` : ''}npm run bench -- --only cnn-kfac\` on ${started.toISOString()}: ${ROUNDS} round(s) of natgrad then PyTorch, each in its own process at 1 thread ` +
      `(${CLOCK === 'cpu' ? 'CPU time of each process' : 'wall time'}; a figure is the median over the rounds of each process's median of ${CNN_KFAC.runs} steps after the warm-up: at least ${WARM_UP.calls} steps and ${WARM_UP.ms} ms).`,
    `Load average (1, 5, 15 min) before: ${loadBefore.map((v) => v.toFixed(2)).join(', ')}; after: ${loadAfter.map((v) => v.toFixed(2)).join(', ')}. ${quietness(runs)}.`,
    '',
    `| workload | natgrad 1T (ms) | PyTorch 1T (ms) | natgrad / PyTorch | goal |`,
    '|---|---|---|---|---|',
    `| ${CNN_LABEL} | ${fmt(ng)} | ${fmt(pt)} | ${ratio(ng, pt)} | ≤ 3 |`,
    '',
    prof
      ? `Where natgrad's step goes: ${Object.entries(prof)
          .map(([k, v]) => `${k} ${(100 * v).toFixed(0)}%`)
          .join(', ')} (inverse method per block: ${(res.natgrad['cnn-kfac-methods'] ?? []).join(', ')}); GEMM kernel \`${res.natgrad.kernel?.gemm ?? '?'}\`.`
      : '',
    `Rounds (ms): natgrad ${JSON.stringify(res.natgrad?.['cnn-kfac']?.rounds?.map((v: number) => Math.round(v)))}, PyTorch ${JSON.stringify(res.torch?.['cnn-kfac']?.rounds?.map((v: number) => Math.round(v)))}.`,
    '',
  ].join('\n');
  const resultsPath = path.join(here, 'RESULTS.md');
  const previous = existsSync(resultsPath) ? readFileSync(resultsPath, 'utf8') : '# Benchmark results\n';
  writeFileSync(resultsPath, replaceSection(previous, CNN_SECTION, section));
  log('wrote the CNN section of bench/RESULTS.md');
  process.stdout.write(section);
}

/**
 * `npm run bench -- --only kfac-gemm`: the two K-FAC steps and the GEMMs
 * alone, natgrad and PyTorch interleaved at each thread count, BENCH_ROUNDS
 * rounds; prints a table (natgrad / PyTorch, same run, same threads, and the
 * cores each process used while timing) and writes nothing, so that a
 * change can be measured against PyTorch in minutes without touching
 * RESULTS.md.
 */
function kfacGemmOnly(): void {
  const started = new Date();
  const loadBefore = os.loadavg();
  const { runs } = interleavedRuns('kfac-gemm', THREADS);
  const res = (lib: Lib, T: number) => combine(runs.filter((r) => r.lib === lib && r.threads === T));
  const rows: [string, string][] = [
    ['kfac-full', 'K-FAC step, Cholesky inverses every step (ms)'],
    ['kfac-amortized', 'K-FAC step, inverses every 10 steps (ms per step)'],
    ...SIZES.map((n) => [`gemm-${n}`, `GEMM n = ${n} (ms)`] as [string, string]),
  ];
  const head = THREADS.flatMap((T) => [`natgrad ${T}T`, `PyTorch ${T}T`, `ng/PyTorch ${T}T`]);
  const lines = [
    `\`${process.env.BENCH_ROUNDS ? `BENCH_ROUNDS=${ROUNDS} ` : ''}npm run bench -- --only kfac-gemm\` on ${started.toISOString()}: ${ROUNDS} round(s) of natgrad then PyTorch at ${THREADS.map((T) => `${T}T`).join(' then ')}, each in its own process; a figure is the median over the rounds of each process's median.`,
    `Load average (1, 5, 15 min) before: ${loadBefore.map((v) => v.toFixed(2)).join(', ')}; after: ${os
      .loadavg()
      .map((v) => v.toFixed(2))
      .join(', ')}. ${quietness(runs)}.`,
    '',
    `| workload | ${head.join(' | ')} |`,
    `|---|${head.map(() => '---').join('|')}|`,
    ...rows.map(([key, label]) => {
      const cells = THREADS.flatMap((T) => {
        const [a, b] = [res('natgrad', T)[key]?.median, res('torch', T)[key]?.median];
        return [fmt(a, 2), fmt(b, 2), ratio(a, b)];
      });
      return `| ${label} | ${cells.join(' | ')} |`;
    }),
    `| cores used while timing (process CPU time / wall time, median of rounds; a 2T process near 1 either ran one thread most of the time or was not given the second core) | ${THREADS.flatMap(
      (T) => [
        fmt(median(runs.filter((r) => r.lib === 'natgrad' && r.threads === T).map((r) => r.out?.['cores-used'])), 2),
        fmt(median(runs.filter((r) => r.lib === 'torch' && r.threads === T).map((r) => r.out?.['cores-used'])), 2),
        '',
      ],
    ).join(' | ')} |`,
    '',
    `GEMM rate at n = 512, GF/s: ${THREADS.map((T) => `${T}T natgrad ${fmt((2 * 512 ** 3) / ((res('natgrad', T)['gemm-512']?.median ?? NaN) * 1e6))}, PyTorch ${fmt((2 * 512 ** 3) / ((res('torch', T)['gemm-512']?.median ?? NaN) * 1e6))}`).join('; ')}; natgrad kernel \`${res('natgrad', 1).kernel?.gemm ?? '?'}\`.`,
    (() => {
      const peak = wasmPeak(runs);
      const floor = (key: string, T: number) => fmt(floorRatio(key, T, peak, res('torch', T)[key]?.median), 2);
      return (
        `WebAssembly FMA peak (registers only, bench/wasm-peak.ts): ${fmt(peak)} GF/s per thread; natgrad / PyTorch if every flop ran at it (the floor), ` +
        `${THREADS.map((T) => `${T}T: full step ${floor('kfac-full', T)}, amortized ${floor('kfac-amortized', T)}, GEMM n = 512 ${floor('gemm-512', T)}`).join('; ')}.`
      );
    })(),
    `Rounds, K-FAC step (ms): ${THREADS.map((T) => `${T}T natgrad ${JSON.stringify(res('natgrad', T)['kfac-full']?.rounds?.map((v: number) => Math.round(v)))}, PyTorch ${JSON.stringify(res('torch', T)['kfac-full']?.rounds?.map((v: number) => Math.round(v)))}`).join('; ')}.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Where the section starting at `start` ends: at the next "## " heading or the raw JSON, whichever comes first. */
function sectionEnd(text: string, start: number): number {
  const ends = [text.indexOf('\n## ', start + 1), text.indexOf('\n<details>', start + 1)].filter((i) => i >= 0);
  return ends.length ? Math.min(...ends) : text.length;
}

/** `text` with the section starting at `heading` (up to the next "## " heading) replaced by `section`, or with it inserted before the raw JSON. */
function replaceSection(text: string, heading: string, section: string): string {
  const start = text.indexOf(`\n${heading}`);
  if (start >= 0) {
    const end = sectionEnd(text, start);
    return `${text.slice(0, start + 1)}${section}\n${end < text.length ? text.slice(end + 1) : ''}`;
  }
  const json = text.indexOf('\n<details><summary>raw JSON');
  return json >= 0 ? `${text.slice(0, json + 1)}${section}\n${text.slice(json + 1)}` : `${text.trimEnd()}\n\n${section}`;
}

function main(): void {
  const started = new Date();
  const loadBefore = os.loadavg();
  const peers = ensurePeers();
  log(peers.note);
  const libs: Lib[] = peers.ok ? ['natgrad', 'torch', 'numpy'] : ['natgrad'];
  const runs: Run[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const T of THREADS) {
      for (const lib of libs) {
        const before = os.loadavg();
        const { out, otherCores } = runLib(lib, T);
        runs.push({ lib, threads: T, round, loadBefore: before, loadAfter: os.loadavg(), out, otherCores });
      }
    }
  }
  const mem = Object.fromEntries(libs.map((lib) => [lib, runLib(lib, 1, 'kfac-memory').out]));
  const loadAfter = os.loadavg();
  const res: Record<string, Record<number, Results>> = {};
  for (const lib of libs) {
    res[lib] = {};
    for (const T of THREADS) res[lib][T] = combine(runs.filter((r) => r.lib === lib && r.threads === T));
  }
  const get = (lib: Lib, T: number, key: string): number | undefined => res[lib]?.[T]?.[key]?.median;
  const rate = (lib: Lib, T: number): number | undefined => res[lib]?.[T]?.['mc-fisher']?.samplesPerSecond;
  const loads = runs.map((r) => r.loadBefore[0]);

  const lines: string[] = [];
  lines.push('# Benchmark results', '');
  lines.push('Produced by `npm run bench` (`tsx bench/run.ts`). float64 everywhere. Each library runs in its own process with the same');
  lines.push('number of threads T: natgrad with `NATGRAD_THREADS=T` (its worker pool started before timing), NumPy and PyTorch with');
  lines.push("`OPENBLAS_NUM_THREADS=T` (PyTorch's own intra-op pool at 1 thread, `OMP_NUM_THREADS=1`: a second pool on top of OpenBLAS's");
  lines.push('threads oversubscribes the cores), OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset.');
  lines.push(`The configurations were interleaved, ${ROUNDS} round(s) of natgrad, PyTorch, NumPy at 1T then 2T; a figure is the median over the rounds`);
  lines.push(
    `of each process's median of several runs after a warm-up of at least ${WARM_UP.calls} calls and ${WARM_UP.ms} ms (raw runs in the JSON at the end).`,
  );
  lines.push(
    CLOCK === 'cpu'
      ? 'Clock: **CPU time of each process** (BENCH_CLOCK=cpu), which a loaded machine inflates far less than wall time; meaningful for 1T only.'
      : "Clock: wall time (BENCH_CLOCK=cpu switches to each process's CPU time, for 1T comparisons on a loaded machine).",
    '',
  );
  lines.push(`* date: ${started.toISOString()}; machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}; Node ${process.version}`);
  lines.push(
    `* load average (1, 5, 15 min) before: ${loadBefore.map((v) => v.toFixed(2)).join(', ')}; after: ${loadAfter.map((v) => v.toFixed(2)).join(', ')}; ` +
      `1-min load when each process started: min ${fmt(Math.min(...loads), 2)}, median ${fmt(median(loads), 2)}, max ${fmt(Math.max(...loads), 2)} ` +
      `(it includes the bench's own previous processes); ${quietness(runs)}`,
  );
  lines.push(`* peers: ${peers.note}`);
  for (const T of THREADS) {
    const k = res.natgrad[T]?.kernel;
    lines.push(
      `* natgrad ${T}T: GEMM kernel \`${k?.gemm ?? '?'}\`, ${k?.threads ?? '?'} thread(s)` +
        (T > 1
          ? `, ${k?.workerJobs ?? 0} kernel jobs run by the worker thread in the last round${k?.workerError ? `, worker error: ${k.workerError}` : ''}`
          : ''),
    );
  }
  lines.push(`* BLAS mapped by the peers: ${JSON.stringify(res.numpy?.[1]?.blas ?? res.torch?.[1]?.blas ?? 'unknown')}`);
  // near 1 at 2T: the process ran one thread most of the time, or was not given the second core (gemm-threads.ts tells which)
  const cores = (lib: Lib, T: number) => fmt(median(runs.filter((r) => r.lib === lib && r.threads === T).map((r) => r.out?.['cores-used'])), 2);
  lines.push(
    `* cores used while timing (process CPU time / wall time, median over the rounds): ${THREADS.map((T) => `${T}T ${libs.map((lib) => `${lib === 'torch' ? 'PyTorch' : lib === 'numpy' ? 'NumPy' : 'natgrad'} ${cores(lib, T)}`).join(', ')}`).join('; ')}`,
  );
  lines.push('');
  lines.push('## Goals: natgrad / PyTorch, same run, same threads', '');
  const peak = wasmPeak(runs);
  lines.push(`| workload | goal | 1T | 2T | met | floor at the WebAssembly peak, ${THREADS.map((T) => `${T}T`).join(' / ')} |`);
  lines.push('|---|---|---|---|---|---|');
  for (const g of GOALS) {
    const r = (T: number) =>
      g.throughput ? (rate('torch', T) ?? NaN) / (rate('natgrad', T) ?? NaN) : (get('natgrad', T, g.key) ?? NaN) / (get('torch', T, g.key) ?? NaN);
    const cells = THREADS.map((T) => (Number.isFinite(r(T)) ? r(T).toFixed(2) : '—'));
    const met = THREADS.map((T) => (Number.isFinite(r(T)) ? (r(T) <= g.target ? `${T}T yes` : `${T}T no`) : `${T}T —`)).join(', ');
    const floor = THREADS.map((T) => fmt(floorRatio(g.key, T, peak, get('torch', T, g.key)), 2));
    lines.push(`| ${g.label} | ≤ ${g.target} | ${cells.join(' | ')} | ${met} | ${floor.join(' / ')} |`);
  }
  lines.push('');
  lines.push(
    `The floor is the ratio natgrad would have if every flop of the workload ran at the WebAssembly fused multiply-add peak of this machine ` +
      `(${fmt(peak)} GF/s per thread, \`bench/wasm-peak.ts\`: f64x2.relaxed_madd on registers only, no memory access; T threads at T times that) ` +
      `against PyTorch's measured time: no 128-bit WebAssembly kernel can go below it. Counted for the products and the K-FAC steps ` +
      `(flops from \`bench/kfac-flops.ts\`, natgrad's own count, which computes the factors' one triangle); — where the work is not mostly multiply-adds.`,
    '',
  );
  lines.push('## All workloads', '');
  const head = THREADS.flatMap((T) => [`natgrad ${T}T`, `NumPy ${T}T`, `PyTorch ${T}T`, `ng/NumPy ${T}T`, `ng/PyTorch ${T}T`]);
  lines.push(`| workload | unit | ${head.join(' | ')} |`);
  lines.push(`|---|---|${head.map(() => '---').join('|')}|`);
  const rows: [string, string][] = [
    ['kfac-full', 'K-FAC step, MLP 784-256-256-10 tanh/softmax, batch 256, λ 1e-2, Cholesky inverses every step'],
    ['kfac-amortized', 'same, factors every step, inverses every 10 steps (per step)'],
    ['dense-fisher', 'exact dense Fisher, MLP 20-64-10 (1,994 parameters), 256 examples'],
    ['cnn-kfac', CNN_LABEL],
    ...[128, 256, 512].flatMap((n) => [
      [`gemm-${n}`, `GEMM n = ${n}`] as [string, string],
      [`cholesky-inverse-${n}`, `Cholesky factor + inverse n = ${n}`] as [string, string],
      [`eigh-${n}`, `symmetric eigendecomposition n = ${n}`] as [string, string],
    ]),
  ];
  for (const [key, label] of rows) {
    const cells = THREADS.flatMap((T) => {
      const [a, b, c] = [get('natgrad', T, key), get('numpy', T, key), get('torch', T, key)];
      return [fmt(a), fmt(b), fmt(c), ratio(a, b), ratio(a, c)];
    });
    lines.push(`| ${label} | ms | ${cells.join(' | ')} |`);
  }
  const mcCells = THREADS.flatMap((T) => {
    const [a, b, c] = [rate('natgrad', T), rate('numpy', T), rate('torch', T)];
    return [fmt(a), fmt(b), fmt(c), `${ratio(b, a)} (time)`, `${ratio(c, a)} (time)`];
  });
  lines.push(`| Monte Carlo Fisher, normal (mean-std), score outer product, 200,000 samples; natgrad: analytic score | samples/s | ${mcCells.join(' | ')} |`);
  const mcn = THREADS.flatMap((T) => {
    const a = res.natgrad[T]?.['mc-fisher-numeric']?.samplesPerSecond as number | undefined;
    return [fmt(a), '', '', `${ratio(rate('numpy', T), a)} (time)`, `${ratio(rate('torch', T), a)} (time)`];
  });
  lines.push(`| same, natgrad's numeric-derivative path (the cross-check) | samples/s | ${mcn.join(' | ')} |`);
  const rss = (lib: Lib) => mem[lib]?.['peak-rss-mib'] as number | undefined;
  lines.push(
    `| peak resident memory, K-FAC workload process (full + amortized), 1T | MiB | ${fmt(rss('natgrad'))} | ${fmt(rss('numpy'))} | ${fmt(rss('torch'))} | ${ratio(rss('natgrad'), rss('numpy'))} | ${ratio(rss('natgrad'), rss('torch'))} |${THREADS.slice(
      1,
    )
      .map(() => ' | | | | |')
      .join('')}`,
  );
  lines.push('');
  for (const T of THREADS) {
    const prof = res.natgrad[T]?.['kfac-profile'] as Record<string, number> | undefined;
    if (prof) {
      lines.push(
        `Where natgrad's full K-FAC step goes at ${T}T (shares of the timed runs): ` +
          Object.entries(prof)
            .map(([k, v]) => `${k} ${(100 * v).toFixed(0)}%`)
            .join(', ') +
          ` (inverse method per layer: ${(res.natgrad[T]['kfac-methods'] ?? []).join(', ')}).`,
      );
    }
  }
  const gf = (lib: Lib, T: number, n: number) => {
    const t = get(lib, T, `gemm-${n}`);
    return t ? (2 * n ** 3) / (t * 1e6) : undefined;
  };
  for (const T of THREADS)
    lines.push(
      `GEMM rate at n = 512, ${T}T, GF/s: natgrad ${fmt(gf('natgrad', T, 512))}, NumPy ${fmt(gf('numpy', T, 512))}, PyTorch ${fmt(gf('torch', T, 512))}.`,
    );
  lines.push('');
  const notes = path.join(here, 'NOTES.md');
  if (existsSync(notes)) lines.push(readFileSync(notes, 'utf8').trim(), '');
  lines.push(
    '<details><summary>raw JSON</summary>',
    '',
    '```json',
    JSON.stringify(
      {
        results: res,
        memory: mem,
        processes: runs.map((r) => ({
          lib: r.lib,
          threads: r.threads,
          round: r.round,
          loadBefore: r.loadBefore,
          loadAfter: r.loadAfter,
          otherCores: r.otherCores,
          ok: r.out !== null,
        })),
      },
      null,
      1,
    ),
    '```',
    '',
    '</details>',
    '',
  );
  // the verify timings are measured by hand (see that section); a bench run keeps them
  const resultsPath = path.join(here, 'RESULTS.md');
  const previous = existsSync(resultsPath) ? readFileSync(resultsPath, 'utf8') : '';
  // the filtered CNN section, the dated engine-speed measurements and the verify timings (measured by hand) are kept
  for (const heading of [CNN_SECTION, ENGINE_SECTION, '## natgrad verify:']) {
    const kept = previous.indexOf(`\n${heading}`);
    if (kept < 0) continue;
    const end = heading === '## natgrad verify:' ? previous.length : sectionEnd(previous, kept);
    lines.push(previous.slice(kept + 1, end).trimEnd(), '');
  }
  writeFileSync(resultsPath, lines.join('\n'));
  log('wrote bench/RESULTS.md');
  process.stdout.write(lines.slice(0, 30).join('\n') + '\n');
}

const onlyArg = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
if (onlyArg === undefined) main();
else if (onlyArg === 'cnn-kfac') cnnOnly();
else if (onlyArg === 'kfac-gemm') kfacGemmOnly();
else {
  process.stderr.write(`bench: --only must be cnn-kfac or kfac-gemm (the workloads that run alone), got ${JSON.stringify(onlyArg)}\n`);
  process.exit(2);
}
