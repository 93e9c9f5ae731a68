import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { compileFunction } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { describe, expect, test } from 'vitest';
import { ALGEBRITE_STACK_COPIES, algebriteRun, patchAlgebriteSource, restartBackend, waitForValue } from '../../src/symbolic/backend.js';
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
