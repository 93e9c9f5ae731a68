/**
 * Worker threads for the WebAssembly kernels. Each worker instantiates the
 * kernel module on the same shared memory and waits on its control block
 * (Atomics.wait); the calling thread writes a function name and its numeric
 * arguments there, wakes the worker, does its own share and waits for the
 * worker's "done". No data is copied between threads: every operand already
 * lives in the shared memory.
 *
 * The pool is created lazily, once per kernel runtime, at the first call that
 * is worth splitting; until a worker has instantiated its module the caller
 * simply does that worker's share itself, so nothing ever waits for a spawn.
 * Workers are unref'd (an idle pool never keeps the process alive) and
 * shutdownLinalgPools() ends them.
 *
 * Threads: 1 by default (as in a library that must not oversubscribe its
 * caller's cores); NATGRAD_THREADS or setLinalgThreads(n) raise it.
 */
import { Worker } from 'node:worker_threads';
import { NatgradError } from '../../core/errors.js';
import { requireIntegerInRange } from '../../core/validate.js';
import { CONTROL_BYTES, type KernelRuntime, MAX_THREADS } from '../kernels/wasm/runtime.js';

/** Bytes of one control block: 16 int32 words (state, ready, function, argument count, error), then 24 float64 arguments. */
const SLOT_BYTES = CONTROL_BYTES / MAX_THREADS;
const ARGS_OFFSET = 64;
const MAX_ARGS = (SLOT_BYTES - ARGS_OFFSET) / 8;

