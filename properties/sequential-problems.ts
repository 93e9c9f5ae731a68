/**
 * Random problems and exact curvature blocks for the properties of
 * Sequential models: a model from a spec, parameters (PyTorch's
 * initialisation plus noise), standard normal inputs, labels drawn from the
 * model, all from one seed; and the exact Fisher's block of one weight
 * matrix, laid out like K-FAC's G ⊗ A (row-major over [W b]).
 */
import { Rng } from '../src/core/rng.js';
import type { Vec } from '../src/core/vec.js';
import type { KfacBlockLayout } from '../src/curvature/kfac-factors.js';
import { blockIndex } from '../src/curvature/kfac-factors.js';
import { curvatureFactor } from '../src/curvature/model-curvature.js';
import { Matrix } from '../src/linalg/matrix.js';
import { type Batch, Sequential, type SequentialSpec } from '../src/models/sequential.js';
import { Tensor } from '../src/models/tensor.js';

export interface SeqProblem {
  model: Sequential;
  theta: Vec;
  batch: Batch;
}

/** `edit` may overwrite parameters (a constructed network) before the labels are drawn. */
export function seqProblem(spec: SequentialSpec, N: number, seed: number, edit?: (model: Sequential, theta: Vec, rng: Rng) => void): SeqProblem {
  const rng = new Rng(seed);
  const model = new Sequential(spec);
  const theta = model.initParams(rng);
  for (let i = 0; i < theta.length; i++) theta[i] += 0.3 * rng.normal();
  edit?.(model, theta, rng);
  const x = Tensor.zeros(N, model.inputShape);
  for (let i = 0; i < x.data.length; i++) x.data[i] = rng.normal();
  return { model, theta, batch: { x, targets: model.sampleTargets(theta, x, rng) } };
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
