/**
 * Numeric access to the catalogue: parse and validate JSON parameters, and
 * evaluate Fisher matrices and reparameterizations (through each
 * parameterization's accurate forms, see evaluate.ts).
 */
import { childPath, describeValue, NatgradError } from '../core/errors.js';
import { describeDomain, domainViolation } from '../core/domain.js';
import { hasOwn } from '../core/validate.js';
import { matrixToLatex } from '../symbolic/index.js';
export { checkParameterization, familyNames, familyPointSize, getFamily, getParameterization, parameterizationNames } from './point-names.js';
import type { FisherAt, JsonParamValue, ReparameterizedAt } from './results.js';
import { fisherWide, reparameterizeWide, roundMatrix, roundVector, scaledDampedSolve } from './evaluate.js';
import { checkPointNames, getParameterization, isRecord } from './point-names.js';
import type { FamilyDefinition, FamilyInstance, ParameterizationInstance, ParamLayoutEntry } from './types.js';
import { parameterizationOf } from './instance.js';

export interface ParsedPoint {
  readonly def: FamilyDefinition;
  readonly inst: FamilyInstance;
  readonly p: ParameterizationInstance;
  readonly theta: Float64Array;
  readonly fixed: Record<string, number>;
}

/** The TeX of a parameterization's literature Fisher, rendered once: an array spec may ask for the same family many times. */
const LATEX = new WeakMap<ParameterizationInstance, string>();
function fisherLatex(p: ParameterizationInstance): string {
  let tex = LATEX.get(p);
  if (tex === undefined) {
    tex = matrixToLatex(p.literatureFisher);
    LATEX.set(p, tex);
  }
  return tex;
}

function finiteNumber(v: unknown, path: string, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new NatgradError(path, `must be ${what}, got ${describeValue(v)}`);
  return v;
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
      if (!Array.isArray(raw) || raw.length !== d || d === 0)
        throw new NatgradError(ePath, `must be a ${d || 'd'} x ${d || 'd'} matrix (array of rows), got ${describeValue(raw)}`);
      const rows = raw.map((row, i) => {
        if (!Array.isArray(row) || row.length !== d) throw new NatgradError(childPath(ePath, i), `must be a row of ${d} numbers, got ${describeValue(row)}`);
        return row.map((v, j) => finiteNumber(v, childPath(childPath(ePath, i), j), 'a finite number'));
      });
      for (let i = 0; i < d; i++) {
        for (let j = i + 1; j < d; j++) {
          const a = rows[i][j];
          const b = rows[j][i];
          if (Math.abs(a - b) > 1e-12 * Math.max(Math.abs(a), Math.abs(b), 1))
            throw new NatgradError(childPath(childPath(ePath, i), j), `must be symmetric: entry [${i}][${j}] = ${a} but [${j}][${i}] = ${b}`);
        }
        for (let j = i; j < d; j++) values.push(rows[i][j]);
      }
    }
    if (dim === undefined && e.shape !== 'scalar' && def.dimensionFromParams) dim = def.dimensionFromParams(pname, params);
  }
  const inst = def.instance(dim);
  const p = parameterizationOf(inst, pname);
  if (values.length !== p.symbols.length) {
    throw new NatgradError(
      paramsPath,
      `the parameters of ${def.name} ${pname} must have ${p.symbols.length} numbers in all for this dimension, got ${values.length}`,
    );
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
  if (!isRecord(fixed))
    throw new NatgradError(
      path,
      `${def.name} needs fixed values ${names.map((n) => `${n} (${describeDomain(inst.fixed[n])})`).join(', ')}, got ${describeValue(fixed)}`,
    );
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

export { familyFisherMatrix, fromBase, jacobianFromBase, jacobianToBase, toBase } from './evaluate.js';

export function fisherAt(family: unknown, parameterization: unknown, params: unknown, fixed: unknown, path: string): FisherAt {
  const pt = parsePoint(family, parameterization, params, fixed, path);
  const F = fisherWide(pt.p, pt.theta, pt.fixed);
  const matrix = roundMatrix(F, childPath(path, 'params'), 'matrix');
  const small = pt.p.symbols.length <= 6;
  return {
    paramNames: [...pt.p.paramNames],
    matrix,
    dampedSolve: (damping, gradient, solvePath) => scaledDampedSolve(F, damping, gradient, solvePath),
    ...(small ? { symbolic: pt.p.literatureFisher.map((r) => [...r]), latex: fisherLatex(pt.p) } : {}),
  };
}

export function reparameterizeAt(family: unknown, from: unknown, to: unknown, params: unknown, fixed: unknown, path: string): ReparameterizedAt {
  const pt = parsePoint(family, from, params, fixed, path);
  const toName = getParameterization(pt.def, to, childPath(path, 'to'));
  const q = parameterizationOf(pt.inst, toName);
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
      for (let i = 0; i < d; i++)
        for (let j = i; j < d; j++) {
          m[i][j] = values[k];
          m[j][i] = values[k];
          k++;
        }
      out[e.name] = m;
    }
  }
  return out;
}
