/**
 * One oracle question about a family (fisher, natural-gradient or
 * reparameterize at a point) answered by the high-precision reference, and
 * the comparison of an oracle answer with it: every reported number within
 * the stated error of the truth, a refusal exactly where the truth overflows
 * float64, and the refusal naming a field that does overflow.
 *
 * Error allowed per entry (the target 1e-12 relative, with two derived
 * additions where float64 cannot do better):
 *   |got - truth| <= 1e-12 |truth| + 4 * 2^-1074 (the subnormal scale)
 *     + for the multivariate normal's Fisher, 16 n kappa (eps + kappa 2^-1074) sqrt(F_ii F_jj),
 *       kappa the condition number of the correlation matrix (the inverse of a
 *       matrix is only as accurate as its conditioning allows: Higham 2002,
 *       Thm. 14.1, with gradual underflow's absolute error, Demmel 1984, and
 *       the Fisher's Cauchy-Schwarz scale);
 *     + for a natural-gradient direction, 64 n eps kappa_F (kappa_solve |x|_inf + leak),
 *       kappa_solve the condition number of the kept eigenvalues (and their
 *       gap to the dropped ones), leak = |g| (lambda_max/gap)/lambda_kept_min
 *       when eigenvalues are dropped: the backward-stable eigensolver's bound
 *       (Weyl; Davis and Kahan 1970). An entry whose allowance reaches half
 *       its size is undetermined in float64 and not compared.
 * A true value within 1e-12 of the largest float64 is too close to call and
 * not compared; neither is the singular flag (nor the direction) when an
 * eigenvalue lies within a factor 10^0.05 of the singular cut, where F's own
 * rounding (relative n eps lambda_max/lambda near the cut) decides it.
 */
import { Decimal } from 'decimal.js';
import { NatgradError } from '../../src/core/errors.js';
import { getFamily } from '../../src/families/json-points.js';
import type { FamilyInstance, ParameterizationInstance } from '../../src/families/types.js';
import type { EdgePoint, JsonParams } from '../arbitraries/edge-points.js';
import type { DecimalClass } from './decimal-special.js';
import {
  atSufficientPrecision,
  decimalClass,
  exactDecimal,
  exactInterval,
  jacobiEigen,
  mids,
  referenceDampedSolve,
  referenceFisher,
  referenceReparameterize,
} from './family-reference.js';
import type { IntervalContext } from './interval.js';
import { parameterizationOf } from '../../src/families/instance.js';

export const RTOL = 1e-12;
const ABS = 4 * Number.MIN_VALUE;
const EPS = 2 ** -52;
/** |x| at or above this rounds to Infinity */
const OVERFLOW = new Decimal(2).pow(1024).times(new Decimal(1).minus(new Decimal(2).pow(-54)));
const NEAR_OVERFLOW = OVERFLOW.times(1 - 1e-12);

export type Question =
  | { kind: 'fisher'; point: EdgePoint }
  | { kind: 'natural-gradient'; point: EdgePoint; damping: number; gradient: number[] }
  | { kind: 'reparameterize'; point: EdgePoint; to: string };

/** The oracle spec of a question. */
export function specOf(q: Question): Record<string, unknown> {
  const p = q.point;
  const common = { family: p.family, params: p.params, ...(p.fixed ? { fixed: p.fixed } : {}) };
  if (q.kind === 'reparameterize') return { kind: q.kind, from: p.parameterization, to: q.to, ...common };
  if (q.kind === 'natural-gradient') return { kind: q.kind, parameterization: p.parameterization, ...common, damping: q.damping, gradient: q.gradient };
  return { kind: q.kind, parameterization: p.parameterization, ...common };
}

interface Entry {
  field: string;
  truth: Decimal /** extra absolute error allowed */;
  slack: number;
}

/** The reference answer: entries to compare, fields whose true value overflows, or why the point is not asked. */
export interface ReferenceAnswer {
  invalid?: string;
  entries: Entry[];
  overflow: string[];
  /** true values too close to the float range's end, or a singular rule too close to call */
  unclear: string[];
  singular?: boolean;
}

