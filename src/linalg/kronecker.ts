import type { Vec } from '../core/vec.js';
import { NatgradError } from '../core/errors.js';
import { choleskyInverses } from './cholesky.js';
import type { LinearOperator } from './linear-operator.js';
import { Matrix } from './matrix.js';
import { addScaledIdentity, assertVecLength, kron, matmul, matmulNT, matmulTN } from './ops.js';

/**
 * The Kronecker product a ⊗ b as an operator, never formed.
 *
 * Vec convention: ROW-MAJOR. A vector x of length a.cols b.cols is read as
 * X = unvecRow(x, a.cols, b.cols) and
 *   (a ⊗ b) vecRow(X) = vecRow(a X bᵀ),
 * consistent with kron(a, b) (block (i, j) = a_ij b). Under the column-major
 * vec of textbooks the same matrix acts as vec(b X aᵀ) instead; mixing the two
 * conventions silently swaps the factors (curvlinops#182). For a weight W of
 * shape out x in stored row-major, the K-FAC block is G ⊗ A with G the
 * out x out output-gradient factor and A the in x in input factor.
 *
 * Cost: two small products, O(p q (m + n)) instead of O(m n p q).
 */
export function kroneckerOperator(a: Matrix, b: Matrix): LinearOperator {
  const m = a.rows;
  const n = a.cols;
  const p = b.rows;
  const q = b.cols;
  const shape = [m * p, n * q] as const;
  return {
    shape,
    matvec(x: Vec): Vec {
      assertVecLength(x, n * q, 'vector');
      const X = new Matrix(n, q, x);
      // a X bᵀ in the cheaper association.
      const leftFirst = m * n * q + m * q * p;
      const rightFirst = n * q * p + m * n * p;
      return (leftFirst <= rightFirst ? matmulNT(matmul(a, X), b) : matmul(a, matmulNT(X, b))).data;
    },
    rmatvec(y: Vec): Vec {
      assertVecLength(y, m * p, 'vector');
      const Y = new Matrix(m, p, y);
      // (a ⊗ b)ᵀ = aᵀ ⊗ bᵀ: vecRow(aᵀ Y b).
      const leftFirst = n * m * p + n * p * q;
      const rightFirst = m * p * q + n * m * q;
      return (leftFirst <= rightFirst ? matmul(matmulTN(a, Y), b) : matmulTN(a, matmul(Y, b))).data;
    },
    dense: () => kron(a, b),
  };
}

/**
 * (a + lambdaA I)⁻¹ ⊗ (b + lambdaB I)⁻¹ as an operator, for symmetric positive
 * semidefinite factors (K-FAC with factored damping, Martens and Grosse 2015,
 * §6.3). Each damped factor is inverted once by Cholesky; throws NatgradError
 * when a damped factor is not positive definite. Same vec convention as
 * kroneckerOperator.
 */
export function kroneckerInverseOperator(a: Matrix, b: Matrix, lambdaA = 0, lambdaB = 0): LinearOperator {
  // both inverses at once (on two threads when allowed); a's error first, as when they ran in turn
  const [ai, bi] = choleskyInverses([lambdaA === 0 ? a : addScaledIdentity(a, lambdaA), lambdaB === 0 ? b : addScaledIdentity(b, lambdaB)], ['a', 'b']);
  if (ai instanceof NatgradError) throw ai;
  if (bi instanceof NatgradError) throw bi;
  return kroneckerOperator(ai, bi);
}
