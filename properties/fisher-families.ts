/**
 * The Fisher information of every family and parameterization of the
 * catalogue, checked against its derivations and against independent numeric
 * estimators:
 *  - routes: the Hessian and exponential-family routes equal the literature (proof);
 *  - exact: the closed form equals exact sums (discrete) / quadrature (1-d) to 1e-8;
 *  - score-mean-zero: E[score] = 0;
 *  - monte-carlo: the closed form lies within the standard error of both Monte
 *    Carlo estimators (score outer product and negative Hessian), at a
 *    false-alarm rate of 1e-6 per check;
 *  - positive-definite: F is symmetric positive definite;
 *  - for the Laplace location, -E[∇² log p] is not the Fisher.
 * Every check has a sensitivity run on a deliberately wrong Fisher.
 */
import type fc from 'fast-check';
import { Cholesky } from '../src/linalg/cholesky.js';
import { eigSymmetric } from '../src/linalg/eigen-symmetric.js';
import type { Matrix } from '../src/linalg/matrix.js';
import { familyFisherMatrix } from '../src/families/json-points.js';
import { FAMILIES } from '../src/families/catalogue/index.js';
import { compareRoutes, domainsOf, type FisherDerivation } from '../src/families/derive.js';
import { derivationOf } from '../src/families/derivation-cache.js';
import { deterministicFisher, familyMonteCarloFisher, type FisherPoint } from '../src/families/estimators.js';
import { monteCarloNegativeHessian, type NegativeHessianOptions } from '../src/families/negative-hessian-monte-carlo.js';
import { analyticBaseScore } from '../src/families/analytic-score.js';
import { monteCarloFisherAnalytic } from '../src/families/analytic-monte-carlo.js';
import type { MatrixMeanEstimate } from '../src/numeric/monte-carlo.js';
import type { FamilyDefinition } from '../src/families/types.js';
import { zForFalseAlarm } from '../src/numeric/statistics.js';
import type { Check, CheckContext, CheckOutcome } from '../src/verify/types.js';
import { familyPoint, type FamilyPoint } from './arbitraries/families.js';
import { runProperty as runSharedProperty } from './run-property.js';
import { parameterizationOf } from '../src/families/instance.js';

/** The false-alarm rate of every statistical check. */
export const FALSE_ALARM = 1e-6;

/**
 * Estimates are deterministic given the point and the seed, and a sensitivity
 * run sees the same points as its check: compute each estimate once.
 */
function memo<T>(): (key: string, compute: () => T) => T {
  const cache = new Map<string, T>();
  return (key, compute) => {
    let v = cache.get(key);
    if (v === undefined) {
      v = compute();
      cache.set(key, v);
    }
    return v;
  };
}
const pointKey = (pt: FamilyPoint, extra = ''): string =>
  `${pt.inst.family}|${pt.inst.dim}|${pt.p.name}|${Array.from(pt.theta).join(',')}|${JSON.stringify(pt.fixed)}|${extra}`;

/** A wrong Fisher for sensitivity runs: one entry scaled. */
type Tamper = (F: Matrix) => Matrix;
const scaleEntry =
  (factor: number, i = 0, j = 0): Tamper =>
  (F) => {
    const G = F.clone();
    G.data[i * G.cols + j] *= factor;
    return G;
  };
const honest: Tamper = (F) => F;

/** A property whose predicate returns null when a case passes and the reason when it fails, on the shared runner. */
function runProperty(
  ctx: CheckContext,
  runs: number,
  arb: fc.Arbitrary<FamilyPoint>,
  predicate: (pt: FamilyPoint) => string | null,
  method: string,
): CheckOutcome {
  return runSharedProperty(
    ctx,
    arb,
    (pt) => {
      const why = predicate(pt);
      return why === null ? { ratio: 0, what: 'every comparison within its tolerance' } : { ratio: Infinity, what: why };
    },
    method,
    runs,
  );
}

