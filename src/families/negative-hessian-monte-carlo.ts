/**
 * The Monte Carlo Fisher as -E[∇² log p], with control variates of known
 * mean that do not involve the Fisher:
 *  - the score g (E[g] = 0), the control of every entry; where -∇² log p is
 *    affine in the score, as for every exponential family in a parameterization
 *    that is a diffeomorphism of its natural parameters, the regression
 *    estimate is exact up to rounding and the finite-difference bias;
 *  - with `bartlett`, also g gᵀ + ∇² log p (E = 0 by the second Bartlett
 *    identity, under the regularity that lets the Hessian route hold at all),
 *    for families that are not exponential families (the Student t): then the
 *    estimate is the best linear combination of the two Fisher identities'
 *    sample means, and exact wherever both are functions of the same few
 *    statistics of x.
 * The coefficients are regression estimates (numeric/score-control.ts): the
 * standard error has n − 1 − (number of controls) degrees of freedom.
 *
 * Two implementations of the derivatives, chosen by `derivatives`:
 *  - 'log-density': the score and Hessian by finite differences of the numeric
 *    log-density (Richardson-extrapolated second differences), O(m²)
 *    log-density calls a draw: an implementation independent of the
 *    catalogue's expression and of its score;
 *  - 'score': the Hessian as the Jacobian of the family's analytic score
 *    (central differences at h and h/2, Richardson-extrapolated), 4m score
 *    calls a draw, for families with many parameters.
 * Either way the bias bound of every entry (the mean size of the draws'
 * Richardson corrections: the estimate is the mean of the draws' Hessians, so
 * its error is the mean of theirs, each bounded by its own correction; carried
 * through the chain rule and the Bartlett controls' coefficients) is returned,
 * to be added to tolerances.
 */
import { Rng } from '../core/rng.js';
import { requireIntegerInRange } from '../core/validate.js';
import { Matrix } from '../linalg/matrix.js';
import type { MatrixMeanEstimate } from '../numeric/monte-carlo.js';
import { JacobianHessianBias } from '../numeric/richardson-hessian.js';
import { ControlledMean, symmetricEstimate } from '../numeric/score-control.js';
import { analyticBaseScore, type BaseScore } from './analytic-score.js';
import {
  baseHessian,
  baseScore,
  baseSteps,
  chainRuleAt,
  kinkCap,
  pullBackNegHessian,
  pullBackScore,
  scoreSteps,
  type ChainRule,
  type FisherPoint,
} from './estimators.js';
import type { Sample } from './types.js';
import { NatgradError } from '../core/errors.js';

/**
 * Rounding error of one extrapolated second difference, in units of |log p| / (h_i h_j): four values of
 * relative error ≤ 4u each (a log-density is a sum of a few terms), over 4 (h_i/2)(h_j/2), times the
 * extrapolation's 4/3, rounded up.
 */
const ROUNDING = 4 * 4 * 2 ** -52 * 4 * 2;

export interface NegativeHessianOptions {
  /** also use g gᵀ + ∇² log p (mean zero) as controls */
  bartlett?: boolean;
  /** where the second derivatives come from (default 'log-density') */
  derivatives?: 'log-density' | 'score';
}

export interface NegativeHessianEstimate {
  negHessian: MatrixMeanEstimate;
  /** bound on the finite-difference bias of each entry (theta coordinates) */
  negHessianBias: Matrix;
  samples: number;
}

/**
 * Hessian of log p(x) in the base coordinates as the Jacobian of the analytic score: central differences at h
 * and h/2, extrapolated and made symmetric by `hessians`, which keeps the draws' bias bound.
 */
function scoreJacobian(
  score: BaseScore,
  x: Sample,
  base: Float64Array,
  fixed: Readonly<Record<string, number>>,
  steps: Float64Array,
  hessians: JacobianHessianBias,
  work: { b: Float64Array; plus: Float64Array; minus: Float64Array; d1: Float64Array; d2: Float64Array },
): Float64Array {
  const m = base.length;
  const { b, plus, minus, d1, d2 } = work;
  b.set(base);
  const column = (c: number, h: number, into: Float64Array): void => {
    b[c] = base[c] + h;
    score(x, b, fixed, plus);
    b[c] = base[c] - h;
    score(x, b, fixed, minus);
    b[c] = base[c];
    for (let k = 0; k < m; k++) into[k * m + c] = (plus[k] - minus[k]) / (2 * h);
  };
  for (let c = 0; c < m; c++) {
    column(c, steps[c], d1);
    column(c, steps[c] / 2, d2);
  }
  return hessians.add(d1, d2);
}

/**
 * -E[∇² log p] from `samples` draws on the stream of familyMonteCarloFisher's
 * negative Hessian (Rng(seed), second split).
 */
