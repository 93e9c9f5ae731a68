/**
 * The oracle's spec kinds and their validation from raw JSON. Every object
 * is checked against the fields it allows (an unknown or misspelled field is
 * bad input, never ignored), and the size limits are checked from the shapes
 * before any weight, example or gradient is read. Specs of `sequential`
 * models (contract version 2) are read by sequential-spec.ts. Family
 * parameters are passed on raw: the distribution catalogue owns their names
 * and domains and reports violations with the same JSON paths.
 */
import { NatgradError, childPath, describeValue } from '../core/errors.js';
import { rejectUnknownKeys, requirePositive } from '../core/validate.js';
import type { Matrix } from '../linalg/matrix.js';
import { KFAC_FISHER_KINDS, type KfacDampingScheme, type KfacFisherKind } from '../curvature/kfac.js';
import type { ModelCurvatureKind } from '../curvature/dense-curvature.js';
import { type JsonObject, own, readArray, readEnum, readMatrix, readObject, readVector, requireField } from './json-reader.js';
import { type WorkEstimate, assertWithinLimits, denseModelEstimate, ekfacEstimate, kfacEstimate, perExampleEstimate, shampooEstimate } from './limits.js';
import {
  type KfacBias,
  type ModelProblem,
  modelShape,
  readCurvatureOrMonteCarlo,
  readCurvature,
  readDamping,
  readKfacFields,
  readModelData,
  readModelHead,
} from './model-spec.js';

export { KFAC_BIAS, type KfacBias, MAX_SAMPLES, MONTE_CARLO_CURVATURE, MONTE_CARLO_KFAC } from './model-spec.js';
import { SEQUENTIAL_SPEC_FIELDS, type SequentialParsedSpec, hasSequentialModel, parseSequentialSpec } from './sequential-spec.js';

export const SPEC_KINDS = ['fisher', 'natural-gradient', 'kfac', 'reparameterize', 'shampoo', 'diagonal', 'per-example-gradients', 'ekfac'] as const;
export type SpecKind = (typeof SPEC_KINDS)[number];

const MODEL_PROBLEM = ['model', 'weights', 'inputs', 'targets'] as const;

/** The forms a spec takes: a kind, and for fisher and natural-gradient its subject. */
type SpecForm =
  | 'fisher/family'
  | 'fisher/model'
  | 'natural-gradient/family'
  | 'natural-gradient/model'
  | 'kfac'
  | 'reparameterize'
  | 'shampoo'
  | 'diagonal'
  | 'per-example-gradients'
  | 'ekfac';

/** The fields each form allows; nothing else may stand in a spec object. */
export const SPEC_FIELDS: ReadonlyMap<SpecForm, readonly string[]> = new Map<SpecForm, readonly string[]>([
  ['fisher/family', ['kind', 'family', 'parameterization', 'params', 'fixed']],
  ['fisher/model', ['kind', ...MODEL_PROBLEM, 'curvature', 'samples', 'reduction']],
  ['natural-gradient/family', ['kind', 'family', 'parameterization', 'params', 'fixed', 'gradient', 'damping']],
  ['natural-gradient/model', ['kind', ...MODEL_PROBLEM, 'curvature', 'gradient', 'damping', 'reduction']],
  ['kfac', ['kind', ...MODEL_PROBLEM, 'fisher', 'damping', 'dampingScheme', 'bias', 'samples', 'reduction']],
  ['reparameterize', ['kind', 'family', 'from', 'to', 'params', 'fixed']],
  ['shampoo', ['kind', 'gradients', 'epsilon']],
  ['diagonal', ['kind', ...MODEL_PROBLEM, 'curvature', 'samples', 'reduction']],
  ['per-example-gradients', ['kind', ...MODEL_PROBLEM, 'reduction']],
  ['ekfac', ['kind', ...MODEL_PROBLEM, 'fisher', 'damping', 'reduction']],
]);

const ALL_SPEC_FIELDS: readonly string[] = [...new Set([...SPEC_FIELDS.values(), ...SEQUENTIAL_SPEC_FIELDS].flat())];

