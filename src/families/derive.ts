/**
 * The Fisher information of a family, derived three independent ways and
 * proved equal entry by entry:
 *  1. Hessian route: -E[∇² log p], the expectation taken by replacing each
 *     monomial in the data by its moment; the moments themselves come from
 *     the log-partition (E[T] = ∇A), not typed in;
 *  2. exponential-family route: J_etaᵀ ∇²A(eta) J_eta;
 *  3. the literature's closed form.
 * Alongside, the derivation as steps a learner can follow (log-density,
 * score, Hessian, moments, expectation, Fisher), each checked numerically
 * against an independent computation (step-checks.ts).
 *
 * Speed: the computer algebra's simplification costs 0.1-0.3 s a call, so it
 * is asked only where a result is shown as final (moments, the Fisher
 * entries); derivatives are shown in the backend's canonical form as they come.
 */
import { POSITIVE, REAL, UNIT_INTERVAL, type Domain } from '../core/domain.js';
import { hashSeed } from '../core/rng.js';
import {
  compileExpr,
  diff,
  expectationByMoments,
  monomialKey,
  proveEqual,
  simplify,
  substituteVariables,
  symbolTex,
  tidy,
  toLatex,
  type CompiledExpr,
  type Expr,
  type Proof,
} from '../symbolic/index.js';
import {
  checkDerivatives,
  checkExpectations,
  checkIdentities,
  checkLogDensity,
  domainSteps,
  parameterSteps,
  samplePoints,
  type SamplePoint,
} from './step-checks.js';
import type { DerivationStep, Equation, StepCheck } from './steps.js';
import { toBase } from './json-points.js';
import type { FamilyInstance, ParameterizationInstance } from './types.js';

export type RouteName = 'hessian' | 'exponential-family' | 'literature';

export interface Route {
  readonly route: RouteName;
  /** the Fisher matrix, or null when the route does not apply */
  readonly matrix: Expr[][] | null;
  /** why the route does not apply, or what it used */
  readonly note: string;
}

export interface EntryProof extends Proof {
  readonly i: number;
  readonly j: number;
}

export interface RouteComparison {
  readonly lhs: RouteName;
  readonly rhs: RouteName;
  readonly equal: boolean;
  readonly entries: readonly EntryProof[];
}

export interface FisherDerivation {
  readonly family: string;
  readonly parameterization: string;
  readonly dim?: number;
  readonly symbols: readonly string[];
  readonly paramNames: readonly string[];
  readonly routes: readonly Route[];
  readonly comparisons: readonly RouteComparison[];
  /** true when every applicable route agreed with the literature and every step check passed */
  readonly verified: boolean;
  /** the Hessian route as steps, from the log-density to the simplified Fisher */
  readonly steps: readonly DerivationStep[];
  /** the exponential-family route as steps */
  readonly exponentialFamilySteps: readonly DerivationStep[];
}

export function domainsOf(inst: FamilyInstance, p: ParameterizationInstance): Record<string, Domain> {
  return { ...inst.fixed, ...p.domains };
}

/** The natural parameters as expressions in the parameterization's symbols. */
export function naturalIn(inst: FamilyInstance, p: ParameterizationInstance): Expr[] {
  const ef = inst.expFamily!;
  if (p.naturalCoordinates) return [...p.symbols];
  return ef.natural.map((e) => simplify(substituteVariables(e, p.toBase)));
}

export interface Moment {
  key: string;
  statistic: Expr;
  mean: Expr /** ∂A/∂eta_k, before substituting eta(theta) */;
  gradient: Expr;
}

/** E[T_k] in the parameterization's symbols, from the gradient of the log-partition. */
export function momentsFromLogPartition(inst: FamilyInstance, p: ParameterizationInstance): Moment[] {
  const ef = inst.expFamily;
  if (!ef) return [];
  const eta = naturalIn(inst, p);
  const etaAt: Record<string, Expr> = {};
  ef.etaSymbols.forEach((s, k) => {
    etaAt[s] = eta[k];
  });
  return ef.statistics.map((t, k) => {
    const dA = diff(ef.logPartition, ef.etaSymbols[k]);
    return { key: monomialKey(t, inst.dataVars), statistic: t, gradient: dA, mean: simplify(substituteVariables(dA, etaAt)) };
  });
}

