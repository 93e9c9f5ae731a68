/**
 * Small helpers for declaring a family in the catalogue: what every
 * declaration would otherwise spell out again (a parameterization's symbols
 * that are the keys of its domains and their own display names, the base
 * parameterization's identity maps, a scalar family's JSON layout, the
 * instances of a vector family kept per dimension).
 */
import type { Domain } from '../core/domain.js';
import type { Expr } from '../symbolic/index.js';
import type { ExponentialFamilyStructure, FamilyDefinition, FamilyInstance, ParameterizationInstance } from './types.js';

/** A parameterization as declared: its symbols are the keys of `domains`, in order. */
export type ParameterizationSpec = Omit<ParameterizationInstance, 'symbols' | 'paramNames' | 'toBase' | 'fromBase'> &
  Partial<Pick<ParameterizationInstance, 'paramNames' | 'toBase' | 'fromBase'>>;

/** each symbol mapped to itself */
export const identityMap = (symbols: readonly string[]): Record<string, Expr> => Object.fromEntries(symbols.map((s) => [s, s]));

/**
 * The parameterization with symbols the keys of `spec.domains`, named as
 * themselves unless `paramNames` says otherwise; without `toBase` and
 * `fromBase` it is the base parameterization, both maps the identity.
 */
export function parameterization(spec: ParameterizationSpec): ParameterizationInstance {
  const symbols = Object.keys(spec.domains);
  return {
    ...spec,
    symbols,
    paramNames: spec.paramNames ?? symbols,
    toBase: spec.toBase ?? identityMap(symbols),
    fromBase: spec.fromBase ?? identityMap(symbols),
  };
}

/** the same domain for every symbol */
export const sameDomain = (symbols: readonly string[], domain: Domain): Record<string, Domain> => Object.fromEntries(symbols.map((s) => [s, domain]));

/** What a scalar family declares beyond its instance. */
export type ScalarFamilyExtras = Pick<FamilyDefinition, 'examples'> & Partial<Pick<FamilyDefinition, 'valuesFromUnit'>>;

/**
 * A family without a dimension: its name, its fixed values and its JSON
 * layouts (one number per parameter, in the contract's order) are read off
 * its instance.
 */
export function scalarFamily(instance: FamilyInstance, extras: ScalarFamilyExtras): FamilyDefinition {
  return {
    name: instance.family,
    layouts: Object.fromEntries(instance.parameterizations.map((p) => [p.name, p.paramNames.map((name) => ({ name, shape: 'scalar' as const }))])),
    fixed: instance.fixed,
    ...extras,
    instance: () => instance,
  };
}

/** The instances of a vector family, built once per dimension. */
export function perDimension(defaultDim: number, build: (dim: number) => FamilyInstance): (dim?: number) => FamilyInstance {
  const instances = new Map<number, FamilyInstance>();
  return (dim = defaultDim) => {
    let inst = instances.get(dim);
    if (!inst) {
      inst = build(dim);
      instances.set(dim, inst);
    }
    return inst;
  };
}

/**
 * An exponential family from its terms: for each natural parameter (its
 * symbol in the log-partition, keyed in order) the statistic T_k(x), eta_k
 * as an expression in the base symbols, and the domain of eta_k; with the
 * log-partition A(eta).
 */
export function exponentialFamily(
  terms: Readonly<Record<string, readonly [statistic: Expr, natural: Expr, domain: Domain]>>,
  logPartition: Expr,
): ExponentialFamilyStructure {
  const etaSymbols = Object.keys(terms);
  return {
    statistics: etaSymbols.map((e) => terms[e][0]),
    natural: etaSymbols.map((e) => terms[e][1]),
    etaSymbols,
    logPartition,
    etaDomains: Object.fromEntries(etaSymbols.map((e) => [e, terms[e][2]])),
  };
}

/** What a scalar family's instance declares: its data are one number `x`, its base parameterization is its first, and it has no fixed values unless given. */
export type ScalarInstanceSpec = Omit<FamilyInstance, 'dim' | 'dataVars' | 'base' | 'fixed'> & Partial<Pick<FamilyInstance, 'fixed'>>;

export function scalarInstance(spec: ScalarInstanceSpec): FamilyInstance {
  return { dataVars: ['x'], base: spec.parameterizations[0].name, fixed: {}, ...spec };
}