// control words
const STATE = 0; // 0 idle, 1 job posted, 2 job done, 3 shut down
const READY = 1;
const FUNCTION = 2;
const ARG_COUNT = 3;
const FAILED = 4;

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { memory, module, slot, names } = workerData;
const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
const base = slot * ${SLOT_BYTES};
const ctl = new Int32Array(memory.buffer, base, 16);
const args = new Float64Array(memory.buffer, base + ${ARGS_OFFSET}, ${MAX_ARGS});
Atomics.store(ctl, ${READY}, 1);
for (;;) {
  let s = Atomics.load(ctl, ${STATE});
  while (s !== 1 && s !== 3) {
    Atomics.wait(ctl, ${STATE}, s);
    s = Atomics.load(ctl, ${STATE});
  }
  if (s === 3) break;
  try {
    const a = [];
    for (let i = 0; i < ctl[${ARG_COUNT}]; i++) a.push(args[i]);
    exports[names[ctl[${FUNCTION}]]](...a);
    ctl[${FAILED}] = 0;
  } catch (e) {
    ctl[${FAILED}] = 1;
  }
  Atomics.store(ctl, ${STATE}, 2);
  Atomics.notify(ctl, ${STATE});
}
`;

function threadsFromEnvironment(): number {
  const raw = process.env.NATGRAD_THREADS;
  if (raw === undefined || raw === '') return 1;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, MAX_THREADS) : 1;
}

let threads = threadsFromEnvironment();

/** Threads the kernels may use, the calling one included. */
export function linalgThreads(): number {
  return threads;
}

/** Sets the number of threads (1 to MAX_THREADS) the kernels may use; returns the previous value. */
export function setLinalgThreads(n: number): number {
  requireIntegerInRange(n, 'threads', 1, MAX_THREADS);
  const before = threads;
  threads = n;
  return before;
}

/** A job for one thread: an exported kernel function and its numeric arguments. */
export interface KernelJob {
  fn: string;
  args: readonly number[];
}

/** Jobs run by worker threads since the process started (a test's evidence that the workers did work). */
let workerJobs = 0;

export function linalgWorkerJobCount(): number {
  return workerJobs;
}

/** Why the last worker that failed to start failed (its share then runs on the calling thread), or null. */
let lastWorkerError: string | null = null;

export function linalgWorkerError(): string | null {
  return lastWorkerError;
}

class Pool {
  private readonly workers: (Worker | null)[] = [];
  private readonly names: string[];

  constructor(private readonly rt: KernelRuntime) {
    this.names = WebAssembly.Module.exports(rt.module).filter((e) => e.kind === 'function').map((e) => e.name);
  }

  private control(slot: number): Int32Array {
    return new Int32Array(this.rt.memory.buffer, slot * SLOT_BYTES, 16);
  }

  /** Worker `slot` (1-based), spawned on first request; null while it is still starting. */
  private ready(slot: number): boolean {
    let w = this.workers[slot];
    if (w === undefined) {
      const ctl = this.control(slot);
      Atomics.store(ctl, STATE, 0);
      Atomics.store(ctl, READY, 0);
      // execArgv: [] so that a parent's --input-type=module or loader hooks do not change how the script is read
      w = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { memory: this.rt.memory, module: this.rt.module, slot, names: this.names } });
      w.unref();
      w.on('error', (e) => {
        lastWorkerError = e instanceof Error ? e.message : String(e);
        this.workers[slot] = null;
      });
      this.workers[slot] = w;
    }
    return w !== null && Atomics.load(this.control(slot), READY) === 1;
  }

  /**
   * Runs jobs[0] on this thread and jobs[1..] on workers (or here, for a
   * worker that is not up yet), and returns when all are done.
   */
  run(jobs: readonly KernelJob[], runHere: (job: KernelJob) => void): void {
    const posted: number[] = [];
    for (let t = 1; t < jobs.length; t++) {
      if (!this.ready(t)) continue;
      const job = jobs[t];
      if (job.args.length > MAX_ARGS) throw new Error(`kernel job ${job.fn} has too many arguments`);
      const ctl = this.control(t);
      const args = new Float64Array(this.rt.memory.buffer, t * SLOT_BYTES + ARGS_OFFSET, MAX_ARGS);
      for (let i = 0; i < job.args.length; i++) args[i] = job.args[i];
      ctl[FUNCTION] = this.names.indexOf(job.fn);
      ctl[ARG_COUNT] = job.args.length;
      Atomics.store(ctl, STATE, 1);
      Atomics.notify(ctl, STATE);
      posted.push(t);
      workerJobs++;
    }
    runHere(jobs[0]);
    for (let t = 1; t < jobs.length; t++) if (!posted.includes(t)) runHere(jobs[t]);
    let failed = false;
    for (const t of posted) {
      const ctl = this.control(t);
      while (Atomics.load(ctl, STATE) === 1) Atomics.wait(ctl, STATE, 1);
      failed ||= ctl[FAILED] !== 0;
      Atomics.store(ctl, STATE, 0);
    }
    if (failed) throw new NatgradError('linalg', 'a worker thread failed inside a WebAssembly kernel');
  }

  /** Spawns workers 1..count-1 and resolves when all have instantiated the module (or failed). */
  async start(count: number): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      let pending = false;
      for (let t = 1; t < count; t++) if (!this.ready(t) && this.workers[t] !== null) pending = true;
      if (!pending || Date.now() > deadline) return;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  shutdown(): Promise<unknown> {
    const ends: Promise<number>[] = [];
    this.workers.forEach((w, slot) => {
      if (!w) return;
      const ctl = this.control(slot);
      Atomics.store(ctl, STATE, 3);
      Atomics.notify(ctl, STATE);
      ends.push(w.terminate());
    });
    this.workers.length = 0;
    return Promise.all(ends);
  }
}

const pools = new Map<KernelRuntime, Pool>();

function poolOf(rt: KernelRuntime): Pool {
  let pool = pools.get(rt);
  if (!pool) {
    pool = new Pool(rt);
    pools.set(rt, pool);
  }
  return pool;
}

/** Starts the workers for linalgThreads() threads on `rt` and waits until they run (benchmarks and tests call it; kernels do not need to). */
export async function startLinalgPool(rt: KernelRuntime): Promise<void> {
  if (rt.shared && linalgThreads() > 1) await poolOf(rt).start(linalgThreads());
}

/** Runs one job per thread (jobs.length <= linalgThreads()) on the pool of `rt`, the first on this thread. */
export function runKernelJobs(rt: KernelRuntime, jobs: readonly KernelJob[]): void {
  const here = (job: KernelJob) => (rt.exports as unknown as Record<string, (...a: number[]) => void>)[job.fn](...job.args);
  if (jobs.length === 1 || !rt.shared) {
    for (const j of jobs) here(j);
    return;
  }
  poolOf(rt).run(jobs, here);
}

/** Ends every worker thread (they are unref'd, so this is only needed to free them early). */
export async function shutdownLinalgPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.shutdown()));
}
