import { NatgradError } from '../core/errors.js';
import { requireFinite } from '../core/validate.js';

/**
 * One-dimensional integration by double-exponential (DE) quadrature, with an
 * error estimate.
 *
 * Transforms (Takahasi & Mori 1974; Bailey, Jeyabalan & Li 2005):
 *   finite [a, b]:   x = (a+b)/2 + (b-a)/2 tanh(pi/2 sinh t)        (tanh-sinh)
 *   [a, inf):        x = a + exp(pi/2 sinh t)                       (exp-sinh)
 *   (-inf, b]:       x = b - exp(pi/2 sinh t)
 *   (-inf, inf):     x = sinh(pi/2 sinh t)                          (sinh-sinh)
 * and the trapezoidal rule in t with step h = 1, 1/2, 1/4, ... (each level
 * reuses the nodes of the previous one). For integrands analytic inside the
 * interval, with integrable algebraic or logarithmic singularities at finite
 * ends and algebraic or exponential decay at infinite ones, the error falls
 * like exp(-c / h): the number of correct digits roughly doubles per level.
 * Interior kinks or singularities must be passed as `breakpoints`: each piece
 * is integrated on its own (a piece next to a breakpoint sees it as an end).
 *
 * The error reported is an estimate, conservative by construction for this
 * convergence regime: |S_h - S_{2h}| (the difference of the last two levels;
 * with quadratic convergence the true error of S_h is far smaller), plus a
 * round-off term (noise + 8 eps) sum |w f|, `noise` being the relative accuracy
 * of the integrand's values (option, default 1e-13), plus an estimate of the truncated tails
 * (geometric extrapolation of the outermost terms) where the node range had to
 * stop early. It is not a proof: an integrand whose mass sits at a scale far
 * from 1 (around 0 or the breakpoints) can be missed by coarse levels; place a
 * breakpoint at the mode and keep the mass within a few orders of magnitude of
 * unit scale.
 *
 * Endpoint precision: near a finite end c, x = c +- d cannot resolve d below
 * the spacing of doubles at c (about 1e-16 |c|). When the integrand is
 * singular there (e.g. a beta density with a shape < 1 at x = 1), pass an
 * integrand that reads the exact distances: f(x, fromLeft, toRight) receives
 * fromLeft = x - a and toRight = b - x computed without cancellation
 * (Infinity for an infinite end); e.g. use log(toRight) instead of log(1 - x).
 * An integrand declared with two or more parameters is taken to read them
 * (`f.length >= 2`); for an integrand of x alone, the node range stops where
 * x can no longer resolve the distance to a finite end (below 8 ulp of the
 * end), and the truncated tail is estimated into the error. Likewise where f
 * returns a non-finite value near an end.
 */

export interface IntegrateOptions {
  /** Relative tolerance on the value, default 1e-12. */
  rtol?: number;
  /** Absolute tolerance, default 1e-14. */
  atol?: number;
  /** Budget of integrand evaluations over all pieces, default 100000. */
  maxEvaluations?: number;
  /** Points inside (a, b) where the integrand is not smooth (kinks, interior singularities). */
  breakpoints?: readonly number[];
  /**
   * Relative accuracy of the integrand's values, default 1e-13: the error
   * includes noise * integral |f|. A density computed as exp(log p) with log
   * terms of size M is accurate to about M eps, e.g. 3e-14 for M = 150.
   */
  noise?: number;
}

export interface IntegralEstimate {
  value: number;
  error: number;
  evaluations: number;
}

/**
 * Integrand: x, and the distances to the ends of the piece being integrated,
 * fromLeft = x - left and toRight = right - x, exact even where x rounds to an end.
 * A function of x alone is an Integrand too (it simply ignores the distances).
 */
export type Integrand = (x: number, fromLeft: number, toRight: number) => number;

const EPS = 2.220446049250313e-16;
const HALF_PI = Math.PI / 2;
const MIN_LEVEL = 3;
const MAX_LEVEL = 16;
/** Largest |pi/2 sinh t| used: keeps exp(+-2u), exp(+-u) and sinh(u) finite and nonzero. */
const U_MAX = 345;
const U_MAX_HALF_LINE = 690;

interface Node {
  x: number;
  fromLeft: number;
  toRight: number;
  /** dx/dt */
  weight: number;
}

interface Transform {
  tMax: number;
  /** The ends of the piece (possibly infinite). */
  left: number;
  right: number;
  node(t: number): Node;
}

function tanhSinh(a: number, b: number): Transform {
  const width = b - a;
  return {
    left: a,
    right: b,
    tMax: Math.asinh(U_MAX / HALF_PI),
    node(t) {
      const u = HALF_PI * Math.sinh(t);
      const e = Math.exp(-2 * Math.abs(u));
      const near = (width * e) / (1 + e); // distance to the nearer end, exact in relative terms
      const far = width - near;
      const weight = (width * Math.PI * Math.cosh(t) * e) / ((1 + e) * (1 + e));
      return u >= 0 ? { x: b - near, fromLeft: far, toRight: near, weight } : { x: a + near, fromLeft: near, toRight: far, weight };
    },
  };
}