/** Domains of the data variables, for identity tests of log-densities. */
export function dataDomains(inst: FamilyInstance): Record<string, Domain> {
  const s = inst.support;
  const d: Domain = s.kind === 'positive' || s.kind === 'count' ? POSITIVE : s.kind === 'unit' || s.kind === 'simplex' ? UNIT_INTERVAL : REAL;
  return Object.fromEntries(inst.dataVars.map((v) => [v, d]));
}

/** log p in the parameterization's symbols, and the proof that a stated form equals the base form substituted. */
export function logDensityIn(inst: FamilyInstance, p: ParameterizationInstance): { logp: Expr; proof?: Proof } {
  if (p.name === inst.base) return { logp: inst.logDensity };
  const substituted = substituteVariables(inst.logDensity, p.toBase);
  // tidy, not simplify: the backend took over 2 s on these (exp(s) or sqrt(m2 - m1^2) substituted for sigma)
  if (!p.logDensity) return { logp: tidy(substituted) };
  const proof = proveEqual(p.logDensity, substituted, { ...domainsOf(inst, p), ...dataDomains(inst) });
  return { logp: p.logDensity, proof };
}

const upper = (n: number): [number, number][] =>
  Array.from({ length: n }, (_, i) => Array.from({ length: n - i }, (__, k) => [i, i + k] as [number, number])).flat();

/** The full symmetric matrix from a function of its upper triangle. */
function symmetric(n: number, entry: (i: number, j: number) => Expr): Expr[][] {
  const m: Expr[][] = Array.from({ length: n }, () => new Array<Expr>(n).fill('0'));
  for (const [i, j] of upper(n)) {
    m[i][j] = entry(i, j);
    m[j][i] = m[i][j];
  }
  return m;
}

interface HessianParts {
  logp: Expr;
  proof?: Proof;
  score: Expr[] /** null where log p is not twice differentiable */;
  hessian: Expr[][] | null;
}

function hessianParts(inst: FamilyInstance, p: ParameterizationInstance): HessianParts {
  const { logp, proof } = logDensityIn(inst, p);
  const score = p.symbols.map((s) => diff(logp, s));
  const hessian = inst.hessianRouteFails ? null : symmetric(p.symbols.length, (i, j) => diff(score[i], p.symbols[j]));
  return { logp, proof, score, hessian };
}

export function hessianRoute(inst: FamilyInstance, p: ParameterizationInstance): Route {
  return hessianRouteWithParts(inst, p).route;
}

function notApplicable(inst: FamilyInstance): string | null {
  if (inst.hessianRouteFails) return inst.hessianRouteFails;
  if (!inst.expFamily)
    return `the expectation of the Hessian is not a combination of known moments: ${inst.notExponentialFamily ?? 'not an exponential family'}`;
  return null;
}

function hessianRouteWithParts(
  inst: FamilyInstance,
  p: ParameterizationInstance,
): { route: Route; parts?: HessianParts; moments?: Moment[]; substituted?: Expr[][] } {
  const why = notApplicable(inst);
  if (why) return { route: { route: 'hessian', matrix: null, note: why } };
  const parts = hessianParts(inst, p);
  if (parts.proof && !parts.proof.equal) {
    return {
      route: {
        route: 'hessian',
        matrix: null,
        note: `the stated log-density of ${p.name} differs from the base form: ${JSON.stringify(parts.proof.counterexample)}`,
      },
    };
  }
  const moments = momentsFromLogPartition(inst, p);
  const table: Record<string, Expr> = {};
  for (const m of moments) table[m.key] = m.mean;
  const F = parts.hessian!.map((row, i) => row.map((h, j) => (j < i ? '' : expectationByMoments(`-(${h})`, inst.dataVars, table))));
  for (const [i, j] of upper(F.length)) F[j][i] = F[i][j];
  return { route: { route: 'hessian', matrix: F, note: 'F = -E[∇² log p], with E[T] = ∇A(eta) substituted for the statistics' }, parts, moments };
}

interface ExponentialFamilyParts {
  eta: Expr[];
  J: Expr[][];
  HA: Expr[][];
  HAat: Expr[][];
}

