/**
 * The Fisher information of a family, derived three independent ways and
 * proved equal entry by entry:
 *  1. Hessian route: -E[∇² log p], the expectation taken by replacing each
 *     monomial in the data by its moment; the moments themselves come from
 *     the log-partition (E[T] = ∇A), not typed in;
 *  2. exponential-family route: J_etaᵀ ∇²A(eta) J_eta;
 *  3. the literature's closed form.
 */
import { POSITIVE, REAL, UNIT_INTERVAL, type Domain } from '../core/domain.js';
import { diff, expectationByMoments, hessian, jacobian, monomialKey, proveEqual, simplify, substituteVariables, type Expr, type Proof } from '../symbolic/index.js';
import type { FamilyInstance, ParameterizationInstance } from './types.js';

export type RouteName = 'hessian' | 'exponential-family' | 'literature';

export interface Route {
  readonly route: RouteName;
  /** the Fisher matrix, or null when the route does not apply */
  readonly matrix: Expr[][] | null;
  /** why the route does not apply, or what it used */
  readonly note: string;
  /** intermediate results worth showing in a derivation (name -> expressions) */
  readonly steps: readonly { label: string; value: Expr | Expr[] | Expr[][] }[];
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
  /** true when every applicable route agreed with the literature */
  readonly verified: boolean;
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

/** E[T_k] in the parameterization's symbols, from the gradient of the log-partition. */
export function momentsFromLogPartition(inst: FamilyInstance, p: ParameterizationInstance): { key: string; statistic: Expr; mean: Expr }[] {
  const ef = inst.expFamily;
  if (!ef) return [];
  const eta = naturalIn(inst, p);
  const etaAt: Record<string, Expr> = {};
  ef.etaSymbols.forEach((s, k) => { etaAt[s] = eta[k]; });
  return ef.statistics.map((t, k) => {
    const dA = diff(ef.logPartition, ef.etaSymbols[k]);
    return { key: monomialKey(t, inst.dataVars), statistic: t, mean: simplify(substituteVariables(dA, etaAt)) };
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
  const substituted = substituteVariables(inst.logDensity, p.toBase);
  if (!p.logDensity) return { logp: simplify(substituted) };
  const proof = proveEqual(p.logDensity, substituted, { ...domainsOf(inst, p), ...dataDomains(inst) });
  return { logp: p.logDensity, proof };
}

export function hessianRoute(inst: FamilyInstance, p: ParameterizationInstance): Route {
  if (inst.hessianRouteFails) return { route: 'hessian', matrix: null, note: inst.hessianRouteFails, steps: [] };
  if (!inst.expFamily) {
    return { route: 'hessian', matrix: null, note: `the expectation of the Hessian is not a combination of known moments: ${inst.notExponentialFamily ?? 'not an exponential family'}`, steps: [] };
  }
  const { logp, proof } = logDensityIn(inst, p);
  if (proof && !proof.equal) {
    return { route: 'hessian', matrix: null, note: `the stated log-density of ${p.name} differs from the base form: ${JSON.stringify(proof.counterexample)}`, steps: [] };
  }
  const H = hessian(logp, p.symbols);
  const moments = momentsFromLogPartition(inst, p);
  const table: Record<string, Expr> = {};
  for (const m of moments) table[m.key] = m.mean;
  const F = H.map((row) => row.map((h) => expectationByMoments(`-(${h})`, inst.dataVars, table)));
  return {
    route: 'hessian',
    matrix: F,
    note: 'F = -E[∇² log p], with E[T] = ∇A(eta) substituted for the statistics',
    steps: [
      { label: proof ? `log p (stated; equal to the base form by ${proof.method})` : 'log p', value: logp },
      { label: '∇² log p', value: H },
      { label: 'moments E[T] = ∇A', value: moments.map((m) => `E[${m.statistic}] = ${m.mean}`) },
    ],
  };
}

export function exponentialFamilyRoute(inst: FamilyInstance, p: ParameterizationInstance): Route {
  const ef = inst.expFamily;
  if (!ef) return { route: 'exponential-family', matrix: null, note: inst.notExponentialFamily ?? 'not an exponential family', steps: [] };
  const eta = naturalIn(inst, p);
  const J = jacobian(eta, p.symbols);
  const etaAt: Record<string, Expr> = {};
  ef.etaSymbols.forEach((s, k) => { etaAt[s] = eta[k]; });
  const HA = hessian(ef.logPartition, ef.etaSymbols);
  const HAat = HA.map((row) => row.map((h) => simplify(substituteVariables(h, etaAt))));
  const n = p.symbols.length;
  const k = ef.etaSymbols.length;
  const F: Expr[][] = [];
  for (let i = 0; i < n; i++) {
    F.push([]);
    for (let j = 0; j < n; j++) {
      if (j < i) { F[i].push(F[j][i]); continue; }
      const terms: string[] = [];
      for (let a = 0; a < k; a++) {
        for (let b = 0; b < k; b++) {
          if (J[a][i] === '0' || J[b][j] === '0' || HAat[a][b] === '0') continue;
          terms.push(`(${J[a][i]})*(${HAat[a][b]})*(${J[b][j]})`);
        }
      }
      F[i].push(terms.length === 0 ? '0' : simplify(terms.join('+')));
    }
  }
  return {
    route: 'exponential-family',
    matrix: F,
    note: 'F = J_etaᵀ ∇²A(eta) J_eta',
    steps: [
      { label: 'eta(theta)', value: eta },
      { label: 'J_eta', value: J },
      { label: '∇²A', value: HA },
    ],
  };
}

export function literatureRoute(p: ParameterizationInstance): Route {
  return { route: 'literature', matrix: p.literatureFisher.map((r) => [...r]), note: p.literatureSource, steps: [] };
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

export function deriveFisher(inst: FamilyInstance, p: ParameterizationInstance): FisherDerivation {
  const domains = domainsOf(inst, p);
  const lit = literatureRoute(p);
  const routes = [hessianRoute(inst, p), exponentialFamilyRoute(inst, p), lit];
  const comparisons = routes.slice(0, 2).map((r) => compareRoutes(r, lit, domains)).filter((c): c is RouteComparison => c !== null);
  return {
    family: inst.family,
    parameterization: p.name,
    dim: inst.dim,
    symbols: p.symbols,
    paramNames: p.paramNames,
    routes,
    comparisons,
    verified: comparisons.every((c) => c.equal),
  };
}
