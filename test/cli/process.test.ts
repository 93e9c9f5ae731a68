/**
 * The CLI as a process: pipes that close, full devices, endless standard
 * input, signals. Each case runs `node bin/natgrad.js` (dist/, rebuilt first
 * when stale) as a child, through bash where a shell pipe is the point. Times
 * and peak memory are printed; the bounds asserted are generous, the machine
 * may be loaded.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { busyFor, ensureBuilt, killTree, run, STACK_TRACE, start } from './child-process.js';

let dir: string;

/** A seeded MLP Fisher spec: P parameters of sizes, N examples. */
function mlpSpec(sizes: [number, number, number], n: number): string {
  let s = 1;
  const r = () => {
    s = (s * 16807) % 2147483647;
    return Math.round((s / 2147483647 - 0.5) * 1000) / 1000;
  };
  const layer = (o: number, i: number) => ({ W: Array.from({ length: o }, () => Array.from({ length: i }, r)), b: Array.from({ length: o }, r) });
  return JSON.stringify({
    kind: 'fisher',
    model: { type: 'mlp', sizes, activations: ['tanh', 'identity'], likelihood: 'categorical' },
    weights: [layer(sizes[1], sizes[0]), layer(sizes[2], sizes[1])],
    inputs: Array.from({ length: n }, () => Array.from({ length: sizes[0] }, r)),
    targets: Array.from({ length: n }, (_, k) => k % sizes[2]),
    curvature: 'fisher',
  });
}

const report = (what: string, f: { millis: number; peakMiB: number | null }) =>
  console.log(`${what}: ${(f.millis / 1000).toFixed(2)} s${f.peakMiB === null ? '' : `, peak ${f.peakMiB.toFixed(0)} MiB`}`);

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'natgrad-process-'));
  // 291 parameters: a 2 MB answer in about a second, far more than a pipe's 64 KiB buffer.
  writeFileSync(join(dir, 'big.json'), mlpSpec([20, 12, 3], 20));
  writeFileSync(join(dir, 'small.json'), mlpSpec([2, 2, 2], 2));
  // 2755 parameters and 300 examples: a dense Fisher of 2.3e10 multiply-adds,
  // within the oracle's bound of 2^35 and many seconds of work.
  writeFileSync(join(dir, 'heavy.json'), mlpSpec([50, 45, 10], 300));
  // 300 MiB without a byte on disk.
  writeFileSync(join(dir, 'huge.json'), '');
  truncateSync(join(dir, 'huge.json'), 300 * 1024 * 1024);
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.concurrent('standard streams', () => {
  test('a reader that stops early (head -c 10) ends the run quietly with status 0', async () => {
    const f = await run({ shell: `$NATGRAD oracle ${dir}/big.json | head -c 10; echo " status=\${PIPESTATUS[0]}"` });
    report('oracle big.json | head -c 10', f);
    expect(f.stdout).toBe('{"kind":"f status=0\n');
    expect(f.stderr).not.toMatch(STACK_TRACE);
    expect(f.stderr).toBe('');
  });
  test('a reader that reads nothing (| true) ends the run quietly with status 0', async () => {
    const f = await run({ shell: `$NATGRAD oracle ${dir}/big.json | true; echo "status=\${PIPESTATUS[0]}"` });
    expect(f.stdout).toBe('status=0\n');
    expect(f.stderr).toBe('');
  });
  test('stdout on a full device (ENOSPC) is status 2 with one line on stderr', async () => {
    const f = await run({ shell: `$NATGRAD oracle ${dir}/small.json > /dev/full; echo "status=$?"` });
    expect(f.stdout).toBe('status=2\n');
    expect(f.stderr).toBe('natgrad: stdout: cannot write the output (no space left on the device)\n');
  });
  test('the exit status does not depend on whether stderr can be written', async () => {
    const bad = await run({ shell: `$NATGRAD oracle ${dir}/missing.json 2> /dev/full; echo "status=$?"` });
    expect(bad.stdout).toBe('status=2\n');
    const good = await run({ shell: `$NATGRAD oracle ${dir}/small.json 2> /dev/full > /dev/null; echo "status=$?"` });
    expect(good.stdout).toBe('status=0\n');
  });
});

test('an output path without write permission is one line naming it, before the run', async () => {
  // Root may write anywhere: then the CLI runs as the unprivileged user `nobody` (uid 65534).
  const locked = join(dir, 'locked');
  mkdirSync(locked);
  chmodSync(locked, 0o555);
  chmodSync(dir, 0o755);
  const asRoot = process.getuid?.() === 0;
  const svg = join(locked, 'plot.svg');
  const f = await run(
    { args: ['train', '--problem', 'mlp-digits', '--optimizer', 'kfac', '--iterations', '1000000', '--svg', svg] },
    asRoot ? 65534 : undefined,
  );
  report('train --svg into a folder without write permission', f);
  expect(f.stderr).toBe(`natgrad: --svg: cannot write '${svg}' (permission denied)\n`);
  expect(f.code).toBe(2);
});

