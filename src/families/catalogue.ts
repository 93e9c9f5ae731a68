/**
 * Numeric access to the catalogue: parse and validate JSON parameters, and
 * evaluate Fisher matrices and reparameterizations (through each
 * parameterization's accurate forms, see evaluate.ts).
 */
import { childPath, describeValue, NatgradError } from '../core/errors.js';
import { describeDomain, domainViolation } from '../core/domain.js';
import { didYouMean, hasOwn, rejectUnknownKeys } from '../core/validate.js';
import { matrixToLatex } from '../symbolic/index.js';
import type { FisherAt, JsonParamValue, ReparameterizedAt } from './api.js';
import { fisherWide, reparameterizeWide, roundMatrix, roundVector, scaledDampedSolve } from './evaluate.js';
import { FAMILIES } from './catalogue/index.js';
import type { FamilyDefinition, FamilyInstance, ParameterizationInstance, ParamLayoutEntry } from './types.js';

export function familyNames(): string[] {
  return FAMILIES.map((f) => f.name);
}

/** Families by name: a user string selects through a Map, never through an object's prototype chain. */
const FAMILY_BY_NAME: ReadonlyMap<string, FamilyDefinition> = new Map(FAMILIES.map((f) => [f.name, f]));

export function parameterizationNames(family: string): string[] {
  return Object.keys(getFamily(family, 'family').layouts);
}