function exponentialFamilyRouteWithParts(inst: FamilyInstance, p: ParameterizationInstance): { route: Route; parts?: ExponentialFamilyParts } {
  const ef = inst.expFamily;
  if (!ef) return { route: { route: 'exponential-family', matrix: null, note: inst.notExponentialFamily ?? 'not an exponential family' } };
  const eta = naturalIn(inst, p);
  const J = eta.map((e) => p.symbols.map((s) => diff(e, s)));
  const etaAt: Record<string, Expr> = {};
  ef.etaSymbols.forEach((s, k) => {
    etaAt[s] = eta[k];
  });
  const gradA = ef.etaSymbols.map((s) => diff(ef.logPartition, s));
  const HA = symmetric(ef.etaSymbols.length, (a, b) => diff(gradA[a], ef.etaSymbols[b]));
  const HAat = HA.map((row) => row.map((h) => (h === '0' ? '0' : substituteVariables(h, etaAt))));
  const n = p.symbols.length;
  const k = ef.etaSymbols.length;
  const F = symmetric(n, (i, j) => {
    const terms: string[] = [];
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) {
        if (J[a][i] === '0' || J[b][j] === '0' || HAat[a][b] === '0') continue;
        terms.push(
          [J[a][i], `(${HAat[a][b]})`, J[b][j]]
            .filter((f) => f !== '1')
            .map((f) => (f.startsWith('(') ? f : `(${f})`))
            .join('*'),
        );
      }
    }
    return terms.length === 0 ? '0' : simplify(terms.join('+'));
  });
  return { route: { route: 'exponential-family', matrix: F, note: 'F = J_etaᵀ ∇²A(eta) J_eta' }, parts: { eta, J, HA, HAat } };
}

export function exponentialFamilyRoute(inst: FamilyInstance, p: ParameterizationInstance): Route {
  return exponentialFamilyRouteWithParts(inst, p).route;
}

export function literatureRoute(p: ParameterizationInstance): Route {
  return { route: 'literature', matrix: p.literatureFisher.map((r) => [...r]), note: p.literatureSource };
}

export function compareRoutes(a: Route, b: Route, domains: Record<string, Domain>): RouteComparison | null {
  if (!a.matrix || !b.matrix) return null;
  const entries: EntryProof[] = [];
  const n = a.matrix.length;
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) entries.push({ i, j, ...proveEqual(a.matrix[i][j], b.matrix[i][j], domains) });
  }
  return { lhs: a.route, rhs: b.route, equal: entries.every((e) => e.equal), entries };
}

// ---------------------------------------------------------------------------
// The steps

const partial = (s: string): string => `\\partial ${symbolTex(s)}`;
const d1 = (f: string, s: string): string => `\\frac{\\partial ${f}}{${partial(s)}}`;
const d2 = (f: string, a: string, b: string): string =>
  a === b ? `\\frac{\\partial^2 ${f}}{${partial(a)}^2}` : `\\frac{\\partial^2 ${f}}{${partial(a)}\\,${partial(b)}}`;

const texOf = toLatex;
const statisticTex = (t: Expr): string => `\\mathbb{E}[${texOf(t)}]`;

function combine(checks: readonly StepCheck[]): StepCheck {
  const failed = checks.find((c) => !c.ok);
  const first = failed ?? checks[0];
  return { ok: !failed, method: first.method, points: first.points, detail: checks.map((c) => c.detail).join('; ') };
}

function proofCheck(proof: Proof, what: string): StepCheck {
  const how = proof.method === 'symbolic' ? 'symbolically (the computer algebra reduced the difference to 0)' : 'by the numeric identity test';
  return {
    ok: proof.equal,
    method: proof.method ?? 'numeric-identity',
    points: proof.points,
    detail: proof.equal
      ? `${what}, ${how}; equal at ${proof.points} random points, largest relative difference beyond round-off ${proof.maxRelErr === 0 ? '0' : proof.maxRelErr.toExponential(1)}`
      : `${what}: refuted at ${JSON.stringify(proof.counterexample?.point)}`,
  };
}

/** The Fisher matrix of `p` displayed as an equation, its entries named by the parameters: F_{mu sigma}. */
function fisherEquation(p: ParameterizationInstance, lhs: string, text: string, matrix: Expr[][]): Equation {
  return { lhs, text, rhs: { matrix, symmetric: true }, entryLhs: (i, j) => `F_{${symbolTex(p.symbols[i])}${symbolTex(p.symbols[j])}}` };
}