function expSinh(end: number, direction: 1 | -1): Transform {
  return {
    left: direction === 1 ? end : -Infinity,
    right: direction === 1 ? Infinity : end,
    tMax: Math.asinh(U_MAX_HALF_LINE / HALF_PI),
    node(t) {
      const s = Math.exp(HALF_PI * Math.sinh(t));
      const weight = HALF_PI * Math.cosh(t) * s;
      return direction === 1 ? { x: end + s, fromLeft: s, toRight: Infinity, weight } : { x: end - s, fromLeft: Infinity, toRight: s, weight };
    },
  };
}

function sinhSinh(): Transform {
  return {
    left: -Infinity,
    right: Infinity,
    tMax: Math.asinh(U_MAX_HALF_LINE / HALF_PI),
    node(t) {
      const u = HALF_PI * Math.sinh(t);
      return { x: Math.sinh(u), fromLeft: Infinity, toRight: Infinity, weight: HALF_PI * Math.cosh(t) * Math.cosh(u) };
    },
  };
}

/** Neumaier's compensated sum of the terms with cutLeft < t < cutRight and level <= maxLevel. */
function levelSum(ts: number[], terms: number[], levels: number[], maxLevel: number, cutLeft: number, cutRight: number): { sum: number; abs: number } {
  let s = 0;
  let comp = 0;
  let abs = 0;
  for (let k = 0; k < ts.length; k++) {
    if (levels[k] > maxLevel || ts[k] <= cutLeft || ts[k] >= cutRight) continue;
    const v = terms[k];
    const tmp = s + v;
    comp += Math.abs(s) >= Math.abs(v) ? s - tmp + v : v - tmp + s;
    s = tmp;
    abs += Math.abs(v);
  }
  return { sum: s + comp, abs };
}

/**
 * Tail beyond the outermost included node on one side, from the two outermost
 * terms on the finest grid: |T_n| r / (1 - r), r = |T_n / T_{n-1}|, doubled for safety;
 * Infinity when the terms do not decrease outwards.
 */
function tailEstimate(outer: number, inner: number): number {
  const a = Math.abs(outer);
  if (a === 0) return 0;
  const r = a / Math.abs(inner);
  if (!(r < 1)) return Infinity;
  return (2 * a * r) / (1 - r);
}

/**
 * For an integrand of x alone: whether x = end +- d is too coarse to carry d
 * (d below 8 ulp of the end), so that f(x) would be evaluated at a visibly
 * different distance from the end than the node's.
 */
function tooCloseToEnd(node: Node, transform: Transform): boolean {
  if (node.fromLeft < node.toRight) return node.fromLeft < 8 * EPS * Math.abs(transform.left);
  return node.toRight < 8 * EPS * Math.abs(transform.right);
}

function integratePiece(
  f: Integrand,
  transform: Transform,
  tolerances: { rtol: number; atol: number; noise: number },
  budget: number,
  readsDistances: boolean,
): IntegralEstimate {
  const { rtol, atol, noise } = tolerances;
  const ts: number[] = [];
  const terms: number[] = [];
  const levels: number[] = [];
  const { tMax } = transform;
  let cutLeft = -Infinity;
  let cutRight = Infinity;
  let evaluations = 0;

  const evaluate = (t: number, level: number): void => {
    if (t <= cutLeft || t >= cutRight) return;
    const node = transform.node(t);
    if (!readsDistances && tooCloseToEnd(node, transform)) {
      // x cannot resolve the node's distance to the end: stop the range here.
      if (t > 0) cutRight = Math.min(cutRight, t);
      else cutLeft = Math.max(cutLeft, t);
      return;
    }
    let term = 0;
    if (node.weight !== 0) {
      term = node.weight * f(node.x, node.fromLeft, node.toRight);
      evaluations++;
    }
    if (!Number.isFinite(term)) {
      if (Math.abs(t) < 1) {
        throw new NatgradError('integrand', `is not finite at x = ${node.x} (value ${term / node.weight}), inside the bulk of the interval`);
      }
      if (t > 0) cutRight = Math.min(cutRight, t);
      else cutLeft = Math.max(cutLeft, t);
      return;
    }
    ts.push(t);
    terms.push(term);
    levels.push(level);
  };

  const nodesAtLevel = (level: number): number => {
    const h = 2 ** -level;
    return level === 0 ? 2 * Math.floor(tMax) + 1 : 2 * Math.ceil(Math.floor(tMax / h) / 2);
  };

  let best: IntegralEstimate = { value: NaN, error: Infinity, evaluations: 0 };
  for (let level = 0; level <= MAX_LEVEL; level++) {
    if (evaluations + nodesAtLevel(level) > budget) break;
    const h = 2 ** -level;
    if (level === 0) {
      evaluate(0, 0);
      for (let k = 1; k <= tMax; k++) {
        evaluate(k, 0);
        evaluate(-k, 0);
      }
    } else {
      for (let t = h; t <= tMax; t += 2 * h) {
        evaluate(t, level);
        evaluate(-t, level);
      }
    }
    if (level === 0) continue;
    const cur = levelSum(ts, terms, levels, level, cutLeft, cutRight);
    const prev = levelSum(ts, terms, levels, level - 1, cutLeft, cutRight);
    const value = h * cur.sum;
    const difference = Math.abs(value - 2 * h * prev.sum);
    const rounding = (noise + 8 * EPS) * h * cur.abs;
    const tails = h * truncationTails(ts, terms, cutLeft, cutRight);
    const estimate = { value, error: difference + rounding + tails, evaluations };
    best = estimate;
    const tolerance = Math.max(atol, rtol * Math.abs(value));
    // Refining cannot beat the round-off or a truncated tail: stop once the level difference is below them too.
    if (level >= MIN_LEVEL && difference <= Math.max(tolerance, 2 * rounding, tails)) break;
  }
  return { ...best, evaluations };
}

