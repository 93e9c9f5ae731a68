/**
 * The names and sizes of a family point, checked from the catalogue's layouts
 * alone. This module loads no computer algebra, so the oracle can refuse a
 * misnamed or oversized spec before it pays for compiling the families'
 * symbolic definitions.
 */
import { childPath, describeValue, NatgradError } from '../core/errors.js';
import { didYouMean, hasOwn, rejectUnknownKeys, requireOneOf } from '../core/validate.js';
import { FAMILIES } from './catalogue/index.js';
import type { FamilyDefinition, ParamLayoutEntry } from './types.js';

export function familyNames(): string[] {
  return FAMILIES.map((f) => f.name);
}

/** Families by name: a user string selects through a Map, never through an object's prototype chain. */
const FAMILY_BY_NAME: ReadonlyMap<string, FamilyDefinition> = new Map(FAMILIES.map((f) => [f.name, f]));

export function parameterizationNames(family: string): string[] {
  return Object.keys(getFamily(family, 'family').layouts);
}

export function getFamily(name: unknown, path: string): FamilyDefinition {
  return FAMILY_BY_NAME.get(requireOneOf(name, familyNames(), path))!;
}

export function getParameterization(def: FamilyDefinition, name: unknown, path: string): string {
  if (typeof name !== 'string' || !hasOwn(def.layouts, name)) {
    const names = Object.keys(def.layouts);
    const hint = typeof name === 'string' ? didYouMean(name, names) : '';
    throw new NatgradError(path, `${def.name} has parameterizations ${names.join(', ')}, got ${describeValue(name)}${hint}`);
  }
  return name;
}

/** Checks that `name` is a parameterization of `family` (both user strings); returns it. */
export function checkParameterization(family: unknown, name: unknown, familyPath: string, path: string): string {
  return getParameterization(getFamily(family, familyPath), name, path);
}

/** The layout of a parameterization already checked by getParameterization. */
function layoutOf(def: FamilyDefinition, pname: string): readonly ParamLayoutEntry[] {
  return hasOwn(def.layouts, pname) ? def.layouts[pname] : [];
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function describeLayout(layout: readonly ParamLayoutEntry[]): string {
  return layout
    .map((e) => `${e.name} (${e.shape === 'scalar' ? 'a number' : e.shape === 'vector' ? 'an array of numbers' : 'a symmetric matrix, as an array of rows'})`)
    .join(', ');
}

/**
 * The names of a family point, checked before any value is read: the family,
 * the parameterization, the keys of `params` (exactly the parameterization's
 * names) and of `fixed` (the family's fixed names). Lookups go through a Map
 * or own properties only, so `constructor` or `__proto__` are ordinary
 * unknown names.
 */
export function checkPointNames(
  family: unknown,
  parameterization: unknown,
  params: unknown,
  fixed: unknown,
  path: string,
): { def: FamilyDefinition; pname: string; layout: readonly ParamLayoutEntry[]; params: Record<string, unknown> } {
  const def = getFamily(family, childPath(path, 'family'));
  const pname = getParameterization(def, parameterization, childPath(path, 'parameterization'));
  const layout = layoutOf(def, pname);
  const paramsPath = childPath(path, 'params');
  if (!isRecord(params)) throw new NatgradError(paramsPath, `must be an object with ${describeLayout(layout)}, got ${describeValue(params)}`);
  const names = layout.map((e) => e.name);
  const missing = names.filter((n) => !hasOwn(params, n));
  const lacking = missing.length === 0 ? '' : `, where ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} missing`;
  rejectUnknownKeys(params, names, paramsPath, `the params of ${def.name} ${pname}${lacking}`);
  if (missing.length > 0) throw new NatgradError(childPath(paramsPath, missing[0]), `missing; ${def.name} ${pname} needs ${describeLayout(layout)}`);
  if (isRecord(fixed)) {
    const fixedNames = Object.keys(def.fixed);
    rejectUnknownKeys(
      fixed,
      fixedNames,
      childPath(path, 'fixed'),
      fixedNames.length === 0 ? `the fixed values of ${def.name}, which has none` : `the fixed values of ${def.name}`,
    );
  }
  return { def, pname, layout, params };
}

/**
 * The number of parameters P of a family point, from the lengths of its JSON
 * arrays alone (nothing is allocated or compiled), after checking its names:
 * the oracle bounds its work by P before building anything.
 */
export function familyPointSize(family: unknown, parameterization: unknown, params: unknown, fixed: unknown, path: string): number {
  const { def, pname, layout, params: raw } = checkPointNames(family, parameterization, params, fixed, path);
  let dim: number | undefined;
  let P = 0;
  for (const e of layout) {
    const v = raw[e.name];
    if (e.shape === 'scalar') P += 1;
    else if (!Array.isArray(v)) return P;
    else if (e.shape === 'vector') P += v.length;
    else {
      const d = dim ?? v.length;
      P += (d * (d + 1)) / 2;
    }
    if (dim === undefined && e.shape !== 'scalar' && def.dimensionFromParams) dim = def.dimensionFromParams(pname, raw);
  }
  return P;
}
