/**
 * Numeric estimates of a family's Fisher matrix, independent of its symbolic
 * derivation: exact sums over discrete supports, quadrature over 1-d
 * continuous ones, and Monte Carlo by the score outer product and by the
 * negative Hessian, each with its error bound or standard error.
 *
 * Derivatives are taken by finite differences of the numeric log-density in
 * the base coordinates and carried to the parameterization by the chain rule
 * (J = d base / d theta and the second derivatives of the map are computed
 * once per point), so that Monte Carlo loops evaluate only the fast log-density.
 */
import { Rng } from '../core/rng.js';
import { Matrix } from '../linalg/matrix.js';
import { requireIntegerInRange } from '../core/validate.js';
import { gradientFD, hessianFD, integrate, mcFisherScore, sumSeries, type MatrixMeanEstimate } from '../numeric/index.js';
import { richardsonExtrapolate } from '../numeric/richardson-hessian.js';
import { ControlledMean, symmetricEstimate } from '../numeric/score-control.js';
import { jacobianToBase, toBase } from './json-points.js';
import type { FamilyInstance, ParameterizationInstance, Sample } from './types.js';
import { baseParameterization } from './instance.js';

export interface FisherPoint {
  inst: FamilyInstance;
  p: ParameterizationInstance;
  theta: Float64Array;
  fixed: Record<string, number>;
}

export interface ChainRule {
  base: Float64Array;
  /** J[k][i] = d base_k / d theta_i */
  J: Matrix;
  /** second derivatives of each base coordinate in theta */
  H: Matrix[];
}

/** Largest safe finite-difference step for each base coordinate: inside its domain, with margin. */
export function baseSteps(inst: FamilyInstance, base: Float64Array): Float64Array {
  const bp = baseParameterization(inst);
  return Float64Array.from(bp.symbols, (s, i) => {
    const d = bp.domains[s];
    const v = base[i];
    switch (d.kind) {
      case 'positive':
        return 0.05 * v;
      case 'negative':
        return -0.05 * v;
      case 'interval':
        return 0.05 * Math.min(v - d.lo, d.hi - v);
      default:
        return 0.05 * Math.max(1, Math.abs(v));
    }
  });
}

export function chainRuleAt(pt: FisherPoint): ChainRule {
  const { inst, p, theta, fixed } = pt;
  const base = toBase(inst, p, theta, fixed);
  const J = jacobianToBase(inst, p, theta, fixed);
  const isIdentity = p.name === inst.base;
  // each theta step moves every base coordinate by at most its own safe step (|J| h summed over the n
  // directions), so the stencil stays inside the base domain where the map nears its edge (the
  // expectation coordinates of the normal at sigma = 0.3, |mu| = 2: m2 - m1² = sigma² is 2% of m2)
  const room = baseSteps(inst, base);
  const step = Float64Array.from(theta, (v, i) => {
    let h = 0.01 * Math.max(0.1, Math.abs(v));
    for (let k = 0; k < base.length; k++) {
      const slope = Math.abs(J.get(k, i));
      if (slope > 0) h = Math.min(h, room[k] / (theta.length * slope));
    }
    return h;
  });
  const H = Array.from(base, (_, k) => {
    if (isIdentity) return new Matrix(theta.length, theta.length);
    return hessianFD((t) => toBase(inst, p, t, fixed)[k], theta, { maxStep: step }).value;
  });
  return { base, J, H };
}

/** Score of log p(x) in the base coordinates by central differences with a fixed step (O(h²)). */
export function baseScore(inst: FamilyInstance, x: Sample, base: Float64Array, fixed: Record<string, number>, steps: Float64Array): Float64Array {
  const n = base.length;
  const b = base.slice();
  const g = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const h = steps[i];
    b[i] = base[i] + h;
    const fp = inst.logpdf(x, b, fixed);
    b[i] = base[i] - h;
    const fm = inst.logpdf(x, b, fixed);
    b[i] = base[i];
    g[i] = (fp - fm) / (2 * h);
  }
  return g;
}

/** Central second differences of log p(x) in the base coordinates with step factor t (steps * t). */
function secondDifferences(inst: FamilyInstance, x: Sample, base: Float64Array, fixed: Record<string, number>, steps: Float64Array, t: number): Float64Array {
  const n = base.length;
  const b = base.slice();
  const f = (): number => inst.logpdf(x, b, fixed);
  const f0 = f();
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const hi = steps[i] * t;
    b[i] = base[i] + hi;
    const fp = f();
    b[i] = base[i] - hi;
    const fm = f();
    b[i] = base[i];
    H[i * n + i] = (fp - 2 * f0 + fm) / (hi * hi);
    for (let j = i + 1; j < n; j++) {
      const hj = steps[j] * t;
      b[i] = base[i] + hi;
      b[j] = base[j] + hj;
      const pp = f();
      b[j] = base[j] - hj;
      const pm = f();
      b[i] = base[i] - hi;
      const mm = f();
      b[j] = base[j] + hj;
      const mp = f();
      b[i] = base[i];
      b[j] = base[j];
      H[i * n + j] = H[j * n + i] = (pp - pm - mp + mm) / (4 * hi * hj);
    }
  }
  return H;
}

