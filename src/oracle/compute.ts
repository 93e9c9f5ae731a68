/**
 * The oracle's results: one library call per spec kind, formatted as the
 * contract's JSON shapes exactly (matrices as arrays of rows; no extra
 * fields, so strict consumers can compare key sets). No quantity is
 * computed here; everything comes from families/, curvature/ and linalg/.
 */
import { NatgradError, childPath } from '../core/errors.js';
import { requireFiniteResult } from '../core/finite-result.js';
import { shampooPreconditioners } from '../curvature/shampoo.js';
import type { FisherAt, ReparameterizedAt } from '../families/api.js';
import { checkParameterization, familyPointSize } from '../families/point-names.js';
import type { Matrix } from '../linalg/matrix.js';
import {
  type KfacLayerJson,
  curvatureResult,
  diagonalResult,
  ekfacResult,
  kfacResult,
  mlpNetwork,
  monteCarloCurvature,
  naturalGradientResult,
  perExampleResult,
} from './model-results.js';
import { type WorkEstimate, assertWithinLimits, familyEstimate } from './limits.js';
import type { ParsedSpec } from './spec.js';
import { computeSequential } from './sequential-compute.js';
import { isSequentialSpec } from './sequential-spec.js';

export type JsonMatrix = number[][];

export interface FisherResult {
  kind: 'fisher';
  paramNames: string[];
  matrix: JsonMatrix;
  /** Monte Carlo specs: the standard deviation of the M-sample estimate of each entry */
  standardError?: JsonMatrix;
  symbolic?: string[][];
  latex?: string;
  loss?: number;
  gradient?: number[];
}

export interface DiagonalResult {
  kind: 'diagonal';
  paramNames: string[];
  diagonal: number[];
  standardError?: number[];
  loss: number;
  gradient: number[];
}

export interface PerExampleGradientsResult {
  kind: 'per-example-gradients';
  paramNames: string[];
  gradients: JsonMatrix;
}

export interface EkfacResult {
  kind: 'ekfac';
  loss: number;
  layers: { matrix: JsonMatrix; gradient: JsonMatrix; update: JsonMatrix }[];
}

export interface NaturalGradientResult {
  kind: 'natural-gradient';
  direction: number[];
  matrix: JsonMatrix;
  singular: boolean;
}

export interface KfacLayerResult {
  A: JsonMatrix;
  G: JsonMatrix;
  gradient: JsonMatrix;
  update: JsonMatrix;
}

export interface KfacResult {
  kind: 'kfac';
  loss: number;
  layers: KfacLayerResult[] | KfacLayerJson[];
}

export interface ReparameterizeResult {
  kind: 'reparameterize';
  params: Record<string, number | number[] | number[][]>;
  jacobian: JsonMatrix;
  fisher: JsonMatrix;
}

export interface ShampooResult {
  kind: 'shampoo';
  L: JsonMatrix;
  R: JsonMatrix;
  update: JsonMatrix;
}

export type OracleResult =
  | FisherResult
  | NaturalGradientResult
  | KfacResult
  | ReparameterizeResult
  | ShampooResult
  | DiagonalResult
  | PerExampleGradientsResult
  | EkfacResult;

type FamiliesApi = typeof import('../families/api.js');

let familiesApi: Promise<FamiliesApi> | null = null;

/**
 * The distribution catalogue, loaded on first use: model and shampoo specs
 * do not pay for compiling the symbolic family definitions.
 */
export async function loadFamilies(path: string): Promise<FamiliesApi> {
  familiesApi ??= import('../families/api.js');
  try {
    return await familiesApi;
  } catch (e) {
    familiesApi = null;
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new NatgradError(childPath(path, 'family'), `the distribution catalogue could not be loaded (${why})`);
  }
}

/** Family Fisher at a point (library call; throws NatgradError with the spec's paths). */
export async function familyFisher(family: string, parameterization: string, params: unknown, fixed: unknown, path: string): Promise<FisherAt> {
  const api = await loadFamilies(path);
  return api.fisherAt(family, parameterization, params, fixed, path);
}

type FamilySpec = Extract<ParsedSpec, { family: string }>;

/**
 * Checks a family spec against the catalogue before anything is built: the
 * family, the parameterizations, the names in `params` and `fixed`, and the
 * size limits from the lengths of the parameter arrays, without loading the
 * symbolic catalogue. Returns the estimate.
 */
export function checkFamilySpec(spec: FamilySpec): WorkEstimate {
  const from = spec.kind === 'reparameterize' ? spec.from : spec.parameterization;
  const fromPath = childPath(spec.path, spec.kind === 'reparameterize' ? 'from' : 'parameterization');
  checkParameterization(spec.family, from, childPath(spec.path, 'family'), fromPath);
  if (spec.kind === 'reparameterize') checkParameterization(spec.family, spec.to, childPath(spec.path, 'family'), childPath(spec.path, 'to'));
  const P = familyPointSize(spec.family, from, spec.params, spec.fixed, spec.path);
  const estimate = familyEstimate(spec.kind, P);
  assertWithinLimits(estimate, childPath(spec.path, 'params'));
  return estimate;
}

