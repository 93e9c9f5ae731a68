/**
 * Tolerances for candidates computed in float32 (`check --precision float32`),
 * derived from float32's unit roundoff u = 2^-24 and the computation:
 *
 * * a sum or product chain of k roundings has relative error at most
 *   γ_k = k u / (1 - k u) (Higham, Accuracy and Stability of Numerical
 *   Algorithms, 2nd ed., §3.1); for a model's curvature, loss, gradient or
 *   K-FAC factor, k counts the inner products along one forward and backward
 *   pass (the widths) and the sum over the N examples. The bound is taken
 *   relative to the field's largest entry, since cancellation makes small
 *   entries carry the absolute error of the large ones;
 * * a damped solve (natural-gradient direction, K-FAC, EKFAC updates) amplifies
 *   the relative error of its inputs by the condition number κ of the damped
 *   matrix (Higham §7.1): bound 2 κ γ_k ||e||₂, with κ from the matrix or
 *   factors of the oracle's own result (for K-FAC the product of the two damped
 *   factors' condition numbers, which is the Kronecker product's).
 *
 * The bound is absolute, per field: entry i passes when |c_i - e_i| <=
 * atol + max(rtol |e_i|, bound).
 */
import { eigSymmetric } from '../linalg/eigen-symmetric.js';
import { Matrix } from '../linalg/matrix.js';
import type { FieldKeys } from './compare.js';
import type { OracleResult } from './compute.js';
import type { ParsedSpec } from './spec.js';
import { type NumericField, tensorOf } from './tensor.js';

/** float32's unit roundoff. */
export const FLOAT32_UNIT_ROUNDOFF = 2 ** -24;

export const PRECISIONS = ['float64', 'float32'] as const;
export type Precision = (typeof PRECISIONS)[number];

const gamma = (k: number): number => {
  const ku = k * FLOAT32_UNIT_ROUNDOFF;
  return ku < 0.5 ? ku / (1 - ku) : Infinity;
};

/** The float32 bound of a field with its derivation, for the report. */
export interface Float32Bound {
  bound: number;
  /** `γ_k with k = 27` or `2 κ γ_k, κ = 3.1e+03, k = 27` */
  why: string;
}

/** Roundings along the longest chain of a spec's computation. */
function chainLength(spec: ParsedSpec): number {
  if ('problem' in spec) {
    const sizes = spec.problem.spec.sizes;
    // forward and backward inner products through every layer, then the sum over the examples
    return 2 * sizes.reduce((a, b) => a + b, 0) + spec.problem.inputs.length + 4;
  }
  if (spec.kind === 'shampoo') return spec.gradients.length * (spec.gradients[0].rows + spec.gradients[0].cols) + 8;
  // a family's closed forms: a handful of operations
  return 16;
}

const maxAbs = (t: NumericField): number => t.data.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
const norm2 = (t: NumericField): number => Math.sqrt(t.data.reduce((s, x) => s + x * x, 0));

/** The condition number of M + shift I (M symmetric positive semidefinite), at most 1/rcond. */
function dampedCondition(M: Matrix, shift: number): number {
  const v = eigSymmetric(M).values;
  const hi = Math.max(...v) + shift;
  const lo = Math.max(Math.min(...v) + shift, hi * 1e-12);
  return hi > 0 ? hi / lo : 1;
}

function matrixAt(v: unknown): Matrix | null {
  const t = tensorOf(v);
  return t && t.shape.length === 2 ? new Matrix(t.shape[0], t.shape[1], t.data) : null;
}

/** The condition number of the damped system behind a solved field, or null for a field that is not a solve. */
function solveCondition(spec: ParsedSpec, result: OracleResult, keys: FieldKeys): number | null {
  const field = keys[keys.length - 1];
  if (result.kind === 'natural-gradient' && field === 'direction') {
    const F = matrixAt(result.matrix);
    return F ? dampedCondition(F, 'damping' in spec ? spec.damping : 0) : null;
  }
  if ((result.kind === 'kfac' || result.kind === 'ekfac') && (field === 'update' || field === 'biasUpdate') && typeof keys[1] === 'number') {
    const layer = result.layers[keys[1]] as unknown as Record<string, unknown>;
    const lambda = 'damping' in spec ? spec.damping : 0;
    if (result.kind === 'ekfac') {
      const M = matrixAt(layer.matrix);
      return M ? dampedCondition(M, lambda) : null;
    }
    const A = matrixAt(layer.A);
    const G = matrixAt(layer.G);
    if (!A || !G) return null;
    const scheme = spec.kind === 'kfac' ? spec.scheme : 'factored';
    if (field === 'biasUpdate') return dampedCondition(G, scheme === 'exact' ? lambda : Math.sqrt(lambda));
    if (scheme === 'exact') {
      const a = eigSymmetric(A).values;
      const g = eigSymmetric(G).values;
      const hi = Math.max(...a) * Math.max(...g) + lambda;
      return hi > 0 ? hi / Math.max(Math.max(0, Math.min(...a) * Math.min(...g)) + lambda, hi * 1e-12) : 1;
    }
    const c = Math.sqrt(lambda);
    const pi = scheme === 'pi-factored' ? piOf(A, G) : 1;
    return dampedCondition(G, c / pi) * dampedCondition(A, c * pi);
  }
  if (result.kind === 'shampoo' && field === 'update') return null;
  return null;
}

function piOf(A: Matrix, G: Matrix): number {
  let ta = 0;
  let tg = 0;
  for (let i = 0; i < A.rows; i++) ta += A.data[i * A.cols + i];
  for (let i = 0; i < G.rows; i++) tg += G.data[i * G.cols + i];
  const p = Math.sqrt(ta / A.rows / (tg / G.rows));
  return Number.isFinite(p) && p > 0 ? p : 1;
}

/** The absolute float32 error bound of one field of a result, with its derivation. */
export function float32Bound(spec: ParsedSpec, result: OracleResult, keys: FieldKeys, expected: NumericField): Float32Bound {
  const k = chainLength(spec);
  const g = gamma(k);
  let kappa: number | null = null;
  try {
    kappa = solveCondition(spec, result, keys);
  } catch {
    kappa = null;
  }
  if (kappa !== null) {
    return {
      bound: 2 * kappa * g * norm2(expected),
      why: `2 κ γ_k ||e||₂ with κ = ${kappa.toExponential(2)} (the damped system's condition number), k = ${k}`,
    };
  }
  return { bound: g * maxAbs(expected), why: `γ_k max|e| with k = ${k} roundings per entry` };
}