/**
 * Hessian of log p(x) in the base coordinates: second differences at steps h
 * and h/2 combined by Richardson extrapolation (O(h⁴)); the size of the
 * extrapolation's correction, an a-posteriori bound on the error (the error
 * left is O(h²) times smaller), is added to `bias`: summed over the draws and
 * divided by their number it bounds the error of the Monte Carlo mean, which
 * is the mean of the draws' errors.
 */
export function baseHessian(
  inst: FamilyInstance,
  x: Sample,
  base: Float64Array,
  fixed: Record<string, number>,
  steps: Float64Array,
  bias: Float64Array,
): Float64Array {
  const D1 = secondDifferences(inst, x, base, fixed, steps, 1);
  const D2 = secondDifferences(inst, x, base, fixed, steps, 0.5);
  richardsonExtrapolate(D1, D2, bias);
  return D2;
}

export function pullBackScore(cr: ChainRule, g: Float64Array): Float64Array {
  const { J } = cr;
  const out = new Float64Array(J.cols);
  for (let k = 0; k < J.rows; k++) for (let i = 0; i < J.cols; i++) out[i] += J.data[k * J.cols + i] * g[k];
  return out;
}

export function pullBackNegHessian(cr: ChainRule, g: Float64Array, Hb: Float64Array): Matrix {
  const { J, H } = cr;
  const m = J.rows;
  const n = J.cols;
  const out = new Matrix(n, n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let a = 0; a < m; a++) for (let c = 0; c < m; c++) s += J.data[a * n + i] * Hb[a * m + c] * J.data[c * n + j];
      for (let k = 0; k < m; k++) s += g[k] * H[k].data[i * n + j];
      out.data[i * n + j] = -s;
    }
  return out;
}

/** Score of log p(x) in theta by Ridders' extrapolation: accurate to ~1e-10, for the deterministic routes. */
function accurateScore(inst: FamilyInstance, cr: ChainRule, x: Sample, fixed: Record<string, number>): Float64Array {
  let steps = baseSteps(inst, cr.base);
  if (inst.breakpoints && typeof x === 'number') {
    // a step must not carry the kink (x = mu for the Laplace) across x
    const gap = Math.min(...inst.breakpoints(cr.base).map((k) => Math.abs(x - k)));
    if (gap === 0) return new Float64Array(cr.J.cols).fill(NaN);
    steps = steps.map((h) => Math.min(h, 0.25 * gap));
  }
  const g = gradientFD((b) => inst.logpdf(x, b, fixed), cr.base, { maxStep: steps }).value;
  return pullBackScore(cr, g);
}

export interface DeterministicFisher {
  value: Matrix;
  error: Matrix;
  method: 'exact-sum' | 'quadrature';
}