const FORM_TEXT: ReadonlyMap<SpecForm, string> = new Map<SpecForm, string>([
  ['fisher/family', 'a fisher spec of a family'],
  ['fisher/model', 'a fisher spec of a model'],
  ['natural-gradient/family', 'a natural-gradient spec of a family'],
  ['natural-gradient/model', 'a natural-gradient spec of a model'],
  ['kfac', 'a kfac spec'],
  ['reparameterize', 'a reparameterize spec'],
  ['shampoo', 'a shampoo spec'],
  ['diagonal', 'a diagonal spec'],
  ['per-example-gradients', 'a per-example-gradients spec'],
  ['ekfac', 'an ekfac spec'],
]);

const fieldsOf = (form: SpecForm): readonly string[] => SPEC_FIELDS.get(form) ?? [];

/** What a form is about: a distribution family, a model, or neither (shampoo). */
const subjectOfForm = (form: SpecForm): 'family' | 'model' | null =>
  form.endsWith('/family') || form === 'reparameterize' ? 'family' : form.endsWith('/model') || MODEL_FORMS.includes(form) ? 'model' : null;

const MODEL_FORMS: readonly SpecForm[] = ['kfac', 'diagonal', 'per-example-gradients', 'ekfac'];

/**
 * `; "damping" is a field of specs of kinds natural-gradient, kfac` for a key
 * that other forms define (`model specs of kinds ...` when only model specs
 * do); '' otherwise.
 */
function otherForms(key: string): string {
  const kinds: string[] = [];
  const subjects = new Set<string | null>();
  for (const [form, fields] of SPEC_FIELDS) {
    if (!fields.includes(key)) continue;
    const kind = form.split('/')[0];
    if (!kinds.includes(kind)) kinds.push(kind);
    subjects.add(subjectOfForm(form));
  }
  if (kinds.length === 0) return '';
  const only = subjects.size === 1 ? [...subjects][0] : null;
  return `; ${JSON.stringify(key)} is a field of ${only ? `${only} ` : ''}specs of kind${kinds.length === 1 ? '' : 's'} ${kinds.join(', ')}`;
}

/** Throws for the first field of `obj` that `form` does not define. */
function rejectUnknownSpecFields(obj: JsonObject, form: SpecForm, path: string): void {
  rejectUnknownKeys(obj, fieldsOf(form), path, FORM_TEXT.get(form) ?? form, otherForms);
}

interface FamilyPoint {
  family: string;
  params: unknown;
  fixed: unknown;
}

export type ParsedSpec =
  | ({ path: string } & (
      | ({ kind: 'fisher'; subject: 'family'; parameterization: string } & FamilyPoint)
      | { kind: 'fisher'; subject: 'model'; problem: ModelProblem; curvature: ModelCurvatureKind; samples: number | null; estimate: WorkEstimate }
      | ({ kind: 'natural-gradient'; subject: 'family'; parameterization: string; gradient: Float64Array; damping: number } & FamilyPoint)
      | {
          kind: 'natural-gradient';
          subject: 'model';
          problem: ModelProblem;
          curvature: ModelCurvatureKind;
          gradient: Float64Array | null;
          damping: number;
          estimate: WorkEstimate;
        }
      | {
          kind: 'kfac';
          problem: ModelProblem;
          /** the Fisher type; with `samples` (not null), the Monte Carlo estimator of the `fisher` type */
          fisher: KfacFisherKind;
          samples: number | null;
          damping: number;
          scheme: KfacDampingScheme;
          bias: KfacBias;
          estimate: WorkEstimate;
        }
      | { kind: 'diagonal'; problem: ModelProblem; curvature: ModelCurvatureKind; samples: number | null; estimate: WorkEstimate }
      | { kind: 'per-example-gradients'; problem: ModelProblem; estimate: WorkEstimate }
      | { kind: 'ekfac'; problem: ModelProblem; fisher: KfacFisherKind; damping: number; estimate: WorkEstimate }
      | ({ kind: 'reparameterize'; from: string; to: string } & FamilyPoint)
      | { kind: 'shampoo'; gradients: Matrix[]; epsilon: number; estimate: WorkEstimate }
    ))
  | SequentialParsedSpec;

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

