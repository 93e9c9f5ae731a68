/**
 * Block-diagonal curvature: one dense block per layer, the exact curvature
 * restricted to that layer's parameters (W_l row-major then b_l, contiguous
 * in the parameter vector), cross-layer terms dropped. With one layer it is
 * the full curvature. Blocks are formed from the factor columns, so the cost
 * is sum_l P_l² R rather than P² R.
 *
 * Reference: J. Martens and R. Grosse, "Optimizing neural networks with
 * Kronecker-factored approximate curvature", ICML 2015 (the block-diagonal
 * approximation K-FAC factorizes further).
 */
import type { Vec } from '../core/vec.js';
import type { LinearOperator } from '../linalg/linear-operator.js';
import { Matrix } from '../linalg/matrix.js';
import { blockDiagonalOperator, denseOperator } from '../linalg/operators.js';
import type { Target } from '../models/likelihoods.js';
import { type LayerWeights, type MlpSpec, layerCount, layerOffsets, mlpProblem } from '../models/mlp.js';
import type { FactoredCurvatureKind } from './low-rank.js';
import { curvatureFactor, factorLayerBlocks as modelLayerBlocks } from './model-curvature.js';
import { type StabilityOptions, stabilize } from './stability.js';

/** The per-layer blocks C_ll = c sum_r u_r[l] u_r[l]ᵀ of a factored curvature (c the reduction's factor), in layer order. */
export function curvatureLayerBlocks(
  spec: MlpSpec,
  weights: readonly LayerWeights[],
  inputs: readonly Vec[],
  targets: readonly Target[],
  kind: FactoredCurvatureKind,
): Matrix[] {
  const { model, theta, batch } = mlpProblem(spec, weights, inputs, targets);
  return modelLayerBlocks(model, curvatureFactor(model, theta, batch, kind)).map((b) => b.block);
}

/** The diagonal blocks of a dense P x P matrix at the layer boundaries of `spec`. */
export function layerBlocksOf(spec: MlpSpec, C: Matrix): Matrix[] {
  const offsets = layerOffsets(spec);
  const P = C.rows;
  return Array.from({ length: layerCount(spec) }, (_, l) => {
    const lo = offsets[l];
    const n = offsets[l + 1] - lo;
    const B = new Matrix(n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) B.data[i * n + j] = C.data[(lo + i) * P + lo + j];
    return B;
  });
}

/** diag(C_11, ..., C_LL) as an operator in parameter order. */
export function blockDiagonalCurvatureOperator(blocks: readonly Matrix[]): LinearOperator {
  return blockDiagonalOperator(blocks.map((B) => denseOperator(B)));
}

/** The block-wise stabilized inverse diag(stab(C_11)⁻¹, ...), each block symmetric positive definite. */
export function blockDiagonalInverse(blocks: readonly Matrix[], o: StabilityOptions = {}): LinearOperator {
  return blockDiagonalOperator(blocks.map((B, l) => stabilize(B, o, `blocks[${l}]`).inverse));
}
