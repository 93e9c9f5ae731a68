/**
 * The exact curvatures of a Sequential model's loss L = c sum_n ℓ_n
 * (ℓ_n = -log p(y_n | x_n), summed over positions; c the reduction's factor),
 * on whole batches, in parameter-vector order:
 * * `fisher`: c sum_n E_{y ~ p(.|x_n)}[∇ℓ ∇ℓᵀ] = c sum_n J_nᵀ F_n J_n, the
 *   expectation exact (over all T labels of a per-position output jointly);
 * * `empirical-fisher`: c sum_n ∇ℓ_n ∇ℓ_nᵀ at the given targets;
 * * `ggn`: c sum_n J_nᵀ H_n J_n, H_n the Hessian of ℓ_n in the output;
 * * `hessian`: ∇²L.
 * The first three are c Uᵀ U for a factor U of back-propagated rows (the
 * columns of the output Fisher's or Hessian's square root, or the per-example
 * gradients): dense matrices, diagonals and block diagonals come from U, and
 * the operators' products from one tangent and one backward sweep of the
 * batch. The Hessian is exact through the R-operator.
 *
 * References: S. Amari, "Natural gradient works efficiently in learning", 1998;
 * N. Schraudolph, "Fast curvature matrix-vector products for second-order
 * gradient descent", 2002; J. Martens, "New insights and perspectives on the
 * natural gradient method", JMLR 2020 (sections 8-9).
 */
import { NatgradError, describeValue } from '../core/errors.js';
import { requireOneOf, requireResultSize } from '../core/validate.js';
import type { Vec } from '../core/vec.js';
import { syrk } from '../linalg/kernels/syrk.js';
import type { LinearOperator } from '../linalg/linear-operator.js';
import { Matrix } from '../linalg/matrix.js';
import type { Batch, Sequential, SequentialTrace } from '../models/sequential.js';
import type { Tensor } from '../models/tensor.js';

/**
 * A curvature of a model: the `fisher` (expectation over y exact), the
 * `empirical-fisher` (at the training labels), the generalized Gauss-Newton
 * `ggn`, and the `hessian` of the loss.
 */
export type ModelCurvatureKind = 'fisher' | 'empirical-fisher' | 'ggn' | 'hessian';

export const MODEL_CURVATURES: readonly ModelCurvatureKind[] = ['fisher', 'empirical-fisher', 'ggn', 'hessian'];

/** Curvatures that are sums of outer products (the Hessian is not one in general). */
export type FactoredCurvatureKind = 'fisher' | 'empirical-fisher' | 'ggn';

export const FACTORED_CURVATURES: readonly FactoredCurvatureKind[] = ['fisher', 'empirical-fisher', 'ggn'];

/**
 * C = weight · Uᵀ U: U has one row per back-propagated vector (R rows, P
 * columns), `rowsPerExample` of them per example, in example order.
 */
export interface CurvatureFactor {
  U: Matrix;
  weight: number;
  rowsPerExample: number;
}

/** Throws unless the model, parameters and batch fit together (targets included). */
export function checkProblem(model: Sequential, theta: Vec, batch: Batch): void {
  model.checkParams(theta);
  model.checkInput(batch.x);
  model.loss.validateTargets(batch.targets, batch.x.batch);
}

/**
 * The factor U of a curvature, C = weight Uᵀ U, each row one back-propagated vector:
 * * fisher: J_nᵀ s for the columns s of the output Fisher's square root;
 * * empirical-fisher: the per-example gradient ∇ℓ_n at the target;
 * * ggn: J_nᵀ s for the columns of a square root of the output Hessian at the target.
 */
export function curvatureFactor(model: Sequential, theta: Vec, batch: Batch, kind: FactoredCurvatureKind, trace?: SequentialTrace): CurvatureFactor {
  requireOneOf(kind, FACTORED_CURVATURES, 'kind');
  // the Fisher's expectation over y needs no targets
  if (kind === 'fisher') {
    model.checkParams(theta);
    model.checkInput(batch.x);
  } else checkProblem(model, theta, batch);
  const tr = trace ?? model.forward(theta, batch.x);
  const { rows, rowsPerExample } = outputRows(model, tr.output, batch, kind);
  return { U: model.vjpRows(theta, tr, rows), weight: model.scale(batch.x.batch), rowsPerExample };
}

/** The output-gradient rows a factored curvature back-propagates, S per example. */
export function outputRows(model: Sequential, output: Tensor, batch: Batch, kind: FactoredCurvatureKind): { rows: Tensor; rowsPerExample: number } {
  switch (kind) {
    case 'fisher':
      return model.loss.fisherSqrtRows(output);
    case 'ggn':
      return model.loss.hessianSqrtRows(output, batch.targets);
    case 'empirical-fisher':
      return { rows: model.loss.lossAndGradient(output, batch.targets).gradient, rowsPerExample: 1 };
  }
}

