import { describe, expect, test } from 'vitest';
import { runChecksParallel } from '../../src/verify/parallel-runner.js';
import { runChecks, type CheckResult } from '../../src/verify/runner.js';
import { allChecks as fixtureChecks } from './fixtures/checks.js';

const fixture = new URL('./fixtures/checks.ts', import.meta.url).href;
const opts = { seed: 7, runs: 3, thorough: false };
const withoutTime = (rs: CheckResult[]) => rs.map(({ millis: _m, ...r }) => r);

// Real checks on workers (the whole registry loaded on each) against one thread, in the registry order:
// test/cli/main.test.ts, through `natgrad verify --jobs 2`, which runs them with this runner.
describe('parallel verify', () => {
  test('a check that kills its worker is an ERROR; the others still run on a new worker', async () => {
    const started: string[] = [];
    const finished: string[] = [];
    const rs = await runChecksParallel(fixtureChecks(), {
      ...opts,
      jobs: 2,
      registry: fixture,
      onStart: (c) => started.push(c.id),
      onResult: (r) => finished.push(r.id),
    });
    expect(rs.map((r) => r.id)).toEqual(fixtureChecks().map((c) => c.id));
    const byId = Object.fromEntries(rs.map((r) => [r.id, r]));
    expect(byId.crash.status).toBe('ERROR');
    expect(byId.crash.detail).toMatch(/worker stopped: exit code 3/);
    expect(byId.fails.status).toBe('FAILED');
    expect(byId['after-crash'].status).toBe('verified');
    expect(rs.filter((r) => r.status === 'verified')).toHaveLength(8);
    expect(new Set(started)).toEqual(new Set(finished));
    expect(finished).toHaveLength(rs.length);
  }, 60_000);

  test('a registry the workers cannot load fails the run with the reason, instead of restarting workers forever', async () => {
    const missing = new URL('./fixtures/no-such-registry.ts', import.meta.url).href;
    await expect(runChecksParallel(fixtureChecks(), { ...opts, jobs: 2, registry: missing })).rejects.toThrow(
      /verify worker failed to start: .*no-such-registry/,
    );
  }, 60_000);

  test('one job, or one check, runs in this thread', async () => {
    const checks = fixtureChecks().filter((c) => c.id !== 'crash');
    const rs = await runChecksParallel(checks, { ...opts, jobs: 1, registry: fixture });
    expect(withoutTime(rs)).toEqual(withoutTime(runChecks(checks, opts)));
    const one = await runChecksParallel(checks, { ...opts, jobs: 4, filter: 'quick/3', registry: fixture });
    expect(one.map((r) => r.id)).toEqual(['quick/3']);
  });
});

describe('dispatch order', () => {
  test('workers take the checks longest first by the recorded times; results keep the registry order', async () => {
    const started: string[] = [];
    const ids = fixtureChecks()
      .map((c) => c.id)
      .filter((id) => !id.includes('crash'));
    const times = new Map(ids.map((id, i) => [id, i]));
    const rs = await runChecksParallel(
      fixtureChecks().filter((c) => ids.includes(c.id)),
      {
        ...opts,
        jobs: 2,
        registry: fixture,
        times,
        onStart: (c) => started.push(c.id),
      },
    );
    expect(rs.map((r) => r.id)).toEqual(ids);
    // the first two dispatched are the two with the largest recorded times
    expect(new Set(started.slice(0, 2))).toEqual(new Set(ids.slice(-2)));
  }, 60_000);
});
