/**
 * The affine map s = W a + b applied at R positions of every example, the one
 * place where the weight-sharing layers (linear on the last axis, conv2d on
 * its patches, attention's two projections) do their products. Rows are
 * stored position-major per example: row n R + r of an N R x fanIn array is
 * a_{n,r}. W (out x fanIn) and b sit in the layer's parameter slice at
 * `weightOffset`, W row-major, b right after it.
 */
import type { Vec } from '../../core/vec.js';
import { GEMM_THRESHOLD } from '../../linalg/ops.js';
import { type Shape, matmulStrided, shapeSize } from '../tensor.js';
import type { AffineLayout, KfacBlockShape, ParamGradient, ParamTensor } from './layer.js';

/** The names of one affine map's tensors and of its K-FAC block. */
export interface AffineNames {
  weight: string;
  bias: string;
  block: string;
}

/** `W`, `b` and the block `W`: nn.Linear's and nn.Conv2d's names. */
export const WEIGHT_AND_BIAS: AffineNames = { weight: 'W', bias: 'b', block: 'W' };

/**
 * The parameter layout of one affine map from `offset` in a layer's slice: W
 * (out x fanIn, stored with PyTorch's shape `weightShape`), then b when there
 * is a bias; its tensors, its K-FAC block and how many entries it takes.
 */
export function affineLayout(names: AffineNames, weightShape: Shape, fanIn: number, positions: number, offset: number, bias: boolean): AffineLayout {
  const out = weightShape[0];
  const biasOffset = offset + shapeSize(weightShape);
  const params: ParamTensor[] = [{ name: names.weight, shape: weightShape, offset }];
  if (bias) params.push({ name: names.bias, shape: [out], offset: biasOffset });
  const block = { name: names.block, out, fanIn, positions, weightOffset: offset, biasOffset: bias ? biasOffset : null };
  return { params, block, size: biasOffset - offset + (bias ? out : 0) };
}

/** s = A Wᵀ + b for `rows` rows of A (rows x fanIn); returns rows x out. */
export function affineForward(k: KfacBlockShape, theta: Vec, A: Float64Array, rows: number): Float64Array {
  const { out, fanIn, weightOffset, biasOffset } = k;
  const S = new Float64Array(rows * out);
  if (biasOffset !== null && rows * out * fanIn < GEMM_THRESHOLD) {
    // small products: each sum starts at the bias and adds the terms in order,
    // the rounding of the textbook loop (and of the MLP's reference vectors)
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < out; i++) {
        let t = theta[biasOffset + i];
        const w = weightOffset + i * fanIn;
        for (let j = 0; j < fanIn; j++) t += theta[w + j] * A[r * fanIn + j];
        S[r * out + i] = t;
      }
    }
    return S;
  }
  matmulStrided(false, true, rows, out, fanIn, 1, A, 0, fanIn, theta, weightOffset, fanIn, 0, S, 0, out);
  if (biasOffset !== null) addBias(S, rows, out, theta, biasOffset);
  return S;
}

function addBias(S: Float64Array, rows: number, out: number, b: Vec, offset: number): void {
  for (let r = 0; r < rows; r++) {
    const sr = r * out;
    for (let i = 0; i < out; i++) S[sr + i] += b[offset + i];
  }
}

/** Adds the column sums of the rows x out array dS to dst[offset ..]. */
function addColumnSums(dS: Float64Array, rows: number, out: number, dst: Float64Array, offset: number): void {
  for (let r = 0; r < rows; r++) {
    const sr = r * out;
    for (let i = 0; i < out; i++) dst[offset + i] += dS[sr + i];
  }
}

/**
 * The backward pass: dA = dS W ((M R) x fanIn) for dS of M R rows, M = N S
 * (row block m belongs to example floor(m / S)), or null when not wanted, and
 * the parameter gradient dW = sum dSᵀ A, db = sum of dS's rows, summed or per
 * row block m.
 */
export function affineBackward(
  k: KfacBlockShape,
  theta: Vec,
  A: Float64Array,
  dS: Float64Array,
  M: number,
  rowsPerExample: number,
  grad: ParamGradient | null,
  inputGradient: boolean,
): Float64Array | null {
  const { out, fanIn, positions: R, weightOffset } = k;
  if (grad !== null) affineParamGradient(k, A, dS, M, rowsPerExample, grad);
  if (!inputGradient) return null;
  const dA = new Float64Array(M * R * fanIn);
  matmulStrided(false, false, M * R, fanIn, out, 1, dS, 0, out, theta, weightOffset, fanIn, 0, dA, 0, fanIn);
  return dA;
}

