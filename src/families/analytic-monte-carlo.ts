/**
 * The Monte Carlo Fisher E[s sᵀ] of a family by the score outer product,
 * with the score from the closed form (analytic-score.ts) carried to the
 * parameterization by the chain rule s_θ = Jᵀ s_base. It draws the same
 * samples as the score estimate of familyMonteCarloFisher (estimators.ts), whose
 * numeric derivative stays as the independent cross-check. With
 * `controlVariate`, the score itself (mean zero) is the control variate of
 * every entry (numeric/score-control.ts).
 */
import { NatgradError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { requireIntegerInRange } from '../core/validate.js';
import { Matrix } from '../linalg/matrix.js';
import type { MatrixMeanEstimate } from '../numeric/index.js';
import { ScoreOuterProduct } from '../numeric/score-control.js';
import { analyticBaseScore } from './analytic-score.js';
import { type FisherPoint, chainRuleAt } from './estimators.js';

/**
 * Scores per batch of the control-variate regression (ScoreOuterProduct): up
 * to 64, which leaves the regression (O(d³) per batch) a small share of the
 * cost beside accumulating g gᵀ (O(d²) per score), but never so large that fewer than MIN_BATCHES batches remain, so that the
 * standard error keeps thousands of degrees of freedom (at the z ≈ 6 of a
 * 1e-6 false-alarm rate a Student t with ν degrees of freedom has a tail
 * about exp(z⁴/4ν) times the normal's: 1.1 at ν = 4000).
 */
const MIN_BATCHES = 4000;
const MAX_BATCH = 64;
export function controlBatch(samples: number): number {
  return Math.max(1, Math.min(MAX_BATCH, Math.floor(samples / MIN_BATCHES)));
}

/**
 * The score-outer-product estimate and its entrywise standard error from
 * `samples` draws (Rng(seed).split(), as familyMonteCarloFisher), or null when the
 * family has no analytic score.
 */
export function monteCarloFisherAnalytic(pt: FisherPoint, samples: number, seed: number, opts: { controlVariate?: boolean } = {}): MatrixMeanEstimate | null {
  requireIntegerInRange(samples, 'samples', 2);
  const score = analyticBaseScore(pt.inst);
  if (!score) return null;
  const { inst, fixed } = pt;
  const cr = chainRuleAt(pt);
  const base = cr.base;
  const J = cr.J.data;
  const m = cr.J.rows;
  const d = cr.J.cols;
  const identity = pt.p.name === inst.base;
  const sb = new Float64Array(m);
  const g = identity ? sb : new Float64Array(d);
  const P = (d * (d + 1)) / 2;
  const mean = new Float64Array(P);
  const m2 = new Float64Array(P);
  const rng = new Rng(seed).split();
  const batch = controlBatch(samples);
  const controlled = opts.controlVariate ? new ScoreOuterProduct(d, batch) : null;
  // whole batches: at most batch − 1 draws more than asked for
  const draws = controlled ? Math.ceil(samples / batch) * batch : samples;
  for (let s = 0; s < draws; s++) {
    score(inst.sample(rng, base, fixed), base, fixed, sb);
    if (!identity) {
      for (let i = 0; i < d; i++) {
        let v = 0;
        for (let k = 0; k < m; k++) v += J[k * d + i] * sb[k];
        g[i] = v;
      }
    }
    if (controlled) {
      controlled.add(g);
      continue;
    }
    const inv = 1 / (s + 1);
    // Welford over the upper triangle of g gᵀ
    let p = 0;
    for (let i = 0; i < d; i++) {
      const gi = g[i];
      if (!Number.isFinite(gi)) throw new NatgradError('score', `the analytic score is not finite at sample ${s} (component ${i}: ${gi})`);
      for (let j = i; j < d; j++, p++) {
        const v = gi * g[j];
        const delta = v - mean[p];
        mean[p] += delta * inv;
        m2[p] += delta * (v - mean[p]);
      }
    }
  }
  if (controlled) {
    const { value, stdError } = controlled.estimate();
    return { value, stdError };
  }
  const value = Matrix.zeros(d, d);
  const stdError = Matrix.zeros(d, d);
  for (let i = 0, p = 0; i < d; i++) {
    for (let j = i; j < d; j++, p++) {
      const se = Math.sqrt(m2[p] / (samples - 1) / samples);
      value.data[i * d + j] = value.data[j * d + i] = mean[p];
      stdError.data[i * d + j] = stdError.data[j * d + i] = se;
    }
  }
  return { value, stdError };
}
