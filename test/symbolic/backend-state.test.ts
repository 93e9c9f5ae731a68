import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { compileFunction } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { describe, expect, test } from 'vitest';
import { ALGEBRITE_STACK_COPIES, algebriteRun, patchAlgebriteSource, restartBackend, threadCpuMillis, waitForValue } from '../../src/symbolic/backend.js';
import { simplify } from '../../src/symbolic/calculus.js';

describe('backend state between calls', () => {
  test('a binding left by an earlier command cannot leak into an answer: the backend is restarted', () => {
    restartBackend();
    // x + y goes to the backend as vv0 + vv1; bind vv1 behind the facade's back
    // (an assignment prints nothing, which the facade reports as a failure; the binding is made all the same)
    expect(() => algebriteRun('vv1 = vv7')).toThrow(/computer algebra failed/);
    expect(algebriteRun('vv0 + vv1')).toMatch(/vv7/);
    const out = simplify('x + y');
    expect(out.replace(/\s/g, '')).toMatch(/^(x\+y|y\+x)$/);
    // the restart cleared the binding
    expect(algebriteRun('vv0 + vv1')).not.toMatch(/vv7/);
  });
});

describe('waiting for the backend answer', () => {
  // A worker that wakes the waiter with an earlier answer's number before storing the awaited one.
  const notifier = (signal: SharedArrayBuffer, steps: [number, number][]) =>
    new Worker(
      `const { workerData } = require('node:worker_threads');
       const s = new Int32Array(workerData.signal);
       const pause = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
       for (const [ms, value] of workerData.steps) { pause(ms); Atomics.store(s, 0, value); Atomics.notify(s, 0); }`,
      { eval: true, workerData: { signal, steps } },
    );

  test('a wake-up for an earlier answer is not taken for the awaited one', async () => {
    const buf = new SharedArrayBuffer(4);
    const signal = new Int32Array(buf);
    const w = notifier(buf, [
      [50, 4],
      [150, 5],
    ]);
    const started = Date.now();
    expect(waitForValue(signal, 5, 5000)).toBe(true);
    expect(Atomics.load(signal, 0)).toBe(5);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    await w.terminate();
  });

  test('an answer that never comes times out', async () => {
    const buf = new SharedArrayBuffer(4);
    const w = notifier(buf, [[20, 4]]);
    const started = Date.now();
    expect(waitForValue(new Int32Array(buf), 5, 300)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    await w.terminate();
  });

  test('a limit on a clock other than wall time: a sleeping worker is not cut short by the wall clock, only by the clock given', async () => {
    const buf = new SharedArrayBuffer(4);
    const w = notifier(buf, [[200, 5]]);
    // a clock that never advances: the wait ends only on the answer
    expect(waitForValue(new Int32Array(buf), 5, 50, () => 0, 10)).toBe(true);
    await w.terminate();
    const late = notifier(buf, [[2000, 6]]);
    let ticks = 0;
    const started = Date.now();
    // a clock that advances 10 per look: the limit of 50 is spent after a few looks, long before the answer
    expect(waitForValue(new Int32Array(buf), 6, 50, () => 10 * ticks++, 10)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
    await late.terminate();
  });
});

describe("the backend thread's processor time", () => {
  const linux = process.platform === 'linux';
  test.runIf(linux)('is read from /proc for a thread of this process, and advances with its work, not while it sleeps', async () => {
    const tidBuf = new SharedArrayBuffer(12);
    const w = new Worker(
      `const { workerData } = require('node:worker_threads');
       const t = new Int32Array(workerData.t);
       t[0] = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
       Atomics.notify(t, 0);
       Atomics.wait(t, 1, 0); // sleep until told to spin
       let x = 0; for (let i = 0; i < 2e7; i++) x += Math.sqrt(x + i); t[2] = x > 0 ? 1 : 0;
       Atomics.store(t, 1, 2); Atomics.notify(t, 1);
       Atomics.wait(t, 1, 2);`,
      { eval: true, workerData: { t: tidBuf } },
    );
    const t = new Int32Array(tidBuf);
    Atomics.wait(t, 0, 0, 5000);
    const tid = t[0];
    expect(tid).toBeGreaterThan(0);
    const idle0 = threadCpuMillis(tid)!;
    await new Promise((r) => setTimeout(r, 300));
    const idle = threadCpuMillis(tid)! - idle0;
    expect(idle).toBeLessThan(100);
    Atomics.store(t, 1, 1);
    Atomics.notify(t, 1);
    Atomics.wait(t, 1, 1, 20_000);
    const busy = threadCpuMillis(tid)! - idle0;
    // 2e7 square roots are some hundreds of milliseconds of processor time, however long the thread waited for a core
    expect(busy).toBeGreaterThan(idle + 50);
    await w.terminate();
  });

  test('is null for a thread that does not exist', () => {
    expect(threadCpuMillis(2 ** 30)).toBeNull();
  });
});

describe('algebrite loaded without its whole-stack copies', () => {
  const path = createRequire(import.meta.url).resolve('algebrite');
  const source = readFileSync(path, 'utf8');

  test('the installed algebrite is the one whose copies are replaced, all of them', () => {
    const patched = patchAlgebriteSource(source);
    expect(patched).not.toBeNull();
    expect(patched!).not.toContain('stack.slice(0, h).concat');
    expect(source.split('stack.slice(0, h).concat').length - 1).toBe(ALGEBRITE_STACK_COPIES);
  });

  test('a source with another number of copies is left alone (loaded unchanged)', () => {
    expect(patchAlgebriteSource('var x = 1;')).toBeNull();
  });

  test('the patched algebrite answers exactly as the original on sums, factoring, divisors and roots', () => {
    const load = (text: string) => {
      const module = { exports: {} as { run(c: string): string; clearall?: unknown } };
      const body = compileFunction(text, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: path });
      body.call(module.exports, module.exports, createRequire(path), module, path, dirname(path));
      return module.exports;
    };
    const original = load(source);
    const patched = load(patchAlgebriteSource(source)!);
    const commands = [
      'd(d(log(a*b+c^2)*exp(x)+x^3*a-b/x,x),a)',
      'simplify(2/(a*c-b^2)+4*b^2/(a*c-b^2)^2)',
      'factor(x^4-5*x^2+4)',
      'divisors(360)',
      'roots(x^3-6*x^2+11*x-6)',
      'expand((a+b+c)^4)',
    ];
    for (const c of commands) expect(patched.run(c)).toBe(original.run(c));
  });
});