function affineParamGradient(k: KfacBlockShape, A: Float64Array, dS: Float64Array, M: number, S: number, grad: ParamGradient): void {
  const { out, fanIn, positions: R, weightOffset, biasOffset } = k;
  const w = grad.offset + weightOffset;
  const b = biasOffset === null ? -1 : grad.offset + biasOffset;
  if (!grad.perRow) {
    if (S === 1) {
      matmulStrided(true, false, out, fanIn, M * R, 1, dS, 0, out, A, 0, fanIn, 1, grad.data, w, fanIn);
    } else {
      for (let m = 0; m < M; m++) {
        const n = Math.floor(m / S);
        matmulStrided(true, false, out, fanIn, R, 1, dS, m * R * out, out, A, n * R * fanIn, fanIn, 1, grad.data, w, fanIn);
      }
    }
    if (b >= 0) addColumnSums(dS, M * R, out, grad.data, b);
    return;
  }
  const P = grad.stride;
  const G = grad.data;
  for (let m = 0; m < M; m++) {
    const n = Math.floor(m / S);
    const row = m * P;
    if (R === 1) {
      // one position: the gradient of row m is the outer product dS_m a_nᵀ
      const d0 = m * out;
      const a0 = n * fanIn;
      for (let i = 0; i < out; i++) {
        const di = dS[d0 + i];
        const gi = row + w + i * fanIn;
        for (let j = 0; j < fanIn; j++) G[gi + j] = di * A[a0 + j];
      }
    } else {
      matmulStrided(true, false, out, fanIn, R, 1, dS, m * R * out, out, A, n * R * fanIn, fanIn, 0, G, row + w, fanIn);
    }
    if (b >= 0) {
      G.fill(0, row + b, row + b + out);
      addColumnSums(dS.subarray(m * R * out, (m + 1) * R * out), R, out, G, row + b);
    }
  }
}

/** R(s) = A Vᵀ + R(A) Wᵀ + V_b, for parameter tangent v (null: 0) and input tangent rA (null: 0). */
export function affineTangent(k: KfacBlockShape, theta: Vec, v: Vec | null, A: Float64Array, rA: Float64Array | null, rows: number): Float64Array {
  const { out, fanIn, weightOffset, biasOffset } = k;
  const rS = new Float64Array(rows * out);
  if (v !== null) {
    matmulStrided(false, true, rows, out, fanIn, 1, A, 0, fanIn, v, weightOffset, fanIn, 0, rS, 0, out);
    if (biasOffset !== null) addBias(rS, rows, out, v, biasOffset);
  }
  if (rA !== null) matmulStrided(false, true, rows, out, fanIn, 1, rA, 0, fanIn, theta, weightOffset, fanIn, 1, rS, 0, out);
  return rS;
}

/**
 * The backward pass of dS (one row block per example) and its R-derivative:
 * dA = dS W, R(dA) = R(dS) W + dS V; adds R(dW) = R(dS)ᵀ A + dSᵀ R(A) and
 * R(db) = sum of R(dS)'s rows to hv.
 */
export function affineRBackward(
  k: KfacBlockShape,
  theta: Vec,
  v: Vec,
  A: Float64Array,
  rA: Float64Array | null,
  dS: Float64Array,
  rdS: Float64Array,
  rows: number,
  hv: Vec,
  inputGradient: boolean,
): { dA: Float64Array; rdA: Float64Array } | null {
  const { out, fanIn, weightOffset, biasOffset } = k;
  matmulStrided(true, false, out, fanIn, rows, 1, rdS, 0, out, A, 0, fanIn, 1, hv, weightOffset, fanIn);
  if (rA !== null) matmulStrided(true, false, out, fanIn, rows, 1, dS, 0, out, rA, 0, fanIn, 1, hv, weightOffset, fanIn);
  if (biasOffset !== null) addColumnSums(rdS, rows, out, hv, biasOffset);
  if (!inputGradient) return null;
  const dA = new Float64Array(rows * fanIn);
  const rdA = new Float64Array(rows * fanIn);
  matmulStrided(false, false, rows, fanIn, out, 1, dS, 0, out, theta, weightOffset, fanIn, 0, dA, 0, fanIn);
  matmulStrided(false, false, rows, fanIn, out, 1, rdS, 0, out, theta, weightOffset, fanIn, 0, rdA, 0, fanIn);
  matmulStrided(false, false, rows, fanIn, out, 1, dS, 0, out, v, weightOffset, fanIn, 1, rdA, 0, fanIn);
  return { dA, rdA };
}
