#!/usr/bin/env node
/**
 * A folder's mutation score estimated from stratified samples (runs of
 * scripts/mutation-sample.mjs line samples, one per stratum): each stratum's
 * score weighted by its number of mutants, with the standard error of the
 * weighted sum and a 95% Wilson interval at the effective sample size
 * (the number of mutants whose binomial variance equals the estimate's).
 * Usage: node scripts/mutation-estimate.mjs NAME=MUTANTS:DETECTED/SAMPLED ...
 *   e.g. logic=3521:120/140 catalogue=1603:90/110
 */
const strata = process.argv.slice(2).map((a) => {
  const m = /^([^=]+)=(\d+):(\d+)\/(\d+)$/.exec(a);
  if (!m) {
    console.error(`not NAME=MUTANTS:DETECTED/SAMPLED: ${a}`);
    process.exit(2);
  }
  return { name: m[1], weight: Number(m[2]), detected: Number(m[3]), sampled: Number(m[4]) };
});
if (strata.length === 0) {
  console.error('usage: mutation-estimate.mjs NAME=MUTANTS:DETECTED/SAMPLED ...');
  process.exit(2);
}
const Z = 1.959964;
/** Wilson score interval of a proportion p from n trials. */
function wilson(p, n) {
  const denom = 1 + (Z * Z) / n;
  const centre = (p + (Z * Z) / (2 * n)) / denom;
  const half = (Z * Math.sqrt((p * (1 - p)) / n + (Z * Z) / (4 * n * n))) / denom;
  return [centre - half, centre + half];
}
const pct = (x) => `${(100 * x).toFixed(1)}%`;
const total = strata.reduce((s, t) => s + t.weight, 0);
let estimate = 0;
let variance = 0;
for (const t of strata) {
  const p = t.detected / t.sampled;
  const w = t.weight / total;
  estimate += w * p;
  variance += (w * w * p * (1 - p)) / t.sampled;
  const [lo, hi] = wilson(p, t.sampled);
  console.log(`${t.name}: ${t.detected}/${t.sampled} = ${pct(p)} (Wilson 95% ${pct(lo)}–${pct(hi)}), weight ${t.weight} of ${total}`);
}
const nEff = variance > 0 ? (estimate * (1 - estimate)) / variance : strata.reduce((s, t) => s + t.sampled, 0);
const [lo, hi] = wilson(estimate, nEff);
console.log(
  `folder: ${pct(estimate)} ± ${pct(Z * Math.sqrt(variance))} (1.96 standard errors); Wilson 95% at effective n = ${nEff.toFixed(0)}: ${pct(lo)}–${pct(hi)}`,
);