/** E[score scoreᵀ] (and E[score]) computed deterministically, or null when the support has no such route (vector families). */
export function deterministicFisher(
  pt: FisherPoint,
  scoreAt?: Float64Array,
): { fisher: DeterministicFisher; scoreMean: { value: Float64Array; error: Float64Array } } | null {
  const { inst, fixed } = pt;
  const densityBase = toBase(inst, pt.p, pt.theta, fixed);
  // The score may be taken at another point than the density's (sensitivity checks).
  const cr = chainRuleAt(scoreAt ? { ...pt, theta: scoreAt } : pt);
  const n = pt.theta.length;
  const value = new Matrix(n, n);
  const error = new Matrix(n, n);
  const meanValue = new Float64Array(n);
  const meanError = new Float64Array(n);
  const support = inst.support;
  if (support.kind === 'categories') {
    const K = support.classes;
    const outcomes = Array.from({ length: K }, (_, c) => Float64Array.from({ length: K - 1 }, (_, i) => (i === c ? 1 : 0)));
    for (const x of outcomes) {
      const w = Math.exp(inst.logpdf(x, densityBase, fixed));
      const s = accurateScore(inst, cr, x, fixed);
      for (let i = 0; i < n; i++) {
        meanValue[i] += w * s[i];
        for (let j = 0; j < n; j++) value.data[i * n + j] += w * s[i] * s[j];
      }
    }
    const eps = 1e-13;
    for (let i = 0; i < n * n; i++) error.data[i] = eps * Math.abs(value.data[i]) + 1e-15;
    meanError.fill(1e-12);
    return { fisher: { value, error, method: 'exact-sum' }, scoreMean: { value: meanValue, error: meanError } };
  }
  if (support.kind === 'count') {
    const end = support.max ? support.max(fixed) : Infinity;
    const cache = new Map<number, { w: number; s: Float64Array }>();
    const at = (k: number) => {
      let c = cache.get(k);
      if (!c) {
        c = { w: Math.exp(inst.logpdf(k, densityBase, fixed)), s: accurateScore(inst, cr, k, fixed) };
        cache.set(k, c);
      }
      return c;
    };
    for (let i = 0; i < n; i++) {
      const m = sumSeries(
        (k) => {
          const c = at(k);
          return c.w * c.s[i];
        },
        { end },
      );
      meanValue[i] = m.value;
      meanError[i] = m.error;
      for (let j = i; j < n; j++) {
        const r = sumSeries(
          (k) => {
            const c = at(k);
            return c.w * c.s[i] * c.s[j];
          },
          { end },
        );
        value.data[i * n + j] = value.data[j * n + i] = r.value;
        error.data[i * n + j] = error.data[j * n + i] = r.error;
      }
    }
    return { fisher: { value, error, method: 'exact-sum' }, scoreMean: { value: meanValue, error: meanError } };
  }
  if (support.kind === 'real' || support.kind === 'positive' || support.kind === 'unit') {
    const [a, b] = support.kind === 'real' ? [-Infinity, Infinity] : support.kind === 'positive' ? [0, Infinity] : [0, 1];
    // the kinks of the density and of the score, which may be taken elsewhere: a piece with a kink inside converges slowly
    const breakpoints = inst.breakpoints ? [...inst.breakpoints(densityBase), ...inst.breakpoints(cr.base)] : [];
    const opts = { breakpoints, rtol: 1e-11, atol: 1e-14 };
    // The n(n+3)/2 integrals below visit mostly the same nodes: the density and its score (a Ridders extrapolation per parameter) once per node.
    type AtNode = { fromLeft: number; toRight: number; w: number; s: Float64Array | null };
    const atNode = new Map<number, AtNode>();
    const weightAndScore = (x: number, fromLeft: number, toRight: number): AtNode => {
      const known = atNode.get(x);
      if (known && known.fromLeft === fromLeft && known.toRight === toRight) return known;
      const unit = inst.logpdfUnit && support.kind === 'unit';
      const lp = unit ? inst.logpdfUnit!(fromLeft, toRight, densityBase, fixed) : inst.logpdf(x, densityBase, fixed);
      const w = lp === -Infinity ? 0 : Math.exp(lp);
      const c = { fromLeft, toRight, w, s: w === 0 ? null : unit ? unitScore(inst, cr, fromLeft, toRight, fixed) : accurateScore(inst, cr, x, fixed) };
      atNode.set(x, c);
      return c;
    };
    const integrand =
      (i: number, j: number) =>
      (x: number, fromLeft: number, toRight: number): number => {
        const { w, s } = weightAndScore(x, fromLeft, toRight);
        if (s === null) return 0;
        return j < 0 ? w * s[i] : w * s[i] * s[j];
      };
    for (let i = 0; i < n; i++) {
      const m = integrate(integrand(i, -1), a, b, opts);
      meanValue[i] = m.value;
      meanError[i] = m.error;
      for (let j = i; j < n; j++) {
        const r = integrate(integrand(i, j), a, b, opts);
        value.data[i * n + j] = value.data[j * n + i] = r.value;
        error.data[i * n + j] = error.data[j * n + i] = r.error;
      }
    }
    return { fisher: { value, error, method: 'quadrature' }, scoreMean: { value: meanValue, error: meanError } };
  }
  return null;
}

function unitScore(inst: FamilyInstance, cr: ChainRule, fromLeft: number, toRight: number, fixed: Record<string, number>): Float64Array {
  const g = gradientFD((b) => inst.logpdfUnit!(fromLeft, toRight, b, fixed), cr.base, { maxStep: baseSteps(inst, cr.base) }).value;
  return pullBackScore(cr, g);
}

export interface MonteCarloFisher {
  score: MatrixMeanEstimate;
  /**
   * bound on the finite-difference bias of each negative-Hessian entry (in
   * theta), the mean size of the draws' Richardson corrections; add it to tolerances
   */
  negHessianBias?: Matrix;
  /** absent when not asked for (it costs O(n²) log-density evaluations per sample) */
  negHessian?: MatrixMeanEstimate;
  samples: number;
}