/** Family reparameterization at a point. */
export async function familyReparameterize(spec: Extract<ParsedSpec, { kind: 'reparameterize' }>): Promise<ReparameterizedAt> {
  const api = await loadFamilies(spec.path);
  return api.reparameterizeAt(spec.family, spec.from, spec.to, spec.params, spec.fixed, spec.path);
}

const rows = (M: Matrix): JsonMatrix => M.toArray();

/** Throws unless a given gradient has one entry per parameter. */
function checkGradientLength(gradient: Float64Array, paramNames: string[], path: string): void {
  if (gradient.length !== paramNames.length) {
    throw new NatgradError(
      childPath(path, 'gradient'),
      `must have ${paramNames.length} entries, one per parameter (${paramNames.join(', ')}), got ${gradient.length}`,
    );
  }
}

/** The result of one validated spec. */
export async function computeResult(spec: ParsedSpec): Promise<OracleResult> {
  let result: OracleResult;
  try {
    result = await computeRaw(spec);
  } catch (e) {
    throw rooted(e, spec.path);
  }
  assertFiniteResult(result, spec.path);
  return result;
}

/**
 * Every input is validated when the spec is read, with its JSON path, so what
 * can still fail here is the arithmetic: a matrix the computation built that
 * overflowed float64 (`matrix is not finite: entry (0, 0) is Infinity`, from
 * the eigensolver or a factorization). That error names the library routine's
 * own argument (`matrix`, `A`, `G`); it is reported at the spec it came from,
 * keeping the inner path in the reason.
 */
function rooted(e: unknown, path: string): unknown {
  if (!(e instanceof NatgradError) || e.path === path || e.path.startsWith(`${path}.`) || e.path.startsWith(`${path}[`)) return e;
  return new NatgradError(path, `cannot be computed for these inputs (${e.path}: ${e.reason})`);
}

async function computeRaw(spec: ParsedSpec): Promise<OracleResult> {
  if (isSequentialSpec(spec)) return computeSequential(spec);
  switch (spec.kind) {
    case 'fisher': {
      if (spec.subject === 'family') {
        const f = await familyFisher(spec.family, spec.parameterization, spec.params, spec.fixed, spec.path);
        const out: FisherResult = { kind: 'fisher', paramNames: f.paramNames, matrix: rows(f.matrix) };
        if (f.symbolic) out.symbolic = f.symbolic;
        if (f.latex) out.latex = f.latex;
        return out;
      }
      const net = mlpNetwork(spec.problem, spec.path);
      if (spec.samples !== null) {
        const c = monteCarloCurvature(net, spec.samples);
        return {
          kind: 'fisher',
          paramNames: c.paramNames,
          matrix: rows(c.matrix),
          standardError: rows(c.standardError),
          loss: c.loss,
          gradient: Array.from(c.gradient),
        };
      }
      const c = curvatureResult(net, spec.curvature);
      return { kind: 'fisher', paramNames: c.paramNames, matrix: rows(c.matrix), loss: c.loss, gradient: Array.from(c.gradient) };
    }
    case 'diagonal':
      return { kind: 'diagonal', ...diagonalResult(mlpNetwork(spec.problem, spec.path), spec.curvature, spec.samples) };
    case 'per-example-gradients':
      return { kind: 'per-example-gradients', ...perExampleResult(mlpNetwork(spec.problem, spec.path)) };
    case 'ekfac':
      return { kind: 'ekfac', ...ekfacResult(mlpNetwork(spec.problem, spec.path), spec.fisher, spec.damping) };
    case 'natural-gradient': {
      if (spec.subject === 'family') {
        const f = await familyFisher(spec.family, spec.parameterization, spec.params, spec.fixed, spec.path);
        checkGradientLength(spec.gradient, f.paramNames, spec.path);
        const { x, singular } = f.dampedSolve(spec.damping, spec.gradient, spec.path);
        return { kind: 'natural-gradient', direction: Array.from(x), matrix: rows(f.matrix), singular };
      }
      return { kind: 'natural-gradient', ...naturalGradientResult(mlpNetwork(spec.problem, spec.path), spec.curvature, spec.damping, spec.gradient) };
    }
    case 'kfac':
      return { kind: 'kfac', ...kfacResult(mlpNetwork(spec.problem, spec.path), spec) };
    case 'reparameterize': {
      const r = await familyReparameterize(spec);
      return { kind: 'reparameterize', params: r.params, jacobian: rows(r.jacobian), fisher: rows(r.fisher) };
    }
    case 'shampoo': {
      const s = shampooPreconditioners(spec.gradients, spec.epsilon, spec.path);
      return { kind: 'shampoo', L: rows(s.L), R: rows(s.R), update: rows(s.update) };
    }
  }
}

/**
 * A result is printed only when every number in it is finite: a NaN or an
 * overflow is reported as bad input naming the field, never written out.
 */
export function assertFiniteResult(result: OracleResult, path: string): void {
  requireFiniteResult(result, path);
}