const label = (def: FamilyDefinition, p: string, dim?: number): string => `${def.name}/${p}${dim === undefined ? '' : `/${def.dimensionSymbol}=${dim}`}`;

function routesCheck(def: FamilyDefinition, pname: string, dim?: number): Check {
  const derivation = (): FisherDerivation => derivationOf(def, pname, dim);
  const summarize = (d: FisherDerivation): string =>
    d.comparisons.length === 0
      ? `literature only (${d.routes[1].note}); held to the numeric routes`
      : d.comparisons
          .map((c) => {
            const sym = c.entries.filter((e) => e.method === 'symbolic').length;
            return `${c.lhs}=${c.rhs}: ${sym}/${c.entries.length} symbolic, ${c.entries.length - sym} numeric-identity`;
          })
          .join('; ');
  return {
    id: `fisher/${label(def, pname, dim)}/routes`,
    theorem: `The Fisher information of ${def.name} (${pname}) derived as -E[∇² log p] and as J_etaᵀ ∇²A J_eta equals the literature's closed form`,
    reference: derivation.length >= 0 ? 'Lehmann & Casella (1998), Sec. 2.6; Amari (2016), Sec. 2.2' : '',
    kind: 'proof',
    run() {
      const d = derivation();
      const failed = d.comparisons.filter((c) => !c.equal);
      const methods = [...new Set(d.comparisons.flatMap((c) => c.entries.map((e) => e.method ?? 'refuted')))].join('+');
      return {
        ok: failed.length === 0,
        runs: d.comparisons.reduce((s, c) => s + c.entries.length, 0),
        method: methods || 'literature',
        detail: failed.length
          ? `${failed[0].lhs} != ${failed[0].rhs} at ${JSON.stringify(failed[0].entries.find((e) => !e.equal)?.counterexample)}`
          : summarize(d),
      };
    },
    sensitivity: def.instance(dim).expFamily
      ? {
          description: 'the literature Fisher with entry [0][0] scaled by 1.01 is refuted',
          run() {
            const d = derivation();
            const inst = def.instance(dim);
            const p = parameterizationOf(inst, pname);
            const route = d.routes.find((r) => r.matrix !== null && r.route !== 'literature')!;
            const lit = d.routes[2].matrix!.map((r) => [...r]);
            lit[0][0] = `1.01*(${lit[0][0]})`;
            const a = route.matrix!;
            const c = compareRoutes({ ...route, matrix: [[a[0][0]]] }, { ...d.routes[2], matrix: [[lit[0][0]]] }, domainsOf(inst, p));
            return { ok: c?.equal === true, runs: 1, detail: c?.equal ? 'the wrong entry was accepted' : 'refuted' };
          },
        }
      : undefined,
  };
}

/** A deviation beyond z standard errors and the bias floor. Written so that a NaN anywhere is outside: a comparison with NaN is false, and a plain `dev > bound` would pass it. */
export function outsideTolerance(dev: number, z: number, se: number, floor: number): boolean {
  return !(dev <= z * se + floor);
}

function relativeScale(F: Matrix, i: number, j: number): number {
  return Math.sqrt(Math.abs(F.get(i, i) * F.get(j, j))) || 1e-300;
}

