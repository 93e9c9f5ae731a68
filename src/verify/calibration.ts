/**
 * Calibration of the statistical checks (`natgrad verify --seeds A..B`): each
 * selected check runs once per run seed, and the standardized deviations it
 * reports (CheckOutcome.statistic) are collected across seeds.
 *
 * Under the null hypothesis (the closed form is right) each deviation is
 * asymptotically standard normal, so its two-sided p-value 2Q(|dev|) is
 * uniform on [0, 1]: one Kolmogorov–Smirnov test per compared entry (the same
 * entry across seeds: independent draws), the smallest p-value reported with
 * a Bonferroni adjustment over the entries.
 *
 * The check's own statistic is the largest |deviation| T of a run, its
 * p-value min(1, m 2Q(T)) over the m comparisons of the run (Bonferroni, as
 * the critical value): a run alarms when that p-value is below the check's
 * false-alarm rate. That p-value is conservative, not uniform (the union
 * bound overcounts where entries are correlated or T is small, and clips at
 * 1), so what is tested is what a conservative p-value promises,
 * P(p ≤ α) ≤ α at every α: by the one-sided Kolmogorov–Smirnov test (too
 * many small p-values), and by the number of runs with p ≤ α at α = 0.1,
 * 0.01, 1e-3 and at the check's own rate, each against the binomial tail at α.
 */
import { NatgradError } from '../core/errors.js';
import { ksUniform, ksUniformUpper, normalSurvival } from '../numeric/statistics.js';
import { checkSeed } from './runner.js';
import type { Check, CheckContext } from './types.js';

export interface CheckCalibration {
  id: string;
  /** seeds run, and the seeds whose run reported a statistic with the usual number of comparisons */
  seeds: number;
  used: number;
  /** the most comparisons of a run (m; a run's own m enters its p-value and the nominal rate is at this one) and the critical value z each was held to */
  comparisons: number;
  threshold: number;
  /** the nominal false-alarm rate of a run: min(1, m 2Q(z)) */
  nominalRate: number;
  /** per seed: the largest |deviation| and its Bonferroni p-value */
  maxDeviation: number[];
  pValues: number[];
  /** per run used: the two-sided p-value of each of its deviations */
  entryPValues: number[][];
  /** the uniformity test of each compared entry's p-values (by its label), and the smallest p-value adjusted over the entries tested */
  ks: { label: string; statistic: number; pValue: number; n: number }[];
  ksAdjusted: number;
  /** runs whose check failed (largest deviation past z), and P(at least that many | nominal rate) */
  alarms: number;
  alarmTail: number;
  /** the run p-values' promise P(p ≤ α) ≤ α: one-sided KS (too many small p-values) */
  runUpper: { statistic: number; pValue: number; n: number } | null;
  /** runs with a p-value ≤ α, and P(at least that many | rate α), at each level */
  levels: { alpha: number; runs: number; tail: number }[];
  /** the fraction of all entries' p-values below 1e-2 and 1e-3 (uniform: 1e-2 and 1e-3) */
  tail: { below: number; fraction: number }[];
}

/** The levels at which the run p-values' false-alarm rate is counted (the check's own rate besides). */
export const RUN_LEVELS = [0.1, 0.01, 1e-3] as const;

/** Parses `A..B` (inclusive, 0 <= A <= B < 2^32) into the list of seeds. */
export function parseSeedRange(text: string, max = 100_000): number[] {
  const m = /^(\d+)\.\.(\d+)$/.exec(text.trim());
  if (!m) throw new NatgradError('--seeds', `must be a range A..B of seeds (e.g. 1..1000), got ${JSON.stringify(text)}`);
  const a = Number(m[1]);
  const b = Number(m[2]);
  if (!(a <= b)) throw new NatgradError('--seeds', `the range must not be empty: ${a} > ${b}`);
  if (b > 2 ** 32 - 1) throw new NatgradError('--seeds', `seeds are 32-bit: ${b} is too large`);
  if (b - a + 1 > max) throw new NatgradError('--seeds', `at most ${max} seeds, got ${b - a + 1}`);
  return Array.from({ length: b - a + 1 }, (_, k) => a + k);
}

