/**
 * The oracle's spec kinds (contract version 1) and their validation from raw
 * JSON. Family parameters are passed on raw: the distribution catalogue owns
 * their domains and reports violations with the same JSON paths.
 */
import { NatgradError, childPath, describeValue } from '../core/errors.js';
import type { Matrix } from '../linalg/matrix.js';
import { KFAC_DAMPING_SCHEMES, KFAC_FISHER_KINDS, type KfacDampingScheme, type KfacFisherKind } from '../curvature/kfac.js';
import { MODEL_CURVATURES, type ModelCurvatureKind } from '../curvature/dense-curvature.js';
import { type JsonObject, own, readArray, readEnum, readMatrix, readNumber, readObject, readVector, requireField } from './json-reader.js';
import { type ModelProblem, modelParamCount, readDamping, readModelProblem } from './model-spec.js';

export const SPEC_KINDS = ['fisher', 'natural-gradient', 'kfac', 'reparameterize', 'shampoo'] as const;
export type SpecKind = (typeof SPEC_KINDS)[number];

/** Largest parameter count for the kinds that form a dense P x P matrix. */
export const MAX_DENSE_PARAMS = 4096;
/** Largest side of a shampoo gradient (its preconditioners are eigendecomposed). */
export const MAX_SHAMPOO_SIDE = 2000;

interface FamilyPoint {
  family: string;
  params: unknown;
  fixed: unknown;
}

export type ParsedSpec = { path: string } & (
  | ({ kind: 'fisher'; subject: 'family'; parameterization: string } & FamilyPoint)
  | { kind: 'fisher'; subject: 'model'; problem: ModelProblem; curvature: ModelCurvatureKind }
  | ({ kind: 'natural-gradient'; subject: 'family'; parameterization: string; gradient: Float64Array; damping: number } & FamilyPoint)
  | { kind: 'natural-gradient'; subject: 'model'; problem: ModelProblem; curvature: ModelCurvatureKind; gradient: Float64Array | null; damping: number }
  | { kind: 'kfac'; problem: ModelProblem; fisher: KfacFisherKind; damping: number; scheme: KfacDampingScheme }
  | ({ kind: 'reparameterize'; from: string; to: string } & FamilyPoint)
  | { kind: 'shampoo'; gradients: Matrix[]; epsilon: number }
);

function readName(obj: JsonObject, key: string, path: string, what: string): string {
  const v = requireField(obj, key, path, what);
  if (typeof v !== 'string') throw new NatgradError(childPath(path, key), `must be ${what}, got ${describeValue(v)}`);
  return v;
}

function readFamilyPoint(obj: JsonObject, path: string): FamilyPoint {
  const family = readName(obj, 'family', path, 'a distribution family name (a string)');
  const params = requireField(obj, 'params', path, 'an object of parameter values, e.g. {"mu": 0.3, "sigma": 1.7}');
  readObject(params, childPath(path, 'params'), 'an object of parameter values, e.g. {"mu": 0.3, "sigma": 1.7}');
  const fixed = own(obj, 'fixed');
  if (fixed !== undefined) readObject(fixed, childPath(path, 'fixed'), 'an object of fixed values, e.g. {"n": 10}');
  return { family, params, fixed };
}

/** Which of `family` and `model` the spec has; exactly one is required. */
function subjectOf(obj: JsonObject, path: string): 'family' | 'model' {
  const hasFamily = own(obj, 'family') !== undefined;
  const hasModel = own(obj, 'model') !== undefined;
  if (hasFamily && hasModel) throw new NatgradError(path, 'has both "family" and "model"; give one: a distribution family or an mlp model');
  if (!hasFamily && !hasModel) throw new NatgradError(path, 'needs "family" (a distribution family) or "model" (an mlp model)');
  return hasFamily ? 'family' : 'model';
}

function readDenseProblem(obj: JsonObject, path: string): ModelProblem {
  const problem = readModelProblem(obj, path);
  const P = modelParamCount(problem.spec);
  if (P > MAX_DENSE_PARAMS) {
    throw new NatgradError(
      childPath(childPath(path, 'model'), 'sizes'),
      `the model has ${P} parameters; this kind forms a dense ${P} x ${P} matrix and allows at most ${MAX_DENSE_PARAMS} (kind kfac works per layer)`,
    );
  }
  return problem;
}

function readCurvature(obj: JsonObject, path: string, fallback: ModelCurvatureKind | null): ModelCurvatureKind {
  const v = own(obj, 'curvature');
  if (v === undefined) {
    if (fallback) return fallback;
    throw new NatgradError(childPath(path, 'curvature'), `is required: one of ${MODEL_CURVATURES.join(', ')}`);
  }
  return readEnum(v, childPath(path, 'curvature'), MODEL_CURVATURES);
}

