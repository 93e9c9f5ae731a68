import { expect, test } from 'vitest';
import type { KernelRuntime } from '../../src/linalg/kernels/wasm/runtime.js';
import { linalgWorkerError, runKernelPanels, setLinalgThreads, shutdownLinalgPools, startLinalgPool } from '../../src/linalg/parallel/pool.js';

/**
 * A module that imports a function `env.missing`: the pool's workers instantiate it with `{ env: { memory } }`
 * only, so each worker fails while it starts (a LinkError), outside any kernel.
 */
const UNLINKABLE = Buffer.from(
  [
    '0061736d01000000', // magic, version 1
    '010401600000', // type section: one type, () -> ()
    '020f0103656e76076d697373696e670000', // import section: env.missing, a function of type 0
  ].join(''),
  'hex',
);

/** A runtime of that module on its own shared memory (its control blocks are no other pool's); `ran` counts the panels run on this thread. */
function unlinkableRuntime(): { rt: KernelRuntime; ran: number[] } {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const ran: number[] = [];
  const rt = {
    memory,
    module: new WebAssembly.Module(UNLINKABLE),
    shared: true,
    exports: { panel: (p: number) => ran.push(p) },
    scratch: () => 0,
    heap: () => new Float64Array(memory.buffer),
    mark: () => 4096,
    release: () => {},
    alloc: () => 4096,
  } as unknown as KernelRuntime;
  return { rt, ran };
}

test('a worker that fails to start is reported, and its share of the panels runs on the calling thread', { timeout: 30_000 }, async () => {
  const { rt, ran } = unlinkableRuntime();
  const threads = setLinalgThreads(2);
  try {
    // resolves once the worker has failed (its 'error' event); a failure never reported would hold it to its
    // 30 s deadline, the test's timeout
    await startLinalgPool(rt);
    expect(linalgWorkerError()).toMatch(/missing/);
    runKernelPanels(rt, 'panel', [[0], [1], [2], [3]]);
    expect(ran).toEqual([0, 1, 2, 3]);
    // the failed worker's slot is empty: shutting the pool down skips it
    await expect(shutdownLinalgPools()).resolves.toBeUndefined();
  } finally {
    setLinalgThreads(threads);
  }
});
