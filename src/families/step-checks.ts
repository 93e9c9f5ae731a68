/**
 * Numeric checks of the steps of a family's derivation, independent of the
 * computer algebra that produced them: each compares an expression with a
 * number computed another way, at random points (seeded) of the
 * parameterization's domain with data drawn from the distribution itself.
 *  - log-density: against the family's numeric log-density;
 *  - derivatives (score, Hessian, Jacobians, ∇²A): against Ridders' central
 *    differences of the compiled expression, within 10 times Ridders' error
 *    estimate plus the round-off of the two values;
 *  - expectations (moments, E[-Hessian], E[s sᵀ]): against exact sums over a
 *    discrete support, double-exponential quadrature over a 1-d continuous
 *    one (within 10 times the rule's error estimate), or Monte Carlo
 *    elsewhere (within z standard errors, z for a false-alarm rate of 1e-6
 *    over all comparisons of the check).
 */
import { pointInDomain, domainViolation, type Domain } from '../core/domain.js';
import { Rng } from '../core/rng.js';
import { jacobianFD, integrate, sumSeries, zForFalseAlarm } from '../numeric/index.js';
import { compileExpr, evaluateWithError, freeVariables, type Expr } from '../symbolic/index.js';
import { toBase } from './json-points.js';
import { formatNumber, type StepCheck } from './steps.js';
import type { FamilyInstance, ParameterizationInstance, Sample } from './types.js';

const EPS = 2.220446049250313e-16;
/** Points per check: enough to exercise every region of a 2-d domain, few enough for `derive` to stay fast. */
export const CHECK_POINTS = 12;
/** Samples of a Monte Carlo expectation (simplex and vector supports). */
const MC_SAMPLES = 10000;
/** Points of a Monte Carlo check (each costs MC_SAMPLES draws). */
const MC_POINTS = 3;
const FALSE_ALARM = 1e-6;

export interface SamplePoint {
  readonly theta: Float64Array;
  readonly base: Float64Array;
  readonly fixed: Record<string, number>;
  readonly x: Sample;
  /** parameters, fixed values and data variables by name */
  readonly scope: Record<string, number>;
}

/** Whether theta lies in the parameterization's domain, joint constraints included. */
export function validTheta(p: ParameterizationInstance, theta: Float64Array): boolean {
  for (let i = 0; i < p.symbols.length; i++) if (domainViolation(p.domains[p.symbols[i]], theta[i]) !== null) return false;
  return !p.jointViolation || p.jointViolation(theta) === null;
}

/** Data values by variable name. */
export function dataScope(inst: FamilyInstance, x: Sample): Record<string, number> {
  if (typeof x === 'number') return { [inst.dataVars[0]]: x };
  return Object.fromEntries(inst.dataVars.map((v, i) => [v, x[i]]));
}

/** Random points (theta valid, fixed values in their domains, x drawn from p(x | theta)); reproducible from the seed. */
export function samplePoints(inst: FamilyInstance, p: ParameterizationInstance, seed: number, count = CHECK_POINTS): SamplePoint[] {
  const rng = new Rng(seed);
  const out: SamplePoint[] = [];
  for (let attempt = 0; out.length < count; attempt++) {
    if (attempt > 100 * count) throw new Error(`${inst.family}/${p.name}: could not draw ${count} valid parameter points`);
    const fixed = Object.fromEntries(Object.entries(inst.fixed).map(([k, d]) => [k, pointInDomain(d, rng.uniform())]));
    const theta = Float64Array.from(p.symbols, (s) => pointInDomain(p.domains[s], rng.uniform()));
    if (!validTheta(p, theta)) continue;
    const base = toBase(inst, p, theta, fixed);
    const x = inst.sample(rng, base, fixed);
    const scope: Record<string, number> = { ...fixed, ...dataScope(inst, x) };
    p.symbols.forEach((s, i) => {
      scope[s] = theta[i];
    });
    out.push({ theta, base, fixed, x, scope });
  }
  return out;
}

