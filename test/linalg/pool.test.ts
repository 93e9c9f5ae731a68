import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { linalgThreads, setLinalgThreads } from '../../src/linalg/parallel/pool.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('linalg worker pool', () => {
  test('the thread count is validated: an integer from 1 to 8', () => {
    const before = linalgThreads();
    expect(() => setLinalgThreads(0)).toThrow(NatgradError);
    expect(() => setLinalgThreads(1.5)).toThrow(/threads/);
    expect(() => setLinalgThreads(9)).toThrow(/threads/);
    expect(linalgThreads()).toBe(before);
  });

  test('a process that used the pool exits by itself, without a shutdown call (the workers are unref\'d)', () => {
    const script = `
      import { gemm } from './src/linalg/kernels/gemm.js';
      import { setLinalgThreads, startLinalgPool, linalgWorkerJobCount } from './src/linalg/parallel/pool.js';
      import { gemmRuntime } from './src/linalg/kernels/gemm.js';
      setLinalgThreads(2);
      await startLinalgPool(gemmRuntime());
      const n = 300, A = new Float64Array(n * n).fill(1), C = new Float64Array(n * n);
      gemm(false, false, n, n, n, 1, A, 0, n, A, 0, n, 0, C, 0, n);
      console.log(JSON.stringify({ c: C[0], jobs: linalgWorkerJobCount() }));
    `;
    // generous limit: a hang would run until the timeout, a normal exit takes about a second
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out.c).toBe(300);
    expect(out.jobs).toBeGreaterThan(0);
  });
});
