/**
 * `natgrad verify --seeds A..B`: the calibration of the statistical checks
 * (src/verify/calibration.ts), printed per check; `--report` writes every
 * number as JSON or Markdown, `--plot` the p-value histograms as SVG. Exits 1
 * when a check's per-entry p-values are not uniform (Kolmogorov–Smirnov,
 * adjusted over its entries, below 1e-3), when its run p-values break their
 * promise P(p ≤ α) ≤ α (one-sided Kolmogorov–Smirnov below 1e-3, or too many
 * runs at α = 0.1, 0.01, 1e-3: binomial tail, adjusted over the levels, below
 * 1e-3), or when it raised more false alarms than its nominal rate allows
 * (binomial tail below 1e-3).
 */
import { NatgradError } from '../core/errors.js';
import { histogramSvg } from '../experiments/svg-histogram.js';
import { calibrate, histogram, parseSeedRange, type CheckCalibration } from '../verify/calibration.js';
import type { Check } from '../verify/types.js';
import type { Io } from './io.js';
import { requireWritable, writeOutputFile } from './output-file.js';

/** Below this the calibration is rejected. */
const REJECT = 1e-3;
const BINS = 20;

const g3 = (x: number): string => (Number.isFinite(x) ? x.toPrecision(3) : String(x));

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** The smallest binomial tail over the levels, adjusted over them (Bonferroni). */
function levelsTail(c: CheckCalibration): number {
  return c.levels.length ? Math.min(1, c.levels.length * Math.min(...c.levels.map((l) => l.tail))) : 1;
}

function rejected(c: CheckCalibration): boolean {
  return c.ksAdjusted < REJECT || c.alarmTail < REJECT || (c.runUpper?.pValue ?? 1) < REJECT || levelsTail(c) < REJECT;
}

const levelsText = (c: CheckCalibration): string =>
  c.levels.map((l) => `p <= ${l.alpha}: ${l.runs} (at most ${g3(l.alpha * c.used)} expected, P(at least ${l.runs}) = ${g3(l.tail)})`).join(', ');

export function calibrationLines(c: CheckCalibration, range: string): string[] {
  const T = [...c.maxDeviation].sort((a, b) => a - b);
  const worst = c.ks.reduce((w, k) => (k.pValue < w.pValue ? k : w), c.ks[0] ?? { label: '', statistic: NaN, pValue: NaN, n: 0 });
  return [
    `${c.id}: ${c.used} of ${c.seeds} runs (seeds ${range}), up to ${c.comparisons} comparisons a run at z = ${c.threshold.toFixed(3)} ` +
      `(nominal false-alarm rate ${c.nominalRate.toExponential(2)} a run)`,
    `  false alarms: ${c.alarms} of ${c.seeds} (P(at least ${c.alarms}) = ${g3(c.alarmTail)} at the nominal rate)`,
    `  largest |standardized deviation| of a run: median ${g3(quantile(T, 0.5))}, 99th percentile ${g3(quantile(T, 0.99))}, max ${g3(T[T.length - 1])}`,
    `  uniformity of each entry's p-values (Kolmogorov–Smirnov over seeds): smallest p = ${g3(worst.pValue)} (${worst.label}: D = ${g3(worst.statistic)}, ` +
      `n = ${worst.n}); adjusted over ${c.ks.length} entries: ${g3(c.ksAdjusted)}`,
    `  p-values below ${c.tail.map((t) => `${t.below}: ${g3(t.fraction)}`).join(', below ')} (uniform: the same)`,
    `  the run statistic's p-value min(1, m 2Q(T)) (Bonferroni: conservative, so it promises P(p <= a) <= a, not uniformity; it piles up at 1), ${BINS} bins: ${histogram(c.pValues, BINS).join(' ')}`,
    `    too many small ones (one-sided Kolmogorov–Smirnov, exact): D+ = ${g3(c.runUpper?.statistic ?? NaN)}, p = ${g3(c.runUpper?.pValue ?? NaN)}`,
    `    runs with ${levelsText(c)}`,
    `  => ${rejected(c) ? 'NOT CALIBRATED' : 'calibrated'}`,
  ];
}