export function monteCarloNegativeHessian(pt: FisherPoint, samples: number, seed: number, opts: NegativeHessianOptions = {}): NegativeHessianEstimate {
  const rng = new Rng(seed);
  rng.split();
  const r2 = rng.split();
  const cr: ChainRule = chainRuleAt(pt);
  const { inst, fixed } = pt;
  const m = cr.base.length;
  const n = cr.J.cols;
  const P = (n * (n + 1)) / 2;
  const bartlett = opts.bartlett === true;
  const controls = bartlett ? n + P : n;
  requireIntegerInRange(samples, 'samples', controls + 2);
  const analytic = opts.derivatives === 'score' ? analyticBaseScore(inst) : null;
  if (opts.derivatives === 'score' && !analytic) throw new NatgradError('derivatives', `${inst.family} has no analytic score: use 'log-density'`);
  const steps = scoreSteps(inst, cr);
  // first differences of the exact score tolerate a smaller step than second differences of log p: the
  // Richardson correction, which bounds the bias, is O(h²)
  const relative = analytic ? 1e-3 : 4e-3;
  const hsteps = baseSteps(inst, cr.base).map((s, i) => Math.min(s, relative * Math.max(1e-2, Math.abs(cr.base[i]))));
  const capped = kinkCap(inst, cr);
  const biasBase = new Float64Array(m * m);
  const roundoffBase = new Float64Array(m * m);
  const acc = new ControlledMean(P, controls);
  const y = new Float64Array(P);
  const c = new Float64Array(controls);
  const work = { b: new Float64Array(m), plus: new Float64Array(m), minus: new Float64Array(m), d1: new Float64Array(m * m), d2: new Float64Array(m * m) };
  const jacobianBias = analytic ? new JacobianHessianBias(m) : null;
  const gb = new Float64Array(m);
  const identity = pt.p.name === inst.base;
  for (let s = 0; s < samples; s++) {
    const x = inst.sample(r2, cr.base, fixed);
    let Hb: Float64Array;
    if (analytic) {
      analytic(x, cr.base, fixed, gb);
      Hb = scoreJacobian(analytic, x, cr.base, fixed, hsteps, jacobianBias!, work);
    } else {
      const h = capped(x, hsteps);
      gb.set(baseScore(inst, x, cr.base, fixed, capped(x, steps)));
      Hb = baseHessian(inst, x, cr.base, fixed, h, biasBase);
      // rounding: a second difference at steps h/2 divides errors of a few ulp of log p by (h_i h_j)/4; the
      // Richardson correction does not see it where a kink caps a step far below its usual size (a draw
      // next to the Laplace's x = mu). The estimate's error is at most the mean of the draws' errors.
      const f = Math.max(1, Math.abs(inst.logpdf(x, cr.base, fixed)));
      for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) roundoffBase[i * m + j] += (ROUNDING * f) / (h[i] * h[j]);
    }
    // in the base parameterization the chain rule is the identity (O(n² m²) a draw otherwise)
    const negH = identity ? Hb.map((v) => -v) : pullBackNegHessian(cr, gb, Hb).data;
    const g = identity ? gb : pullBackScore(cr, gb);
    for (let i = 0, p = 0; i < n; i++) for (let j = i; j < n; j++, p++) y[p] = negH[i * n + j];
    c.set(g);
    if (bartlett) for (let i = 0, p = 0; i < n; i++) for (let j = i; j < n; j++, p++) c[n + p] = g[i] * g[j] - y[p];
    acc.add(y, c);
  }
  // the Monte Carlo mean's error is the mean of the draws' errors: each draw's correction (and rounding) bounds its own
  if (jacobianBias) biasBase.set(jacobianBias.bias());
  else for (let k = 0; k < m * m; k++) biasBase[k] = (biasBase[k] + roundoffBase[k]) / samples;
  const e = acc.estimate();
  const negHessian = symmetricEstimate(n, e.value, e.stdError);
  // the base-coordinate bias carried through J (entrywise |J|ᵀ bias |J|)
  const thetaBias = new Float64Array(P);
  for (let i = 0, p = 0; i < n; i++)
    for (let j = i; j < n; j++, p++) {
      let s2 = 0;
      for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) s2 += Math.abs(cr.J.data[a * n + i]) * biasBase[a * m + b] * Math.abs(cr.J.data[b * n + j]);
      thetaBias[p] = s2;
    }
  // a Bartlett control's mean is off zero by its Hessian entry's bias: the estimate moves by |β| times that
  const total = Float64Array.from(thetaBias);
  if (bartlett) {
    for (let p = 0; p < P; p++) {
      let s2 = 0;
      for (let q = 0; q < P; q++) s2 += Math.abs(e.beta[p * controls + n + q]) * thetaBias[q];
      total[p] += s2;
    }
  }
  const negHessianBias = new Matrix(n, n);
  for (let i = 0, p = 0; i < n; i++) for (let j = i; j < n; j++, p++) negHessianBias.data[i * n + j] = negHessianBias.data[j * n + i] = total[p];
  return { negHessian, negHessianBias, samples };
}