function paramVector(p: ParameterizationInstance): string {
  return p.symbols.map(symbolTex).join(', ');
}

function buildSteps(
  inst: FamilyInstance,
  p: ParameterizationInstance,
  h: ReturnType<typeof hessianRouteWithParts>,
  lit: Route,
  points: SamplePoint[],
  seed: number,
): DerivationStep[] {
  const domains = { ...domainsOf(inst, p), ...dataDomains(inst) };
  const valid = validScope(p);
  const scopes = points.map((pt) => pt.scope);
  const steps: DerivationStep[] = [];
  const theta = paramVector(p);
  const parts = h.parts ?? hessianParts(inst, p);
  const logpTex = `\\log p(x \\mid ${theta})`;
  const stepsFor = kinkSafeSteps(inst, p);
  const logChecks: StepCheck[] = [checkLogDensity(inst, parts.logp, points)];
  if (parts.proof) logChecks.unshift(proofCheck(parts.proof, 'the stated form equals the base density with the map substituted'));
  steps.push({
    title: 'Log-density',
    reason:
      p.name === inst.base
        ? 'The density of the family, as the catalogue defines it.'
        : p.logDensity
          ? 'The density written directly in these parameters.'
          : 'The base density with the map to the base parameters substituted.',
    equations: [{ lhs: logpTex, text: `log p(x | ${p.symbols.join(', ')})`, rhs: { expr: parts.logp } }],
    domains,
    valid,
    check: combine(logChecks),
  });
  steps.push({
    title: 'Score',
    reason: 'Differentiate the log-density in each parameter: $s_i = \\partial \\log p / \\partial\\theta_i$.',
    equations: p.symbols.map((s, i) => ({ lhs: d1('\\log p', s), text: `d log p / d ${s}`, rhs: { expr: parts.score[i] } })),
    domains,
    valid,
    check: checkDerivatives('the log-density', [parts.logp], [parts.score], p.symbols, scopes, stepsFor),
  });
  const hessian = parts.hessian;
  if (hessian) {
    steps.push({
      title: 'Hessian',
      reason: 'Differentiate the score once more.',
      equations: [
        {
          lhs: '\\nabla^2 \\log p',
          text: 'Hessian of log p',
          rhs: { matrix: hessian, symmetric: true },
          entryLhs: (i, j) => d2('\\log p', p.symbols[i], p.symbols[j]),
        },
      ],
      domains,
      valid,
      check: checkDerivatives('the score', parts.score, hessian, p.symbols, scopes, stepsFor),
    });
  } else {
    steps.push({ title: 'Hessian', reason: `The Hessian route does not apply: ${inst.hessianRouteFails}`, equations: [], domains, valid, check: null });
  }
  if (h.route.matrix && h.moments) {
    const ef = inst.expFamily!;
    const used = h.moments;
    steps.push({
      title: 'Moments',
      reason:
        `The family is exponential: $\\log p = \\langle\\eta(\\theta), T(x)\\rangle - A(\\eta) + \\log h(x)$ with statistics $T = (${ef.statistics.map(texOf).join(', ')})$ ` +
        `and log-partition $A(\\eta) = ${texOf(ef.logPartition)}$. Differentiating $\\int p\\,dx = 1$ in $\\eta$ gives $\\mathbb{E}[T] = \\nabla A(\\eta)$: ` +
        `each moment below is $\\partial A/\\partial\\eta_k$ at $\\eta = \\eta(\\theta)$, not typed in.`,
      equations: used.map((m, k) => ({
        lhs: `${statisticTex(m.statistic)} = \\frac{\\partial A}{\\partial ${symbolTex(ef.etaSymbols[k])}}`,
        text: `E[${m.statistic}] = dA/d${ef.etaSymbols[k]}`,
        rhs: { expr: m.mean },
      })),
      domains,
      valid,
      check: checkExpectations(
        'each moment',
        inst,
        used.map((m) => ({ integrand: m.statistic, closedForm: m.mean })),
        points,
        seed + 1,
      ),
    });
    const n = p.symbols.length;
    steps.push({
      title: 'Expectation',
      reason:
        'The Hessian is linear in the statistics; replace each by its moment (linearity of expectation) and simplify: $F = -\\mathbb{E}[\\nabla^2 \\log p]$.',
      equations: [fisherEquation(p, 'F = -\\mathbb{E}[\\nabla^2 \\log p]', 'F = -E[Hessian]', h.route.matrix)],
      domains,
      valid,
      check: checkExpectations(
        '-E[each Hessian entry]',
        inst,
        upper(n).map(([i, j]) => ({ integrand: `-(${hessian![i][j]})`, closedForm: h.route.matrix![i][j] })),
        points,
        seed + 2,
      ),
    });
  }
  const n = p.symbols.length;
  const outer = upper(n).map(([i, j]) => ({ integrand: `(${parts.score[i]})*(${parts.score[j]})`, closedForm: lit.matrix![i][j] }));
  steps.push({
    title: 'Fisher information',
    reason: h.route.matrix
      ? `The simplified matrix is the closed form of the literature (${p.literatureSource}); and, independently of the Hessian, it is the covariance of the score, $F = \\mathbb{E}[s s^\\top]$.`
      : `The Hessian route does not apply, so the closed form of the literature (${p.literatureSource}) is checked against its definition $F = \\mathbb{E}[s s^\\top]$, with the score of step 2.`,
    equations: [fisherEquation(p, 'F', 'F (literature)', lit.matrix!)],
    domains: domainsOf(inst, p),
    valid,
    check: checkExpectations('E[s_i s_j] of the score above', inst, outer, points, seed + 3),
  });
  return steps;
}

