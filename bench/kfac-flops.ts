/**
 * The floating-point work of the K-FAC step of `npm run bench` (bench/workloads.ts
 * KFAC: tanh MLP, softmax output, empirical Fisher, Cholesky inverses of the damped
 * factors), phase by phase, as natgrad does it and as the PyTorch reference in
 * bench/peers.py does it (which forms A = āᵀā and G = ΔᵀΔ as full products where
 * natgrad computes one triangle and mirrors it). Counts multiply-adds as 2 flops;
 * element-wise work (tanh, softmax, bias, the update) is not counted.
 *
 * With a rate in GF/s it also prints the time the step would take if every flop
 * ran at that rate, the floor under natgrad's step for a given kernel rate:
 *   npx tsx bench/kfac-flops.ts [GF/s ...]
 */
import { KFAC } from './workloads.js';

/** Flops of the step's phases for an MLP of layer sizes `sizes` (inputs first) and batch N. */
export function kfacStepFlops(sizes: readonly number[], N: number): { natgrad: Record<string, number>; reference: Record<string, number> } {
  const L = sizes.length - 1;
  let forward = 0;
  let backward = 0;
  let gradient = 0;
  let factorsHalf = 0;
  let factorsFull = 0;
  let inverses = 0;
  let precondition = 0;
  for (let l = 0; l < L; l++) {
    const fanIn = sizes[l];
    const out = sizes[l + 1];
    const cols = fanIn + 1; // the bias joins A as a column of ones
    forward += 2 * N * fanIn * out;
    if (l > 0) backward += 2 * N * out * fanIn; // Δ_{l-1} = (Δ_l W_l) ⊙ φ'
    gradient += 2 * out * N * cols; // Δᵀ ā / N
    // A = āᵀā / N (cols x cols) and G = ΔᵀΔ / N (out x out): one triangle (syrk) or the full product
    factorsHalf += N * cols * cols + N * out * out;
    factorsFull += 2 * N * cols * cols + 2 * N * out * out;
    // Cholesky factor (n³/3), then the inverse from the factor (2n³/3): potrf + potri
    inverses += cols ** 3 + out ** 3;
    // G⁻¹ g A⁻¹ with g out x cols
    precondition += 2 * out * out * cols + 2 * out * cols * cols;
  }
  const shared = { forward, backward, gradient };
  return {
    natgrad: { ...shared, factors: factorsHalf, inverses, precondition },
    reference: { ...shared, factors: factorsFull, inverses, precondition },
  };
}

const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

/** Flops of one full step (inverses every step) and of one amortized step (inverses every `every` steps), by a count of `phases`. */
export function kfacStepTotals(phases: Record<string, number>, every: number): { full: number; amortized: number } {
  const full = total(phases);
  return { full, amortized: full - phases.inverses * (1 - 1 / every) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { natgrad, reference } = kfacStepFlops(KFAC.sizes, KFAC.batch);
  const rates = process.argv
    .slice(2)
    .map(Number)
    .filter((v) => v > 0);
  console.log(`K-FAC step, MLP ${KFAC.sizes.join('-')}, batch ${KFAC.batch} (MFLOP)`);
  console.log('| phase | natgrad | PyTorch reference |');
  console.log('|---|---|---|');
  for (const k of Object.keys(natgrad)) console.log(`| ${k} | ${(natgrad[k] / 1e6).toFixed(1)} | ${(reference[k] / 1e6).toFixed(1)} |`);
  const ours = kfacStepTotals(natgrad, KFAC.every);
  const theirs = kfacStepTotals(reference, KFAC.every);
  console.log(`| full step | ${(ours.full / 1e6).toFixed(1)} | ${(theirs.full / 1e6).toFixed(1)} |`);
  console.log(`| amortized step (inverses every ${KFAC.every}) | ${(ours.amortized / 1e6).toFixed(1)} | ${(theirs.amortized / 1e6).toFixed(1)} |`);
  for (const r of rates) {
    console.log(`at ${r} GF/s: natgrad's full step ${(ours.full / (r * 1e6)).toFixed(1)} ms, amortized ${(ours.amortized / (r * 1e6)).toFixed(1)} ms`);
  }
}