function worstLine(what: string, points: number, worst: { ratio: number; diff: number; tol: number }): string {
  if (worst.diff === 0) return `${what}, at ${points} random points: no difference`;
  return `${what}, at ${points} random points: largest difference ${formatNumber(worst.diff)}, ${formatNumber(worst.ratio)} of its tolerance ${formatNumber(worst.tol)}`;
}

interface Worst {
  ratio: number;
  diff: number;
  tol: number;
}
const noWorst = (): Worst => ({ ratio: 0, diff: 0, tol: 0 });
function record(w: Worst, diff: number, tol: number): void {
  const ratio = Number.isNaN(diff) ? Infinity : diff / tol;
  if (!(ratio <= w.ratio)) {
    w.ratio = ratio;
    w.diff = diff;
    w.tol = tol;
  }
}

/** log p as written against the family's numeric log-density, within 32 times the expression's propagated rounding bound. */
export function checkLogDensity(inst: FamilyInstance, logp: Expr, points: readonly SamplePoint[]): StepCheck {
  const worst = noWorst();
  for (const pt of points) {
    const sym = evaluateWithError(logp, pt.scope);
    const num = inst.logpdf(pt.x, pt.base, pt.fixed);
    record(worst, Math.abs(sym.value - num), 32 * sym.error + 4 * EPS * Math.abs(num) + 1e-300);
  }
  return {
    ok: worst.ratio <= 1,
    method: 'numeric-density',
    points: points.length,
    detail: worstLine('equal to the numeric log-density of the catalogue', points.length, worst),
  };
}

/** Largest steps that keep theta +- h e_i inside the domain (joint constraints included), halved for margin. */
function safeSteps(p: ParameterizationInstance, theta: Float64Array): Float64Array {
  return Float64Array.from(theta, (v, i) => {
    let h = 0.1 * Math.max(1, Math.abs(v));
    for (let k = 0; k < 60; k++) {
      const up = theta.slice();
      up[i] = v + h;
      const down = theta.slice();
      down[i] = v - h;
      if (validTheta(p, up) && validTheta(p, down)) return h / 2;
      h /= 2;
    }
    return h;
  });
}

/**
 * d f_r / d wrt_c for every output r and input c, as expressions, against
 * Ridders' differences of the compiled f_r in wrt (the other variables held
 * at the point). Tolerance: 10 times Ridders' error estimate (its round-off
 * floor from f's propagated rounding bound) plus 64 ulp of the two values.
 */
export function checkDerivatives(
  what: string,
  outputs: readonly Expr[],
  derivatives: readonly (readonly Expr[])[],
  wrt: readonly string[],
  points: readonly Record<string, number>[],
  steps: (scope: Record<string, number>) => Float64Array,
): StepCheck {
  const f = outputs.map((e) => compileExpr(e));
  const df = derivatives.map((row) => row.map((e) => compileExpr(e)));
  const worst = noWorst();
  for (const scope of points) {
    const at = Float64Array.from(wrt, (v) => scope[v]);
    const moved = { ...scope };
    // the relative accuracy of f's values, from the propagated rounding bound (cancellation in f makes it worse than a few ulp)
    const noise = Math.max(
      4 * EPS,
      ...outputs.map((e) => {
        const r = evaluateWithError(e, scope);
        return (16 * r.error) / Math.max(Math.abs(r.value), 1e-300);
      }),
    );
    const fd = jacobianFD(
      (t) => {
        wrt.forEach((v, k) => {
          moved[v] = t[k];
        });
        return Float64Array.from(f, (g) => g(moved));
      },
      at,
      { maxStep: steps(scope), noise },
    );
    for (let r = 0; r < outputs.length; r++) {
      for (let c = 0; c < wrt.length; c++) {
        const sym = df[r][c](scope);
        const num = fd.value.get(r, c);
        record(worst, Math.abs(sym - num), 10 * fd.error.get(r, c) + 64 * EPS * (Math.abs(sym) + Math.abs(num)) + 1e-300);
      }
    }
  }
  return {
    ok: worst.ratio <= 1,
    method: 'finite-differences',
    points: points.length,
    detail: worstLine(`equal to Ridders' central differences of ${what}`, points.length, worst),
  };
}