function parameterization(point: EdgePoint): { inst: FamilyInstance; p: ParameterizationInstance } {
  const inst = getFamily(point.family, 'family').instance(point.dim);
  return { inst, p: parameterizationOf(inst, point.parameterization) };
}

/** The JSON params in the parameterization's symbol order (vectors expanded, matrices by their upper triangle). */
function thetaOf(point: EdgePoint): number[] {
  const def = getFamily(point.family, 'family');
  const out: number[] = [];
  for (const e of def.layouts[point.parameterization]) {
    const v = (point.params as JsonParams)[e.name];
    if (e.shape === 'scalar') out.push(v as number);
    else if (e.shape === 'vector') out.push(...(v as number[]));
    else
      (v as number[][]).forEach((row, i) =>
        row.forEach((x, j) => {
          if (j >= i) out.push(x);
        }),
      );
  }
  return out;
}

/** Why the exact point lies outside the family's domain, or null (the joint constraints, judged in exact arithmetic). */
function invalidity(D: DecimalClass, point: EdgePoint, theta: Decimal[]): string | null {
  if (theta.some((t) => !t.isFinite())) return 'a parameter is not finite';
  const key = `${point.family}/${point.parameterization}`;
  if (key === 'categorical/mean' && !theta.reduce((a, b) => a.minus(b), new D(1)).gt(0)) return 'the probabilities sum to 1 or more';
  if (key === 'normal/expectation' && !theta[1].minus(theta[0].times(theta[0])).gt(0)) return 'm2 <= m1^2';
  if (key === 'multivariate-normal/mean-cov') {
    // positive definiteness needs no exact arithmetic: the correlation matrix's eigenvalues at 60 digits
    const d = point.dim!;
    const D60 = decimalClass(60);
    const S = covarianceOf(
      D60,
      theta.map((t) => new D60(t)),
      d,
    );
    const C = S.map((row, i) => row.map((v, j) => v.div(S[i][i].times(S[j][j]).sqrt())));
    if (!jacobiEigen(D60, C).values.every((v) => v.gt(0))) return 'Sigma is not positive definite';
  }
  return null;
}

function covarianceOf(D: DecimalClass, theta: Decimal[], d: number): Decimal[][] {
  const S: Decimal[][] = Array.from({ length: d }, () => Array.from({ length: d }, () => new D(0)));
  let k = d;
  for (let i = 0; i < d; i++)
    for (let j = i; j < d; j++) {
      S[i][j] = theta[k];
      S[j][i] = theta[k];
      k++;
    }
  return S;
}

/** kappa of the multivariate normal's correlation matrix (1 for every other family). */
function fisherConditioning(D: DecimalClass, point: EdgePoint, theta: Decimal[]): number {
  if (point.family !== 'multivariate-normal') return 1;
  const d = point.dim!;
  const S = covarianceOf(D, theta, d);
  const { values } = jacobiEigen(
    D,
    S.map((row, i) => row.map((v, j) => v.div(S[i][i].times(S[j][j]).sqrt()))),
  );
  const abs = values.map((v) => v.abs().toNumber());
  return Math.max(...abs) / Math.min(...abs);
}

function matrixEntries(field: string, M: Decimal[][], slack: (i: number, j: number) => number): Entry[] {
  return M.flatMap((row, i) => row.map((truth, j) => ({ field: `${field}[${i}][${j}]`, truth, slack: slack(i, j) })));
}

