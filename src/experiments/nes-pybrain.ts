/**
 * natgrad's xNES and SNES against PyBrain's (the reference implementation of
 * Wierstra et al., JMLR 15, 2014) on the 18 rows of the peer run in
 * data/peer-runs/nes-pybrain.md: sphere, ellipsoid and Rosenbrock in d = 2, 5,
 * 10, 20 seeded runs each, with PyBrain's settings.
 *
 * PyBrain's settings, read in its source (pybrain/optimization/distributionbased/
 * xnes.py, snes.py; optimizer.py; tools/rankingfunctions.py) and matched here:
 * * population 4 + floor(3 ln d), no importance mixing (xNES `importanceMixing = False`);
 * * η_μ = 1; xNES η_σ = η_B = 0.6 (3 + ln d)/(d √d), SNES η_σ = 0.6 (3 + ln d)/(3 √d);
 * * start: the given mean, σ = 1 (xNES starts its factor A = σB at the identity,
 *   SNES its σ vector at `initVariance = 1`, a standard deviation);
 * * utilities `HansenRanking`, max(0, ln(λ/2 + 1) - ln k) for the k-th best,
 *   normalised to sum 1, minus 1/λ (`uniformBaseline`);
 * * every sample is one evaluation; the target (best f <= 1e-10) is checked
 *   after each generation, so a count is a multiple of λ; a generation that
 *   would pass the budget of 50 000 is not started; a NaN fitness stops.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NatgradError } from '../core/errors.js';
import { defaultDataDir } from '../data/datasets.js';
import { snes, snesLearningRate } from '../es/snes.js';
import { TEST_FUNCTIONS } from '../es/test-functions.js';
import { defaultLambda, type EsResult, type EsStop } from '../es/utilities.js';
import { xnes, xnesLearningRate } from '../es/xnes.js';
import { acceptedMedianRange, medianOrderStatistics, peerMedianTest, quantile, type PeerMedianTest } from './rank-statistics.js';

export type NesAlgorithm = 'xnes' | 'snes';
export type NesFunction = keyof typeof TEST_FUNCTIONS;

/** One row of the peer run. Evaluation quartiles are over the solved runs; `medianBest` is given where no run was solved. */
export interface PeerRow {
  alg: NesAlgorithm;
  fn: NesFunction;
  d: number;
  population: number;
  /** η_σ = η_B, rounded to 4 decimals as printed */
  eta: number;
  solved: number;
  median: number | null;
  q1: number | null;
  q3: number | null;
  medianBest: number | null;
}

/** PyBrain's settings in the peer run, the same for all rows. */
export const PYBRAIN_SETTINGS = { runs: 20, sigma: 1, etaMu: 1, target: 1e-10, maxEvaluations: 50_000 } as const;

/** Start mean: all ones, all zeros for Rosenbrock (whose optimum is all ones). */
export const pybrainStartMean = (fn: NesFunction, d: number): Float64Array => new Float64Array(d).fill(fn === 'rosenbrock' ? 0 : 1);

export const PEER_RUN_FILE = 'peer-runs/nes-pybrain.md';

const ROW = /^\| (xnes|snes) \| (sphere|ellipsoid|rosenbrock) \| (\d+) \| (\d+) \| ([\d.]+) \| (.+?) \|$/;
const SOLVED_CELL = /^(\d+(?:\.\d+)?) \[(\d+(?:\.\d+)?), (\d+(?:\.\d+)?)\] \((\d+)\/(\d+)\)$/;
const BEST_F = /median best f: ([\d.e+-]+), ([\d.e+-]+), ([\d.e+-]+) for d = 2, 5, 10/;