function exactCheck(def: FamilyDefinition, pname: string, dim?: number): Check {
  const arb = familyPoint(def, pname, dim);
  const estimate = memo<NonNullable<ReturnType<typeof deterministicFisher>>>();
  const predicate =
    (tamper: Tamper) =>
    (pt: FamilyPoint): string | null => {
      const F = tamper(familyFisherMatrix(pt.inst, pt.p, pt.theta, pt.fixed));
      const det = estimate(pointKey(pt), () => deterministicFisher(pt as FisherPoint)!);
      const n = F.rows;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          const scale = relativeScale(F, i, j);
          const diff = Math.abs(F.get(i, j) - det.fisher.value.get(i, j));
          if (det.fisher.error.get(i, j) > 1e-9 * scale)
            return `the ${det.fisher.method} error bound ${det.fisher.error.get(i, j)} is too large to decide entry [${i}][${j}] at ${fmt(pt)}`;
          if (diff > 1e-8 * scale + det.fisher.error.get(i, j))
            return `entry [${i}][${j}]: closed form ${F.get(i, j)} vs ${det.fisher.method} ${det.fisher.value.get(i, j)} (relative ${(diff / scale).toExponential(2)}) at ${fmt(pt)}`;
        }
      return null;
    };
  const method = def.instance(dim).support.kind === 'count' || def.instance(dim).support.kind === 'categories' ? 'exact-sum' : 'quadrature';
  return {
    id: `fisher/${label(def, pname, dim)}/exact`,
    theorem: `The closed-form Fisher of ${def.name} (${pname}) equals E[score scoreᵀ] computed by ${method} to 1e-8 relative`,
    reference: 'definition of the Fisher information',
    kind: 'property',
    run: (ctx) => runProperty(ctx, ctx.runs, arb, predicate(honest), method),
    sensitivity: {
      description: 'a Fisher with entry [0][0] scaled by 1.01 fails',
      run: (ctx) => runProperty(ctx, ctx.runs, arb, predicate(scaleEntry(1.01)), method),
    },
  };
}

function scoreMeanCheck(def: FamilyDefinition, pname: string, dim?: number): Check {
  const arb = familyPoint(def, pname, dim);
  const predicate =
    (shift: number) =>
    (pt: FamilyPoint): string | null => {
      const F = familyFisherMatrix(pt.inst, pt.p, pt.theta, pt.fixed);
      // the wrong variant: the score taken at a point moved by `shift` standard deviations of the first parameter
      const at = pt.theta.slice();
      at[0] += shift / Math.sqrt(F.get(0, 0));
      const det = deterministicFisher(pt as FisherPoint, shift === 0 ? undefined : at)!;
      for (let i = 0; i < F.rows; i++) {
        const tol = 1e-8 * Math.sqrt(F.get(i, i)) + det.scoreMean.error[i];
        if (Math.abs(det.scoreMean.value[i]) > tol) return `E[score_${i}] = ${det.scoreMean.value[i]}, not 0, at ${fmt(pt)}`;
      }
      return null;
    };
  return {
    id: `fisher/${label(def, pname, dim)}/score-mean-zero`,
    theorem: `The score of ${def.name} (${pname}) has mean zero`,
    reference: 'Lehmann & Casella (1998), Sec. 2.6',
    kind: 'property',
    run: (ctx) => runProperty(ctx, Math.max(3, Math.ceil(ctx.runs / 2)), arb, predicate(0), 'exact'),
    sensitivity: {
      description: "the score taken 0.05 standard deviations away from the density's parameter does not have mean zero",
      run: (ctx) => runProperty(ctx, Math.max(3, Math.ceil(ctx.runs / 2)), arb, predicate(0.05), 'exact'),
    },
  };
}

function fmt(pt: FamilyPoint): string {
  const fixed = Object.keys(pt.fixed).length ? ` fixed ${JSON.stringify(pt.fixed)}` : '';
  return `${pt.p.paramNames.map((n, i) => `${n}=${pt.theta[i].toPrecision(6)}`).join(', ')}${fixed}`;
}

