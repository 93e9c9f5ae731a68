/**
 * The one place that talks to the computer-algebra library (algebrite: it did
 * calculus, simplification and symbolic matrices most reliably in the
 * measurements of SYMBOLIC.md).
 *
 * algebrite is synchronous and some simplifications run for minutes on short
 * inputs (measured: 24 s for a 300-character sum of logs under exp), so it
 * runs in a worker thread that the caller waits on synchronously with a limit
 * on the thread's processor time; a call past its limit kills the worker and
 * throws BackendTimeout,
 * and callers fall back (keep the unsimplified form; let the numeric identity
 * test decide). Variables are renamed by the caller, since algebrite reserves
 * e, i, d, last and Gamma and keeps state between calls.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export class BackendError extends Error {
  constructor(
    readonly command: string,
    readonly output: string,
  ) {
    super(`computer algebra failed on '${command.slice(0, 200)}': ${output.slice(0, 200)}`);
    this.name = 'BackendError';
  }
}

export class BackendTimeout extends BackendError {
  constructor(
    command: string,
    readonly millis: number,
  ) {
    super(command, `no answer within ${millis} ms`);
    this.name = 'BackendTimeout';
  }
}

const RESULT_BYTES = 2 * 1024 * 1024;
/** The value the worker stores in the signal once algebrite is loaded; answers store their command's sequence number (>= 1). */
const READY = -1;

/** How much of a time limit has been spent, in milliseconds. */
export type SpentClock = () => number;

/** Wall time since now. */
export function wallClock(): SpentClock {
  const start = Date.now();
  return () => Date.now() - start;
}

/**
 * Waits until `signal[0] === expected` or `spent()` reaches `limitMs`; true when it arrived.
 * A wake-up is only a hint to look again: a notify for an earlier answer can
 * arrive after the next command was sent (the worker may be preempted between
 * storing and notifying), and returning on it would read the earlier answer
 * as the new one and shift every later answer by one. `pollMs` bounds each
 * sleep, for clocks that do not advance with wall time.
 */
export function waitForValue(
  signal: Int32Array,
  expected: number,
  limitMs: number,
  spent: SpentClock = wallClock(),
  pollMs = Number.POSITIVE_INFINITY,
): boolean {
  for (;;) {
    const current = Atomics.load(signal, 0);
    if (current === expected) return true;
    const remaining = limitMs - spent();
    if (remaining <= 0) return false;
    Atomics.wait(signal, 0, current, Math.min(remaining, pollMs));
  }
}

/** Linux's clock ticks per second for /proc times (USER_HZ, 100 on every architecture Node supports). */
const TICKS_PER_SECOND = 100;

/** The processor time a thread of this process has used, in milliseconds, from /proc; null where that cannot be read. */
export function threadCpuMillis(tid: number): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // the fields after the command name (which may hold spaces and parentheses): state is field 3, utime 14, stime 15
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/**
 * A call's limit counts the backend thread's own processor time, so that on a
 * loaded machine a simplification is not cut short (and a page printed with a
 * different form of the same formula) because the thread waited for a core.
 * Wall time still ends a call at this multiple of the limit.
 */
const WALL_LIMIT_FACTOR = 30;
/** How often the caller reads the backend thread's clock while it waits. */
const CPU_POLL_MS = 25;

function backendClock(tid: number): SpentClock {
  const cpu0 = tid > 0 ? threadCpuMillis(tid) : null;
  const wall = wallClock();
  if (cpu0 === null) return wall;
  return () => Math.max((threadCpuMillis(tid) ?? Number.POSITIVE_INFINITY) - cpu0, wall() / WALL_LIMIT_FACTOR);
}