/**
 * Which of `family` and `model` the spec has; exactly one is required. With
 * neither, a misspelled one (`familly`) is named first.
 */
function subjectOf(obj: JsonObject, kind: 'fisher' | 'natural-gradient', path: string): 'family' | 'model' {
  const hasFamily = own(obj, 'family') !== undefined;
  const hasModel = own(obj, 'model') !== undefined;
  if (hasFamily && hasModel) throw new NatgradError(path, 'has both "family" and "model"; give one: a distribution family or a model (mlp or sequential)');
  if (!hasFamily && !hasModel) {
    const either = [...new Set([...fieldsOf(`${kind}/family`), ...fieldsOf(`${kind}/model`)])];
    rejectUnknownKeys(obj, either, path, `a ${kind} spec`, otherForms);
    throw new NatgradError(path, 'needs "family" (a distribution family) or "model" (an mlp or sequential model)');
  }
  return hasFamily ? 'family' : 'model';
}

function readOptionalDamping(obj: JsonObject, path: string): number {
  const v = own(obj, 'damping');
  return v === undefined ? 0 : readDamping(v, childPath(path, 'damping'));
}

/** The shapes of shampoo's gradients from the raw arrays (T, m, n), before any matrix is read. */
function shampooShape(arr: unknown[], gp: string): { T: number; m: number; n: number } {
  const first = arr[0];
  const rows = Array.isArray(first) ? first.length : 0;
  const cols = Array.isArray(first) && Array.isArray(first[0]) ? first[0].length : 0;
  if (rows === 0 || cols === 0) readMatrix(first, childPath(gp, 0));
  return { T: arr.length, m: rows, n: cols };
}

function readShampoo(obj: JsonObject, path: string): ParsedSpec {
  rejectUnknownSpecFields(obj, 'shampoo', path);
  const gp = childPath(path, 'gradients');
  const what = 'a non-empty array of m x n matrices G_1, ..., G_T (all of one shape)';
  const arr = readArray(requireField(obj, 'gradients', path, what), gp, what);
  if (arr.length === 0) throw new NatgradError(gp, `must be ${what}, got an empty array`);
  const { T, m, n } = shampooShape(arr, gp);
  const estimate = shampooEstimate(T, m, n);
  assertWithinLimits(estimate, gp);
  const first = readMatrix(arr[0], childPath(gp, 0));
  const gradients = [first, ...arr.slice(1).map((G, t) => readMatrix(G, childPath(gp, t + 1), first.rows, first.cols, 'the shape of gradients[0]'))];
  const ep = childPath(path, 'epsilon');
  const eps = requirePositive(requireField(obj, 'epsilon', path, 'a finite number > 0'), ep);
  return { path, kind: 'shampoo', gradients, epsilon: eps, estimate };
}

const PARAMETERIZATION = 'a parameterization name (a string)';