function markdown(results: readonly CheckCalibration[], range: string): string {
  const rows = results.map((c) => {
    const worst = Math.min(...c.ks.map((k) => k.pValue));
    return `| \`${c.id}\` | ${c.used} | ${c.comparisons} | ${c.threshold.toFixed(3)} | ${c.alarms} (tail ${g3(c.alarmTail)}) | ${g3(worst)} / ${g3(c.ksAdjusted)} | ${c.tail.map((t) => g3(t.fraction)).join(' / ')} | ${g3(c.runUpper?.pValue ?? NaN)} | ${c.levels.map((l) => l.runs).join(' / ')} (tail ${g3(levelsTail(c))}) | ${rejected(c) ? 'NOT CALIBRATED' : 'calibrated'} |`;
  });
  return [
    `# Calibration of the statistical checks (seeds ${range})`,
    '',
    '| check | runs | comparisons a run | z | false alarms | entry p-values, KS p: smallest entry / adjusted | fraction of entry p < 1e-2 / 1e-3 | run p-values, one-sided KS p | runs with p <= 0.1 / 0.01 / 0.001 (smallest tail, adjusted) | verdict |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

export async function calibrationCommand(
  checks: readonly Check[],
  range: string,
  opts: { runs: number; thorough: boolean; report?: string; plot?: string },
  io: Io,
): Promise<number> {
  const seeds = parseSeedRange(range);
  if (opts.plot !== undefined && !opts.plot.endsWith('.svg')) throw new NatgradError('--plot', `must name an .svg file, got ${JSON.stringify(opts.plot)}`);
  if (opts.plot) await requireWritable(io, opts.plot, '--plot');
  const results: CheckCalibration[] = [];
  const skipped: string[] = [];
  for (const check of checks) {
    if (check.kind !== 'property') {
      skipped.push(check.id);
      continue;
    }
    const c = calibrate(check, seeds, { runs: opts.runs, thorough: opts.thorough }, (done) => {
      if (io.interactive) io.stderr(`\rcalibrate ${check.id}: ${done}/${seeds.length}`.padEnd(70));
    });
    if (io.interactive) io.stderr('\r'.padEnd(70) + '\r');
    if (!c) {
      skipped.push(check.id);
      continue;
    }
    results.push(c);
    io.stdout(`${calibrationLines(c, range).join('\n')}\n`);
  }
  if (results.length === 0)
    throw new NatgradError(
      '--filter',
      `selects no statistical check (one that reports its standardized deviations, e.g. fisher/exponential/rate/monte-carlo); skipped: ${skipped.slice(0, 5).join(', ')}${skipped.length > 5 ? ', ...' : ''}`,
    );
  if (skipped.length) io.stdout(`not statistical, skipped: ${skipped.length} checks\n`);
  if (opts.report) {
    if (!/\.(md|json)$/.test(opts.report)) throw new NatgradError('--report', `must name a .md or .json file, got ${JSON.stringify(opts.report)}`);
    await writeOutputFile(
      io,
      opts.report,
      opts.report.endsWith('.json') ? `${JSON.stringify({ seeds: range, checks: results }, null, 1)}\n` : markdown(results, range),
      '--report',
    );
  }
  if (opts.plot) {
    const panels = results.map((c) => ({
      label: c.id,
      counts: histogram(c.entryPValues.flat(), BINS),
      note: `${c.used} seeds x up to ${c.comparisons} entries; KS p (smallest entry, adjusted) = ${g3(c.ksAdjusted)}; false alarms ${c.alarms}`,
    }));
    await writeOutputFile(io, opts.plot, histogramSvg(`p-values of the Monte Carlo checks' standardized deviations, seeds ${range}`, panels), '--plot');
  }
  return results.some(rejected) ? 1 : 0;
}
