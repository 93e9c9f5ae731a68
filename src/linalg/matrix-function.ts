import { NatgradError } from '../core/errors.js';
import { eigSymmetric } from './eigen-symmetric.js';
import { Matrix } from './matrix.js';
import { add, assertSquare, finiteMaxAbs, matmul, norm1, scale, sub } from './ops.js';
import { spectralCompose, solveMatrix } from './solve.js';
import { requireFinite } from '../core/validate.js';

const EPS = 2 ** -52;

/** Options of symmetricPower. */
export interface SymmetricPowerOptions {
  /** Eigenvalues are replaced by max(lambda, floor) before the power (Shampoo's epsilon). No floor by default. */
  floor?: number;
}

/**
 * f(a) = V diag(f(lambda_i)) Vᵀ for symmetric a = V diag(lambda) Vᵀ (exactly symmetric result).
 * Throws NatgradError when f returns a non-finite value.
 */
export function symmetricFunction(a: Matrix, f: (lambda: number) => number, path = 'matrix'): Matrix {
  const { values, vectors } = eigSymmetric(a, path);
  const w = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    w[i] = f(values[i]);
    if (!Number.isFinite(w[i])) {
      throw new NatgradError(path, `matrix function is not finite at eigenvalue ${values[i]} (got ${w[i]})`);
    }
  }
  return spectralCompose(vectors, w);
}

/**
 * a^p = V diag(max(lambda, floor)^p) Vᵀ for symmetric positive semidefinite a
 * (Shampoo preconditioners use p = -1/(2k), e.g. -1/4 for matrices; Gupta et al. 2018).
 *
 * Without a floor: for p < 0 every eigenvalue must be > 0 (else NatgradError);
 * for non-integer p > 0, eigenvalues in [-n eps max|lambda|, 0) are rounding
 * of a PSD matrix and are taken as 0, more negative ones throw. Integer p >= 0
 * accept any symmetric a.
 */
export function symmetricPower(a: Matrix, p: number, opts: SymmetricPowerOptions = {}, path = 'matrix'): Matrix {
  requireFinite(p, 'p', 'a finite number (the power)');
  const { floor } = opts;
  if (floor !== undefined) requireFinite(floor, 'floor');
  const { values, vectors } = eigSymmetric(a, path);
  const n = values.length;
  let top = 0;
  for (const v of values) top = Math.max(top, Math.abs(v));
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let lam = values[i];
    if (floor !== undefined) lam = Math.max(lam, floor);
    else if (p < 0 && lam <= 0) {
      throw new NatgradError(
        path,
        `matrix power ${p} needs a positive definite matrix, but eigenvalue ${lam} <= 0; pass a floor (e.g. { floor: 1e-12 }) or add damping`,
      );
    } else if (!Number.isInteger(p) && lam < 0) {
      if (lam < -n * EPS * top) {
        throw new NatgradError(path, `matrix power ${p} needs a positive semidefinite matrix, but eigenvalue ${lam} < 0`);
      }
      lam = 0;
    }
    w[i] = lam ** p;
    if (!Number.isFinite(w[i])) {
      throw new NatgradError(path, `matrix power ${p} is not finite at eigenvalue ${lam} (floor ${floor}); use a positive floor`);
    }
  }
  return spectralCompose(vectors, w);
}

/** Matrix exponential of a symmetric matrix through its eigendecomposition, V diag(exp(lambda)) Vᵀ. */
export function expmSymmetric(a: Matrix): Matrix {
  return symmetricFunction(a, Math.exp);
}

// Padé [m/m] coefficients of exp, b_j = (2m - j)! m! / ((2m)! j! (m - j)!) rescaled to integers (Higham 2005, Table 2.3 / eq. 2.2).
const PADE: Record<number, readonly number[]> = {
  3: [120, 60, 12, 1],
  5: [30240, 15120, 3360, 420, 30, 1],
  7: [17297280, 8648640, 1995840, 277200, 25200, 1512, 56, 1],
  9: [17643225600, 8821612800, 2075673600, 302702400, 30270240, 2162160, 110880, 3960, 90, 1],
  13: [
    64764752532480000, 32382376266240000, 7771770303897600, 1187353796428800, 129060195264000, 10559470521600, 670442572800, 33522128640, 1323241920, 40840800,
    960960, 16380, 182, 1,
  ],
};

