/**
 * Hessian-free optimization (Martens 2010): minimize the damped quadratic
 * model of the loss by conjugate gradients on matrix-free curvature-vector
 * products, never forming the P x P curvature.
 *
 * At θ with gradient g, curvature C (the generalized Gauss-Newton matrix by
 * default: positive semi-definite, so CG is well posed) and damping λ:
 *   d ≈ argmin_x φ(x),  φ(x) = ½ xᵀ (C + λ I) x - gᵀ x,   step δ = -α d,
 * φ(-δ) being the model's predicted change of the loss for the step δ.
 * * CG starts from the previous solution decayed by `cg.warmStartDecay`
 *   (from zero when that start is no better than zero, φ(x₀) >= 0: a
 *   safeguard not in the paper; after a step that overshot along d_prev the
 *   decayed d_prev has φ > 0) and stops
 *   at the first iteration i > k = max(10, ⌊0.1 i⌋) with φ(x_i) < 0 and
 *   (φ(x_i) - φ(x_{i-k})) / φ(x_i) < k·ε (relative progress, ε =
 *   `cg.progressTolerance`), or when ||g - (C + λ I) x|| <= cg.rtol ||g||, or
 *   after cg.maxIterations, or on a direction of non-positive curvature (only
 *   possible with curvature 'hessian'; the last iterate is used).
 * * Levenberg-Marquardt damping from ρ = (L(θ - d) - L(θ)) / (-gᵀd + ½ dᵀ C d)
 *   (actual over predicted change of the full step, undamped model as in
 *   levenbergMarquardt): λ·boost when ρ < 1/4, λ/boost when ρ > 3/4.
 * * Step acceptance: backtracking α = 1, shrink, shrink², ... until the Armijo
 *   condition L(θ - α d) <= L(θ) - c α gᵀd holds; if it never does within
 *   `lineSearch.maxBacktracks` the step is rejected (a zero update).
 *   `lineSearch: false` takes every full step (the unsafeguarded method, for
 *   comparisons only).
 * Not implemented from the paper: CG-backtracking over stored iterates,
 * preconditioning, mini-batches for the curvature.
 *
 * Options [defaults]: curvature ['ggn'], damping λ₀ [1], adaptDamping [true],
 * boost [1.5], minDamping [1e-8], maxDamping [1e8], cg { maxIterations [50],
 * progressTolerance [5e-4], rtol [1e-10], warmStartDecay [0.95] },
 * lineSearch { shrink [0.8], maxBacktracks [10], armijo [1e-2] }. The step
 * size comes from the line search, so there is no lr. Needs a ModelBatch in
 * extra. Example: `hessianFree({ damping: 1, cg: { maxIterations: 100 } })`.
 *
 * References: J. Martens, "Deep learning via Hessian-free optimization",
 * ICML 2010 (sections 4.1-4.6); J. Martens and I. Sutskever, "Training deep
 * and recurrent networks with Hessian-free optimization", 2012;
 * N. Schraudolph, "Fast curvature matrix-vector products", 2002.
 */
import { NatgradError } from '../core/errors.js';
import { dot, norm2, type Vec } from '../core/vec.js';
import { curvatureOperator } from '../curvature/curvature-products.js';
import { MODEL_CURVATURES, type ModelCurvatureKind } from '../curvature/dense-curvature.js';
import type { LinearOperator } from '../linalg/linear-operator.js';
import { dampedOperator } from '../linalg/operators.js';
import { meanLoss } from '../models/mlp.js';
import { assertFiniteUpdate, optimizerOptions, optionKinds, scaleByLearningRate } from './common.js';
import { hasOwn, requireTypedOptions, requireOneOf } from '../core/validate.js';
import { adaptDamping, type DampingRuleOptions, dampingRule, reductionRatio } from './damping.js';
import { batchWeights, type ModelBatch, requireMlpBatch } from './extra.js';
import { chain, type Transform } from './transform.js';