/**
 * Estimated mass beyond the outermost included node on each side (where the
 * range stopped at a non-finite value, or at the end of the transform), from
 * the two outermost terms, which are neighbours on the finest grid. For a
 * well-behaved integrand these terms are below 1e-200 and the estimate vanishes.
 */
function truncationTails(ts: number[], terms: number[], cutLeft: number, cutRight: number): number {
  let rightT = -Infinity;
  let rightPrevT = -Infinity;
  let rightTerm = 0;
  let rightPrev = 0;
  let leftT = Infinity;
  let leftPrevT = Infinity;
  let leftTerm = 0;
  let leftPrev = 0;
  for (let k = 0; k < ts.length; k++) {
    const t = ts[k];
    if (t <= cutLeft || t >= cutRight) continue;
    if (t > rightT) {
      rightPrevT = rightT;
      rightPrev = rightTerm;
      rightT = t;
      rightTerm = terms[k];
    } else if (t > rightPrevT) {
      rightPrevT = t;
      rightPrev = terms[k];
    }
    if (t < leftT) {
      leftPrevT = leftT;
      leftPrev = leftTerm;
      leftT = t;
      leftTerm = terms[k];
    } else if (t < leftPrevT) {
      leftPrevT = t;
      leftPrev = terms[k];
    }
  }
  return tailEstimate(rightTerm, rightPrev) + tailEstimate(leftTerm, leftPrev);
}

/**
 * integral_a^b f(x) dx by double-exponential quadrature; a and b may be
 * infinite; a > b gives minus the integral over [b, a]. See the module
 * comment for the transforms, the error estimate and the endpoint-precision
 * form f(x, fromLeft, toRight).
 */
export function integrate(f: Integrand, a: number, b: number, opts: IntegrateOptions = {}): IntegralEstimate {
  if (Number.isNaN(a)) throw new NatgradError('a', 'the lower limit must be a number, got NaN');
  if (Number.isNaN(b)) throw new NatgradError('b', 'the upper limit must be a number, got NaN');
  const rtol = opts.rtol ?? 1e-12;
  const atol = opts.atol ?? 1e-14;
  const maxEvaluations = opts.maxEvaluations ?? 100_000;
  const noise = opts.noise ?? 1e-13;
  if (!(noise >= 0)) throw new NatgradError('options.noise', `must be >= 0, got ${noise}`);
  if (!(rtol >= 0)) throw new NatgradError('options.rtol', `must be >= 0, got ${rtol}`);
  if (!(atol >= 0)) throw new NatgradError('options.atol', `must be >= 0, got ${atol}`);
  if (!(rtol > 0 || atol > 0)) throw new NatgradError('options', 'rtol and atol cannot both be 0');
  if (!(maxEvaluations >= 1)) throw new NatgradError('options.maxEvaluations', `must be >= 1, got ${maxEvaluations}`);
  if (a === b) return { value: 0, error: 0, evaluations: 0 };
  if (a > b) {
    const r = integrate(f, b, a, opts);
    return { ...r, value: -r.value };
  }
  const breakpoints = (opts.breakpoints ?? []).map((c, i) => requireFinite(c, `options.breakpoints[${i}]`));
  const cuts = [...new Set(breakpoints.filter((c) => c > a && c < b))].sort((x, y) => x - y);
  const ends = [a, ...cuts, b];
  const pieces: Transform[] = [];
  for (let k = 0; k + 1 < ends.length; k++) {
    const lo = ends[k];
    const hi = ends[k + 1];
    if (lo === -Infinity && hi === Infinity) pieces.push(sinhSinh());
    else if (lo === -Infinity) pieces.push(expSinh(hi, -1));
    else if (hi === Infinity) pieces.push(expSinh(lo, 1));
    else pieces.push(tanhSinh(lo, hi));
  }
  // An integrand declared with two or more parameters reads the exact distances to the ends.
  const readsDistances = f.length >= 2;
  let value = 0;
  let error = 0;
  let evaluations = 0;
  for (const piece of pieces) {
    const r = integratePiece(f, piece, { rtol, atol: atol / pieces.length, noise }, maxEvaluations - evaluations, readsDistances);
    value += r.value;
    error += r.error;
    evaluations += r.evaluations;
  }
  return { value, error, evaluations };
}