/** The reference answer of a question. */
export function referenceAnswer(q: Question): ReferenceAnswer {
  const { inst, p } = parameterization(q.point);
  const thetaFloat = thetaOf(q.point);
  const fixed = q.point.fixed ?? {};
  const probe = (c: IntervalContext) => thetaFloat.map((t) => exactInterval(c, t));
  // float inputs are exact at 1100 digits (2^-1074 has 751), their squares at 2200
  const exact = decimalClass(2200);
  const why = invalidity(
    exact,
    q.point,
    thetaFloat.map((t) => exactDecimal(exact, t)),
  );
  if (why) return { invalid: why, entries: [], overflow: [], unclear: [] };
  const D0 = decimalClass(60);
  const kappaF = fisherConditioning(
    D0,
    q.point,
    thetaFloat.map((t) => exactDecimal(D0, t)),
  );
  const n = p.symbols.length;
  // Cholesky inversion's bound with gradual underflow (an absolute 2^-1074 per operation in the
  // equilibrated matrix, Demmel 1984), in the scale sqrt(F_ii F_jj) that bounds entry (i, j)
  const fisherSlack =
    (F: Decimal[][]) =>
    (i: number, j: number): number =>
      q.point.family === 'multivariate-normal' ? 16 * n * kappaF * (EPS + kappaF * Number.MIN_VALUE) * F[i][i].abs().times(F[j][j].abs()).sqrt().toNumber() : 0;

  let entries: Entry[];
  let singular: boolean | undefined;
  const unclear: string[] = [];
  if (q.kind === 'fisher') {
    const F = mids(atSufficientPrecision((c) => referenceFisher(c, p, probe(c), fixed)).value);
    entries = matrixEntries('matrix', F, fisherSlack(F));
  } else if (q.kind === 'natural-gradient') {
    const { value: FI, digits } = atSufficientPrecision((c) => referenceFisher(c, p, probe(c), fixed));
    const F = mids(FI);
    const D = decimalClass(digits);
    const info = referenceDampedSolve(
      D,
      F,
      exactDecimal(D, q.damping),
      q.gradient.map((g) => exactDecimal(D, g)),
    );
    const direction = info.direction;
    entries = matrixEntries('matrix', F, fisherSlack(F));
    if (info.margin < 0.05) unclear.push('singular');
    else {
      singular = info.singular;
      const xInf = direction.reduce((m, v) => Math.max(m, Math.min(v.abs().toNumber(), Number.MAX_VALUE)), 0);
      const slack = 64 * n * EPS * kappaF * (info.condition * xInf + info.leak);
      direction.forEach((truth, i) => entries.push({ field: `direction[${i}]`, truth, slack }));
    }
  } else {
    const to = parameterizationOf(inst, q.to);
    const r = atSufficientPrecision((c) => referenceReparameterize(c, inst, p, to, probe(c), fixed)).value;
    const fisherTo = mids(r.fisher);
    entries = [
      ...r.params.map((x, i) => ({ field: `params.${to.paramNames[i]}`, truth: x.mid(), slack: 0 })),
      ...matrixEntries('jacobian', mids(r.jacobian), () => 0),
      ...matrixEntries('fisher', fisherTo, fisherSlack(fisherTo)),
    ];
  }
  const overflow: string[] = [];
  const kept: Entry[] = [];
  for (const e of entries) {
    const a = e.truth.abs();
    // an allowance as large as the value itself: float64 cannot determine it (not even whether it overflows)
    if (!(e.slack < a.times(0.5).toNumber())) {
      if (e.slack > 0) {
        unclear.push(e.field);
        continue;
      }
    }
    if (a.gte(NEAR_OVERFLOW) && a.lte(OVERFLOW.times(1 + 1e-12))) unclear.push(e.field);
    else if (a.gte(OVERFLOW)) overflow.push(e.field);
    else kept.push(e);
  }
  return { entries: kept, overflow, unclear, singular };
}

/** Field paths of an oracle result (`matrix[0][1]`, `params.eta2`, `params.p[1]`) to their numbers. */
function resultNumbers(result: unknown): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'number') out.set(path, v);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
  };
  walk(result, '');
  // the reference names a symmetric-matrix parameter by its upper-triangle entries, as paramNames do
  return out;
}

export interface Verdict {
  ok: boolean;
  why: string;
  worst: number;
  worstField: string;
}

/**
 * Compares an oracle outcome (a result, or the NatgradError it threw) with the
 * reference answer. `worst` is the largest error as a multiple of its allowance.
 */