function readOptionalDamping(obj: JsonObject, path: string): number {
  const v = own(obj, 'damping');
  return v === undefined ? 0 : readDamping(v, childPath(path, 'damping'));
}

function readShampoo(obj: JsonObject, path: string): ParsedSpec {
  const gp = childPath(path, 'gradients');
  const what = 'a non-empty array of m x n matrices G_1, ..., G_T (all of one shape)';
  const arr = readArray(requireField(obj, 'gradients', path, what), gp, what);
  if (arr.length === 0) throw new NatgradError(gp, `must be ${what}, got an empty array`);
  const first = readMatrix(arr[0], childPath(gp, 0));
  if (first.rows > MAX_SHAMPOO_SIDE || first.cols > MAX_SHAMPOO_SIDE) {
    throw new NatgradError(childPath(gp, 0), `is ${first.rows} x ${first.cols}; each side may be at most ${MAX_SHAMPOO_SIDE}`);
  }
  const gradients = [first, ...arr.slice(1).map((G, t) => readMatrix(G, childPath(gp, t + 1), first.rows, first.cols, 'the shape of gradients[0]'))];
  const ep = childPath(path, 'epsilon');
  const eps = readNumber(requireField(obj, 'epsilon', path, 'a finite number > 0'), ep, 'a finite number > 0');
  if (!(eps > 0)) throw new NatgradError(ep, `must be > 0, got ${eps}`);
  return { path, kind: 'shampoo', gradients, epsilon: eps };
}

/** Validates one spec object at `path` (`spec` or `spec[3]`). */
export function parseSpec(raw: unknown, path: string): ParsedSpec {
  const obj = readObject(raw, path, `a spec object with "kind" (one of ${SPEC_KINDS.join(', ')})`);
  const kind = readEnum<SpecKind>(requireField(obj, 'kind', path, `one of ${SPEC_KINDS.join(', ')}`), childPath(path, 'kind'), SPEC_KINDS);
  switch (kind) {
    case 'fisher': {
      if (subjectOf(obj, path) === 'family') {
        const parameterization = readName(obj, 'parameterization', path, 'a parameterization name (a string)');
        return { path, kind, subject: 'family', parameterization, ...readFamilyPoint(obj, path) };
      }
      const problem = readDenseProblem(obj, path);
      return { path, kind, subject: 'model', problem, curvature: readCurvature(obj, path, null) };
    }
    case 'natural-gradient': {
      const damping = readOptionalDamping(obj, path);
      if (subjectOf(obj, path) === 'family') {
        const parameterization = readName(obj, 'parameterization', path, 'a parameterization name (a string)');
        const point = readFamilyPoint(obj, path);
        const gradient = readVector(requireField(obj, 'gradient', path, 'an array of numbers, one per parameter'), childPath(path, 'gradient'));
        return { path, kind, subject: 'family', parameterization, ...point, gradient, damping };
      }
      const problem = readDenseProblem(obj, path);
      const curvature = readCurvature(obj, path, 'fisher');
      const g = own(obj, 'gradient');
      const P = modelParamCount(problem.spec);
      const gradient = g === undefined ? null : readVector(g, childPath(path, 'gradient'), P, `an array of ${P} numbers (one per parameter)`);
      return { path, kind, subject: 'model', problem, curvature, gradient, damping };
    }
    case 'kfac': {
      const problem = readModelProblem(obj, path);
      const fisher = readEnum(requireField(obj, 'fisher', path, `one of ${KFAC_FISHER_KINDS.join(', ')}`), childPath(path, 'fisher'), KFAC_FISHER_KINDS);
      const damping = readDamping(requireField(obj, 'damping', path, 'a finite number >= 0 (the damping lambda)'), childPath(path, 'damping'));
      const scheme = readEnum(
        requireField(obj, 'dampingScheme', path, `one of ${KFAC_DAMPING_SCHEMES.join(', ')}`),
        childPath(path, 'dampingScheme'),
        KFAC_DAMPING_SCHEMES,
      );
      return { path, kind, problem, fisher, damping, scheme };
    }
    case 'reparameterize': {
      const from = readName(obj, 'from', path, 'the parameterization of "params" (a string)');
      const to = readName(obj, 'to', path, 'the target parameterization (a string)');
      return { path, kind, from, to, ...readFamilyPoint(obj, path) };
    }
    case 'shampoo':
      return readShampoo(obj, path);
  }
}

/** The JSON path of element i of a spec array, or the root for a single spec. */
export const specPath = (index: number | null): string => (index === null ? 'spec' : `spec[${index}]`);