/**
 * Monte Carlo: two estimators of the Fisher, each compared with the closed
 * form entry by entry at z standard errors, z from a false-alarm rate of 1e-6
 * for the whole check (Bonferroni over entries, estimators and cases):
 *  - the negative Hessian -E[∇² log p], with the score as control variate
 *    (and, for families that are not exponential families, the Bartlett
 *    identity's g gᵀ + ∇² log p): families/negative-hessian-monte-carlo.ts.
 *    Up to three parameters its derivatives are second differences of the
 *    numeric log-density, an implementation independent of the expression;
 *    above, the Jacobian of the analytic score (O(m) instead of O(m²) calls);
 *  - the score outer product E[g gᵀ], the analytic score (forward
 *    differentiation of the catalogue's log-density) with the score as
 *    control variate (numeric/score-control.ts).
 * The check rejects when either estimator does, so an error δ in entry (i, j)
 * is detected with probability ≥ 1 − Φ(−POWER_Z) ≈ 0.999 once δ exceeds, for
 * one of the estimators, (z + POWER_Z) standard errors plus twice its bias
 * floor: that smallest δ, as a fraction of sqrt(F_ii F_jj), is the entry's
 * resolution, and the check's is the largest over the entries. Each sample
 * size is set from its own pilot run (separate draws) so that the resolution
 * is RESOLUTION (1%), up to the estimator's budget; the score outer product
 * is only sized for 1% in the entries the negative Hessian leaves above it.
 * The sensitivity run moves the least-determined entry by exactly 1%.
 */
const RESOLUTION = 0.01;
const POWER_Z = 3;
const PILOT = 20_000;
/** the score outer product's draws where the negative Hessian already resolves every entry: a cross-check of the definition E[g gᵀ] */
const CROSS_CHECK = 100_000;
function scoreEstimate(pt: FisherPoint, samples: number, seed: number): MatrixMeanEstimate {
  return monteCarloFisherAnalytic(pt, samples, seed, { controlVariate: true }) ?? familyMonteCarloFisher(pt, samples, seed, { negHessian: false }).score;
}

/**
 * Sample budget of one score-outer-product estimate, so that a check (two
 * points) stays under a second: a draw and its score cost 0.05-0.3 µs for a
 * scalar family and about 1 µs for the d = 5 normal (20 parameters, 210
 * entries of g gᵀ).
 */
function sampleBudget(parameters: number, thorough: boolean): number {
  if (thorough) return 4_000_000;
  return parameters > 9 ? 100_000 : parameters > 3 ? 200_000 : 1_000_000;
}

/**
 * Pilot and budget of the negative Hessian: a draw costs O(m²) log-density
 * calls (m ≤ 3) or 4m score calls. Where the pilot shows a statistical
 * comparison (a standard error above the bias floor) the estimate gets at
 * least STATISTICAL_MIN draws, so that its standard error has thousands of
 * degrees of freedom (numeric/score-control.ts); where every entry is exact
 * (an exponential family) the pilot's size is enough.
 */
const STATISTICAL_MIN = 4_000;
function hessianSizes(parameters: number, thorough: boolean): { pilot: number; budget: number } {
  const pilot = parameters <= 3 ? 500 : Math.max(100, 5 * (parameters + 2));
  return { pilot, budget: (thorough ? 10 : 1) * (parameters <= 3 ? 100_000 : 20_000) };
}

/**
 * Entries (of the check's parameterization) where -E[∇² log p] is not the
 * Fisher, for families whose catalogue entry says the Hessian route fails:
 * the negative Hessian is compared on the other entries only. The Laplace
 * location's pointwise second derivative misses the kink's point mass
 * (fisher/laplace/location-scale/hessian-route-fails shows both the [0][0]
 * gap and the agreement on the scale).
 */
const HESSIAN_ROUTE_FAILS_AT: Record<string, [number, number][]> = { laplace: [[0, 0]] };

/** The smallest error in each entry (upper triangle, row by row) an estimate detects, as a fraction of sqrt(F_ii F_jj). */
function entryResolutions(F: Matrix, est: MatrixMeanEstimate, bias: Matrix | null, z: number, skip: ReadonlySet<number>): Float64Array {
  const n = F.rows;
  const out = new Float64Array((n * (n + 1)) / 2);
  for (let i = 0, p = 0; i < n; i++)
    for (let j = i; j < n; j++, p++) {
      if (skip.has(p)) {
        out[p] = Infinity;
        continue;
      }
      const scale = relativeScale(F, i, j);
      out[p] = ((z + POWER_Z) * est.stdError.get(i, j) + 2 * floorOf(scale, bias, i, j)) / scale;
    }
  return out;
}

