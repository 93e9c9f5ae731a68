import type { Vec } from '../core/vec.js';
import { Cholesky } from './cholesky.js';
import type { LinearOperator } from './linear-operator.js';
import { Matrix } from './matrix.js';
import { addScaledIdentity, assertVecLength, matmul, matmulTN, matTvec, matvec, transpose } from './ops.js';
import { requirePositive } from '../core/validate.js';

/**
 * (lambda I + U Uᵀ)⁻¹ for U of shape n x k and lambda > 0, by the Woodbury identity
 *   (lambda I + U Uᵀ)⁻¹ = (I - U (lambda I_k + UᵀU)⁻¹ Uᵀ) / lambda,
 * so only a k x k Cholesky factorization is needed (k = number of examples
 * for an empirical Fisher: O(n k²) setup, O(n k) per product).
 * The subtraction loses about log10(1 + ||U||² / lambda) digits, the
 * condition number of lambda I + U Uᵀ, which is inherent to the problem.
 */
export function lowRankPlusDampingInverse(U: Matrix, lambda: number): LinearOperator {
  requirePositive(lambda, 'lambda', 'the damping; lambda I + U Uᵀ is singular when lambda = 0 and k < n');
  const n = U.rows;
  const inner = new Cholesky(addScaledIdentity(matmulTN(U, U), lambda), 'U');
  const apply = (x: Vec): Vec => {
    assertVecLength(x, n, 'vector');
    const c = inner.solve(matTvec(U, x));
    const uc = matvec(U, c);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = (x[i] - uc[i]) / lambda;
    return out;
  };
  return {
    shape: [n, n] as const,
    matvec: apply,
    rmatvec: apply,
    dense() {
      // (I - U C⁻¹ Uᵀ) / lambda with C⁻¹ Uᵀ from one multi-right-hand-side solve.
      const W = matmul(U, inner.solveMatrix(transpose(U)));
      const out = new Matrix(n, n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) {
          const v = ((i === j ? 1 : 0) - 0.5 * (W.data[i * n + j] + W.data[j * n + i])) / lambda;
          out.data[i * n + j] = v;
          out.data[j * n + i] = v;
        }
      }
      return out;
    },
  };
}

/** x = (lambda I + U Uᵀ)⁻¹ b by the Woodbury identity (see lowRankPlusDampingInverse). */
export function lowRankPlusDampingSolve(U: Matrix, lambda: number, b: Vec): Vec {
  return lowRankPlusDampingInverse(U, lambda).matvec(b);
}
