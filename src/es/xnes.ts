/**
 * Exponential natural evolution strategies (xNES; Glasmachers et al. 2010;
 * Wierstra et al., JMLR 15, 2014, Algorithm 5). Search distribution
 * N(μ, σ² BBᵀ) with det B = 1; per generation, with utilities u_k of the
 * sorted samples z_k:
 *   G_δ = Σ u_k z_k,  G_M = Σ u_k (z_k z_kᵀ - I),  G_σ = tr(G_M)/d,  G_B = G_M - G_σ I
 *   μ ← μ + η_μ σ B G_δ,  σ ← σ exp(η_σ G_σ / 2),  B ← B · expm(η_B G_B / 2).
 * The factor update is the matrix exponential multiplied from the right, not
 * elementwise (a mistake seen in evosax): expm of the trace-free G_B keeps det B = 1.
 */
import { Rng } from '../core/rng.js';
import { Matrix } from '../linalg/matrix.js';
import { matmul, matvec } from '../linalg/ops.js';
import { expmSymmetric } from '../linalg/matrix-function.js';
import type { Objective } from './test-functions.js';
import type { EsOptions, EsResult } from './utilities.js';
import { evaluateGeneration, finishSearch, generationFits, rankUtilities, resolveSearchSettings, startProgress, stopAfterGeneration } from './utilities.js';

/** The paper's default learning rate of σ and B in xNES: 3 (3 + ln d) / (5 d √d). */
export const xnesLearningRate = (d: number): number => (3 * (3 + Math.log(d))) / (5 * d * Math.sqrt(d));

/** B · expm(M): the xNES factor update (matrix product with the matrix exponential of symmetric M). */
export function expmFactorUpdate(B: Matrix, M: Matrix): Matrix {
  return matmul(B, expmSymmetric(M));
}

/** Minimises `f` from `options.mean` by xNES. */
export function xnes(f: Objective, d: number, o: EsOptions & { etaMu?: number; etaSigma?: number; etaB?: number } = {}): EsResult {
  const { seed, lambda, mean: mu, sigma: sigma0, target, maxEvaluations, rates } = resolveSearchSettings(f, d, o, ['etaMu', 'etaSigma', 'etaB'], 'xnes', true);
  const rng = new Rng(seed);
  const etaMu = rates.etaMu ?? 1;
  const etaSigma = rates.etaSigma ?? xnesLearningRate(d);
  const etaB = rates.etaB ?? etaSigma;
  let sigma = sigma0;
  let B = Matrix.identity(d);
  const progress = startProgress(mu);
  while (generationFits(progress, lambda, maxEvaluations)) {
    const { zs, fit } = evaluateGeneration(
      rng,
      lambda,
      d,
      (z) => {
        const bz = matvec(B, z);
        return mu.map((m, i) => m + sigma * bz[i]);
      },
      f,
      progress,
    );
    const stop = stopAfterGeneration(progress, target);
    if (stop) return finishSearch(progress, stop);
    const u = rankUtilities(fit);
    const gDelta = new Float64Array(d);
    const gM = Matrix.zeros(d, d);
    zs.forEach((z, k) => {
      for (let i = 0; i < d; i++) {
        gDelta[i] += u[k] * z[i];
        for (let j = 0; j < d; j++) gM.data[i * d + j] += u[k] * (z[i] * z[j] - (i === j ? 1 : 0));
      }
    });
    let tr = 0;
    for (let i = 0; i < d; i++) tr += gM.data[i * d + i];
    const gSigma = tr / d;
    const step = matvec(B, gDelta);
    for (let i = 0; i < d; i++) mu[i] += etaMu * sigma * step[i];
    sigma *= Math.exp((etaSigma * gSigma) / 2);
    const M = Matrix.zeros(d, d);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) M.data[i * d + j] = (etaB / 2) * (gM.data[i * d + j] - (i === j ? gSigma : 0));
    B = expmFactorUpdate(B, M);
  }
  return finishSearch(progress, 'budget');
}
