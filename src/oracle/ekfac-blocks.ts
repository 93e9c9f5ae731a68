/**
 * EKFAC's dense layer blocks and damped updates for the oracle:
 * matrix = (U_G ⊗ U_A) diag(vec_row S) (U_G ⊗ U_A)ᵀ and
 * vec_row(update) = (matrix + λI)^-1 vec_row(gradient), computed in the
 * eigenbasis as U_G [(U_Gᵀ gradient U_A) / (S + λ)] U_Aᵀ. Both are independent
 * of the eigenvectors' signs and of the order of equal eigenvalues.
 */
import { ekfacLayers } from '../curvature/ekfac.js';
import { KFAC_RCOND, type KfacFactors } from '../curvature/kfac.js';
import { Matrix } from '../linalg/matrix.js';
import { kron, matmul, matmulNT, matmulTN } from '../linalg/ops.js';
import type { ModelProblem } from './model-spec.js';
import { eigenvalueCut } from '../linalg/eigen-cut.js';

/**
 * Per layer, the block and the update. `scale` rescales the library's
 * corrected eigenvalues (mean loss) to the spec's convention; `layers` holds
 * the gradients in that convention.
 */
export function ekfacBlocks(problem: ModelProblem, fisher: 'fisher' | 'empirical-fisher', scale: number, layers: readonly KfacFactors[], damping: number): { matrix: Matrix; update: Matrix }[] {
  const { spec, weights, inputs, targets } = problem;
  return ekfacLayers(spec, weights, inputs, targets, fisher).map(({ QG, QA, scalings }, l) => {
    const S = scalings.data.map((x) => scale * x);
    const Q = kron(QG, QA);
    const n = Q.rows;
    const QS = new Matrix(n, n, Q.data.slice());
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) QS.data[i * n + j] *= S[j];
    const matrix = matmulNT(QS, Q);
    const cut = eigenvalueCut(S.map((s) => s + damping), KFAC_RCOND);
    const rotated = matmul(matmulTN(QG, layers[l].gradient), QA);
    for (let t = 0; t < rotated.data.length; t++) {
      const d = S[t] + damping;
      rotated.data[t] = Math.abs(d) <= cut ? 0 : rotated.data[t] / d;
    }
    const update = matmulNT(matmul(QG, rotated), QA);
    return { matrix, update };
  });
}