/** Validates one spec object at `path` (`spec` or `spec[3]`). */
export function parseSpec(raw: unknown, path: string): ParsedSpec {
  const obj = readObject(raw, path, `a spec object with "kind" (one of ${SPEC_KINDS.join(', ')})`);
  // without a kind, a misspelled "kind" (or any other unknown field) is named first
  if (own(obj, 'kind') === undefined) rejectUnknownKeys(obj, ALL_SPEC_FIELDS, path, 'a spec of any kind');
  const kind = readEnum<SpecKind>(requireField(obj, 'kind', path, `one of ${SPEC_KINDS.join(', ')}`), childPath(path, 'kind'), SPEC_KINDS);
  const mp = childPath(path, 'model');
  if (kind !== 'reparameterize' && kind !== 'shampoo' && hasSequentialModel(obj)) return parseSequentialSpec(obj, kind, path);
  switch (kind) {
    case 'fisher': {
      if (subjectOf(obj, kind, path) === 'family') {
        rejectUnknownSpecFields(obj, 'fisher/family', path);
        const parameterization = readName(obj, 'parameterization', path, PARAMETERIZATION);
        return { path, kind, subject: 'family', parameterization, ...readFamilyPoint(obj, path) };
      }
      rejectUnknownSpecFields(obj, 'fisher/model', path);
      const head = readModelHead(obj, path);
      const { curvature, samples } = readCurvatureOrMonteCarlo(obj, path);
      const estimate = denseModelEstimate(kind, curvature, modelShape(head));
      assertWithinLimits(estimate, mp);
      return { path, kind, subject: 'model', problem: readModelData(obj, head, path), curvature, samples, estimate };
    }
    case 'natural-gradient': {
      if (subjectOf(obj, kind, path) === 'family') {
        rejectUnknownSpecFields(obj, 'natural-gradient/family', path);
        const damping = readOptionalDamping(obj, path);
        const parameterization = readName(obj, 'parameterization', path, PARAMETERIZATION);
        const point = readFamilyPoint(obj, path);
        const gradient = readVector(requireField(obj, 'gradient', path, 'an array of numbers, one per parameter'), childPath(path, 'gradient'));
        return { path, kind, subject: 'family', parameterization, ...point, gradient, damping };
      }
      rejectUnknownSpecFields(obj, 'natural-gradient/model', path);
      const damping = readOptionalDamping(obj, path);
      const head = readModelHead(obj, path);
      const curvature = readCurvature(obj, path, 'fisher');
      const shape = modelShape(head);
      const estimate = denseModelEstimate(kind, curvature, shape);
      assertWithinLimits(estimate, mp);
      const problem = readModelData(obj, head, path);
      const g = own(obj, 'gradient');
      const { P } = shape;
      const gradient = g === undefined ? null : readVector(g, childPath(path, 'gradient'), P, `an array of ${P} numbers (one per parameter)`);
      return { path, kind, subject: 'model', problem, curvature, gradient, damping, estimate };
    }
    case 'kfac': {
      rejectUnknownSpecFields(obj, 'kfac', path);
      const head = readModelHead(obj, path);
      const { fisher, samples, damping, scheme, bias } = readKfacFields(obj, path);
      const estimate = kfacEstimate(fisher, modelShape(head));
      assertWithinLimits(estimate, mp);
      return { path, kind, problem: readModelData(obj, head, path), fisher, samples, damping, scheme, bias, estimate };
    }
    case 'diagonal': {
      rejectUnknownSpecFields(obj, 'diagonal', path);
      const head = readModelHead(obj, path);
      const { curvature, samples } = readCurvatureOrMonteCarlo(obj, path);
      const estimate = denseModelEstimate('fisher', curvature, modelShape(head));
      assertWithinLimits(estimate, mp);
      return { path, kind, problem: readModelData(obj, head, path), curvature, samples, estimate };
    }
    case 'per-example-gradients': {
      rejectUnknownSpecFields(obj, 'per-example-gradients', path);
      const head = readModelHead(obj, path);
      const estimate = perExampleEstimate(modelShape(head));
      assertWithinLimits(estimate, mp);
      return { path, kind, problem: readModelData(obj, head, path), estimate };
    }
    case 'ekfac': {
      rejectUnknownSpecFields(obj, 'ekfac', path);
      const head = readModelHead(obj, path);
      const fisher = readEnum(requireField(obj, 'fisher', path, `one of ${KFAC_FISHER_KINDS.join(', ')}`), childPath(path, 'fisher'), KFAC_FISHER_KINDS);
      const damping = readDamping(requireField(obj, 'damping', path, 'a finite number >= 0 (the damping lambda)'), childPath(path, 'damping'));
      const estimate = ekfacEstimate(fisher, modelShape(head));
      assertWithinLimits(estimate, mp);
      return { path, kind, problem: readModelData(obj, head, path), fisher, damping, estimate };
    }
    case 'reparameterize': {
      rejectUnknownSpecFields(obj, 'reparameterize', path);
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
