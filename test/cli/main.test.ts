import { describe, expect, test } from 'vitest';
import { allChecks } from '../../src/cli/check-registry.js';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { runChecks, type CheckResult } from '../../src/verify/runner.js';

describe('natgrad command line', () => {
  test('verify runs a filtered subset and prints the summary line', async () => {
    const io = memoryIo();
    const code = await main(['verify', '--filter', 'fisher/poisson/rate/positive-definite'], io);
    expect(code).toBe(0);
    expect(io.out).toMatch(/1 checks: 1 verified in [\d.]+ s \(seed 20261125\)/);
    // The table's column headers, then the row with the sensitivity run's result.
    const [head, row] = io.out.split('\n');
    expect(head).toMatch(/^status +id +kind +runs +method +time +sensitivity$/);
    expect(row).toMatch(/^verified +fisher\/poisson\/rate\/positive-definite +property .* s +caught: .+/);
  });
  test('verify writes JSON and Markdown reports', async () => {
    const io = memoryIo();
    await main(['verify', '--filter', 'fisher/poisson/rate/positive-definite', '--report', 'out.json'], io);
    const report = JSON.parse(io.files['out.json']);
    expect(report.summary.verified).toBe(1);
    expect(report.results[0].id).toBe('fisher/poisson/rate/positive-definite');
  });
  test('verify --jobs runs checks on worker threads, reports each one, and gives the results of one thread in the registry order', async () => {
    // real checks of three kinds: exact sums, Monte Carlo, and a symbolic proof (the cheap ones: the
    // expensive checks run in natgrad verify and npm run test:thorough); the one test that loads the
    // whole registry on workers (a few seconds of CPU each)
    const filter =
      'fisher/poisson/rate/exact,fisher/bernoulli/natural/monte-carlo,fisher/bernoulli/mean/positive-definite,proof/pullback/bernoulli/mean->natural';
    const opts = { seed: 7, runs: 3, thorough: false, filter };
    const sequential = runChecks(allChecks(), opts);
    expect(sequential.map((r) => r.id.split('/').pop())).toEqual(['positive-definite', 'monte-carlo', 'exact', 'mean->natural']);
    const io = memoryIo();
    const code = await main(['verify', '--filter', filter, '--seed', '7', '--runs', '3', '--jobs', '2', '--report', 'out.json'], io);
    expect(code).toBe(0);
    for (const r of sequential) expect(io.out).toMatch(new RegExp(`verified\\s+${r.id.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\s`));
    expect(io.out).toMatch(/4 checks: 4 verified/);
    const withoutTime = (rs: CheckResult[]) => rs.map(({ millis: _m, ...r }) => r);
    expect(withoutTime(JSON.parse(io.files['out.json']).results)).toEqual(withoutTime(sequential));
  }, 120_000);
  test('bad options exit 2 with one line naming the option', async () => {
    for (const argv of [
      ['verify', '--runs', 'many'],
      ['verify', '--jobs', '0'],
      ['verify', '--filter', 'no-such-check'],
      ['verify', '--report', 'x.txt'],
      ['derive', 'nosuch'],
    ]) {
      const io = memoryIo();
      expect(await main(argv, io)).toBe(2);
      expect(io.err.trim().split('\n')).toHaveLength(1);
      expect(io.err).toMatch(/^natgrad: /);
      expect(io.out).toBe('');
    }
  });
  test('derive shows the three routes, how they were proved, and the matrix at the point', async () => {
    const io = memoryIo();
    const code = await main(['derive', 'exponential', '--parameterization', 'scale', '--at', 'beta=2'], io);
    expect(code).toBe(0);
    expect(io.out).toContain('Route 1: hessian');
    expect(io.out).toContain('Route 3: literature');
    expect(io.out).toMatch(/hessian = literature: proved/);
    expect(io.out).toContain('[0.25]');
  });
  test('derive --json is machine readable', async () => {
    const io = memoryIo();
    await main(['derive', 'normal', '--at', 'mu=0.3,sigma=2', '--json'], io);
    const d = JSON.parse(io.out);
    expect(d.matrix).toEqual([
      [0.25, 0],
      [0, 0.5],
    ]);
    expect(d.verified).toBe(true);
  });
  test('an unknown command exits 2', async () => {
    const io = memoryIo();
    expect(await main(['frobnicate'], io)).toBe(2);
  });
});