/** Finite-difference steps for a parameterization's symbols that stay inside its domain. */
export function parameterSteps(p: ParameterizationInstance): (scope: Record<string, number>) => Float64Array {
  return (scope) =>
    safeSteps(
      p,
      Float64Array.from(p.symbols, (s) => scope[s]),
    );
}

/** Steps inside the per-variable domains (no joint constraints), e.g. for the natural parameters. */
export function domainSteps(vars: readonly string[], domains: Readonly<Record<string, Domain>>): (scope: Record<string, number>) => Float64Array {
  return (scope) =>
    Float64Array.from(vars, (v) => {
      const x = scope[v];
      const d = domains[v];
      switch (d?.kind) {
        case 'positive':
        case 'negative':
          return 0.25 * Math.abs(x);
        case 'interval':
          return 0.25 * Math.min(x - d.lo, d.hi - x);
        default:
          return 0.1 * Math.max(1, Math.abs(x));
      }
    });
}

export interface NumericExpectation {
  value: Float64Array;
  error: Float64Array;
  method: 'exact-sum' | 'quadrature' | 'monte-carlo';
}

/**
 * E[f(x)] (a vector) under p(x | base) computed numerically: exact sums over
 * finite or countable supports, quadrature over 1-d continuous ones, Monte
 * Carlo (the error is then a standard error; all components share the
 * samples) over simplices and vectors.
 */
export function numericExpectation(
  inst: FamilyInstance,
  base: Float64Array,
  fixed: Record<string, number>,
  m: number,
  f: (x: Sample) => Float64Array,
  seed: number,
): NumericExpectation {
  const s = inst.support;
  const weight = (x: Sample): number => Math.exp(inst.logpdf(x, base, fixed));
  const value = new Float64Array(m);
  const error = new Float64Array(m);
  if (s.kind === 'categories') {
    const abs = new Float64Array(m);
    for (let c = 0; c < s.classes; c++) {
      const x = Float64Array.from({ length: s.classes - 1 }, (_, i) => (i === c ? 1 : 0));
      const w = weight(x);
      const v = f(x);
      for (let r = 0; r < m; r++) {
        value[r] += w * v[r];
        abs[r] += Math.abs(w * v[r]);
      }
    }
    for (let r = 0; r < m; r++) error[r] = 64 * EPS * abs[r];
    return { value, error, method: 'exact-sum' };
  }
  if (s.kind === 'count' || s.kind === 'real' || s.kind === 'positive' || s.kind === 'unit') {
    const cache = new Map<number, Float64Array>();
    const at = (x: number): Float64Array => {
      let v = cache.get(x);
      if (!v) {
        const w = weight(x);
        v = w === 0 ? new Float64Array(m) : f(x).map((t) => w * t);
        cache.set(x, v);
      }
      return v;
    };
    for (let r = 0; r < m; r++) {
      if (s.kind === 'count') {
        const q = sumSeries((k) => at(k)[r], { end: s.max ? s.max(fixed) : Infinity });
        value[r] = q.value;
        error[r] = q.error + 64 * EPS * Math.abs(q.value);
      } else {
        const [a, b] = s.kind === 'real' ? [-Infinity, Infinity] : s.kind === 'positive' ? [0, Infinity] : [0, 1];
        const q = integrate((x) => at(x)[r], a, b, { breakpoints: inst.breakpoints?.(base) ?? [], rtol: 1e-11, atol: 1e-14 });
        value[r] = q.value;
        error[r] = q.error;
      }
    }
    return { value, error, method: s.kind === 'count' ? 'exact-sum' : 'quadrature' };
  }
  const rng = new Rng(seed);
  const m2 = new Float64Array(m);
  for (let k = 1; k <= MC_SAMPLES; k++) {
    const v = f(inst.sample(rng, base, fixed));
    for (let r = 0; r < m; r++) {
      const d = v[r] - value[r];
      value[r] += d / k;
      m2[r] += d * (v[r] - value[r]);
    }
  }
  for (let r = 0; r < m; r++) error[r] = Math.sqrt(m2[r] / (MC_SAMPLES - 1) / MC_SAMPLES);
  return { value, error, method: 'monte-carlo' };
}