/** The tolerance beside z standard errors: the score's O(h²) ~ 1e-8 relative, and twice the negative Hessian's finite-difference bias bound. */
function floorOf(scale: number, bias: Matrix | null, i: number, j: number): number {
  return 1e-8 * scale + (bias ? 2 * bias.get(i, j) : 0);
}

/** Samples for a resolution of RESOLUTION in the entries where `need` is set, from a pilot estimate of `pilotSamples` draws. */
function samplesFor(F: Matrix, pilot: MatrixMeanEstimate, pilotSamples: number, z: number, need: (p: number) => boolean = () => true): number {
  let needed = 0;
  for (let i = 0, p = 0; i < F.rows; i++)
    for (let j = i; j < F.rows; j++, p++) {
      if (!need(p)) continue;
      const sd = pilot.stdError.get(i, j) * Math.sqrt(pilotSamples);
      needed = Math.max(needed, (((z + POWER_Z) * sd) / (RESOLUTION * relativeScale(F, i, j))) ** 2);
    }
  return Math.ceil(needed);
}

interface McEstimates {
  /** skip: upper-triangle indices (row by row) the estimator is not compared on */
  estimators: { name: string; est: MatrixMeanEstimate; bias: Matrix | null; samples: number; resolution: number; skip: ReadonlySet<number> }[];
  /** the relative error in the least-determined entry detected with probability ≈ 0.999, and where */
  resolution: number;
  entry: [number, number];
}

/**
 * The Monte Carlo check of a family's parameterization, on the family's random points or, with `points`, on
 * others (the corners of its unit cube, where the estimators' error bounds are largest).
 */
