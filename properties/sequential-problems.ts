/**
 * Random problems and exact curvature blocks for the properties of
 * Sequential models: a model from a spec, its parameters and inputs drawn
 * per entry by fast-check (so a failure shrinks to simple values), labels
 * sampled from the model with a seed drawn alongside; and the exact Fisher's
 * block of one weight matrix, laid out like K-FAC's G ⊗ A (row-major over
 * [W b]).
 */
import fc from 'fast-check';
import { Rng } from '../src/core/rng.js';
import type { Vec } from '../src/core/vec.js';
import type { KfacBlockLayout } from '../src/curvature/kfac-factors.js';
import { blockIndex } from '../src/curvature/kfac-factors.js';
import { curvatureFactor } from '../src/curvature/model-curvature.js';
import { Matrix } from '../src/linalg/matrix.js';
import { type Batch, Sequential, type SequentialSpec } from '../src/models/sequential.js';
import { Tensor } from '../src/models/tensor.js';
import { randomnessSeed, signedMagnitude } from './arbitraries/matrices.js';

export interface SeqProblem {
  model: Sequential;
  theta: Vec;
  batch: Batch;
}

/**
 * The data of one problem: parameters of magnitude in [0.05, 1] and inputs
 * in [0.05, 2], either sign, per entry, and the seed of the labels' draw
 * from the model (the sampling's own randomness). No entry is 0, as none is
 * in a generic network: a zero weight can make a Jacobian vanish exactly,
 * leaving rounding noise of its intermediate terms against an allowance
 * scaled by the (zero) result.
 */
export interface SeqData {
  theta: number[];
  x: number[];
  labelSeed: number;
}

/** Data for N examples of the model of `spec`: drawn for the largest model a case builds, smaller ones take the leading entries. */
export function seqDataArb(spec: SequentialSpec, N: number): fc.Arbitrary<SeqData> {
  const model = new Sequential(spec);
  const inputs = N * model.inputShape.reduce((a, b) => a * b, 1);
  return fc.record({
    theta: fc.array(signedMagnitude(0.05, 1), { minLength: model.paramCount, maxLength: model.paramCount }),
    x: fc.array(signedMagnitude(0.05, 2), { minLength: inputs, maxLength: inputs }),
    labelSeed: randomnessSeed,
  });
}

/**
 * The problem of `spec` on the leading entries of `data` (layers that come
 * first have their parameters first); `edit` may overwrite parameters (a
 * constructed network) before the labels are drawn.
 */
export function seqProblem(spec: SequentialSpec, N: number, data: SeqData, edit?: (model: Sequential, theta: Vec) => void): SeqProblem {
  const model = new Sequential(spec);
  const theta = Float64Array.from(data.theta.slice(0, model.paramCount));
  const x = Tensor.zeros(N, model.inputShape);
  if (theta.length < model.paramCount || data.x.length < x.data.length)
    throw new Error(`the data (${data.theta.length} parameters, ${data.x.length} inputs) are too small for the model (${model.paramCount}, ${x.data.length})`);
  edit?.(model, theta);
  x.data.set(data.x.slice(0, x.data.length));
  return { model, theta, batch: { x, targets: model.sampleTargets(theta, x, new Rng(data.labelSeed)) } };
}

/**
 * The exact Fisher's block of one weight matrix, entry (p, q) for p = i cols + j
 * the entry (i, j) of [W b]: c Σ_rows U[row, p] U[row, q] over the columns of
 * the block only (cheaper than the whole P x P matrix).
 */
export function exactFisherBlocks(p: SeqProblem, layouts: readonly KfacBlockLayout[]): Matrix[] {
  const { U, weight } = curvatureFactor(p.model, p.theta, p.batch, 'fisher');
  const P = U.cols;
  return layouts.map((b) => {
    const n = b.out * b.cols;
    const idx = Int32Array.from({ length: n }, (_, k) => blockIndex(b, Math.floor(k / b.cols), k % b.cols));
    const B = new Matrix(n, n);
    for (let r = 0; r < U.rows; r++) {
      const o = r * P;
      for (let k = 0; k < n; k++) {
        const u = weight * U.data[o + idx[k]];
        if (u === 0) continue;
        for (let l = 0; l < n; l++) B.data[k * n + l] += u * U.data[o + idx[l]];
      }
    }
    return B;
  });
}

/** max |a - b| / max |b|: the gap of an approximation a to the exact b, relative to b's largest entry. */
export function relativeGap(a: Matrix, b: Matrix): number {
  if (a.rows !== b.rows || a.cols !== b.cols) return Infinity;
  let worst = 0;
  let scale = 1e-300;
  for (let i = 0; i < b.data.length; i++) {
    worst = Math.max(worst, Math.abs(a.data[i] - b.data[i]));
    scale = Math.max(scale, Math.abs(b.data[i]));
  }
  return worst / scale;
}
