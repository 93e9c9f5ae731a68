/**
 * Worker threads that run one of natgrad's own modules, compiled or not: the
 * same code the main thread runs, never a second copy in a source string.
 * A worker does not inherit a TypeScript loader, so when natgrad runs from
 * source (tests, tsx) the worker registers tsx before importing its entry.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsx) { const api = await import(workerData.tsx); (api.register ?? api.default.register)(); }
  await import(workerData.entry);
})();
`;

// The ESM build of tsx's API: its CommonJS build cannot register hooks from a worker.
function tsxEsmApi(): string {
  if (typeof import.meta.resolve === 'function') return import.meta.resolve('tsx/esm/api');
  return pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
}

/**
 * A worker running the module `name` (without extension) next to the module
 * whose URL is `base` (its import.meta.url): `name.ts` from source, `name.js`
 * from dist/. `data` reaches the worker as workerData (with `entry` and `tsx` added).
 */
export function startModuleWorker(base: string, name: string, data: Record<string, unknown> = {}): Worker {
  const fromSource = base.endsWith('.ts');
  const entry = new URL(`./${name}${fromSource ? '.ts' : '.js'}`, base).href;
  return new Worker(BOOTSTRAP, { eval: true, workerData: { ...data, entry, tsx: fromSource ? tsxEsmApi() : undefined } });
}
