/**
 * natgrad verify: runs every proof and property (with its sensitivity run),
 * prints a table and a one-line summary, exits 1 if anything is not verified.
 */
import cliProgress from 'cli-progress';
import { NatgradError } from '../core/errors.js';
import { allChecks } from '../verify/registry.js';
import { markdownReport, jsonReport, resultLine, summaryLine, textTable } from '../verify/report.js';
import { runChecks, summarize } from '../verify/runner.js';
import type { Io } from './io.js';

export interface VerifyOptions {
  filter?: string;
  seed?: string;
  runs?: string;
  thorough?: boolean;
  report?: string;
  list?: boolean;
}

function integerOption(value: string | undefined, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new NatgradError(`--${name}`, `must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  return n;
}

export async function verifyCommand(opts: VerifyOptions, io: Io): Promise<number> {
  const seed = integerOption(opts.seed, 'seed', 20261125, 0);
  const runs = integerOption(opts.runs, 'runs', opts.thorough ? 50 : 8, 1);
  if (opts.report && !/\.(md|json)$/.test(opts.report)) throw new NatgradError('--report', `must name a .md or .json file, got ${JSON.stringify(opts.report)}`);
  const checks = allChecks();
  if (opts.list) {
    io.stdout(`${checks.map((c) => `${c.id}\t${c.kind}\t${c.theorem}`).join('\n')}\n`);
    return 0;
  }
  const started = performance.now();
  let bar: cliProgress.SingleBar | null = null;
  const results = runChecks(checks, {
    seed,
    runs,
    thorough: Boolean(opts.thorough),
    filter: opts.filter,
    onStart(check, i, total) {
      if (!io.interactive) return;
      if (!bar) {
        bar = new cliProgress.SingleBar({ format: 'verify [{bar}] {value}/{total} {id}', stream: process.stderr, clearOnComplete: true, hideCursor: true }, cliProgress.Presets.shades_classic);
        bar.start(total, i, { id: check.id });
      }
      bar.update(i, { id: check.id });
    },
    onResult(r) {
      if (!io.interactive) io.stdout(`${resultLine(r)}\n`);
    },
  });
  (bar as cliProgress.SingleBar | null)?.stop();
  const summary = summarize(results, performance.now() - started);
  if (results.length === 0) throw new NatgradError('--filter', `no check matches ${JSON.stringify(opts.filter)}; see natgrad verify --list`);
  if (io.interactive) io.stdout(`${textTable(results)}\n`);
  else {
    const problems = textTable(results.filter((r) => r.status !== 'verified')).split('\n').slice(1 + results.filter((r) => r.status !== 'verified').length);
    if (problems.length) io.stdout(`${problems.join('\n')}\n`);
  }
  io.stdout(`\n${summaryLine(summary, seed)}\n`);
  if (opts.report) await io.writeFile(opts.report, opts.report.endsWith('.json') ? jsonReport(results, summary, seed) : markdownReport(results, summary, seed));
  return summary.verified === summary.total ? 0 : 1;
}
