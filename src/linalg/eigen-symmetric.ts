import { NatgradError } from '../core/errors.js';
import { Matrix } from './matrix.js';
import { asymmetry, assertSquare, finiteMaxAbs } from './ops.js';
import { withWorkspace } from './kernels/workspace.js';
import { tridiagonalEigen } from './eigen/divide-conquer.js';
import { applyReflectors, tridiagonalize } from './eigen/householder.js';

/** Eigendecomposition a = V diag(values) Vᵀ of a symmetric matrix. */
export interface SymmetricEigen {
  /** Eigenvalues in ascending order. */
  values: Float64Array;
  /** Orthonormal eigenvectors as columns, in the order of `values`. */
  vectors: Matrix;
}

/** Relative asymmetry accepted (the input is symmetrized first); larger means the caller passed a non-symmetric matrix. */
export const EIGEN_SYMMETRY_TOL = 1e-8;

/**
 * Symmetric eigendecomposition: blocked Householder reduction to tridiagonal
 * form (eigen/householder.ts), divide and conquer on the tridiagonal
 * (eigen/divide-conquer.ts), then the eigenvectors carried back by blocks of
 * reflectors; the products run through the GEMM kernel (LAPACK's dsyevd
 * path: dsytrd, dstedc, dormtr).
 *
 * Backward stable: the result is exact for a + E with ||E|| ~ n eps ||a||, so
 * eigenvalues are accurate to ~n eps ||a|| absolutely (Weyl) and eigenvectors
 * to that over the gap; the vectors are orthogonal to ~n eps.
 *
 * The input is symmetrized ((a + aᵀ)/2) so rounding-level asymmetry is harmless.
 */
export function eigSymmetric(a: Matrix, path = 'matrix'): SymmetricEigen {
  assertSquare(a, path);
  const n = a.rows;
  const bad = asymmetry(a, EIGEN_SYMMETRY_TOL, finiteMaxAbs(a, path));
  if (bad) {
    throw new NatgradError(
      path,
      `matrix is not symmetric: entry (${bad.i}, ${bad.j}) = ${a.get(bad.i, bad.j)} but (${bad.j}, ${bad.i}) = ${a.get(bad.j, bad.i)}; a symmetric ` +
        `eigendecomposition needs a symmetric matrix`,
    );
  }
  if (n === 0) return { values: new Float64Array(0), vectors: new Matrix(0, 0) };
  return withWorkspace((ws) => {
    const A = ws.alloc(n * n);
    const H = ws.heap();
    const src = a.data;
    let big = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const v = 0.5 * (src[i * n + j] + src[j * n + i]);
        H[A + i * n + j] = v;
        big = Math.max(big, Math.abs(v));
      }
    }
    // Work on A / 2^e with 2^e near max|a|: with subnormal entries the
    // deflation thresholds eps ||T|| underflow to 0 and nothing deflates; with
    // huge ones squares overflow. A power of two scales without rounding.
    const exponent = binaryExponentOf(big);
    if (exponent !== 0) for (let i = 0; i < n; i++) scaleByPowerOfTwo(H.subarray(A + i * n, A + i * n + i + 1), -exponent);
    const d = new Float64Array(n);
    const e = new Float64Array(n);
    const refl = tridiagonalize(ws, A, n, d, e);
    const Z = ws.alloc(n * n);
    tridiagonalEigen(ws, d, e, n, Z, path);
    applyReflectors(ws, refl, n, Z, n);
    const vectors = new Matrix(n, n, ws.heap().slice(Z, Z + n * n));
    scaleByPowerOfTwo(d, exponent);
    return { values: d, vectors };
  });
}

/** The integer e with 2^e <= big < 2^(e+1), or 0 for big = 0. */
function binaryExponentOf(big: number): number {
  if (big === 0) return 0;
  let e = Math.floor(Math.log2(big));
  // log2 rounds near powers of two; settle the exponent exactly
  if (2 ** (e + 1) <= big) e++;
  else if (big < 2 ** e) e--;
  return e;
}

/** x <- 2^e x, exactly unless a result is subnormal; done in two factors so 2^e itself never overflows or underflows. */
function scaleByPowerOfTwo(x: Float64Array, e: number): void {
  if (e === 0) return;
  const h = Math.trunc(e / 2);
  const f1 = 2 ** h;
  const f2 = 2 ** (e - h);
  for (let i = 0; i < x.length; i++) x[i] = x[i] * f1 * f2;
}
