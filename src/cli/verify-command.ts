/**
 * natgrad verify: runs every proof and property (with its sensitivity run),
 * prints a table and a one-line summary, exits 1 if anything is not verified.
 */
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import cliProgress from 'cli-progress';
import { NatgradError } from '../core/errors.js';
import { CHECK_REGISTRY_URL, allChecks } from './check-registry.js';
import { markdownReport, jsonReport, problemDetails, resultLine, summaryLine, tableHeader, textTable } from '../verify/report.js';
import { runChecksParallel } from '../verify/parallel-runner.js';
import { matchesFilter, summarize, type CheckResult } from '../verify/runner.js';
import { parseTimes, timesFile } from '../verify/schedule.js';
import type { Io } from './io.js';
import { defaultJobs, DEFAULT_VERIFY_SEED, JOBS_RULE, RUNS_RULE, SEED_RULE } from './limits.js';
import { optionalDecimal } from './numbers.js';
import { requireWritable, writeOutputFile } from './output-file.js';

export interface VerifyOptions {
  filter?: string;
  seed?: string;
  runs?: string;
  thorough?: boolean;
  report?: string;
  list?: boolean;
  /** `i/n`: run the i-th of n deterministic parts (1-based), for a CI matrix */
  shard?: string;
  /** JSON reports of shards to join instead of running */
  merge?: string[];
  /** worker threads [the machine's cores, at most 8]; 1 runs in the main thread */
  jobs?: string;
  /** `A..B`: calibration of the statistical checks over these run seeds */
  seeds?: string;
  /** with `seeds`: the p-value histograms as SVG */
  plot?: string;
}

/** Round robin over the registry's order: deterministic, and balanced across families. */
export function shardOf<T>(items: readonly T[], shard: string | undefined): T[] {
  if (shard === undefined) return [...items];
  const m = /^(\d+)\/(\d+)$/.exec(shard);
  const i = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || i < 1 || i > n) throw new NatgradError('--shard', `must be i/n with 1 <= i <= n, e.g. 2/4, got ${JSON.stringify(shard)}`);
  return items.filter((_, k) => k % n === i - 1);
}

async function mergeReports(files: readonly string[], io: Io, report: string | undefined): Promise<number> {
  const results: CheckResult[] = [];
  let seed: number | undefined;
  let millis = 0;
  for (const f of files) {
    let parsed: { seed?: unknown; results?: unknown; summary?: { millis?: unknown } };
    try {
      parsed = JSON.parse(await io.readFile(f));
    } catch (e) {
      throw new NatgradError(`--merge ${f}`, `cannot read a JSON verify report (${e instanceof Error ? e.message.split('\n')[0] : e})`);
    }
    if (!Array.isArray(parsed.results) || typeof parsed.seed !== 'number')
      throw new NatgradError(`--merge ${f}`, 'is not a natgrad verify JSON report (written by --report FILE.json)');
    if (seed !== undefined && parsed.seed !== seed)
      throw new NatgradError(`--merge ${f}`, `was run with seed ${parsed.seed}, the others with ${seed}; shards must share the seed`);
    seed = parsed.seed;
    millis = Math.max(millis, Number(parsed.summary?.millis ?? 0));
    results.push(...(parsed.results as CheckResult[]));
  }
  const ids = new Set<string>();
  const duplicates = results.filter((r) => (ids.has(r.id) ? true : (ids.add(r.id), false))).map((r) => r.id);
  if (duplicates.length) throw new NatgradError('--merge', `the reports overlap: ${duplicates.slice(0, 3).join(', ')} appear twice`);
  const missing = allChecks()
    .map((c) => c.id)
    .filter((id) => !ids.has(id));
  const summary = summarize(results, millis);
  io.stdout(`${textTable(results)}\n`);
  if (missing.length) io.stdout(`\n${missing.length} checks are in no report: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}\n`);
  io.stdout(`\n${summaryLine(summary, seed ?? 0)} (merged from ${files.length} reports; time is the slowest shard's)\n`);
  if (report)
    await writeOutputFile(
      io,
      report,
      report.endsWith('.json') ? jsonReport(results, summary, seed ?? 0) : markdownReport(results, summary, seed ?? 0),
      '--report',
    );
  return summary.verified === summary.total && missing.length === 0 ? 0 : 1;
}

/**
 * The previous run's check times, for longest-first dispatch: in
 * $NATGRAD_CACHE_DIR, else $XDG_CACHE_HOME/natgrad, else ~/.cache/natgrad.
 * Only the order of dispatch depends on it, never a result.
 */
