/**
 * Worker threads for the WebAssembly kernels. Each worker instantiates the
 * kernel module on the same shared memory and waits on its control block;
 * no data is copied between threads: every operand already lives in the
 * shared memory.
 *
 * Work is handed out as panels claimed from a shared counter (Atomics.add):
 * the calling thread posts the job, then claims and runs panels itself until
 * none is left. A worker that wakes late, or shares its core with another
 * process, simply claims fewer panels, so a split product never waits for a
 * descheduled thread, and a worker that has not picked the job up when the
 * caller runs out of panels is retracted (compare-exchange on its state)
 * instead of being waited for. That is what keeps two threads from ever
 * being much slower than one on a loaded machine.
 *
 * Waking a sleeping thread (Atomics.notify, a futex) costs tens of
 * microseconds, and on a loaded machine the woken thread may then wait for a
 * core, so a worker spins for a short while after each job before sleeping
 * (kernel calls come in bursts), a caller about to copy the operands of a
 * product it will split wakes the workers first (wakeKernelWorkers), and the
 * caller spins before it sleeps on a worker that is finishing its last panel.
 *
 * The pool is created lazily, once per kernel runtime, at the first call that
 * is worth splitting; until a worker has instantiated its module the caller
 * simply claims that worker's panels too, so nothing ever waits for a spawn.
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

/** Bytes of one control block (16 int32 words). */
const SLOT_BYTES = CONTROL_BYTES / MAX_THREADS;

// control words of a worker's block
const STATE = 0; // IDLE, POSTED, RUNNING, DONE, SHUTDOWN
const READY = 1;
const FUNCTION = 2;
const ARG_COUNT = 3; // arguments per panel
const FAILED = 4;
const PANELS = 5;
const TABLE = 6; // byte address of the panels' arguments (PANELS x ARG_COUNT float64)
/** In thread 0's block (the caller never runs as a worker): the next unclaimed panel. */
const CLAIM = 8;

const IDLE = 0;
const POSTED = 1;
const DONE = 2;
const SHUTDOWN = 3;
const RUNNING = 4;

/** How long a thread spins on a control word before it sleeps (ms): a few wake-up latencies. */
const SPIN_MS = 0.2;
/**
 * How long a worker woken without a job spins for the job that is coming
 * (ms): longer than the caller's copying of the operands of a large product.
 */