// CommonJS source of the worker: it loads algebrite by absolute path so that
// it works from any working directory.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createRequire } = require('node:module');
const vm = require('node:vm');
function load() {
  if (workerData.algebriteSource === null) return require(workerData.algebritePath);
  const module = { exports: {} };
  const body = vm.compileFunction(workerData.algebriteSource, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: workerData.algebritePath });
  body.call(module.exports, module.exports, createRequire(workerData.algebritePath), module, workerData.algebritePath, require('node:path').dirname(workerData.algebritePath));
  return module.exports;
}
const Algebrite = load();
const signal = new Int32Array(workerData.signal);
const length = new Int32Array(workerData.length);
const bytes = new Uint8Array(workerData.bytes);
// the thread's id, so that the caller can read this thread's processor time from /proc (0 where there is none)
try { new Int32Array(workerData.tid)[0] = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop()) || 0; } catch {}
const encoder = new TextEncoder();
let calls = 0;
parentPort.on('message', ({ seq, command }) => {
  let out;
  try {
    if (++calls > 200) { Algebrite.run('clearall'); calls = 0; }
    out = String(Algebrite.run(command));
  } catch (e) {
    out = 'Stop: ' + (e && e.message ? e.message : String(e));
  }
  const encoded = encoder.encode(out);
  if (encoded.length > bytes.length) { length[0] = -1; } else { bytes.set(encoded); length[0] = encoded.length; }
  Atomics.store(signal, 0, seq);
  Atomics.notify(signal, 0);
});
Atomics.store(signal, 0, ${READY});
Atomics.notify(signal, 0);
`;

/**
 * algebrite 1.4 sorts a run of its evaluation stack by copying the whole
 * stack (`stack = stack.slice(0, h).concat(sorted).concat(stack.slice(h + n))`)
 * on every sum, product and sort. Its stack array only grows, so each sum of
 * a long computation copies a large array: measured on the d = 2
 * multivariate-normal derivation, 547,000 minor page faults and 2.0 s of
 * system time (a third of the run) from the allocator mapping and unmapping
 * those copies. Writing the sorted run back in place gives the same stack.
 */
const STACK_COPY = 'stack = stack.slice(0, h).concat(subsetOfStack).concat(stack.slice(h + n))';
const STACK_IN_PLACE = 'stack = sortedIntoStack(stack, h, subsetOfStack)';
const STACK_HELPER = 'function sortedIntoStack(stack, h, sorted) { for (let k = 0; k < sorted.length; k++) stack[h + k] = sorted[k]; return stack; }\n';
/** Where algebrite 1.4.0 copies its stack (add_terms, the divisors list, sort_stack). */
export const ALGEBRITE_STACK_COPIES = 3;

/** algebrite's source with its whole-stack copies replaced by in-place writes; null when the source is not the one measured (then it is loaded unchanged). */
export function patchAlgebriteSource(source: string): string | null {
  const parts = source.split(STACK_COPY);
  if (parts.length !== ALGEBRITE_STACK_COPIES + 1) return null;
  return STACK_HELPER + parts.join(STACK_IN_PLACE);
}

let algebrite: { path: string; source: string | null } | null = null;

function patchedAlgebrite(): { path: string; source: string | null } {
  if (!algebrite) {
    const path = createRequire(import.meta.url).resolve('algebrite');
    algebrite = { path, source: patchAlgebriteSource(readFileSync(path, 'utf8')) };
  }
  return algebrite;
}

interface Session {
  worker: Worker;
  /** sequence number of the last command sent */
  seq: number;
  signal: Int32Array;
  length: Int32Array;
  bytes: Uint8Array;
  /** the worker thread's id in /proc/self/task, 0 when unknown */
  tid: number;
}

let session: Session | null = null;
const decoder = new TextDecoder();

function startSession(): Session {
  const signalBuf = new SharedArrayBuffer(4);
  const lengthBuf = new SharedArrayBuffer(4);
  const bytesBuf = new SharedArrayBuffer(RESULT_BYTES);
  const tidBuf = new SharedArrayBuffer(4);
  const { path: algebritePath, source: algebriteSource } = patchedAlgebrite();
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { algebritePath, algebriteSource, signal: signalBuf, length: lengthBuf, bytes: bytesBuf, tid: tidBuf },
  });
  worker.unref();
  const s: Session = { worker, seq: 0, signal: new Int32Array(signalBuf), length: new Int32Array(lengthBuf), bytes: new Uint8Array(bytesBuf), tid: 0 };
  // Loading algebrite takes a few hundred milliseconds; that is not the command's time.
  if (!waitForValue(s.signal, READY, 60_000)) {
    void worker.terminate();
    throw new BackendError('start', 'the computer-algebra worker did not start within 60 s');
  }
  s.tid = new Int32Array(tidBuf)[0];
  return s;
}

/** Ends the backend worker; the next call starts a fresh one, with none of the old state. */
export function restartBackend(): void {
  if (session) void session.worker.terminate();
  session = null;
}

/** Default limit of one backend call: milliseconds of the backend thread's processor time (wall time where /proc is missing). */
export const DEFAULT_TIMEOUT_MS = 2000;

/** millis: wall time waited; cpuMillis: processor time meanwhile (the caller blocks, so this is the backend's own work, load aside) */
export interface BackendStats {
  calls: number;
  timeouts: number;
  millis: number;
  cpuMillis: number;
}
export const backendStats: BackendStats = { calls: 0, timeouts: 0, millis: 0, cpuMillis: 0 };

/** Runs one algebrite command; failures ("Stop: ...") throw BackendError, a call past `timeoutMs` throws BackendTimeout. */
export function algebriteRun(command: string, timeoutMs = DEFAULT_TIMEOUT_MS): string {
  session ??= startSession();
  const s = session;
  const seq = ++s.seq;
  const started = Date.now();
  const cpu0 = process.cpuUsage();
  s.worker.postMessage({ seq, command });
  const answered = waitForValue(s.signal, seq, timeoutMs, backendClock(s.tid), CPU_POLL_MS);
  const millis = Date.now() - started;
  const cpu = process.cpuUsage(cpu0);
  const cpuMillis = Math.round((cpu.user + cpu.system) / 1000);
  backendStats.calls++;
  backendStats.millis += millis;
  backendStats.cpuMillis += cpuMillis;
  if (!answered) {
    restartBackend();
    backendStats.timeouts++;
    if (process.env.NATGRAD_TRACE_CAS) process.stderr.write(`[cas TIMEOUT ${timeoutMs} ms] ${command.slice(0, 300)}\n`);
    throw new BackendTimeout(command, timeoutMs);
  }
  if (process.env.NATGRAD_TRACE_CAS && millis > 300) process.stderr.write(`[cas ${millis} ms, cpu ${cpuMillis} ms] ${command.slice(0, 300)}\n`);
  const n = s.length[0];
  if (n < 0) throw new BackendError(command, `the result is longer than ${RESULT_BYTES} bytes`);
  const out = decoder.decode(s.bytes.slice(0, n));
  if (out.includes('Stop:') || out.includes('nil') || out === '') throw new BackendError(command, out);
  return out;
}
