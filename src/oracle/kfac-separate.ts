/**
 * K-FAC with the bias in its own block (curvlinops' separate_weight_and_bias,
 * BackPACK's KFAC/KFLR): from the joint factors, the weight block is G ⊗ A_w
 * with A_w the input block of A (inputs without the appended 1) and the bias
 * block is G alone. The weight update follows the joint damping schemes; the
 * bias update is (G + λI)^-1 db (`exact`) or (G + sqrt(λ) I)^-1 db (`factored`,
 * `pi-factored`).
 */
import { type KfacDampingScheme, type KfacFactors, kfacUpdate } from '../curvature/kfac.js';
import { Matrix } from '../linalg/matrix.js';
import { dampedSolve } from '../linalg/solve.js';

export interface SeparateBiasLayer {
  /** in x in */
  A: Matrix;
  /** out x in */
  gradient: Matrix;
  /** out x in */
  update: Matrix;
  biasGradient: Float64Array;
  biasUpdate: Float64Array;
}

/** The separate-bias layer from joint factors whose last row/column of A and last gradient column belong to the bias. */
export function separateBiasLayer(joint: KfacFactors, damping: number, scheme: KfacDampingScheme): SeparateBiasLayer {
  const k = joint.A.cols;
  const inp = k - 1;
  const out = joint.G.rows;
  const A = new Matrix(inp, inp);
  for (let i = 0; i < inp; i++) A.data.set(joint.A.data.subarray(i * k, i * k + inp), i * inp);
  const gradient = new Matrix(out, inp);
  const biasGradient = new Float64Array(out);
  for (let i = 0; i < out; i++) {
    gradient.data.set(joint.gradient.data.subarray(i * k, i * k + inp), i * inp);
    biasGradient[i] = joint.gradient.data[i * k + inp];
  }
  const update = kfacUpdate({ A, G: joint.G, gradient }, damping, scheme).update;
  const biasDamping = scheme === 'exact' ? damping : Math.sqrt(damping);
  const biasUpdate = dampedSolve(joint.G, biasDamping, biasGradient).x;
  return { A, gradient, update, biasGradient, biasUpdate };
}