/** weight · Uᵀ U, exactly symmetric (one symmetric rank-R update). */
export function factorGram({ U, weight }: { U: Matrix; weight: number }): Matrix {
  const P = U.cols;
  const C = new Matrix(P, P);
  if (U.rows > 0) syrk(true, P, U.rows, weight, U.data, 0, P, 0, C.data, 0, P);
  return C;
}

/** Refuses, before any work, a P x P result or an R x P factor larger than the size limit. */
export function requireCurvatureSize(model: Sequential, examples: number, path = 'spec'): void {
  const P = model.paramCount;
  const O = model.loss.positions * model.loss.K;
  requireResultSize(P * P, `${path}.model`, `the ${P} x ${P} curvature matrix of this model`);
  requireResultSize(examples * O * P, `${path}.inputs`, `the per-output gradient factor (${examples} inputs x ${O} outputs x ${P} parameters)`);
}

/**
 * The Hessian of the loss, column i = H e_i from an exact Hessian-vector
 * product. `symmetric: false` returns the columns as computed (their asymmetry
 * is pure round-off); the default averages H and Hᵀ.
 */
export function hessianMatrix(model: Sequential, theta: Vec, batch: Batch, options: { symmetric?: boolean } = {}): Matrix {
  checkProblem(model, theta, batch);
  const P = model.paramCount;
  const H = new Matrix(P, P);
  const e = new Float64Array(P);
  const hv = model.hessianProducts(theta, batch.x, batch.targets);
  for (let i = 0; i < P; i++) {
    e.fill(0);
    e[i] = 1;
    const col = hv(e);
    for (let k = 0; k < P; k++) H.data[k * P + i] = col[k];
  }
  if (options.symmetric === false) return H;
  for (let i = 0; i < P; i++) {
    for (let j = 0; j < i; j++) {
      const m = 0.5 * (H.data[i * P + j] + H.data[j * P + i]);
      H.data[i * P + j] = m;
      H.data[j * P + i] = m;
    }
  }
  return H;
}

/** The dense P x P curvature of the given kind (definitions in the module comment). */
export function curvatureMatrix(model: Sequential, theta: Vec, batch: Batch, kind: ModelCurvatureKind): Matrix {
  requireOneOf(kind, MODEL_CURVATURES, 'kind');
  if (kind === 'hessian') return hessianMatrix(model, theta, batch);
  return factorGram(curvatureFactor(model, theta, batch, kind));
}

/** diag(C): sums of squares of the factor's columns, or for the Hessian one exact product per parameter. */
export function curvatureDiagonal(model: Sequential, theta: Vec, batch: Batch, kind: ModelCurvatureKind): Vec {
  requireOneOf(kind, MODEL_CURVATURES, 'kind');
  const P = model.paramCount;
  const d = new Float64Array(P);
  if (kind === 'hessian') {
    checkProblem(model, theta, batch);
    const e = new Float64Array(P);
    const hv = model.hessianProducts(theta, batch.x, batch.targets);
    for (let i = 0; i < P; i++) {
      e.fill(0);
      e[i] = 1;
      d[i] = hv(e)[i];
    }
    return d;
  }
  return factorDiagonal(curvatureFactor(model, theta, batch, kind));
}

/** diag(weight · Uᵀ U). */
export function factorDiagonal({ U, weight }: { U: Matrix; weight: number }): Vec {
  const P = U.cols;
  const d = new Float64Array(P);
  for (let r = 0; r < U.rows; r++) {
    const o = r * P;
    for (let i = 0; i < P; i++) d[i] += U.data[o + i] * U.data[o + i];
  }
  for (let i = 0; i < P; i++) d[i] *= weight;
  return d;
}

/** weight · Uᵀ U as an operator, O(R P) per product. */
export function factorOperator(factor: { U: Matrix; weight: number }): LinearOperator {
  const { U, weight } = factor;
  const P = U.cols;
  const R = U.rows;
  const apply = (v: Vec): Vec => {
    requireLength(v, P);
    const out = new Float64Array(P);
    for (let r = 0; r < R; r++) {
      const o = r * P;
      let s = 0;
      for (let i = 0; i < P; i++) s += U.data[o + i] * v[i];
      s *= weight;
      if (s !== 0) for (let i = 0; i < P; i++) out[i] += s * U.data[o + i];
    }
    return out;
  };
  return { shape: [P, P] as const, matvec: apply, rmatvec: apply, dense: () => factorGram(factor) };
}

function requireLength(v: Vec, P: number): void {
  if (!(v instanceof Float64Array) || v.length !== P) {
    throw new NatgradError('v', `must be a Float64Array of ${P} entries (one per parameter), got ${describeValue(v)}`);
  }
}

