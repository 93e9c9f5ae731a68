import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { findCounterexample, runProperty } from '../../properties/run-property.js';
import { runCheck } from '../../src/verify/runner.js';

const ctx = { seed: 42, runs: 100, thorough: false };
/** "x < 10" on the integers 0 .. 1000: its smallest counterexample is 10. */
const belowTen = (x: number) => ({ ratio: x < 10 ? 0 : 2, what: `x = ${x}` });
const ints = fc.integer({ min: 0, max: 1000 });

describe('runProperty', () => {
  test('a failing property reports its shrunk counterexample, with the seed and path that replay it', () => {
    const out = runProperty(ctx, ints, belowTen, 'demo');
    expect(out.ok).toBe(false);
    expect(out.detail).toMatch(/^x = 10 \(error 2\.00 x tolerance\); counterexample \(shrunk\): 10; seed 42, path "[0-9:]+"$/);
    const path = /path "([0-9:]+)"/.exec(out.detail)![1];
    const replayed = fc.check(
      fc.property(ints, (x) => x < 10),
      { seed: 42, path, numRuns: 100, endOnFailure: true },
    );
    expect(replayed.counterexample).toEqual([10]);
  });

  test('a record shrinks field by field to the simplest values that still fail', () => {
    const arb = fc.record({ n: fc.integer({ min: 1, max: 20 }), xs: fc.array(fc.integer({ min: -100, max: 100 }), { minLength: 20, maxLength: 20 }) });
    // fails when the first n entries sum above 50
    const out = runProperty(ctx, arb, ({ n, xs }) => ({ ratio: xs.slice(0, n).reduce((a, b) => a + b, 0) > 50 ? 2 : 0, what: `n = ${n}` }), 'demo');
    // a local minimum: one entry of 51 within the first n, every other entry 0
    const shrunk = JSON.parse(/counterexample \(shrunk\): (\{.*\}); seed/.exec(out.detail)![1]) as { n: number; xs: number[] };
    expect(shrunk.xs.slice(0, shrunk.n).sort((a, b) => b - a)).toEqual([51, ...Array(shrunk.n - 1).fill(0)]);
    expect(shrunk.xs.slice(shrunk.n).every((x) => x === 0)).toBe(true);
  });

  test('shrinking stops at its time limit and reports the smallest counterexample found so far', () => {
    let calls = 0;
    const slow = (x: number) => {
      calls++;
      const until = performance.now() + 5;
      while (performance.now() < until);
      return belowTen(x);
    };
    const out = runProperty(ctx, ints, slow, 'demo', 100, 1);
    expect(out.ok).toBe(false);
    expect(out.detail).toMatch(/counterexample \(shrinking cut after 0\.001 s, smallest found\): \d+;/);
    expect(calls).toBeLessThan(20);
  });

  test('a counterexample that throws is reported as thrown, even after an earlier case failed its tolerance', () => {
    // fails its tolerance from 10 on, and throws from 500 on: the first failure found throws, and shrinking reaches 10
    const out = runProperty(
      ctx,
      fc.integer({ min: 500, max: 1000 }).chain((x) => fc.constant(x)),
      (x) => {
        if (x >= 500) throw new Error(`too big: ${x}`);
        return belowTen(x);
      },
      'demo',
    );
    expect(out.detail).toMatch(/^threw: too big: 500; counterexample \(shrunk\): 500;/);
    let seenRatioFailure = false;
    const mixed = runProperty(
      ctx,
      ints,
      (x) => {
        if (x < 10) return belowTen(x);
        if (!seenRatioFailure) {
          seenRatioFailure = true;
          return belowTen(x);
        }
        throw new Error(`threw at ${x}`);
      },
      'demo',
    );
    expect(mixed.detail).toMatch(/^threw: threw at 10; counterexample \(shrunk\): 10;/);
  });

  test('a sensitivity run (a failure expected) stops at the first counterexample without shrinking', () => {
    let calls = 0;
    const out = runProperty(
      { ...ctx, expectFailure: true },
      ints,
      (x) => {
        calls++;
        return belowTen(x);
      },
      'demo',
    );
    expect(out.ok).toBe(false);
    expect(out.detail).toContain('counterexample (not shrunk)');
    const firstFailure = calls;
    calls = 0;
    runProperty(
      ctx,
      ints,
      (x) => {
        calls++;
        return belowTen(x);
      },
      'demo',
    );
    expect(calls).toBeGreaterThan(firstFailure);
  });

  test('the verify runner marks the sensitivity run as expected to fail, and only it', () => {
    const seen: (boolean | undefined)[] = [];
    runCheck(
      {
        id: 'demo/shrink',
        theorem: 't',
        reference: 'r',
        kind: 'property',
        run: (c) => {
          seen.push(c.expectFailure);
          return { ok: true, runs: 1, detail: '' };
        },
        sensitivity: {
          description: 'wrong',
          run: (c) => {
            seen.push(c.expectFailure);
            return { ok: false, runs: 1, detail: '' };
          },
        },
      },
      { seed: 1, runs: 1, thorough: false },
    );
    expect(seen).toEqual([undefined, true]);
  });

  test('a passing property reports its worst case', () => {
    const out = runProperty(ctx, ints, (x) => ({ ratio: x / 2000, what: `x = ${x}` }), 'demo');
    expect(out.ok).toBe(true);
    expect(out.detail).toMatch(/^100 cases; worst: x = \d+/);
  });
});

describe('findCounterexample', () => {
  test('reports the first counterexample it meets, unshrunk', () => {
    const out = findCounterexample(ctx, ints, (x) => ({ ratio: x >= 10 ? 2 : 0, what: `x = ${x}` }), 'demo');
    expect(out.ok).toBe(true);
    expect(out.detail).toMatch(/^counterexample: x = \d+ \(difference 2\.00 x tolerance\); seed 42, path "\d+"$/);
  });
});
