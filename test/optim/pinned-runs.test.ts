import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { PINNED_RUNS, PINNED_STEPS, pinnedParams } from './pinned-runs.js';

const pinned: Record<string, number[]> = JSON.parse(readFileSync(new URL('./fixtures/pinned-runs.json', import.meta.url), 'utf8'));

describe(`every optimizer's parameters after ${PINNED_STEPS} seeded steps are those pinned (bit for bit)`, () => {
  test('every pinned run has a fixture and every fixture a run', () => {
    expect(Object.keys(pinned).sort()).toEqual(PINNED_RUNS.map((r) => r.label).sort());
  });
  test.each(PINNED_RUNS.map((r) => [r.label, r] as const))('%s', (label, run) => {
    // JSON has no -0: compare zeros as zeros, everything else exactly
    const got = Array.from(pinnedParams(run), (v) => (v === 0 ? 0 : v));
    expect(got).toEqual(pinned[label]);
  });
});