/** Largest 1-norm for which Padé degree m gives backward error below unit roundoff (Higham 2005, Table 2.3). */
const THETA: readonly [number, number][] = [
  [3, 1.495585217958292e-2],
  [5, 2.53939833006323e-1],
  [7, 9.504178996162932e-1],
  [9, 2.097847961257068],
];
const THETA13 = 5.371920351148152;

/** The Padé coefficients used by expm, exposed so tests can check them against the closed form. */
export const EXPM_PADE_COEFFICIENTS: Readonly<Record<number, readonly number[]>> = PADE;

/** sum_k c_k M_k + c_I I for a list of (coefficient, matrix) pairs. */
function combine(n: number, terms: readonly [number, Matrix][], identityCoef: number): Matrix {
  const out = new Matrix(n, n);
  const C = out.data;
  for (const [c, m] of terms) for (let i = 0; i < C.length; i++) C[i] += c * m.data[i];
  for (let i = 0; i < n; i++) C[i * n + i] += identityCoef;
  return out;
}

/**
 * Matrix exponential of a general square matrix by scaling and squaring with
 * Padé approximants of degree 3, 5, 7, 9 or 13 (Higham, "The scaling and
 * squaring method for the matrix exponential revisited", SIAM J. Matrix Anal.
 * Appl. 26(4), 2005, Alg. 2.3). Backward error below unit roundoff in exact
 * arithmetic; the forward error is governed by the conditioning of exp at a.
 * Natural evolution strategies update a factor as B expm(M), not B ∘ exp(M).
 */
export function expm(a: Matrix, path = 'matrix'): Matrix {
  assertSquare(a, path);
  const n = a.rows;
  finiteMaxAbs(a, path);
  if (n === 0) return new Matrix(0, 0);
  const nrm = norm1(a);
  const A2 = matmul(a, a);
  for (const [m, theta] of THETA) {
    if (nrm <= theta) {
      const b = PADE[m];
      // U = a (sum of odd terms), V = sum of even terms, built from powers of A2.
      const pows: Matrix[] = [A2];
      for (let k = 2; 2 * k <= m; k++) pows.push(matmul(pows[k - 2], A2));
      const oddTerms: [number, Matrix][] = [];
      const evenTerms: [number, Matrix][] = [];
      for (let k = 1; 2 * k <= m; k++) {
        oddTerms.push([b[2 * k + 1], pows[k - 1]]);
        evenTerms.push([b[2 * k], pows[k - 1]]);
      }
      const U = matmul(a, combine(n, oddTerms, b[1]));
      const V = combine(n, evenTerms, b[0]);
      return solveMatrix(sub(V, U), add(V, U));
    }
  }
  const s = Math.max(0, Math.ceil(Math.log2(nrm / THETA13)));
  const f = 2 ** -s;
  const As = scale(f, a);
  const B2 = scale(f * f, A2);
  const B4 = matmul(B2, B2);
  const B6 = matmul(B4, B2);
  const b = PADE[13];
  // Degree 13 (Higham's eq. 2.3): with terms(k) = b[k+6] B6 + b[k+4] B4 + b[k+2] B2, the
  // odd (o = 1) and even (o = 0) parts are B6 terms(o + 6) + terms(o) + b[o] I.
  const terms = (k: number) => [B6, B4, B2].map((B, i): [number, Matrix] => [b[k + 6 - 2 * i], B]);
  const part = (o: number): Matrix => add(matmul(B6, combine(n, terms(o + 6), 0)), combine(n, terms(o), b[o]));
  const U = matmul(As, part(1));
  const V = part(0);
  let R = solveMatrix(sub(V, U), add(V, U));
  for (let k = 0; k < s; k++) R = matmul(R, R);
  for (let i = 0; i < R.data.length; i++) {
    if (!Number.isFinite(R.data[i])) throw new NatgradError(path, `matrix exponential overflows (1-norm of the input is ${nrm})`);
  }
  return R;
}