export function judge(answer: ReferenceAnswer, outcome: { result?: unknown; error?: unknown }): Verdict {
  if (answer.invalid) {
    return outcome.error instanceof NatgradError
      ? { ok: true, why: `refused an invalid point (${answer.invalid})`, worst: 0, worstField: '' }
      : { ok: false, why: `answered at an invalid point (${answer.invalid})`, worst: Infinity, worstField: '' };
  }
  if (outcome.error !== undefined) {
    const e = outcome.error;
    if (!(e instanceof NatgradError)) return { ok: false, why: `threw ${String(e)}`, worst: Infinity, worstField: '' };
    const named = /the result field (\S+)/.exec(e.reason)?.[1];
    if (answer.overflow.length === 0 && !answer.unclear.some((f) => f === named))
      return { ok: false, why: `refused a representable answer: ${e.path}: ${e.reason}`, worst: Infinity, worstField: named ?? '' };
    if (named && !answer.overflow.includes(named) && !answer.unclear.includes(named))
      return {
        ok: false,
        why: `refusal names ${named}, which does not overflow (these do: ${answer.overflow.join(', ')})`,
        worst: Infinity,
        worstField: named,
      };
    return { ok: true, why: `refused: ${named} overflows`, worst: 0, worstField: named ?? '' };
  }
  if (answer.overflow.length > 0)
    return { ok: false, why: `answered although ${answer.overflow.join(', ')} overflow float64`, worst: Infinity, worstField: answer.overflow[0] };
  const got = resultNumbers(outcome.result);
  let worst = 0;
  let worstField = '';
  for (const e of answer.entries) {
    const g = got.get(e.field);
    if (g === undefined) return { ok: false, why: `the result has no field ${e.field}`, worst: Infinity, worstField: e.field };
    const allowed = new Decimal(RTOL).times(e.truth.abs()).plus(ABS).plus(e.slack);
    const err = new Decimal(g).minus(e.truth).abs();
    const ratio = err.div(allowed).toNumber();
    if (!(ratio <= worst)) {
      worst = ratio;
      worstField = e.field;
    }
    if (!(ratio <= 1))
      return {
        ok: false,
        why: `${e.field} = ${g}, truth ${e.truth.toSignificantDigits(20).toString()} (error ${ratio.toPrecision(3)} x allowed)`,
        worst: ratio,
        worstField: e.field,
      };
  }
  if (answer.singular !== undefined) {
    const s = (outcome.result as { singular?: boolean }).singular;
    if (s !== answer.singular) return { ok: false, why: `singular is ${s}, the truth is ${answer.singular}`, worst: Infinity, worstField: 'singular' };
  }
  return { ok: true, why: 'agrees', worst, worstField };
}

/** The relative error of each compared entry, in float, for reporting: max over entries of |got - truth| / |truth| (entries with truth >= 1e-290 only). */
export function worstRelativeError(answer: ReferenceAnswer, result: unknown, filter: (field: string) => boolean = () => true): number {
  const got = resultNumbers(result);
  let worst = 0;
  for (const e of answer.entries) {
    if (!filter(e.field)) continue;
    const g = got.get(e.field);
    if (g === undefined || e.truth.abs().lt('1e-290')) continue;
    worst = Math.max(worst, new Decimal(g).minus(e.truth).abs().div(e.truth.abs()).toNumber());
  }
  return worst;
}

/** A copy of a result with the named numeric field multiplied by (1 + rel): the sensitivity run's deliberately wrong answer. */
export function perturbed(result: unknown, field: string, rel: number): unknown {
  const copy = JSON.parse(JSON.stringify(result)) as unknown;
  const walk = (v: unknown, path: string): unknown => {
    if (typeof v === 'number') return path === field ? v * (1 + rel) : v;
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`));
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, path ? `${path}.${k}` : k)]));
    return v;
  };
  return walk(copy, '');
}

/**
 * The compared field with the largest |truth| in the normal range whose allowance is below 2e-11 of
 * it, so that moving it by 1e-10 relative must be rejected; null when there is none.
 */
export function largestField(answer: ReferenceAnswer): string | null {
  let best: Entry | null = null;
  for (const e of answer.entries) {
    const a = e.truth.abs();
    const tight = a.gte('1e-290') && e.slack < a.times(2e-11).toNumber();
    if (tight && (!best || a.gt(best.truth.abs()))) best = e;
  }
  return best?.field ?? null;
}
