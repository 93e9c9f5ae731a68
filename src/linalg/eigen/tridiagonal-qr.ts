/**
 * Implicit symmetric QR with the Wilkinson shift on a small tridiagonal
 * matrix, the base case of the divide and conquer (G. Golub and C. Van Loan,
 * Matrix Computations, 4th ed., Alg. 8.3.2 and 8.3.3).
 */
import { NatgradError } from '../../core/errors.js';

const EPS = 2 ** -52;

/**
 * Diagonalizes the symmetric tridiagonal (d, e) in place (e[i] couples i and
 * i + 1; e[n − 1] is ignored) by implicit QR steps, applying each rotation to
 * rows of Zt (n x n row-major), which thus accumulates Qᵀ. Off-diagonals
 * below eps ||T|| are set to zero (deflation).
 */
export function tridiagonalQr(d: Float64Array, e: Float64Array, Zt: Float64Array, n: number, path: string): void {
  let tnorm = 0;
  for (let i = 0; i < n; i++) tnorm = Math.max(tnorm, Math.abs(d[i]) + (i < n - 1 ? Math.abs(e[i]) : 0) + (i > 0 ? Math.abs(e[i - 1]) : 0));
  const tol = EPS * tnorm;
  const maxSteps = 30 * n;
  let steps = 0;
  let hi = n - 1;
  while (hi > 0) {
    for (let i = 0; i < hi; i++) if (Math.abs(e[i]) <= tol) e[i] = 0;
    if (e[hi - 1] === 0) {
      hi--;
      continue;
    }
    let lo = hi - 1;
    while (lo > 0 && e[lo - 1] !== 0) lo--;
    if (++steps > maxSteps) {
      throw new NatgradError(path, `symmetric eigendecomposition did not converge in ${maxSteps} QR steps`);
    }
    qrStep(d, e, Zt, n, lo, hi);
  }
}

/** One implicit symmetric QR step with Wilkinson shift on the unreduced block lo..hi (GVL Alg. 8.3.2). */
function qrStep(d: Float64Array, e: Float64Array, Zt: Float64Array, n: number, lo: number, hi: number): void {
  const dd = 0.5 * (d[hi - 1] - d[hi]);
  const eh = e[hi - 1];
  const r0 = Math.hypot(dd, eh);
  const mu = d[hi] - (eh * eh) / (dd + (dd >= 0 ? r0 : -r0));
  let x = d[lo] - mu;
  let z = e[lo];
  for (let k = lo; k < hi; k++) {
    const r = Math.hypot(x, z);
    let c = 1;
    let s = 0;
    if (r !== 0) {
      c = x / r;
      s = z / r;
    }
    if (k > lo) e[k - 1] = r;
    // Similarity with the rotation R = [c s; -s c] on rows/columns k, k+1.
    const a = d[k];
    const b = e[k];
    const cc = d[k + 1];
    const cs2b = 2 * c * s * b;
    d[k] = c * c * a + cs2b + s * s * cc;
    d[k + 1] = s * s * a - cs2b + c * c * cc;
    e[k] = (c * c - s * s) * b + c * s * (cc - a);
    if (k < hi - 1) {
      x = e[k];
      z = s * e[k + 1];
      e[k + 1] *= c;
    }
    const rk = k * n;
    const rk1 = rk + n;
    for (let j = 0; j < n; j++) {
      const u = Zt[rk + j];
      const w = Zt[rk1 + j];
      Zt[rk + j] = c * u + s * w;
      Zt[rk1 + j] = c * w - s * u;
    }
  }
}