export function monteCarloCheck(def: FamilyDefinition, pname: string, dim: number | undefined, points?: fc.Arbitrary<FamilyPoint>): Check {
  const arb = points ?? familyPoint(def, pname, dim);
  const inst = def.instance(dim);
  const n = parameterizationOf(inst, pname).symbols.length;
  const upper = (i: number, j: number): number => Math.min(i, j) * n - (Math.min(i, j) * (Math.min(i, j) - 1)) / 2 + Math.abs(j - i);
  const routeFails = inst.hessianRouteFails ? HESSIAN_ROUTE_FAILS_AT[def.name] : [];
  const useNegHessian = routeFails !== undefined;
  const hessianSkip: ReadonlySet<number> = new Set((routeFails ?? []).map(([i, j]) => upper(i, j)));
  const noSkip: ReadonlySet<number> = new Set();
  const hessianOptions: NegativeHessianOptions = {
    // the Bartlett identity fails where the Hessian route does (the Laplace's [mu][mu]): a control with a
    // nonzero mean would bias every entry through its regression coefficient
    bartlett: !inst.expFamily && !inst.hessianRouteFails,
    derivatives: n <= 3 || analyticBaseScore(inst) === null ? 'log-density' : 'score',
  };
  const comparisons = ((n * (n + 1)) / 2) * (useNegHessian ? 2 : 1) - hessianSkip.size;
  // Bonferroni over every comparison of the check: entries, estimators and cases
  const cases = (thorough: boolean): number => (thorough ? 5 : 2);
  const zFor = (thorough: boolean): number => zForFalseAlarm(FALSE_ALARM, comparisons * cases(thorough));
  const estimates = memo<McEstimates>();
  const compute = (pt: FamilyPoint, F: Matrix, seed: number, thorough: boolean): McEstimates => {
    const fp = pt as FisherPoint;
    const z = zFor(thorough);
    const out: McEstimates['estimators'] = [];
    const best = new Float64Array((n * (n + 1)) / 2).fill(Infinity);
    const record = (name: string, est: MatrixMeanEstimate, bias: Matrix | null, samples: number, skip: ReadonlySet<number>): void => {
      const r = entryResolutions(F, est, bias, z, skip);
      for (let p = 0; p < r.length; p++) best[p] = Math.min(best[p], r[p]);
      out.push({ name, est, bias, samples, resolution: Math.max(...r.filter(Number.isFinite)), skip });
    };
    if (useNegHessian) {
      const { pilot, budget } = hessianSizes(n, thorough);
      const hPilot = monteCarloNegativeHessian(fp, pilot, seed ^ 0x51ed, hessianOptions);
      let statistical = false;
      for (let i = 0, p = 0; i < n; i++)
        for (let j = i; j < n; j++, p++) {
          if (!hessianSkip.has(p) && floorOf(relativeScale(F, i, j), hPilot.negHessianBias, i, j) < 0.01 * z * hPilot.negHessian.stdError.get(i, j))
            statistical = true;
        }
      const needed = samplesFor(F, hPilot.negHessian, pilot, z, (p) => !hessianSkip.has(p));
      const nH = Math.min(budget, Math.max(pilot, statistical ? STATISTICAL_MIN : 0, needed));
      const h = monteCarloNegativeHessian(fp, nH, seed, hessianOptions);
      record('negative Hessian', h.negHessian, h.negHessianBias, nH, hessianSkip);
    }
    const maxN = sampleBudget(n, thorough);
    // sized for 1% (from a pilot) only where the negative Hessian does not already resolve the entry
    const unresolved = (p: number): boolean => best[p] > RESOLUTION;
    let nScore = Math.min(CROSS_CHECK, maxN / 5);
    if (best.some((_, p) => unresolved(p))) {
      const pilotSize = Math.min(PILOT, maxN / 10);
      const pilot = scoreEstimate(fp, pilotSize, seed ^ 0x9e37);
      nScore = Math.min(maxN, Math.max(pilotSize, samplesFor(F, pilot, pilotSize, z, unresolved)));
    }
    record('score outer product', scoreEstimate(fp, nScore, seed), null, nScore, noSkip);
    let resolution = 0;
    let entry: [number, number] = [0, 0];
    for (let i = 0, p = 0; i < n; i++)
      for (let j = i; j < n; j++, p++) {
        if (best[p] > resolution) {
          resolution = best[p];
          entry = [i, j];
        }
      }
    return { estimators: out, resolution, entry };
  };
  /** tamper: whether to move the least-determined entry by RESOLUTION of sqrt(F_ii F_jj) */
  const predicate = (ctx: CheckContext, tamper: boolean, seen: McEstimates[] = [], deviations: number[] = [], labels: string[] = []) => {
    let call = 0;
    return (pt: FamilyPoint): string | null => {
      const F = familyFisherMatrix(pt.inst, pt.p, pt.theta, pt.fixed);
      const z = zFor(ctx.thorough);
      const seed = (ctx.seed + 7919 * ++call) >>> 0;
      const mc = estimates(pointKey(pt, `${seed}|${ctx.thorough}`), () => compute(pt, F, seed, ctx.thorough));
      seen.push(mc);
      let Fwrong = F;
      if (tamper) {
        const [i, j] = mc.entry;
        Fwrong = F.clone();
        const shift = RESOLUTION * relativeScale(F, i, j);
        Fwrong.data[i * n + j] += shift;
        if (i !== j) Fwrong.data[j * n + i] += shift;
      }
      // every standardized deviation first (the calibration's statistic), then the verdict; an entry
      // whose tolerance is the floor rather than z standard errors (estimated exactly: the
      // negative Hessian of an exponential family is affine in the score) is not a statistical comparison
      // (which entries are exact depends on the point: the normal's score outer product is exact in [0][0] at mu = 0)
      for (const { name, est, bias, skip } of mc.estimators) {
        for (let i = 0; i < n; i++)
          for (let j = i; j < n; j++) {
            if (skip.has(upper(i, j))) continue;
            const se = est.stdError.get(i, j);
            if (floorOf(relativeScale(F, i, j), bias, i, j) < 0.01 * z * se) {
              deviations.push((est.value.get(i, j) - Fwrong.get(i, j)) / se);
              labels.push(`case ${call} ${name} [${i}][${j}]`);
            }
          }
      }
      for (const { name, est, bias, samples, skip } of mc.estimators) {
        for (let i = 0; i < n; i++)
          for (let j = i; j < n; j++) {
            if (skip.has(upper(i, j))) continue;
            const dev = Math.abs(est.value.get(i, j) - Fwrong.get(i, j));
            const se = est.stdError.get(i, j);
            const floor = floorOf(relativeScale(F, i, j), bias, i, j);
            if (outsideTolerance(dev, z, se, floor))
              return `${name} entry [${i}][${j}]: ${est.value.get(i, j)} ± ${se.toExponential(2)} (bias floor ${floor.toExponential(2)}) vs closed form ${Fwrong.get(i, j)} (${(dev / se).toFixed(1)} standard errors > z = ${z.toFixed(2)}, ${samples} samples) at ${fmt(pt)}`;
          }
      }
      return null;
    };
  };
  const runs = (ctx: CheckContext): number => cases(ctx.thorough);
  const pct = (r: number): string => `${(100 * r).toPrecision(2)}%`;
  const withResolution = (ctx: CheckContext): CheckOutcome => {
    const seen: McEstimates[] = [];
    const deviations: number[] = [];
    const labels: string[] = [];
    const outcome = {
      ...runProperty(ctx, runs(ctx), arb, predicate(ctx, false, seen, deviations, labels), 'monte-carlo'),
      statistic: { deviations, threshold: zFor(ctx.thorough), labels },
    };
    if (!outcome.ok || seen.length === 0) return outcome;
    const worst = Math.max(...seen.map((m) => m.resolution));
    const per = seen[0].estimators
      .map(
        (e, k) =>
          `${e.name} ${pct(Math.max(...seen.map((m) => m.estimators[k].resolution)))} (${Math.max(...seen.map((m) => m.estimators[k].samples))} samples)`,
      )
      .join(', ');
    return {
      ...outcome,
      detail: `${outcome.detail}; detects an error of ${pct(worst)} of sqrt(F_ii F_jj) in any entry (power 0.999; by entry, the better of: ${per})`,
    };
  };
  return {
    id: `fisher/${label(def, pname, dim)}/monte-carlo`,
    theorem: `The closed-form Fisher of ${def.name} (${pname}) lies within the standard error of the Monte Carlo ${useNegHessian ? `negative Hessian${hessianSkip.size ? ' (off the entries where the Hessian route fails)' : ''} and score outer product` : 'score outer product'} (false-alarm rate ${FALSE_ALARM} per check)`,
    reference: 'Fisher identity E[s sᵀ] = -E[∇² log p]',
    kind: 'property',
    run: withResolution,
    sensitivity: {
      description: 'the least-determined Fisher entry off by 1% of sqrt(F_ii F_jj) is rejected',
      run: (ctx) => runProperty(ctx, runs(ctx), arb, predicate(ctx, true), 'monte-carlo'),
    },
  };
}