/** Monte Carlo Fisher by the score outer product and (optionally) the negative Hessian, `samples` draws each from independent streams. */
export function familyMonteCarloFisher(pt: FisherPoint, samples: number, seed: number, opts: { negHessian?: boolean } = {}): MonteCarloFisher {
  const { inst, fixed } = pt;
  const cr = chainRuleAt(pt);
  const steps = scoreSteps(inst, cr);
  const rng = new Rng(seed);
  const r1 = rng.split();
  const sample = (r: Rng) => inst.sample(r, cr.base, fixed);
  const capped = kinkCap(inst, cr);
  const score = mcFisherScore(samples, r1, sample, (x) => pullBackScore(cr, baseScore(inst, x, cr.base, fixed, capped(x, steps))));
  if (opts.negHessian === false) return { score, samples };
  return { score, ...negativeHessianFrom(pt, cr, samples, rng.split()), samples };
}

/**
 * The negative-Hessian estimate alone, on the stream familyMonteCarloFisher uses for
 * it (so the two agree for the same seed): its variance is often far smaller
 * than the score outer product's (zero where log p is linear in the data in
 * the parameters' second derivatives, as for the gamma and Dirichlet), so it
 * needs its own, often much smaller, sample size.
 */
export function monteCarloNegHessian(pt: FisherPoint, samples: number, seed: number): { negHessian: MatrixMeanEstimate; negHessianBias: Matrix } {
  const rng = new Rng(seed);
  rng.split();
  return negativeHessianFrom(pt, chainRuleAt(pt), samples, rng.split());
}

export function scoreSteps(inst: FamilyInstance, cr: ChainRule): Float64Array {
  return baseSteps(inst, cr.base).map((s, i) => Math.min(s, 1e-4 * Math.max(1e-3, Math.abs(cr.base[i]))));
}

/**
 * Where the density has kinks, a step must not carry the kink across x: the
 * pointwise (almost everywhere) derivatives are wanted, not a smoothed delta.
 */
export function kinkCap(inst: FamilyInstance, cr: ChainRule): (x: Sample, h: Float64Array) => Float64Array {
  const kinks = inst.breakpoints?.(cr.base) ?? [];
  return (x, h) => {
    if (kinks.length === 0 || typeof x !== 'number') return h;
    const gap = Math.min(...kinks.map((k) => Math.abs(x - k)));
    return h.map((v) => Math.min(v, 0.25 * gap));
  };
}

function negativeHessianFrom(pt: FisherPoint, cr: ChainRule, samples: number, r2: Rng): { negHessian: MatrixMeanEstimate; negHessianBias: Matrix } {
  const { inst, fixed } = pt;
  const steps = scoreSteps(inst, cr);
  const hsteps = baseSteps(inst, cr.base).map((s, i) => Math.min(s, 4e-3 * Math.max(1e-2, Math.abs(cr.base[i]))));
  const capped = kinkCap(inst, cr);
  const m = cr.base.length;
  const biasBase = new Float64Array(m * m);
  const n = cr.J.cols;
  // The score (mean zero) is the control variate of every entry
  // (numeric/score-control.ts): where -∇² log p is a function of the score,
  // as on two points, the estimate is exact up to rounding.
  requireIntegerInRange(samples, 'samples', n + 2);
  const acc = new ControlledMean((n * (n + 1)) / 2, n);
  const y = new Float64Array((n * (n + 1)) / 2);
  for (let s = 0; s < samples; s++) {
    const x = inst.sample(r2, cr.base, fixed);
    const gb = baseScore(inst, x, cr.base, fixed, capped(x, steps));
    const Hb = baseHessian(inst, x, cr.base, fixed, capped(x, hsteps), biasBase);
    const negH = pullBackNegHessian(cr, gb, Hb).data;
    for (let i = 0, p = 0; i < n; i++) for (let j = i; j < n; j++, p++) y[p] = negH[i * n + j];
    acc.add(y, pullBackScore(cr, gb));
  }
  for (let k = 0; k < m * m; k++) biasBase[k] /= samples;
  const e = acc.estimate();
  const negHessian = symmetricEstimate(n, e.value, e.stdError);
  // the base-coordinate bias carried through J (entrywise |J|ᵀ bias |J|)
  const negHessianBias = new Matrix(n, n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s2 = 0;
      for (let a = 0; a < m; a++) for (let c = 0; c < m; c++) s2 += Math.abs(cr.J.data[a * n + i]) * biasBase[a * m + c] * Math.abs(cr.J.data[c * n + j]);
      negHessianBias.data[i * n + j] = s2;
    }
  return { negHessian, negHessianBias };
}
