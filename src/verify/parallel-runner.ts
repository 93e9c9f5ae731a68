/**
 * Runs checks on several worker threads. Checks are independent (each derives
 * its seed from the run's seed and its own id), so the results are the same
 * as a sequential run's, whatever the scheduling; only the times differ.
 * Workers take the next check when they finish one, longest expected first
 * (schedule.ts), which balances the very uneven check times (from
 * milliseconds to half a minute) better than a fixed partition.
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../core/module-worker.js';
import type { Check } from './types.js';
import { checkSeed, matchesFilter, runChecks, type CheckResult, type RunOptions } from './runner.js';
import { longestFirst } from './schedule.js';

export interface WorkerSettings {
  seed: number;
  runs: number;
  thorough: boolean;
  /** URL of a module exporting allChecks() */
  registry: string;
}

export interface ParallelRunOptions extends RunOptions {
  /** worker threads; 1 runs in this thread */
  jobs: number;
  /** URL of the module whose allChecks() the workers load (the CLI's check registry) */
  registry: string;
  /** previous times by check id (ms), for longest-first dispatch; checks without one get a static estimate */
  times?: ReadonlyMap<string, number>;
}

function startWorker(settings: WorkerSettings): Worker {
  return startModuleWorker(import.meta.url, 'check-worker', { ...settings });
}

function crashResult(check: Check, seed: number, reason: string, millis: number): CheckResult {
  return {
    id: check.id,
    theorem: check.theorem,
    reference: check.reference,
    kind: check.kind,
    status: 'ERROR',
    runs: 0,
    method: '',
    detail: `its worker stopped: ${reason}`,
    sensitivity: 'none',
    seed,
    millis,
  };
}

/** Runs the selected checks on `jobs` worker threads; results come back in the checks' order. */
export async function runChecksParallel(checks: readonly Check[], opts: ParallelRunOptions): Promise<CheckResult[]> {
  const selected = checks.filter((c) => matchesFilter(c.id, opts.filter));
  const jobs = Math.min(opts.jobs, selected.length);
  if (jobs <= 1) return runChecks(selected, opts);
  const settings: WorkerSettings = {
    seed: opts.seed,
    runs: opts.runs,
    thorough: opts.thorough,
    registry: opts.registry,
  };
  const results = new Map<string, CheckResult>();
  const position = new Map(selected.map((c, i) => [c.id, i]));
  const queue = longestFirst(selected, opts.times);
  let next = 0;
  let done = 0;
  const workers = new Set<Worker>();

  return new Promise<CheckResult[]>((resolve, reject) => {
    const finish = () => {
      for (const w of workers) void w.terminate();
      resolve(selected.map((c) => results.get(c.id)!));
    };
    const record = (r: CheckResult) => {
      results.set(r.id, r);
      const index = done++;
      opts.onResult?.(r, index, selected.length);
      if (done === selected.length) finish();
    };
    const launch = () => {
      const worker = startWorker(settings);
      workers.add(worker);
      let current: { check: Check; started: number } | null = null;
      let ready = false;
      const feed = () => {
        if (next >= selected.length) {
          current = null;
          workers.delete(worker);
          void worker.terminate();
          return;
        }
        const check = queue[next++];
        current = { check, started: performance.now() };
        opts.onStart?.(check, position.get(check.id)!, selected.length);
        worker.postMessage(check.id);
      };
      worker.on('message', (m: CheckResult | 'ready') => {
        if (m === 'ready') ready = true;
        else {
          current = null;
          record(m);
        }
        if (done < selected.length) feed();
      });
      // A crash (out of memory, an exception outside runCheck) costs only the
      // check it was running: that check is reported as an ERROR and a fresh
      // worker takes over the rest.
      const lost = (reason: string) => {
        if (!workers.delete(worker)) return;
        // A worker that cannot even load the registry would fail again if replaced.
        if (!ready) {
          for (const w of workers) void w.terminate();
          workers.clear();
          reject(new Error(`a verify worker failed to start: ${reason}`));
          return;
        }
        if (current) {
          const { check, started } = current;
          current = null;
          record(crashResult(check, checkSeed(opts.seed, check.id), reason, performance.now() - started));
        }
        if (done < selected.length && next < selected.length) {
          try {
            launch();
          } catch (e) {
            reject(e);
          }
        }
      };
      worker.on('error', (e) => lost(e.message));
      worker.on('exit', (code) => lost(`exit code ${code}`));
    };
    for (let i = 0; i < jobs; i++) launch();
  });
}