/** The binomial upper tail P(X >= k) for X ~ Bin(n, p), by the sum of the complement's terms. */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (p <= 0) return 0;
  let term = (1 - p) ** n; // P(X = 0)
  let below = term;
  for (let j = 1; j < k; j++) {
    term *= ((n - j + 1) / j) * (p / (1 - p));
    below += term;
  }
  return Math.max(0, 1 - below);
}

/**
 * Runs `check` at every run seed (its own seed derived from the run seed and
 * its id, as in `natgrad verify`; no sensitivity runs) and summarizes its
 * statistic. Null when the check reports no statistic (not a statistical check).
 */
export function calibrate(check: Check, seeds: readonly number[], opts: Omit<CheckContext, 'seed'>, onSeed?: (done: number) => void): CheckCalibration | null {
  const maxDeviation: number[] = [];
  const pValues: number[] = [];
  const entryPValues: number[][] = [];
  let comparisons = -1;
  let threshold = NaN;
  let alarms = 0;
  // each labelled comparison's p-values over the runs that made it
  const byLabel = new Map<string, number[]>();
  seeds.forEach((s, k) => {
    const outcome = check.run({ ...opts, seed: checkSeed(s, check.id) });
    onSeed?.(k + 1);
    const st = outcome.statistic;
    if (!outcome.ok) alarms++;
    // no statistic, or every comparison decided exactly (a family on two points): nothing to calibrate
    if (!st || st.deviations.length === 0) return;
    if (Number.isNaN(threshold)) threshold = st.threshold;
    // unlabelled comparisons are known by their position: a run with another number of them (one that stopped
    // early at a failure) cannot be lined up with the others and is counted in alarms only
    if (!st.labels && comparisons >= 0 && st.deviations.length !== comparisons) return;
    comparisons = Math.max(comparisons, st.deviations.length);
    const m = st.deviations.length;
    const T = Math.max(...st.deviations.map(Math.abs));
    maxDeviation.push(T);
    pValues.push(Math.min(1, m * 2 * normalSurvival(T)));
    const row = st.deviations.map((d) => Math.min(1, 2 * normalSurvival(Math.abs(d))));
    entryPValues.push(row);
    row.forEach((p, e) => {
      const label = st.labels?.[e] ?? String(e);
      let list = byLabel.get(label);
      if (!list) byLabel.set(label, (list = []));
      list.push(p);
    });
  });
  if (comparisons < 0) return null;
  // comparisons made in fewer than 5 runs (a rare point) are too few for the test; they stay in the run statistic
  const ks = [...byLabel].filter(([, ps]) => ps.length >= 5).map(([label, ps]) => ({ label, ...ksUniform(ps) }));
  const ksAdjusted = ks.length ? Math.min(1, ks.length * Math.min(...ks.map((k) => k.pValue))) : NaN;
  const nominalRate = Math.min(1, comparisons * 2 * normalSurvival(threshold));
  const all = entryPValues.flat();
  return {
    id: check.id,
    seeds: seeds.length,
    used: entryPValues.length,
    comparisons,
    threshold,
    nominalRate,
    maxDeviation,
    pValues,
    entryPValues,
    ks,
    ksAdjusted,
    alarms,
    alarmTail: binomialUpperTail(alarms, seeds.length, nominalRate),
    runUpper: pValues.length ? ksUniformUpper(pValues) : null,
    levels: RUN_LEVELS.map((alpha) => {
      const runs = pValues.filter((p) => p <= alpha).length;
      return { alpha, runs, tail: binomialUpperTail(runs, pValues.length, alpha) };
    }),
    tail: [1e-2, 1e-3].map((below) => ({ below, fraction: all.filter((p) => p < below).length / Math.max(1, all.length) })),
  };
}

/** Counts of values in `bins` equal cells of [0, 1] (1 falls in the last). */
export function histogram(values: readonly number[], bins: number): number[] {
  const out = new Array<number>(bins).fill(0);
  for (const v of values) out[Math.min(bins - 1, Math.max(0, Math.floor(v * bins)))]++;
  return out;
}
