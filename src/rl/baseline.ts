/** The linear value baseline of the sampled policy-gradient runs. */
import type { Vec } from '../core/vec.js';
import { Matrix } from '../linalg/matrix.js';
import { solveSpd } from '../linalg/solve.js';

/** Ridge least squares: weights w minimising Σ (f_n·w - t_n)² + ridge · N · |w|². */
export function fitLinearBaseline(features: number[][], targets: ArrayLike<number>, ridge: number): Vec {
  const k = features[0].length;
  const A = Matrix.zeros(k, k);
  const b = new Float64Array(k);
  features.forEach((f, n) => {
    for (let i = 0; i < k; i++) {
      b[i] += f[i] * targets[n];
      for (let j = 0; j < k; j++) A.data[i * k + j] += f[i] * f[j];
    }
  });
  for (let i = 0; i < k; i++) A.data[i * k + i] += ridge * features.length;
  return solveSpd(A, b);
}
