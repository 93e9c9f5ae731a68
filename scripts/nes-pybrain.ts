/**
 * natgrad's xNES and SNES against PyBrain's peer run (data/peer-runs/nes-pybrain.md):
 * 18 rows, PyBrain's settings, natgrad seeds 1..N (N = 20 as in the peer run,
 * or --seeds N). Writes the per-seed outcomes and the tests to
 * docs/experiments/rl-es-vi/nes-pybrain.json (nes-pybrain-N.json for N != 20)
 * and prints the markdown table of docs/experiments-rl-es-vi.md, section 3.
 * --retest recomputes the tests from the outcomes in that JSON, without running.
 * Run: npx tsx scripts/nes-pybrain.ts [--seeds N] [--retest]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { comparisonTable, compareRow, PYBRAIN_SETTINGS, readPeerRun, runRow, type RowComparison, type SeedOutcome } from '../src/experiments/nes-pybrain.js';

const flag = process.argv.indexOf('--seeds');
const n = flag >= 0 ? Number(process.argv[flag + 1]) : PYBRAIN_SETTINGS.runs;
if (!(Number.isInteger(n) && n >= 1 && n <= 900)) {
  console.error(`natgrad: --seeds: must be an integer in 1..900, got ${process.argv[flag + 1]}`);
  process.exit(2);
}
const seeds = Array.from({ length: n }, (_, i) => i + 1);
const name = n === PYBRAIN_SETTINGS.runs ? 'nes-pybrain.json' : `nes-pybrain-${n}.json`;
const out = new URL(`../docs/experiments/rl-es-vi/${name}`, import.meta.url);

/** The JSON with one line per seed. */
const serialise = (rows: RowComparison[], wallSeconds: number): string =>
  JSON.stringify({ settings: PYBRAIN_SETTINGS, seeds: `1..${n}`, wallSeconds, rows }, null, 1)
    .replace(/\{\n\s+("seed": \d+),\n\s+("evaluations": [^,]+),\n\s+("best": [^,]+),\n\s+("stop": "[^"]+")\n\s+\}/g, '{$1, $2, $3, $4}') + '\n';

let rows: RowComparison[];
let wallSeconds: number;
if (process.argv.includes('--retest')) {
  const saved = JSON.parse(readFileSync(out, 'utf8')) as { wallSeconds: number; rows: { natgrad: { outcomes: SeedOutcome[] } }[] };
  rows = readPeerRun().map((peer, i) => compareRow(peer, saved.rows[i].natgrad.outcomes));
  wallSeconds = saved.wallSeconds;
} else {
  const started = Date.now();
  rows = readPeerRun().map((peer) => {
    const t = Date.now();
    const row = compareRow(peer, runRow(peer, seeds));
    console.error(`${peer.alg} ${peer.fn} d=${peer.d}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
    return row;
  });
  wallSeconds = Math.round((Date.now() - started) / 1000);
}
writeFileSync(out, serialise(rows, wallSeconds));
console.log(comparisonTable(rows));
console.log(`\n${rows.length} rows, ${n} seeds each, run in ${wallSeconds} s; wrote ${out.pathname}`);