function buildExponentialFamilySteps(
  inst: FamilyInstance,
  p: ParameterizationInstance,
  e: ReturnType<typeof exponentialFamilyRouteWithParts>,
  points: SamplePoint[],
): DerivationStep[] {
  if (!e.parts || !e.route.matrix) return [];
  const ef = inst.expFamily!;
  const { eta, J, HA, HAat } = e.parts;
  const domains = domainsOf(inst, p);
  const valid = validScope(p);
  const scopes = points.map((pt) => pt.scope);
  const etaScopes = scopes.map((sc) => {
    const out: Record<string, number> = { ...sc };
    ef.etaSymbols.forEach((s, k) => {
      out[s] = evaluateAt(eta[k], sc);
    });
    return out;
  });
  const etaNames = ef.etaSymbols;
  const gradA = etaNames.map((s) => diff(ef.logPartition, s));
  return [
    {
      title: 'Natural parameters',
      reason: 'The natural parameters as functions of these parameters, and their Jacobian $J_{ki} = \\partial\\eta_k/\\partial\\theta_i$.',
      equations: [
        ...etaNames.map((s, k) => ({ lhs: symbolTex(s), text: s, rhs: { expr: eta[k] } })),
        {
          lhs: 'J_\\eta',
          text: 'J_eta',
          rhs: { matrix: J },
          entryLhs: (k: number, i: number) => `\\frac{\\partial ${symbolTex(etaNames[k])}}{${partial(p.symbols[i])}}`,
        },
      ],
      domains,
      valid,
      check: checkDerivatives('eta(theta)', eta, J, p.symbols, scopes, parameterSteps(p)),
    },
    {
      title: 'Hessian of the log-partition',
      reason: `$\\nabla^2 A(\\eta)$ is the covariance of $T$ and the Fisher information in natural coordinates; evaluated at $\\eta(\\theta)$. Here $A(\\eta) = ${texOf(ef.logPartition)}$.`,
      equations: [
        { lhs: '\\nabla^2 A(\\eta)', text: 'Hessian of A', rhs: { matrix: HA, symmetric: true }, entryLhs: (a, b) => d2('A', etaNames[a], etaNames[b]) },
      ],
      domains: { ...inst.fixed, ...ef.etaDomains },
      check: checkDerivatives('∇A', gradA, HA, etaNames, etaScopes, domainSteps(etaNames, ef.etaDomains)),
    },
    {
      title: 'Pullback',
      reason: 'The Fisher information transforms as a tensor: $F_\\theta = J_\\eta^\\top\\, \\nabla^2 A(\\eta(\\theta))\\, J_\\eta$.',
      equations: [fisherEquation(p, 'F = J_\\eta^\\top \\nabla^2 A\\, J_\\eta', 'F = J_etaᵀ (Hessian of A) J_eta', e.route.matrix)],
      domains,
      valid,
      // the unsimplified sums are long, where the symbolic zero test only spends its time limit: the numeric identity test decides
      check: checkIdentities(
        'each simplified entry equal to its unsimplified sum',
        upperPairs(e.route.matrix, pullbackUnsimplified(J, HAat, p.symbols.length)),
        scopes,
      ),
    },
  ];
}

