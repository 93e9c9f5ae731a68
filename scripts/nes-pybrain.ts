/**
 * natgrad's xNES and SNES against PyBrain's peer run (data/peer-runs/nes-pybrain.md):
 * 18 rows, PyBrain's settings, natgrad seeds 1..N (N = 20 as in the peer run,
 * or --seeds N). Writes the per-seed outcomes and the tests to
 * docs/experiments/rl-es-vi/nes-pybrain.json (nes-pybrain-N.json for N != 20)
 * and prints the markdown table of docs/experiments-rl-es-vi.md, section 3.
 * Run: npx tsx scripts/nes-pybrain.ts [--seeds N]
 */
import { writeFileSync } from 'node:fs';
import { comparisonTable, compareRow, PYBRAIN_SETTINGS, readPeerRun, runRow } from '../src/experiments/nes-pybrain.js';

const flag = process.argv.indexOf('--seeds');
const n = flag >= 0 ? Number(process.argv[flag + 1]) : PYBRAIN_SETTINGS.runs;
if (!(Number.isInteger(n) && n >= 1 && n <= 900)) {
  console.error(`natgrad: --seeds: must be an integer in 1..900, got ${process.argv[flag + 1]}`);
  process.exit(2);
}
const seeds = Array.from({ length: n }, (_, i) => i + 1);
const started = Date.now();
const rows = readPeerRun().map((peer) => {
  const t = Date.now();
  const row = compareRow(peer, runRow(peer, seeds));
  console.error(`${peer.alg} ${peer.fn} d=${peer.d}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return row;
});
const seconds = (Date.now() - started) / 1000;
const name = n === PYBRAIN_SETTINGS.runs ? 'nes-pybrain.json' : `nes-pybrain-${n}.json`;
const out = new URL(`../docs/experiments/rl-es-vi/${name}`, import.meta.url);
writeFileSync(out, JSON.stringify({ settings: PYBRAIN_SETTINGS, seeds: `1..${n}`, wallSeconds: Math.round(seconds), rows }, null, 1) + '\n');
console.log(comparisonTable(rows));
console.log(`\n${rows.length} rows, ${n} seeds each, in ${seconds.toFixed(0)} s; wrote ${out.pathname}`);