/** The 18 rows of the peer-run file (its markdown table and the sentence giving the unsolved rows' median best f). */
export function parsePeerRun(markdown: string): PeerRow[] {
  const flat = markdown.replace(/\s+/g, ' ');
  const best = BEST_F.exec(flat);
  const rows: PeerRow[] = [];
  for (const line of markdown.split('\n')) {
    const m = ROW.exec(line.trim());
    if (!m) continue;
    const [, alg, fn, d, population, eta, cell] = m;
    const base = { alg: alg as NesAlgorithm, fn: fn as NesFunction, d: Number(d), population: Number(population), eta: Number(eta) };
    const solved = SOLVED_CELL.exec(cell);
    if (solved) {
      if (Number(solved[5]) !== PYBRAIN_SETTINGS.runs)
        throw new NatgradError(PEER_RUN_FILE, `row ${alg} ${fn} d=${d}: expected ${PYBRAIN_SETTINGS.runs} runs, got ${solved[5]}`);
      rows.push({ ...base, solved: Number(solved[4]), median: Number(solved[1]), q1: Number(solved[2]), q3: Number(solved[3]), medianBest: null });
    } else if (cell === '0 solved') {
      const at = [2, 5, 10].indexOf(base.d);
      if (!best || at < 0) throw new NatgradError(PEER_RUN_FILE, `row ${alg} ${fn} d=${d}: no median best f for an unsolved row`);
      rows.push({ ...base, solved: 0, median: null, q1: null, q3: null, medianBest: Number(best[at + 1]) });
    } else throw new NatgradError(PEER_RUN_FILE, `row ${alg} ${fn} d=${d}: cannot read the cell "${cell}"`);
  }
  if (rows.length !== 18) throw new NatgradError(PEER_RUN_FILE, `expected 18 rows, found ${rows.length}`);
  return rows;
}

export const readPeerRun = (dataDir = defaultDataDir()): PeerRow[] => parsePeerRun(readFileSync(join(dataDir, PEER_RUN_FILE), 'utf8'));

/** natgrad's defaults for a row, which are PyBrain's: population and learning rate. */
export const natgradSettings = (alg: NesAlgorithm, d: number): { population: number; eta: number } => ({
  population: defaultLambda(d),
  eta: alg === 'xnes' ? xnesLearningRate(d) : snesLearningRate(d),
});

/** One natgrad run of a row with PyBrain's settings; population and learning rates are natgrad's defaults. */
export function runNatgrad(alg: NesAlgorithm, fn: NesFunction, d: number, seed: number): EsResult {
  const options = {
    seed,
    mean: pybrainStartMean(fn, d),
    sigma: PYBRAIN_SETTINGS.sigma,
    etaMu: PYBRAIN_SETTINGS.etaMu,
    target: PYBRAIN_SETTINGS.target,
    maxEvaluations: PYBRAIN_SETTINGS.maxEvaluations,
  };
  return (alg === 'xnes' ? xnes : snes)(TEST_FUNCTIONS[fn], d, options);
}

/** Per-seed outcome of a run: evaluations to target (null if not reached), the best f and why the run stopped. */
export interface SeedOutcome {
  seed: number;
  evaluations: number | null;
  best: number;
  stop: EsStop;
}

export interface RowComparison {
  peer: PeerRow;
  natgrad: { solved: number; median: number | null; q1: number | null; q3: number | null; medianBest: number; outcomes: SeedOutcome[] };
  /** what is compared: evaluations to target, or best f at the budget where PyBrain solved no run */
  statistic: 'evaluations' | 'best f';
  /** natgrad's median inside PyBrain's [Q1, Q3] (null where PyBrain gives no quartiles) */
  medianInPeerIqr: boolean | null;
  test: PeerMedianTest;
  /** the PyBrain medians the test would accept at `level`, given natgrad's runs (its resolution) */
  acceptedPeerMedians: [number, number] | null;
  level: number;
}

/** The significance level of one row: 0.05 over the 18 rows, Bonferroni. */
export const ROW_LEVEL = 0.05 / 18;

/**
 * Compares natgrad's per-seed outcomes with the row's PyBrain summary by the
 * exact exceedance test (rank-statistics.ts). Unsolved runs count as +Infinity
 * evaluations. The order statistics bracketing PyBrain's median cover both
 * readings of "median of the solved runs" when some run was unsolved: the
 * median of the s solved values, and the median of all m with +Infinity.
 */