export function getFamily(name: unknown, path: string): FamilyDefinition {
  const def = typeof name === 'string' ? FAMILY_BY_NAME.get(name) : undefined;
  if (!def) {
    const hint = typeof name === 'string' ? didYouMean(name, familyNames()) : '';
    throw new NatgradError(path, `must be one of ${familyNames().join(', ')}, got ${describeValue(name)}${hint}`);
  }
  return def;
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

export interface ParsedPoint {
  readonly def: FamilyDefinition;
  readonly inst: FamilyInstance;
  readonly p: ParameterizationInstance;
  readonly theta: Float64Array;
  readonly fixed: Record<string, number>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function finiteNumber(v: unknown, path: string, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new NatgradError(path, `must be ${what}, got ${describeValue(v)}`);
  return v;
}

function describeLayout(layout: readonly ParamLayoutEntry[]): string {
  return layout.map((e) => `${e.name} (${e.shape === 'scalar' ? 'a number' : e.shape === 'vector' ? 'an array of numbers' : 'a symmetric matrix, as an array of rows'})`).join(', ');
}

/**
 * The names of a family point, checked before any value is read: the family,
 * the parameterization, the keys of `params` (exactly the parameterization's
 * names) and of `fixed` (the family's fixed names). Lookups go through a Map
 * or own properties only, so `constructor` or `__proto__` are ordinary
 * unknown names.
 */
function checkPointNames(
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
    rejectUnknownKeys(fixed, fixedNames, childPath(path, 'fixed'), fixedNames.length === 0 ? `the fixed values of ${def.name}, which has none` : `the fixed values of ${def.name}`);
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

/** Reads `params` (and `fixed`) of a family spec into the parameterization's symbol vector, validating everything. */
export function parsePoint(family: unknown, parameterization: unknown, rawParams: unknown, fixed: unknown, path: string): ParsedPoint {
  const { def, pname, layout, params } = checkPointNames(family, parameterization, rawParams, fixed, path);
  const paramsPath = childPath(path, 'params');
  const values: number[] = [];
  let dim: number | undefined;
  for (const e of layout) {
    const ePath = childPath(paramsPath, e.name);
    const raw = params[e.name];
    if (e.shape === 'scalar') {
      values.push(finiteNumber(raw, ePath, 'a finite number'));
    } else if (e.shape === 'vector') {
      if (!Array.isArray(raw) || raw.length === 0) throw new NatgradError(ePath, `must be a non-empty array of numbers, got ${describeValue(raw)}`);
      raw.forEach((v, i) => values.push(finiteNumber(v, childPath(ePath, i), 'a finite number')));
    } else {
      const d = dim ?? (Array.isArray(raw) ? raw.length : 0);
      if (!Array.isArray(raw) || raw.length !== d || d === 0) throw new NatgradError(ePath, `must be a ${d || 'd'} x ${d || 'd'} matrix (array of rows), got ${describeValue(raw)}`);
      const rows = raw.map((row, i) => {
        if (!Array.isArray(row) || row.length !== d) throw new NatgradError(childPath(ePath, i), `must be a row of ${d} numbers, got ${describeValue(row)}`);
        return row.map((v, j) => finiteNumber(v, childPath(childPath(ePath, i), j), 'a finite number'));
      });
      for (let i = 0; i < d; i++) {
        for (let j = i + 1; j < d; j++) {
          const a = rows[i][j];
          const b = rows[j][i];
          if (Math.abs(a - b) > 1e-12 * Math.max(Math.abs(a), Math.abs(b), 1)) throw new NatgradError(childPath(childPath(ePath, i), j), `must be symmetric: entry [${i}][${j}] = ${a} but [${j}][${i}] = ${b}`);
        }
        for (let j = i; j < d; j++) values.push(rows[i][j]);
      }
    }
    if (dim === undefined && e.shape !== 'scalar' && def.dimensionFromParams) dim = def.dimensionFromParams(pname, params);
  }
  const inst = def.instance(dim);
  const p = inst.parameterizations.find((q) => q.name === pname)!;
  if (values.length !== p.symbols.length) {
    throw new NatgradError(paramsPath, `the parameters of ${def.name} ${pname} must have ${p.symbols.length} numbers in all for this dimension, got ${values.length}`);
  }
  const theta = Float64Array.from(values);
  p.symbols.forEach((s, i) => {
    const why = domainViolation(p.domains[s], theta[i]);
    if (why) throw new NatgradError(jsonPathOfParam(paramsPath, p.paramNames[i]), why);
  });
  const joint = p.jointViolation?.(theta);
  if (joint) throw new NatgradError(childPath(paramsPath, joint.param), joint.reason);
  const fixedValues = parseFixed(def, inst, fixed, childPath(path, 'fixed'));
  return { def, inst, p, theta, fixed: fixedValues };
}

/** `p[0]` -> `spec.params.p[0]`, `Sigma[0][1]` -> `spec.params.Sigma[0][1]`. */
function jsonPathOfParam(paramsPath: string, name: string): string {
  const m = /^([A-Za-z_]\w*)((?:\[\d+\])*)$/.exec(name);
  return m ? `${childPath(paramsPath, m[1])}${m[2]}` : childPath(paramsPath, name);
}

function parseFixed(def: FamilyDefinition, inst: FamilyInstance, fixed: unknown, path: string): Record<string, number> {
  const names = Object.keys(inst.fixed);
  const out: Record<string, number> = {};
  if (names.length === 0) return out;
  if (!isRecord(fixed)) throw new NatgradError(path, `${def.name} needs fixed values ${names.map((n) => `${n} (${describeDomain(inst.fixed[n])})`).join(', ')}, got ${describeValue(fixed)}`);
  for (const n of names) {
    const v = hasOwn(fixed, n) ? fixed[n] : undefined;
    const vPath = childPath(path, n);
    if (v === undefined) throw new NatgradError(vPath, `missing; ${def.name} needs ${n}, ${describeDomain(inst.fixed[n])}`);
    const x = finiteNumber(v, vPath, describeDomain(inst.fixed[n]));
    const why = domainViolation(inst.fixed[n], x);
    if (why) throw new NatgradError(vPath, why);
    out[n] = x;
  }
  return out;
}

export { fisherMatrix, fromBase, jacobianFromBase, jacobianToBase, toBase } from './evaluate.js';

export function fisherAt(family: unknown, parameterization: unknown, params: unknown, fixed: unknown, path: string): FisherAt {
  const pt = parsePoint(family, parameterization, params, fixed, path);
  const F = fisherWide(pt.p, pt.theta, pt.fixed);
  const matrix = roundMatrix(F, childPath(path, 'params'), 'matrix');
  const small = pt.p.symbols.length <= 6;
  return {
    paramNames: [...pt.p.paramNames],
    matrix,
    dampedSolve: (damping, gradient, solvePath) => scaledDampedSolve(F, damping, gradient, solvePath),
    ...(small ? { symbolic: pt.p.literatureFisher.map((r) => [...r]), latex: matrixToLatex(pt.p.literatureFisher) } : {}),
  };
}

export function reparameterizeAt(family: unknown, from: unknown, to: unknown, params: unknown, fixed: unknown, path: string): ReparameterizedAt {
  const pt = parsePoint(family, from, params, fixed, path);
  const toName = getParameterization(pt.def, to, childPath(path, 'to'));
  const q = pt.inst.parameterizations.find((r) => r.name === toName)!;
  const r = reparameterizeWide(pt.p, q, pt.theta, pt.fixed);
  const at = childPath(path, 'params');
  const phi = roundVector(r.params, at, (i) => `params.${q.paramNames[i]}`);
  const jacobian = roundMatrix(r.jacobian, at, 'jacobian');
  const fisher = roundMatrix(r.fisher, at, 'fisher');
  return { params: toJsonParams(pt.def.layouts[toName], phi, pt.inst.dim), jacobian, fisher, paramNames: [...q.paramNames] };
}

/** Assembles a parameter vector back into the JSON layout (vectors and symmetric matrices). */
export function toJsonParams(layout: readonly ParamLayoutEntry[], values: Float64Array, dim: number | undefined): Record<string, JsonParamValue> {
  const out: Record<string, JsonParamValue> = {};
  let k = 0;
  const vectorLength = values.length - layout.filter((e) => e.shape === 'scalar').length;
  for (const e of layout) {
    if (e.shape === 'scalar') out[e.name] = values[k++];
    else if (e.shape === 'vector') {
      const n = layout.some((f) => f.shape === 'symmetric-matrix') ? (dim ?? 0) : vectorLength;
      out[e.name] = Array.from(values.subarray(k, k + n));
      k += n;
    } else {
      const d = dim ?? 0;
      const m: number[][] = Array.from({ length: d }, () => new Array<number>(d).fill(0));
      for (let i = 0; i < d; i++) for (let j = i; j < d; j++) { m[i][j] = values[k]; m[j][i] = values[k]; k++; }
      out[e.name] = m;
    }
  }
  return out;
}