const WAKE_SPIN_MS = 1;

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { memory, module, slot, names, scratch } = workerData;
const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ctl = new Int32Array(memory.buffer, slot * ${SLOT_BYTES}, 16);
const claim = new Int32Array(memory.buffer, 0, 16);
let heap = new Float64Array(memory.buffer);
Atomics.store(ctl, ${READY}, 1);
for (;;) {
  let s = Atomics.load(ctl, ${STATE});
  if (s !== ${POSTED} && s !== ${SHUTDOWN}) {
    let until = performance.now() + ${SPIN_MS};
    for (let i = 1; s !== ${POSTED} && s !== ${SHUTDOWN}; i++) {
      if ((i & 255) === 0 && performance.now() > until) {
        Atomics.wait(ctl, ${STATE}, s);
        // woken by a job, by wakeKernelWorkers (a job is coming) or spuriously: spin again before sleeping
        until = performance.now() + ${WAKE_SPIN_MS};
      }
      s = Atomics.load(ctl, ${STATE});
    }
  }
  if (s === ${SHUTDOWN}) break;
  // the caller may have retracted the job meanwhile
  if (Atomics.compareExchange(ctl, ${STATE}, ${POSTED}, ${RUNNING}) !== ${POSTED}) continue;
  try {
    if (heap.length * 8 !== memory.buffer.byteLength) heap = new Float64Array(memory.buffer);
    const f = exports[names[ctl[${FUNCTION}]]];
    const count = ctl[${ARG_COUNT}];
    const panels = ctl[${PANELS}];
    const table = ctl[${TABLE}] / 8;
    const a = new Array(count + 1);
    a[count] = scratch;
    for (let p = Atomics.add(claim, ${CLAIM}, 1); p < panels; p = Atomics.add(claim, ${CLAIM}, 1)) {
      for (let i = 0; i < count; i++) a[i] = heap[table + p * count + i];
      f(...a);
    }
    ctl[${FAILED}] = 0;
  } catch (e) {
    ctl[${FAILED}] = 1;
  }
  Atomics.store(ctl, ${STATE}, ${DONE});
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

/** Panels run by worker threads since the process started (a test's evidence that the workers did work). */
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
    this.names = WebAssembly.Module.exports(rt.module)
      .filter((e) => e.kind === 'function')
      .map((e) => e.name);
  }

  private control(slot: number): Int32Array {
    return new Int32Array(this.rt.memory.buffer, slot * SLOT_BYTES, 16);
  }

  /** Worker `slot` (1-based), spawned on first request; null while it is still starting. */
  private ready(slot: number): boolean {
    let w = this.workers[slot];
    if (w === undefined) {
      const ctl = this.control(slot);
      Atomics.store(ctl, STATE, IDLE);
      Atomics.store(ctl, READY, 0);
      // execArgv: [] so that a parent's --input-type=module or loader hooks do not change how the script is read
      w = new Worker(WORKER_SOURCE, {
        eval: true,
        execArgv: [],
        workerData: { memory: this.rt.memory, module: this.rt.module, slot, names: this.names, scratch: this.rt.scratch(slot) },
      });
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
   * Runs `fn` once per panel (panels[p] its arguments) on this thread and on
   * up to threads - 1 workers, each claiming the next panel until none is
   * left; returns when every panel is done.
   */
  run(fn: string, panels: readonly (readonly number[])[], threads: number, runHere: (args: readonly number[]) => void): void {
    const count = panels[0].length;
    const rt = this.rt;
    const mark = rt.mark();
    const table = rt.alloc(panels.length * count);
    const H = rt.heap();
    for (let p = 0; p < panels.length; p++) {
      if (panels[p].length !== count) throw new Error(`kernel panels of ${fn} differ in their argument counts`);
      H.set(panels[p], table / 8 + p * count);
    }
    const claim = this.control(0);
    Atomics.store(claim, CLAIM, 0);
    const posted: number[] = [];
    const f = this.names.indexOf(fn);
    for (let t = 1; t < threads; t++) {
      if (!this.ready(t)) continue;
      const ctl = this.control(t);
      ctl[FUNCTION] = f;
      ctl[ARG_COUNT] = count;
      ctl[PANELS] = panels.length;
      ctl[TABLE] = table;
      Atomics.store(ctl, STATE, POSTED);
      Atomics.notify(ctl, STATE);
      posted.push(t);
    }
    let mine = 0;
    let failed = false;
    try {
      for (let p = Atomics.add(claim, CLAIM, 1); p < panels.length; p = Atomics.add(claim, CLAIM, 1)) {
        runHere(panels[p]);
        mine++;
      }
    } finally {
      // every panel is claimed (or this thread failed: let no worker claim more); settle each posted worker before the table is freed
      Atomics.store(claim, CLAIM, panels.length);
      for (const t of posted) failed = this.settle(t) || failed;
      rt.release(mark);
      workerJobs += panels.length - mine;
    }
    if (failed) throw new NatgradError('linalg', 'a worker thread failed inside a WebAssembly kernel');
  }

  /** Wakes the sleeping workers 1..threads-1 that have started, without a job: they spin for the one that is coming. */
  wake(threads: number): void {
    for (let t = 1; t < threads; t++) if (this.workers[t]) Atomics.notify(this.control(t), STATE);
  }

  /** Waits for worker t to finish its job, or retracts the job if it never started; true when the worker failed. */
  private settle(t: number): boolean {
    const ctl = this.control(t);
    if (Atomics.compareExchange(ctl, STATE, POSTED, IDLE) === POSTED) return false;
    const until = performance.now() + SPIN_MS;
    for (let i = 1; Atomics.load(ctl, STATE) === RUNNING; i++) {
      if ((i & 255) === 0 && performance.now() > until) Atomics.wait(ctl, STATE, RUNNING);
    }
    const failed = ctl[FAILED] !== 0;
    Atomics.store(ctl, STATE, IDLE);
    return failed;
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
      Atomics.store(ctl, STATE, SHUTDOWN);
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

/**
 * Runs the exported kernel `fn` once per panel (panels[p] its arguments,
 * all of the same length, then the running thread's scratch address
 * rt.scratch(t), which the pool appends) on up to linalgThreads() threads of
 * the pool of `rt`, the calling thread included. The panels must be independent (they
 * may run in any order, on any thread). Returns when all are done.
 */
export function runKernelPanels(rt: KernelRuntime, fn: string, panels: readonly (readonly number[])[]): void {
  const scratch = rt.scratch(0);
  const here = (args: readonly number[]) => (rt.exports as unknown as Record<string, (...a: number[]) => void>)[fn](...args, scratch);
  const T = Math.min(threads, panels.length);
  if (T <= 1 || !rt.shared) {
    for (const p of panels) here(p);
    return;
  }
  poolOf(rt).run(fn, panels, T, here);
}

/**
 * Tells the pool of `rt` that a split call is coming (the caller is about to
 * copy its operands in): a sleeping worker wakes now, while the caller
 * copies, instead of when the job is posted, so its wake-up latency (tens of
 * microseconds, more on a loaded machine) is not added to the product's.
 */
export function wakeKernelWorkers(rt: KernelRuntime): void {
  if (threads > 1) pools.get(rt)?.wake(threads);
}

/** Ends every worker thread (they are unref'd, so this is only needed to free them early). */
export async function shutdownLinalgPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.shutdown()));
}
