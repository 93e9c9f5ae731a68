/**
 * Shampoo preconditioners for one matrix parameter: with gradients G_1..G_T
 * (m x n), L = (ε I_m + Σ G_t G_tᵀ)^(-1/4), R = (ε I_n + Σ G_tᵀ G_t)^(-1/4) and
 * the update L G_T R. The exponent is -1/(2k) for an order-k tensor: -1/4 for
 * a matrix (not -1/2).
 *
 * Reference: V. Gupta, T. Koren and Y. Singer, "Shampoo: preconditioned
 * stochastic tensor optimization", ICML 2018, Algorithm 1.
 */
import { describeValue, NatgradError } from '../core/errors.js';
import { requirePath } from '../core/validate.js';
import { isMatrix, Matrix } from '../linalg/matrix.js';
import { symmetricPower } from '../linalg/matrix-function.js';
import { addScaledIdentity, matmul, matmulNT, matmulTN } from '../linalg/ops.js';

export interface ShampooStatistics {
  /** ε I_m + Σ G_t G_tᵀ */
  left: Matrix;
  /** ε I_n + Σ G_tᵀ G_t */
  right: Matrix;
}

/** Throws unless `gradients` is a non-empty list of finite m x n matrices and ε >= 0 is finite. */
function validate(gradients: readonly Matrix[], epsilon: number, path: string): void {
  if (!Array.isArray(gradients) || gradients.length === 0) {
    throw new NatgradError(`${path}.gradients`, 'must be a non-empty array of matrices (G_1, ..., G_T)');
  }
  const first = gradients[0] as Matrix | null;
  const rows = isMatrix(first) ? first.rows : 0;
  const cols = isMatrix(first) ? first.cols : 0;
  gradients.forEach((G, t) => {
    const wellFormed = isMatrix(G);
    if (!wellFormed || G.rows !== rows || G.cols !== cols || rows === 0 || cols === 0) {
      const got = isMatrix(G) ? `${G.rows} x ${G.cols}` : typeof G;
      throw new NatgradError(`${path}.gradients[${t}]`, `must be a ${rows} x ${cols} matrix (the shape of gradients[0], non-empty), got ${got}`);
    }
    for (let i = 0; i < G.data.length; i++) {
      if (!Number.isFinite(G.data[i])) throw new NatgradError(`${path}.gradients[${t}]`, `entries must be finite numbers, entry ${i} is ${G.data[i]}`);
    }
  });
  if (!(typeof epsilon === 'number' && Number.isFinite(epsilon) && epsilon >= 0)) {
    throw new NatgradError(`${path}.epsilon`, `must be a finite number >= 0, got ${describeValue(epsilon)}`);
  }
}

/** The accumulated statistics ε I + Σ G Gᵀ and ε I + Σ Gᵀ G. */
export function shampooStatistics(gradients: readonly Matrix[], epsilon: number, path = 'spec'): ShampooStatistics {
  validate(gradients, epsilon, path);
  const { rows: m, cols: n } = gradients[0];
  let left = Matrix.zeros(m, m);
  let right = Matrix.zeros(n, n);
  for (const G of gradients) {
    const gl = matmulNT(G, G);
    const gr = matmulTN(G, G);
    for (let i = 0; i < left.data.length; i++) left.data[i] += gl.data[i];
    for (let i = 0; i < right.data.length; i++) right.data[i] += gr.data[i];
  }
  left = addScaledIdentity(left, epsilon);
  right = addScaledIdentity(right, epsilon);
  return { left, right };
}

/**
 * The oracle's `shampoo` kind: L, R (symmetric inverse fourth roots through the
 * eigendecomposition) and update = L G_T R. With ε = 0 and a singular
 * statistic the root does not exist and a NatgradError says so.
 */
export function shampooPreconditioners(gradients: readonly Matrix[], epsilon: number, path = 'spec'): { L: Matrix; R: Matrix; update: Matrix } {
  requirePath(path);
  const { left, right } = shampooStatistics(gradients, epsilon, path);
  const L = inverseFourthRoot(left, `${path}.gradients`, 'ε I_m + Σ G Gᵀ');
  const R = inverseFourthRoot(right, `${path}.gradients`, 'ε I_n + Σ Gᵀ G');
  const update = matmul(matmul(L, gradients[gradients.length - 1]), R);
  return { L, R, update };
}

function inverseFourthRoot(S: Matrix, path: string, what: string): Matrix {
  try {
    return symmetricPower(S, -0.25, {}, what);
  } catch (e) {
    if (e instanceof NatgradError) {
      throw new NatgradError(path, `${what} is singular, so its -1/4 power does not exist; use epsilon > 0 (${e.reason})`);
    }
    throw e;
  }
}
