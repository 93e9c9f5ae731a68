import { describe, expect, test } from 'vitest';
import { checkSeed, matchesFilter, runCheck, runChecks, summarize } from '../../src/verify/runner.js';
import type { Check } from '../../src/verify/types.js';
import { shardOf } from '../../src/cli/verify-command.js';

const check = (over: Partial<Check>): Check => ({
  id: 'demo/check',
  theorem: 't',
  reference: 'r',
  kind: 'property',
  run: () => ({ ok: true, runs: 1, detail: 'fine' }),
  ...over,
});
const opts = { seed: 1, runs: 3, thorough: false };

describe('verify runner', () => {
  test('a passing check whose sensitivity run fails is verified', () => {
    const r = runCheck(check({ sensitivity: { description: 'wrong input', run: () => ({ ok: false, runs: 1, detail: 'caught' }) } }), opts);
    expect(r.status).toBe('verified');
    expect(r.sensitivity).toBe('caught: wrong input');
  });
  test('a check whose sensitivity run passes is INSENSITIVE: it cannot fail', () => {
    const r = runCheck(check({ sensitivity: { description: 'wrong input', run: () => ({ ok: true, runs: 1, detail: 'accepted' }) } }), opts);
    expect(r.status).toBe('INSENSITIVE');
  });
  test('failures and exceptions are reported, not thrown', () => {
    expect(runCheck(check({ run: () => ({ ok: false, runs: 2, detail: 'no' }) }), opts).status).toBe('FAILED');
    const r = runCheck(
      check({
        run: () => {
          throw new Error('boom');
        },
      }),
      opts,
    );
    expect(r.status).toBe('ERROR');
    expect(r.detail).toContain('boom');
  });
  test('each check gets its own seed from the run seed and its id, whatever the filter', () => {
    const seen: number[] = [];
    const c = check({
      run: (ctx) => {
        seen.push(ctx.seed);
        return { ok: true, runs: 1, detail: '' };
      },
    });
    runChecks([c, check({ id: 'other' })], { ...opts, filter: 'demo' });
    runChecks([c], opts);
    expect(seen[0]).toBe(seen[1]);
    expect(seen[0]).toBe(checkSeed(1, 'demo/check'));
    expect(checkSeed(2, 'demo/check')).not.toBe(seen[0]);
  });
  test('filters match substrings, comma lists and globs', () => {
    expect(matchesFilter('fisher/normal/mean-std/exact', 'normal')).toBe(true);
    expect(matchesFilter('fisher/normal/mean-std/exact', 'gamma,normal')).toBe(true);
    expect(matchesFilter('fisher/normal/mean-std/exact', 'fisher/*/exact')).toBe(true);
    expect(matchesFilter('fisher/normal/mean-std/exact', 'fisher/*/routes')).toBe(false);
  });
  test('shards partition the suite exactly', () => {
    const items = Array.from({ length: 23 }, (_, i) => i);
    const parts = [1, 2, 3, 4].map((i) => shardOf(items, `${i}/4`));
    expect(parts.flat().sort((a, b) => a - b)).toEqual(items);
    expect(() => shardOf(items, '0/4')).toThrow(/i\/n/);
  });
  test('the summary counts each status', () => {
    const rs = [runCheck(check({}), opts), runCheck(check({ run: () => ({ ok: false, runs: 1, detail: '' }) }), opts)];
    expect(summarize(rs, 10)).toMatchObject({ total: 2, verified: 1, failed: 1, insensitive: 0, errors: 0 });
  });
});