/** Why the truncated CG of Hessian-free stopped. */
export type HessianFreeCgStop = 'relative-progress' | 'residual' | 'max-iterations' | 'non-positive-curvature';

export interface HessianFreeCgOptions {
  maxIterations?: number;
  progressTolerance?: number;
  rtol?: number;
  warmStartDecay?: number;
}

export interface HessianFreeCgResult {
  x: Vec;
  iterations: number;
  reason: HessianFreeCgStop;
  /** φ(x_0), φ(x_1), ..., φ(x_iterations), from CG's recursive residual. */
  model: number[];
  /** Whether x_0 was the warm start (false: zero). */
  warmStarted: boolean;
}

/** The window k of the relative-progress rule at iteration i: max(10, ⌊0.1 i⌋). */
export const progressWindow = (i: number): number => Math.max(10, Math.floor(0.1 * i));

/**
 * Whether Martens' relative-progress rule holds at iteration i of a model
 * trace φ(x_0..x_i): i > k, φ(x_i) < 0 and (φ(x_i) - φ(x_{i-k})) / φ(x_i) < k ε.
 */
export function relativeProgressReached(model: readonly number[], i: number, epsilon: number): boolean {
  const k = progressWindow(i);
  if (!(i > k && i < model.length)) return false;
  const phi = model[i];
  return phi < 0 && (phi - model[i - k]) / phi < k * epsilon;
}

/**
 * Truncated CG on A x = g (A = C + λ I symmetric positive definite) that
 * tracks the quadratic φ(x) = ½ xᵀ A x - gᵀ x = -½ xᵀ (g + r), r = g - A x,
 * and stops by Martens' relative-progress rule (see the module comment).
 * A warm start x0 is used only if φ(x0) < 0 = φ(0).
 */
export function hessianFreeCg(A: LinearOperator, g: Vec, o: HessianFreeCgOptions & { x0?: Vec } = {}): HessianFreeCgResult {
  const n = g.length;
  const maxIterations = o.maxIterations ?? 50;
  const epsilon = o.progressTolerance ?? 5e-4;
  const tol = (o.rtol ?? 1e-10) * norm2(g);
  const phiOf = (x: Vec, r: Vec): number => {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i] * (g[i] + r[i]);
    return -0.5 * s;
  };
  let x = new Float64Array(n);
  let r = Float64Array.from(g);
  let warmStarted = false;
  if (o.x0) {
    const Ax0 = A.matvec(o.x0);
    const r0 = g.map((v, i) => v - Ax0[i]);
    if (phiOf(o.x0, r0) < 0) {
      x = Float64Array.from(o.x0);
      r = r0;
      warmStarted = true;
    }
  }
  const model = [phiOf(x, r)];
  const done = (iterations: number, reason: HessianFreeCgStop): HessianFreeCgResult => ({ x, iterations, reason, model, warmStarted });
  if (norm2(r) <= tol) return done(0, 'residual');
  const p = Float64Array.from(r);
  let rr = dot(r, r);
  for (let i = 1; i <= maxIterations; i++) {
    const Ap = A.matvec(p);
    const pAp = dot(p, Ap);
    if (!(pAp > 0)) return done(i - 1, 'non-positive-curvature');
    const alpha = rr / pAp;
    for (let j = 0; j < n; j++) {
      x[j] += alpha * p[j];
      r[j] -= alpha * Ap[j];
    }
    model.push(phiOf(x, r));
    if (norm2(r) <= tol) return done(i, 'residual');
    if (relativeProgressReached(model, i, epsilon)) return done(i, 'relative-progress');
    const rrNew = dot(r, r);
    const beta = rrNew / rr;
    rr = rrNew;
    for (let j = 0; j < n; j++) p[j] = r[j] + beta * p[j];
  }
  return done(maxIterations, 'max-iterations');
}

export interface HessianFreeLineSearchOptions {
  shrink?: number;
  maxBacktracks?: number;
  armijo?: number;
}