function positiveDefiniteCheck(def: FamilyDefinition, pname: string, dim?: number): Check {
  const arb = familyPoint(def, pname, dim);
  const predicate =
    (shiftBelow: boolean) =>
    (pt: FamilyPoint): string | null => {
      let F = familyFisherMatrix(pt.inst, pt.p, pt.theta, pt.fixed);
      if (shiftBelow) {
        const lo = eigSymmetric(F).values[0];
        F = F.clone();
        for (let i = 0; i < F.rows; i++) F.data[i * F.cols + i] -= 1.01 * lo;
      }
      for (let i = 0; i < F.rows; i++)
        for (let j = 0; j < i; j++) {
          if (F.get(i, j) !== F.get(j, i)) return `not symmetric at [${i}][${j}] at ${fmt(pt)}`;
        }
      try {
        new Cholesky(F);
      } catch {
        return `not positive definite at ${fmt(pt)}`;
      }
      return null;
    };
  return {
    id: `fisher/${label(def, pname, dim)}/positive-definite`,
    theorem: `The Fisher of ${def.name} (${pname}) is symmetric positive definite`,
    reference: 'identifiability of the parameterization',
    kind: 'property',
    run: (ctx) => runProperty(ctx, ctx.runs * 5, arb, predicate(false), 'cholesky'),
    sensitivity: { description: 'F - 1.01 λ_min I is rejected', run: (ctx) => runProperty(ctx, ctx.runs * 5, arb, predicate(true), 'cholesky') },
  };
}