/**
 * The curvature of the given kind as a symmetric LinearOperator on parameter
 * vectors: the Fisher and the GGN as c Jᵀ M J v (one tangent and one backward
 * sweep of the batch per product, the forward pass done once), the empirical
 * Fisher from its factor, the Hessian by the R-operator. dense() forms the
 * exact matrix.
 */
export function curvatureOperator(model: Sequential, theta: Vec, batch: Batch, kind: ModelCurvatureKind): LinearOperator {
  requireOneOf(kind, MODEL_CURVATURES, 'kind');
  checkProblem(model, theta, batch);
  const P = model.paramCount;
  const dense = (): Matrix => curvatureMatrix(model, theta, batch, kind);
  if (kind === 'empirical-fisher') return { ...factorOperator(curvatureFactor(model, theta, batch, kind)), dense };
  let apply: (v: Vec) => Vec;
  if (kind === 'hessian') {
    const hv = model.hessianProducts(theta, batch.x, batch.targets);
    apply = (v) => {
      requireLength(v, P);
      return hv(v);
    };
  } else {
    const trace = model.forward(theta, batch.x);
    const c = model.scale(batch.x.batch);
    apply = (v) => {
      requireLength(v, P);
      const u = outputMatrixProduct(model, trace, batch, kind, model.jvp(theta, trace, v));
      for (let i = 0; i < u.data.length; i++) u.data[i] *= c;
      return model.vjp(theta, trace, u).gradient;
    };
  }
  return { shape: [P, P] as const, matvec: apply, rmatvec: apply, dense };
}

/** M u per example and position: M the output Fisher (fisher) or the output Hessian at the targets (ggn). */
function outputMatrixProduct(model: Sequential, trace: SequentialTrace, batch: Batch, kind: 'fisher' | 'ggn', u: Tensor): Tensor {
  return kind === 'fisher' ? model.loss.fisherProduct(trace.output, u) : model.loss.hessianProduct(trace.output, batch.targets, u);
}

/**
 * The quadratic forms v_iᵀ C v_j of a few vectors for C the Fisher or the GGN,
 * c sum_n (J_n v_i)ᵀ M_n (J_n v_j), from one forward pass, one tangent sweep
 * per vector and no backward pass: cheaper than the products C v_i when only
 * the forms are needed (the quadratic model of a step).
 */
export function curvatureForms(model: Sequential, theta: Vec, batch: Batch, kind: 'fisher' | 'ggn', vectors: readonly Vec[]): number[][] {
  checkProblem(model, theta, batch);
  const P = model.paramCount;
  vectors.forEach((v) => requireLength(v, P));
  const trace = model.forward(theta, batch.x);
  const c = model.scale(batch.x.batch);
  const Jv = vectors.map((v) => model.jvp(theta, trace, v));
  const MJv = Jv.map((u) => outputMatrixProduct(model, trace, batch, kind, u));
  return Jv.map((a) =>
    MJv.map((b) => {
      let s = 0;
      for (let i = 0; i < a.data.length; i++) s += a.data[i] * b.data[i];
      return c * s;
    }),
  );
}

/**
 * Row n: the gradient of example n's contribution c ℓ_n to the loss, so the
 * rows sum to the loss gradient (BackPACK's BatchGrad), N x P.
 */
export function perExampleGradients(model: Sequential, theta: Vec, batch: Batch): Matrix {
  checkProblem(model, theta, batch);
  const G = model.exampleLossGradients(theta, batch.x, batch.targets);
  const c = model.scale(batch.x.batch);
  for (let i = 0; i < G.data.length; i++) G.data[i] *= c;
  return G;
}

/**
 * The per-layer diagonal blocks of a factored curvature, layer l's block over
 * its own contiguous parameters (cross-layer terms dropped), in layer order;
 * layers without parameters give no block.
 */
export function curvatureLayerBlocks(model: Sequential, theta: Vec, batch: Batch, kind: FactoredCurvatureKind): { offset: number; block: Matrix }[] {
  return factorLayerBlocks(model, curvatureFactor(model, theta, batch, kind));
}

/** The per-layer diagonal blocks of weight · Uᵀ U (see curvatureLayerBlocks). */
export function factorLayerBlocks(model: Sequential, { U, weight }: { U: Matrix; weight: number }): { offset: number; block: Matrix }[] {
  const P = model.paramCount;
  const blocks: { offset: number; block: Matrix }[] = [];
  model.layers.forEach((layer, l) => {
    if (layer.paramCount === 0) return;
    const lo = model.offsets[l];
    const n = layer.paramCount;
    const B = new Matrix(n, n);
    if (U.rows > 0) syrk(true, n, U.rows, weight, U.data, lo, P, 0, B.data, 0, n);
    blocks.push({ offset: lo, block: B });
  });
  return blocks;
}