export interface ScaleByHessianFreeOptions extends DampingRuleOptions {
  curvature?: ModelCurvatureKind;
  damping?: number;
  adaptDamping?: boolean;
  cg?: HessianFreeCgOptions;
  lineSearch?: HessianFreeLineSearchOptions | false;
}

export interface HessianFreeState {
  damping: number;
  /** ρ of the last full CG step (NaN before the first, or when the model predicted no decrease). */
  ratio: number;
  /** Step length α of the last update (0 when rejected). */
  stepScale: number;
  /** The last CG solution, the warm start of the next solve. */
  previous: Vec | null;
  lastCg: { iterations: number; reason: HessianFreeCgStop; model: number; warmStarted: boolean } | null;
  accepted: number;
  rejected: number;
}

function validateOptions(o: ScaleByHessianFreeOptions & { lr?: unknown }): void {
  if (o.lr !== undefined) throw new NatgradError('lr', 'hessian-free chooses its step length by a line search; remove lr');
  requireOneOf(o.curvature ?? 'ggn', MODEL_CURVATURES, 'curvature');
  const cg = o.cg ?? {};
  const maxIt = cg.maxIterations ?? 50;
  const eps = cg.progressTolerance ?? 5e-4;
  const rtol = cg.rtol ?? 1e-10;
  const decay = cg.warmStartDecay ?? 0.95;
  if (!(Number.isInteger(maxIt) && maxIt >= 1)) throw new NatgradError('cg.maxIterations', `must be an integer >= 1, got ${maxIt}`);
  if (!(eps > 0 && eps < 1)) throw new NatgradError('cg.progressTolerance', `must be in (0, 1), got ${eps}`);
  if (!(rtol >= 0 && rtol < 1)) throw new NatgradError('cg.rtol', `must be in [0, 1), got ${rtol}`);
  if (!(decay >= 0 && decay <= 1)) throw new NatgradError('cg.warmStartDecay', `must be in [0, 1], got ${decay}`);
  if (o.lineSearch) {
    const { shrink = 0.8, maxBacktracks = 10, armijo = 1e-2 } = o.lineSearch;
    if (!(shrink > 0 && shrink < 1)) throw new NatgradError('lineSearch.shrink', `must be in (0, 1), got ${shrink}`);
    if (!(Number.isInteger(maxBacktracks) && maxBacktracks >= 0))
      throw new NatgradError('lineSearch.maxBacktracks', `must be an integer >= 0, got ${maxBacktracks}`);
    if (!(armijo >= 0 && armijo < 0.5)) throw new NatgradError('lineSearch.armijo', `must be in [0, 0.5), got ${armijo}`);
  }
}

