/**
 * Small helpers for declaring a family in the catalogue, so that a family's
 * file states only its own facts: a parameterization's name, domains, maps
 * and literature (its symbols are the keys of its domains and their own
 * display names, the base parameterization's maps and Jacobians are the
 * identity), the literature's matrices by their distinct entries, a scalar
 * family's instance and JSON layout in one declaration, the instances of a
 * vector family kept per dimension.
 */
import type { Domain } from '../core/domain.js';
import type { Rng } from '../core/rng.js';
import { WideMatrix } from '../core/wide.js';
import type { Expr } from '../symbolic/index.js';
import type { BaseForms } from './numeric-forms.js';
import type { ExponentialFamilyStructure, FamilyDefinition, FamilyInstance, NumericForms, ParameterizationInstance } from './types.js';

type ExprMatrix = readonly (readonly Expr[])[];

/** each symbol mapped to itself */
export const identityMap = (symbols: readonly string[]): Record<string, Expr> => Object.fromEntries(symbols.map((s) => [s, s]));

/** the same domain for every symbol */
export const sameDomain = (symbols: readonly string[], domain: Domain): Record<string, Domain> => Object.fromEntries(symbols.map((s) => [s, domain]));

/** diag(entries), zeros off the diagonal */
export const diagonal = (...entries: Expr[]): Expr[][] => entries.map((e, i) => entries.map((_, j) => (i === j ? e : '0')));

/** The symmetric matrix with the given rows of its lower triangle: `symmetric([a], [b, c])` is [[a, b], [b, c]]. */
export const symmetric = (...lower: (readonly Expr[])[]): Expr[][] => lower.map((row, i) => lower.map((other, j) => (j <= i ? row[j] : other[i])));

/** The literature's closed form of the Fisher in a parameterization (entries in its symbols), and where it is from. */
export type Literature = Pick<ParameterizationInstance, 'literatureFisher' | 'literatureSource'>;

export const cite = (literatureSource: string, literatureFisher: ExprMatrix): Literature => ({ literatureFisher, literatureSource });

/** What a parameterization may declare beyond its name, domains, literature and numeric forms. */
export type ParameterizationExtras = Partial<
  Pick<ParameterizationInstance, 'paramNames' | 'toBase' | 'fromBase' | 'logDensity' | 'naturalCoordinates' | 'jointViolation'>
>;

/**
 * The parameterization with symbols the keys of `domains`, named as
 * themselves unless `paramNames` says otherwise. Without `toBase` and
 * `fromBase` it is the base parameterization: both maps are the identity,
 * and so are its Jacobians, which its numeric forms may leave out.
 */
export function parameterization(
  name: string,
  domains: Readonly<Record<string, Domain>>,
  literature: Literature,
  numeric: NumericForms | BaseForms,
  extras: ParameterizationExtras = {},
): ParameterizationInstance {
  const symbols = Object.keys(domains);
  const hasJacobians = 'jacobianToBase' in numeric;
  if (!hasJacobians && (extras.toBase || extras.fromBase)) throw new Error(`${name}: a parameterization with maps needs the Jacobians of its numeric forms`);
  const identity = (): WideMatrix => WideMatrix.identityOf(symbols.length);
  return {
    name,
    symbols,
    paramNames: symbols,
    domains,
    toBase: identityMap(symbols),
    fromBase: identityMap(symbols),
    ...literature,
    ...extras,
    numeric: hasJacobians ? numeric : { ...numeric, jacobianToBase: identity, jacobianFromBase: identity },
  };
}

type Fixed = Readonly<Record<string, number>>;

/** A scalar family's log-density and sampler, on its one number x. */
interface ScalarDensity {
  logpdf(x: number, base: Float64Array, fixed: Fixed): number;
  sample(rng: Rng, base: Float64Array, fixed: Fixed): number;
}

/** What a scalar family declares: its instance (data one number `x`, base parameterization its first, no fixed values unless given), its examples and unit maps. */
export type ScalarFamilySpec = Omit<FamilyInstance, 'dim' | 'dataVars' | 'base' | 'fixed' | 'logpdf' | 'sample'> &
  ScalarDensity &
  Partial<Pick<FamilyInstance, 'fixed'>> &
  Pick<FamilyDefinition, 'examples'> &
  Partial<Pick<FamilyDefinition, 'valuesFromUnit'>>;

/**
 * A family without a dimension: its name, its fixed values and its JSON
 * layouts (one number per parameter, in the contract's order) are read off
 * its instance.
 */
export function scalarFamily({ examples, valuesFromUnit, ...spec }: ScalarFamilySpec): FamilyDefinition {
  const instance: FamilyInstance = { dataVars: ['x'], base: spec.parameterizations[0].name, fixed: {}, ...spec };
  return {
    name: instance.family,
    layouts: Object.fromEntries(instance.parameterizations.map((p) => [p.name, p.paramNames.map((name) => ({ name, shape: 'scalar' as const }))])),
    fixed: instance.fixed,
    examples,
    ...(valuesFromUnit ? { valuesFromUnit } : {}),
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
