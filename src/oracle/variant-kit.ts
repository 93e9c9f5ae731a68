/**
 * The pieces shared by the wrong-variant catalogues of `check`: the Variant
 * type, small tensor transforms, the library recomputations of a spec
 * (memoized), and the variants every field has (sign, batch size, transpose).
 */
import type { KfacFactors, KfacFisherKind } from '../curvature/kfac.js';
import type { ModelCurvatureKind } from '../curvature/dense-curvature.js';
import { Matrix } from '../linalg/matrix.js';
import { transpose } from '../linalg/ops.js';
import { type ModelNetwork, curvatureResult, kfacFactorLayers, lossGradient, mlpNetwork } from './model-results.js';
import type { ModelProblem } from './model-spec.js';
import type { ParsedSpec } from './spec.js';
import { type NumericField, matrixOf, shapeText, tensorOfMatrix } from './tensor.js';

/** A wrong variant: its diagnosis sentence and its value (computed only when needed; null when it does not apply). */
export interface Variant {
  sentence: string;
  value: () => NumericField | null | Promise<NumericField | null>;
}

// ---- transforms of a tensor -------------------------------------------------

/** Entrywise map. */
export const mapData = (t: NumericField, f: (x: number) => number): NumericField => ({ shape: t.shape.slice(), data: t.data.map(f) });
/** c t. */
export const scaled = (t: NumericField, c: number): NumericField => mapData(t, (x) => c * x);
/** True for a square matrix. */
export const isSquare = (t: NumericField): boolean => t.shape.length === 2 && t.shape[0] === t.shape[1];

/** M with its columns permuted: column k of the result is column cols[k] of M. */
export function pickColumns(t: NumericField, cols: number[]): NumericField {
  const [r, c] = t.shape;
  const out = new Float64Array(r * cols.length);
  for (let i = 0; i < r; i++) cols.forEach((j, k) => (out[i * cols.length + k] = t.data[i * c + j]));
  return { shape: [r, cols.length], data: out };
}

/** M restricted and permuted symmetrically: entry (a, b) is M[idx[a]][idx[b]]. */
export function pickSymmetric(t: NumericField, idx: number[]): NumericField {
  const n = t.shape[1];
  const m = idx.length;
  const out = new Float64Array(m * m);
  for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) out[a * m + b] = t.data[idx[a] * n + idx[b]];
  return { shape: [m, m], data: out };
}

/** 0, 1, ..., n-1. */
export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
/** n-1, 0, 1, ..., n-2: the last index moved to the front. */
export const lastFirst = (n: number): number[] => [n - 1, ...range(n - 1)];

/** reshape_row(vec_col(M)): M flattened column-major and read back row-major into its own shape. */
export function columnMajorReshape(t: NumericField): NumericField {
  const [r, c] = t.shape;
  const out = new Float64Array(r * c);
  let k = 0;
  for (let j = 0; j < c; j++) for (let i = 0; i < r; i++) out[k++] = t.data[i * c + j];
  return { shape: [r, c], data: out };
}

// ---- recomputations, memoized per spec --------------------------------------

/**
 * Curvatures of the summed loss, shared by the recomputers of one network
 * and likelihood under every reduction (the diagnoses of another convention
 * would otherwise form the same Hessian again): keyed by the weights, then
 * by likelihood and kind.
 */
const summedCurvatures = new WeakMap<object, Map<string, Matrix>>();

/** Library recomputations of one spec, shared by the fields of its result. */
export class Recomputer {
  private readonly curvatures = new Map<ModelCurvatureKind, Matrix>();
  private readonly factors = new Map<KfacFisherKind, KfacFactors[]>();
  private gradient: Float64Array | null = null;
  private net: ModelNetwork | null = null;

  constructor(readonly spec: ParsedSpec) {}

  private network(problem: ModelProblem): ModelNetwork {
    this.net ??= mlpNetwork(problem, this.spec.path);
    return this.net;
  }

  /** The dense curvature matrix of another kind, of the loss reduced as the spec says (the library's divisor applied to the summed loss's). */
  curvature(problem: ModelProblem, kind: ModelCurvatureKind): Matrix {
    let M = this.curvatures.get(kind);
    if (!M) {
      let byKind = summedCurvatures.get(problem.weights);
      if (!byKind) summedCurvatures.set(problem.weights, (byKind = new Map()));
      const key = `${problem.spec.likelihood}:${kind}`;
      let summed = byKind.get(key);
      if (!summed) {
        summed = curvatureResult(mlpNetwork({ ...problem, spec: { ...problem.spec, reduction: 'sum' } }, this.spec.path), kind).matrix;
        byKind.set(key, summed);
      }
      const divisor = this.network(problem).model.loss.divisor(problem.inputs.length);
      M = new Matrix(
        summed.rows,
        summed.cols,
        summed.data.map((x) => x / divisor),
      );
      this.curvatures.set(kind, M);
    }
    return M;
  }

  /** The gradient of the loss (reduced as the spec says). */
  lossGradient(problem: ModelProblem): Float64Array {
    this.gradient ??= lossGradient(this.network(problem));
    return this.gradient;
  }

  /** K-FAC factors with another Fisher kind. */
  kfac(problem: ModelProblem, kind: KfacFisherKind): KfacFactors[] {
    let f = this.factors.get(kind);
    if (!f) {
      f = kfacFactorLayers(this.network(problem), kind).layers;
      this.factors.set(kind, f);
    }
    return f;
  }
}

// ---- generic variants --------------------------------------------------------

/** -e. */
export function signVariant(e: NumericField): Variant[] {
  return [{ sentence: 'the sign is flipped (a factor of -1) [sign]', value: () => scaled(e, -1) }];
}

/** Factors N and 1/N (a sum where the mean was meant, or the reverse), then N² and 1/N² (per-example gradients of the mean loss). */
export function batchSizeVariants(e: NumericField, N: number): Variant[] {
  if (N <= 1) return [];
  return [
    { sentence: `scaled by ${N} = N [batch-size]: summed over the N examples where the mean was meant`, value: () => scaled(e, N) },
    { sentence: `scaled by 1/${N} = 1/N [batch-size]: divided by the N examples once more than the contract does`, value: () => scaled(e, 1 / N) },
    { sentence: `scaled by ${N * N} = N² [batch-size]: summed twice over the N examples`, value: () => scaled(e, N * N) },
    {
      sentence:
        `scaled by 1/${N * N} = 1/N² [batch-size]: per-example gradients of the mean loss (divided by N) used where the per-example loss ` +
        `gradients were meant`,
      value: () => scaled(e, 1 / (N * N)),
    },
  ];
}

/** The transpose, for a matrix field that is not symmetric (a symmetric one equals its transpose). */
export function transposeVariant(e: NumericField): Variant[] {
  if (e.shape.length !== 2) return [];
  const [r, c] = e.shape;
  if (r === c) {
    let symmetric = true;
    for (let i = 0; i < r && symmetric; i++)
      for (let j = 0; j < i; j++)
        if (e.data[i * c + j] !== e.data[j * c + i]) {
          symmetric = false;
          break;
        }
    if (symmetric) return [];
  }
  return [
    {
      sentence: `the transpose (${shapeText([e.shape[1], e.shape[0]])} instead of ${shapeText(e.shape)}) [transpose]`,
      value: () => tensorOfMatrix(transpose(matrixOf(e))),
    },
  ];
}