function upperPairs(a: Expr[][], b: Expr[][]): { lhs: Expr; rhs: Expr }[] {
  return upper(a.length).map(([i, j]) => ({ lhs: a[i][j], rhs: b[i][j] }));
}

function pullbackUnsimplified(J: Expr[][], HAat: Expr[][], n: number): Expr[][] {
  const k = HAat.length;
  return symmetric(n, (i, j) => {
    const terms: string[] = [];
    for (let a = 0; a < k; a++)
      for (let b = 0; b < k; b++) if (J[a][i] !== '0' && J[b][j] !== '0' && HAat[a][b] !== '0') terms.push(`(${J[a][i]})*(${HAat[a][b]})*(${J[b][j]})`);
    return terms.length ? terms.join('+') : '0';
  });
}

function toBaseAt(inst: FamilyInstance, p: ParameterizationInstance, theta: Float64Array, scope: Record<string, number>): Float64Array {
  return toBase(inst, p, theta, Object.fromEntries(Object.keys(inst.fixed).map((k) => [k, scope[k]])));
}

function evaluateAt(e: Expr, scope: Record<string, number>): number {
  return compiledExpr(e)(scope);
}

const compiledByText = new Map<string, CompiledExpr>();
function compiledExpr(e: Expr): CompiledExpr {
  let c = compiledByText.get(e);
  if (!c) {
    c = compileExpr(e);
    compiledByText.set(e, c);
  }
  return c;
}

/**
 * Finite-difference steps inside the domain that also keep a kink of the
 * density (the Laplace's x = mu) on one side: a difference across it would
 * measure the jump, not the derivative.
 */
function kinkSafeSteps(inst: FamilyInstance, p: ParameterizationInstance): (scope: Record<string, number>) => Float64Array {
  const inside = parameterSteps(p);
  const kinks = inst.breakpoints;
  if (!kinks || inst.dataVars.length !== 1) return inside;
  return (scope) => {
    const theta = Float64Array.from(p.symbols, (s) => scope[s]);
    const x = scope[inst.dataVars[0]];
    const gap = Math.min(...kinks(toBaseAt(inst, p, theta, scope)).map((k) => Math.abs(x - k)));
    return inside(scope).map((h) => Math.min(h, 0.25 * gap));
  };
}

function validScope(p: ParameterizationInstance): ((scope: Readonly<Record<string, number>>) => boolean) | undefined {
  const jv = p.jointViolation;
  if (!jv) return undefined;
  return (scope) => jv(Float64Array.from(p.symbols, (s) => scope[s])) === null;
}

export function deriveFisher(inst: FamilyInstance, p: ParameterizationInstance): FisherDerivation {
  const domains = domainsOf(inst, p);
  const lit = literatureRoute(p);
  const h = hessianRouteWithParts(inst, p);
  const e = exponentialFamilyRouteWithParts(inst, p);
  const routes = [h.route, e.route, lit];
  const comparisons = routes
    .slice(0, 2)
    .map((r) => compareRoutes(r, lit, domains))
    .filter((c): c is RouteComparison => c !== null);
  const seed = hashSeed(`${inst.family}|${inst.dim ?? ''}|${p.name}`);
  const points = samplePoints(inst, p, seed);
  const steps = buildSteps(inst, p, h, lit, points, seed);
  const exponentialFamilySteps = buildExponentialFamilySteps(inst, p, e, points);
  return {
    family: inst.family,
    parameterization: p.name,
    dim: inst.dim,
    symbols: p.symbols,
    paramNames: p.paramNames,
    routes,
    comparisons,
    verified: comparisons.every((c) => c.equal) && [...steps, ...exponentialFamilySteps].every((s) => s.check === null || s.check.ok),
    steps,
    exponentialFamilySteps,
  };
}