/** The Hessian-free direction α d (d the truncated-CG solution of (C + λ I) d = g), with adaptive λ and a line search. */
export function scaleByHessianFree(o: ScaleByHessianFreeOptions = {}): Transform<HessianFreeState, ModelBatch> {
  validateOptions(o);
  const kind = o.curvature ?? 'ggn';
  const d0 = o.damping ?? 1;
  const rule = dampingRule(o, d0);
  const adapt = o.adaptDamping ?? true;
  const cgOptions = o.cg ?? {};
  const decay = cgOptions.warmStartDecay ?? 0.95;
  const ls = o.lineSearch === false ? null : { shrink: 0.8, maxBacktracks: 10, armijo: 1e-2, ...(o.lineSearch ?? {}) };
  return {
    init: () => ({ damping: d0, ratio: Number.NaN, stepScale: 0, previous: null, lastCg: null, accepted: 0, rejected: 0 }),
    update(g, s, params, extra) {
      const b = requireMlpBatch(extra, params, 'hessian-free');
      const lossAt = (theta: Vec): number => meanLoss(b.spec, batchWeights(b, theta), b.inputs, b.targets);
      const C = curvatureOperator(b.spec, batchWeights(b, params), b.inputs, b.targets, kind);
      const x0 = s.previous && decay > 0 ? s.previous.map((v) => decay * v) : undefined;
      const cg = hessianFreeCg(dampedOperator(C, s.damping), g, { ...cgOptions, ...(x0 ? { x0 } : {}) });
      const d = assertFiniteUpdate(cg.x, 'hessian-free');
      const gd = dot(g, d);
      const predicted = -gd + 0.5 * dot(d, C.matvec(d));
      const L0 = lossAt(params);
      const trialAt = (alpha: number): Vec => params.map((p, i) => p - alpha * d[i]);
      const L1 = lossAt(trialAt(1));
      const ratio = reductionRatio(L1 - L0, predicted);
      const damping = adapt ? adaptDamping(s.damping, ratio, rule) : s.damping;
      let alpha = 0;
      if (!ls) {
        alpha = 1;
      } else if (gd > 0) {
        // Armijo along -d: the slope there is -gᵀd < 0
        let a = 1;
        let La = L1;
        for (let t = 0; t <= ls.maxBacktracks; t++) {
          if (t > 0) La = lossAt(trialAt(a));
          if (Number.isFinite(La) && La <= L0 - ls.armijo * a * gd) {
            alpha = a;
            break;
          }
          a *= ls.shrink;
        }
      }
      const next: HessianFreeState = {
        damping,
        ratio,
        stepScale: alpha,
        previous: Float64Array.from(d),
        lastCg: { iterations: cg.iterations, reason: cg.reason, model: cg.model[cg.model.length - 1], warmStarted: cg.warmStarted },
        accepted: s.accepted + (alpha > 0 ? 1 : 0),
        rejected: s.rejected + (alpha > 0 ? 0 : 1),
      };
      return [alpha > 0 ? d.map((v) => alpha * v) : new Float64Array(d.length), next] as const;
    },
  };
}

/** The options of {@link hessianFree} (defaults in the module comment). */
export type HessianFreeOptions = ScaleByHessianFreeOptions;

/** The options (and the kind of each value) of {@link hessianFree}. */
export const HESSIAN_FREE_OPTION_KINDS = optionKinds<HessianFreeOptions>({
  curvature: 'string',
  damping: 'number',
  adaptDamping: 'boolean',
  boost: 'number',
  minDamping: 'number',
  maxDamping: 'number',
  cg: 'object',
  lineSearch: 'object-or-false',
});

const CG_KEYS = optionKinds<HessianFreeCgOptions>({ maxIterations: 'number', progressTolerance: 'number', rtol: 'number', warmStartDecay: 'number' });
const LINE_SEARCH_KEYS = optionKinds<HessianFreeLineSearchOptions>({ shrink: 'number', maxBacktracks: 'number', armijo: 'number' });

/**
 * Hessian-free = chain(scaleByHessianFree, scaleByLearningRate(1)): the line
 * search already chose the step length, so there is no lr. Needs a
 * ModelBatch as `extra`.
 *
 * @example
 * ```ts
 * const opt = hessianFree({ damping: 1, cg: { maxIterations: 100 } });
 * ```
 */
export function hessianFree(o: HessianFreeOptions = {}): Transform<unknown[], ModelBatch> {
  if (typeof o === 'object' && o !== null && hasOwn(o, 'lr')) {
    throw new NatgradError('lr', 'hessian-free chooses its step length by a line search; remove lr');
  }
  const options = optimizerOptions<HessianFreeOptions>(o, HESSIAN_FREE_OPTION_KINDS, 'hessian-free');
  requireTypedOptions(options.cg, CG_KEYS, 'cg', 'the cg options');
  if (options.lineSearch !== false) requireTypedOptions(options.lineSearch, LINE_SEARCH_KEYS, 'lineSearch', 'the lineSearch options (or false)');
  return chain<ModelBatch>(scaleByHessianFree(options), scaleByLearningRate(1));
}