/**
 * Expectations claimed in closed form: E[integrand] over the data equals
 * `closedForm`, both expressions in the parameters (and the integrand in the
 * data), at each point. Deterministic routes: within 10 times the numeric
 * error plus 1e-10 relative (the quadrature's requested accuracy); Monte
 * Carlo: within z standard errors.
 */
export function checkExpectations(
  what: string,
  inst: FamilyInstance,
  pairs: readonly { integrand: Expr; closedForm: Expr }[],
  allPoints: readonly SamplePoint[],
  seed: number,
): StepCheck {
  let points = allPoints;
  const integrands = pairs.map((q) => compileExpr(q.integrand));
  const closed = pairs.map((q) => compileExpr(q.closedForm));
  const dataFree = pairs.every((q) => inst.dataVars.every((v) => !freeVariables(q.integrand).has(v)));
  // Monte Carlo costs 20000 draws a point: fewer points there
  const monteCarlo = !dataFree && !['categories', 'count', 'real', 'positive', 'unit'].includes(inst.support.kind);
  if (monteCarlo) points = points.slice(0, MC_POINTS);
  const worst = noWorst();
  let method: NumericExpectation['method'] = 'exact-sum';
  const z = zForFalseAlarm(FALSE_ALARM, pairs.length * points.length);
  for (let k = 0; k < points.length; k++) {
    const pt = points[k];
    const scope = { ...pt.scope };
    // an integrand free of the data is its own expectation
    const e: NumericExpectation = dataFree
      ? { value: Float64Array.from(integrands, (g) => g(scope)), error: Float64Array.from(integrands, () => 0), method: 'exact-sum' }
      : numericExpectation(
          inst,
          pt.base,
          pt.fixed,
          pairs.length,
          (x) => {
            Object.assign(scope, dataScope(inst, x));
            return Float64Array.from(integrands, (g) => g(scope));
          },
          seed + 7919 * k,
        );
    method = e.method;
    closed.forEach((c, r) => {
      const v = c(pt.scope);
      const tol = e.method === 'monte-carlo' ? z * e.error[r] : 10 * e.error[r] + 1e-10 * Math.max(1, Math.abs(v));
      record(worst, Math.abs(v - e.value[r]), tol + 1e-300);
    });
  }
  const how = dataFree
    ? 'their values (the integrands do not depend on the data)'
    : method === 'monte-carlo'
      ? `Monte Carlo (${MC_SAMPLES} samples, z = ${z.toFixed(2)})`
      : method === 'quadrature'
        ? 'quadrature'
        : 'exact sums over the support';
  return { ok: worst.ratio <= 1, method, points: points.length, detail: worstLine(`${what} equal to ${how}`, points.length, worst) };
}

/**
 * lhs = rhs at the points (valid under the joint constraints, unlike the
 * facade's per-variable sampling): equal within 16 times the two sides'
 * propagated rounding bounds plus 1e-10 relative, as proveEqual's numeric test.
 */
export function checkIdentities(what: string, pairs: readonly { lhs: Expr; rhs: Expr }[], points: readonly Record<string, number>[]): StepCheck {
  const worst = noWorst();
  for (const scope of points) {
    for (const { lhs, rhs } of pairs) {
      const l = evaluateWithError(lhs, scope);
      const r = evaluateWithError(rhs, scope);
      record(worst, Math.abs(l.value - r.value), 16 * (l.error + r.error) + 1e-10 * Math.max(Math.abs(l.value), Math.abs(r.value)) + 1e-300);
    }
  }
  return { ok: worst.ratio <= 1, method: 'numeric-identity', points: points.length, detail: worstLine(what, points.length, worst) };
}