export function compareRow(peer: PeerRow, outcomes: SeedOutcome[], level = ROW_LEVEL): RowComparison {
  const m = PYBRAIN_SETTINGS.runs;
  const solvedEvals = outcomes.flatMap((o) => (o.evaluations === null ? [] : [o.evaluations]));
  const bests = outcomes.map((o) => o.best);
  const summary = {
    solved: solvedEvals.length,
    median: solvedEvals.length ? quantile(solvedEvals, 0.5) : null,
    q1: solvedEvals.length ? quantile(solvedEvals, 0.25) : null,
    q3: solvedEvals.length ? quantile(solvedEvals, 0.75) : null,
    medianBest: quantile(bests, 0.5),
    outcomes,
  };
  const allOrder = medianOrderStatistics(m);
  if (peer.median === null) {
    const test = peerMedianTest(bests, peer.medianBest as number, m, allOrder);
    return {
      peer,
      natgrad: summary,
      statistic: 'best f',
      medianInPeerIqr: null,
      test,
      acceptedPeerMedians: acceptedMedianRange(bests, m, allOrder, level),
      level,
    };
  }
  const solvedOrder = medianOrderStatistics(peer.solved);
  const order = peer.solved === m ? solvedOrder : { lo: Math.min(solvedOrder.lo, allOrder.lo), hi: Math.max(solvedOrder.hi, allOrder.hi) };
  const own = outcomes.map((o) => o.evaluations ?? Infinity);
  const inIqr = summary.median !== null && summary.median >= (peer.q1 as number) && summary.median <= (peer.q3 as number);
  const test = peerMedianTest(own, peer.median, m, order);
  return {
    peer,
    natgrad: summary,
    statistic: 'evaluations',
    medianInPeerIqr: inIqr,
    test,
    acceptedPeerMedians: acceptedMedianRange(own, m, order, level),
    level,
  };
}

/** Runs one row over seeds 1..20, after checking that natgrad's defaults are the row's settings. */
export function runRow(peer: PeerRow, seeds: readonly number[] = Array.from({ length: PYBRAIN_SETTINGS.runs }, (_, i) => i + 1)): SeedOutcome[] {
  const own = natgradSettings(peer.alg, peer.d);
  if (own.population !== peer.population || Math.abs(own.eta - peer.eta) > 5e-5) {
    throw new NatgradError(
      `${peer.alg} ${peer.fn} d=${peer.d}`,
      `natgrad's defaults (λ = ${own.population}, η = ${own.eta}) are not PyBrain's (λ = ${peer.population}, η = ${peer.eta})`,
    );
  }
  return seeds.map((seed) => {
    const r = runNatgrad(peer.alg, peer.fn, peer.d, seed);
    return { seed, evaluations: r.evaluationsToTarget, best: r.best, stop: r.stop };
  });
}

const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : String(+x.toFixed(2)));
const fmtP = (p: number): string => (p >= 0.01 ? p.toFixed(2) : p.toExponential(1));
const fmtF = (x: number): string => (x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential(2) : String(+x.toPrecision(3)));

const fmtRange = (r: [number, number] | null, statistic: RowComparison['statistic']): string => {
  if (!r) return 'none';
  const f = statistic === 'evaluations' ? fmt : fmtF;
  return `[${f(r[0])}, ${r[1] === Infinity ? '∞' : f(r[1])}]`;
};

/** The markdown table of the comparison, with each row's verdict at its level (Bonferroni). */
export function comparisonTable(rows: RowComparison[]): string {
  const head = [
    '| alg | f | d | λ | PyBrain | natgrad | natgrad median in PyBrain IQR | natgrad runs above PyBrain median | p (exact) | p (sign test) | PyBrain ' +
      'medians the test accepts | verdict |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const body = rows.map(({ peer, natgrad, statistic, medianInPeerIqr, test, acceptedPeerMedians, level }) => {
    const pyb =
      statistic === 'evaluations'
        ? `${fmt(peer.median as number)} [${fmt(peer.q1 as number)}, ${fmt(peer.q3 as number)}] (${peer.solved}/20)`
        : `0/20 solved; median best f ${fmtF(peer.medianBest as number)}`;
    const own =
      statistic === 'evaluations'
        ? natgrad.solved
          ? `${fmt(natgrad.median as number)} [${fmt(natgrad.q1 as number)}, ${fmt(natgrad.q3 as number)}] (${natgrad.solved}/${test.n})`
          : `0/${test.n} solved`
        : `${natgrad.solved}/${test.n} solved; median best f ${fmtF(natgrad.medianBest)}`;
    const verdict = test.p < level ? '**differs**' : 'no difference';
    const iqr = medianInPeerIqr === null ? '–' : medianInPeerIqr ? 'yes' : 'no';
    return `| ${peer.alg === 'xnes' ? 'xNES' : 'SNES'} | ${peer.fn} | ${peer.d} | ${peer.population} | ${pyb} | ${own} | ${iqr} | ${test.above}/${test.n}${test.atOrAbove !== test.above ? ` (+${test.atOrAbove - test.above} equal)` : ''} | ${fmtP(test.p)} | ${fmtP(test.pSign)} | ${fmtRange(acceptedPeerMedians, statistic)} | ${verdict} |`;
  });
  return [...head, ...body].join('\n');
}