export function verifyTimesPath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.NATGRAD_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'natgrad');
  return join(dir, 'verify-times.json');
}

/** A cache that cannot be written costs only the next run's ordering: no error. */
async function saveTimes(io: Io, path: string, text: string): Promise<void> {
  try {
    await io.writeFile(path, text);
  } catch {
    try {
      await mkdir(dirname(path), { recursive: true });
      await io.writeFile(path, text);
    } catch {
      // read-only home, sandbox: run without the cache
    }
  }
}

export async function verifyCommand(opts: VerifyOptions, io: Io): Promise<number> {
  const seed = optionalDecimal(opts.seed, '--seed', SEED_RULE, DEFAULT_VERIFY_SEED);
  const runs = optionalDecimal(opts.runs, '--runs', RUNS_RULE, opts.thorough ? 50 : 8);
  const jobs = optionalDecimal(opts.jobs, '--jobs', JOBS_RULE, defaultJobs());
  if (opts.report && !/\.(md|json)$/.test(opts.report)) throw new NatgradError('--report', `must name a .md or .json file, got ${JSON.stringify(opts.report)}`);
  if (opts.report) await requireWritable(io, opts.report, '--report');
  if (opts.merge) return mergeReports(opts.merge, io, opts.report);
  const checks = shardOf(allChecks(), opts.shard).filter((c) => matchesFilter(c.id, opts.filter));
  if (checks.length === 0)
    throw new NatgradError(
      '--filter',
      `no check matches ${JSON.stringify(opts.filter)}${opts.shard ? ` in shard ${opts.shard}` : ''}; see natgrad verify --list`,
    );
  if (opts.list) {
    io.stdout(`${checks.map((c) => `${c.id}\t${c.kind}\t${c.theorem}`).join('\n')}\n`);
    return 0;
  }
  if (opts.plot !== undefined && opts.seeds === undefined) throw new NatgradError('--plot', 'draws the calibration of --seeds A..B; add --seeds');
  if (opts.seeds !== undefined) {
    const { calibrationCommand } = await import('./calibration-command.js');
    return calibrationCommand(checks, opts.seeds, { runs, thorough: Boolean(opts.thorough), report: opts.report, plot: opts.plot }, io);
  }
  const timesPath = verifyTimesPath();
  const times = parseTimes(await io.readFile(timesPath).catch(() => null));
  const started = performance.now();
  let bar: cliProgress.SingleBar | null = null;
  const running = new Set<string>();
  const runningLabel = () => [...running].join(', ');
  const results = await runChecksParallel(checks, {
    seed,
    runs,
    thorough: Boolean(opts.thorough),
    jobs,
    registry: CHECK_REGISTRY_URL,
    times,
    onStart(check, _i, total) {
      if (!io.interactive) return;
      running.add(check.id);
      if (!bar) {
        // No signal handler (gracefulExit) and no hidden cursor: SIGINT keeps its default disposition (see process-io.ts), so nothing would restore the cursor.
        bar = new cliProgress.SingleBar(
          { format: 'verify [{bar}] {value}/{total} {id}', stream: process.stderr, clearOnComplete: true, hideCursor: false, gracefulExit: false },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0, { id: runningLabel() });
      }
      bar.update({ id: runningLabel() });
    },
    onResult(r, done) {
      if (!io.interactive) {
        io.stdout(`${done === 0 ? `${tableHeader()}\n` : ''}${resultLine(r)}\n`);
        return;
      }
      running.delete(r.id);
      (bar as cliProgress.SingleBar | null)?.update(done + 1, { id: runningLabel() });
    },
  });
  (bar as cliProgress.SingleBar | null)?.stop();
  await saveTimes(io, timesPath, timesFile(times, results));
  const summary = summarize(results, performance.now() - started);
  if (io.interactive) io.stdout(`${textTable(results)}\n`);
  else {
    const problems = problemDetails(results);
    if (problems.length) io.stdout(`${problems.join('\n')}\n`);
  }
  io.stdout(`\n${summaryLine(summary, seed)}\n`);
  if (opts.report)
    await writeOutputFile(
      io,
      opts.report,
      opts.report.endsWith('.json') ? jsonReport(results, summary, seed) : markdownReport(results, summary, seed),
      '--report',
    );
  return summary.verified === summary.total ? 0 : 1;
}