describe.concurrent('input over 256 MiB is refused without reading further', () => {
  const LIMIT_LINE = /^natgrad: spec: cannot read (stdin|file '.*') \(larger than 256 MiB, the input limit; stopped reading there\)\n$/;
  // The child holds at most the 256 MiB it read plus Node itself (about 60 MiB).
  const MEMORY_BOUND_MIB = 256 + 250;

  test('endless standard input: yes | natgrad oracle -', async () => {
    const f = await run({ shell: `yes | $NATGRAD oracle -; echo "status=\${PIPESTATUS[1]}"` });
    report('yes | natgrad oracle -', f);
    expect(f.stdout).toBe('status=2\n');
    expect(f.stderr).toMatch(LIMIT_LINE);
    expect(f.peakMiB).toBeLessThan(MEMORY_BOUND_MIB);
    expect(f.millis).toBeLessThan(60_000);
  });
  test('natgrad oracle - < /dev/zero', async () => {
    const f = await run({ shell: '$NATGRAD oracle - < /dev/zero; echo "status=$?"' });
    report('natgrad oracle - < /dev/zero', f);
    expect(f.stdout).toBe('status=2\n');
    expect(f.stderr).toMatch(LIMIT_LINE);
    expect(f.peakMiB).toBeLessThan(MEMORY_BOUND_MIB);
  });
  test('a device as the spec file: natgrad oracle /dev/zero', async () => {
    const f = await run({ args: ['oracle', '/dev/zero'] });
    report('natgrad oracle /dev/zero', f);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(LIMIT_LINE);
    expect(f.peakMiB).toBeLessThan(MEMORY_BOUND_MIB);
  });
  test('a 300 MiB file is refused from its size, reading nothing', async () => {
    const byPath = await run({ args: ['oracle', join(dir, 'huge.json')] });
    report('natgrad oracle huge.json (300 MiB)', byPath);
    expect(byPath.code).toBe(2);
    expect(byPath.stderr).toMatch(LIMIT_LINE);
    // Nothing of the file was read: the process stays at Node's own size.
    expect(byPath.peakMiB).toBeLessThan(200);
    const redirected = await run({ shell: `$NATGRAD oracle - < ${dir}/huge.json; echo "status=$?"` });
    expect(redirected.stdout).toBe('status=2\n');
    expect(redirected.peakMiB).toBeLessThan(200);
  });
});

describe.concurrent('SIGINT and SIGTERM end a long run at once with the conventional status', () => {
  // Each run below takes minutes; the signal arrives once the child has spent
  // CPU time past its start-up, inside the computation (synchronous loops,
  // Atomics.wait on the symbolic backend, worker threads).
  const cases: [string, string[], NodeJS.Signals][] = [
    ['train', ['train', '--problem', 'mlp-digits', '--optimizer', 'kfac', '--iterations', '1000000'], 'SIGTERM'],
    ['compare', ['compare', '--problem', 'mlp-digits', '--optimizers', 'natural-gradient,kfac', '--iterations', '1000000'], 'SIGINT'],
    ['verify on two workers', ['verify', '--filter', 'fisher', '--jobs', '2'], 'SIGTERM'],
    ['oracle on a heavy spec', ['oracle', 'HEAVY'], 'SIGINT'],
  ];
  for (const [what, args, signal] of cases) {
    test(`${what}: ${signal}`, async () => {
      const { child, done } = start({ args: args.map((a) => (a === 'HEAVY' ? join(dir, 'heavy.json') : a)) });
      let cpu: number;
      let f: Awaited<typeof done>;
      let exitMs: number;
      try {
        cpu = await busyFor(child, 1.5);
        const sent = performance.now();
        child.kill(signal);
        // Not ended 10 s after the signal: fail rather than wait for the run's end.
        f = await Promise.race([done, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running 10 s after ${signal}`)), 10_000))]);
        exitMs = performance.now() - sent;
      } finally {
        killTree(child);
      }
      console.log(`${what}: ${signal} after ${cpu.toFixed(1)} s of CPU, ended ${exitMs.toFixed(0)} ms later`);
      expect(f.signal).toBe(signal);
      expect(f.stderr).not.toMatch(STACK_TRACE);
      // "Within a second", with room for a loaded machine.
      expect(exitMs).toBeLessThan(5000);
    });
  }
  test('the shell sees 143 after SIGTERM and 130 after SIGINT', async () => {
    // The signal is sent once the run has used 1.5 s of CPU (utime + stime in /proc, in clock ticks of 1/100 s).
    const line = (sig: string) =>
      `$NATGRAD train --problem mlp-digits --optimizer kfac --iterations 1000000 & p=$!; ` +
      `while [ "$(awk '{print $14 + $15}' /proc/$p/stat)" -lt 150 ]; do sleep 0.05; done; kill -${sig} $p; wait $p; echo "${sig}=$?"`;
    const f = await run({ shell: `${line('TERM')}; ${line('INT')}` });
    expect(f.stdout).toBe('TERM=143\nINT=130\n');
    expect(f.stderr).toBe('');
  });
});
