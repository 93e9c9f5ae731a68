/**
 * Separable natural evolution strategies (SNES; Schaul, Glasmachers and
 * Schmidhuber 2011; Wierstra et al. 2014, Algorithm 6): N(μ, diag(σ²)),
 *   μ ← μ + η_μ σ ∘ Σ u_k z_k,  σ ← σ ∘ exp(η_σ/2 Σ u_k (z_k² - 1)),
 * with η_σ = (3 + ln d) / (5 √d). For a diagonal factor the matrix
 * exponential is the elementwise one, so this is xNES restricted to diagonal B.
 */
import { Rng } from '../core/rng.js';
import type { Objective } from './test-functions.js';
import type { EsOptions, EsResult } from './utilities.js';
import { evaluateGeneration, finishSearch, generationFits, rankUtilities, resolveSearchSettings, startProgress, stopAfterGeneration } from './utilities.js';

/** The paper's default learning rate of σ in SNES: (3 + ln d) / (5 √d). */
export const snesLearningRate = (d: number): number => (3 + Math.log(d)) / (5 * Math.sqrt(d));

/** Minimises `f` by SNES. */
export function snes(f: Objective, d: number, o: EsOptions & { etaMu?: number; etaSigma?: number } = {}): EsResult {
  const { seed, lambda, mean: mu, sigma: sigma0, target, maxEvaluations, rates } = resolveSearchSettings(f, d, o, ['etaMu', 'etaSigma'], 'snes', false);
  const rng = new Rng(seed);
  const etaMu = rates.etaMu ?? 1;
  const etaSigma = rates.etaSigma ?? snesLearningRate(d);
  const sigma = new Float64Array(d).fill(sigma0);
  const progress = startProgress(mu);
  while (generationFits(progress, lambda, maxEvaluations)) {
    const { zs, fit } = evaluateGeneration(rng, lambda, d, (z) => mu.map((m, i) => m + sigma[i] * z[i]), f, progress);
    const stop = stopAfterGeneration(progress, target);
    if (stop) return finishSearch(progress, stop);
    const u = rankUtilities(fit);
    for (let i = 0; i < d; i++) {
      let gm = 0;
      let gs = 0;
      for (let k = 0; k < lambda; k++) {
        gm += u[k] * zs[k][i];
        gs += u[k] * (zs[k][i] * zs[k][i] - 1);
      }
      mu[i] += etaMu * sigma[i] * gm;
      sigma[i] *= Math.exp((etaSigma / 2) * gs);
    }
  }
  return finishSearch(progress, 'budget');
}
