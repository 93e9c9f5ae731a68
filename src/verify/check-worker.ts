/**
 * One worker of a parallel verify run: loads the registry once, then runs the
 * checks the main thread sends it, one id at a time, and posts each result.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Check } from './types.js';
import { runCheck } from './runner.js';
import type { WorkerSettings } from './parallel-runner.js';

const settings = workerData as WorkerSettings;
const registry = (await import(settings.registry)) as { allChecks(): Check[] };
const byId = new Map(registry.allChecks().map((c) => [c.id, c]));

parentPort!.on('message', (id: string) => {
  const check = byId.get(id);
  if (!check) throw new Error(`the worker's registry has no check ${id}`);
  parentPort!.postMessage(runCheck(check, settings));
});
parentPort!.postMessage('ready');