/** Laplace: log p is not twice differentiable in mu, and -E[∇² log p] misses the Fisher's mu entry entirely. */
function laplaceHessianRouteCheck(def: FamilyDefinition): Check {
  const arb = familyPoint(def, 'location-scale');
  const predicate =
    (ctx: CheckContext, entry: number) =>
    (pt: FamilyPoint): string | null => {
      const F = familyFisherMatrix(pt.inst, pt.p, pt.theta, pt.fixed);
      const mc = familyMonteCarloFisher(pt as FisherPoint, 5_000, ctx.seed, { negHessian: true });
      const est = mc.negHessian!;
      const z = zForFalseAlarm(FALSE_ALARM, 1);
      const gap = Math.abs(est.value.get(entry, entry) - F.get(entry, entry));
      // the finite-difference bias bound and the score's O(h²) floor, as in the Monte Carlo check: with the
      // score as control variate the b entry (linear in the score) has almost no standard error left
      const floor = 1e-8 * Math.abs(F.get(entry, entry)) + 2 * mc.negHessianBias!.get(entry, entry);
      return gap > z * est.stdError.get(entry, entry) + floor
        ? null
        : `-E[∇² log p][${entry}][${entry}] = ${est.value.get(entry, entry)} agrees with the Fisher ${F.get(entry, entry)}`;
    };
  return {
    id: 'fisher/laplace/location-scale/hessian-route-fails',
    theorem: 'For the Laplace location, -E[∂²/∂mu² log p] = 0 differs from the Fisher entry 1/b² (log p is not twice differentiable at x = mu)',
    reference: 'Lehmann & Casella (1998), Sec. 2.6 (regularity conditions)',
    kind: 'property',
    run: (ctx) => runProperty(ctx, 2, arb, predicate(ctx, 0), 'monte-carlo'),
    sensitivity: {
      description: 'the same comparison on the scale entry b (smooth) finds agreement',
      run: (ctx) => runProperty(ctx, 2, arb, predicate(ctx, 1), 'monte-carlo'),
    },
  };
}

/** Dimensions at which every vector family is checked numerically, beyond those derived symbolically. */
const NUMERIC_DIMENSIONS = [2, 3, 5];

export function familyChecks(): Check[] {
  const checks: Check[] = [];
  for (const def of FAMILIES) {
    const symbolicDims: (number | undefined)[] = def.verifyDimensions ? [...def.verifyDimensions] : [undefined];
    const numericDims: (number | undefined)[] = def.verifyDimensions ? NUMERIC_DIMENSIONS : [undefined];
    for (const pname of Object.keys(def.layouts)) {
      for (const dim of symbolicDims) checks.push(routesCheck(def, pname, dim));
      for (const dim of numericDims) {
        const inst = def.instance(dim);
        const deterministic = inst.support.kind !== 'simplex' && inst.support.kind !== 'real-vector';
        if (deterministic) checks.push(exactCheck(def, pname, dim), scoreMeanCheck(def, pname, dim));
        checks.push(monteCarloCheck(def, pname, dim), positiveDefiniteCheck(def, pname, dim));
      }
    }
    if (def.name === 'laplace') checks.push(laplaceHessianRouteCheck(def));
  }
  return checks;
}
