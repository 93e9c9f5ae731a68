/**
 * Shampoo preconditioners for one matrix parameter: with gradients G_1..G_T
 * (m x n), L = (ε I_m + Σ G_t G_tᵀ)^(-1/4), R = (ε I_n + Σ G_tᵀ G_t)^(-1/4) and
 * the update L G_T R. The exponent is -1/(2k) for an order-k tensor: -1/4 for
 * a matrix (not -1/2).
 *
 * Reference: V. Gupta, T. Koren and Y. Singer, "Shampoo: preconditioned
 * stochastic tensor optimization", ICML 2018, Algorithm 1.
 */
import { NatgradError } from '../core/errors.js';
import { scaleExact } from '../core/wide.js';
import { requireFiniteEntries, requireNonNegative, requirePath } from '../core/validate.js';
import { isMatrix, Matrix } from '../linalg/matrix.js';
import { eigSymmetric } from '../linalg/eigen-symmetric.js';
import { addScaledIdentity, matmul, matmulNT, matmulTN } from '../linalg/ops.js';
import { spectralCompose } from '../linalg/solve.js';

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
    if (!isMatrix(G) || G.rows !== rows || G.cols !== cols || rows === 0 || cols === 0) {
      const got = isMatrix(G) ? `${G.rows} x ${G.cols}` : typeof G;
      throw new NatgradError(`${path}.gradients[${t}]`, `must be a ${rows} x ${cols} matrix (the shape of gradients[0], non-empty), got ${got}`);
    }
    requireFiniteEntries(G.data, `${path}.gradients[${t}]`);
  });
  requireNonNegative(epsilon, `${path}.epsilon`);
}

/** Σ G Gᵀ (m x m) and Σ Gᵀ G (n x n) over gradients of shape m x n, summed in order. */
function gramSums(gradients: readonly Matrix[], m: number, n: number): { left: Matrix; right: Matrix } {
  const left = Matrix.zeros(m, m);
  const right = Matrix.zeros(n, n);
  for (const G of gradients) {
    const gl = matmulNT(G, G);
    const gr = matmulTN(G, G);
    for (let i = 0; i < left.data.length; i++) left.data[i] += gl.data[i];
    for (let i = 0; i < right.data.length; i++) right.data[i] += gr.data[i];
  }
  return { left, right };
}

/** The accumulated statistics ε I + Σ G Gᵀ and ε I + Σ Gᵀ G. */
export function shampooStatistics(gradients: readonly Matrix[], epsilon: number, path = 'spec'): ShampooStatistics {
  validate(gradients, epsilon, path);
  const { rows: m, cols: n } = gradients[0];
  const sums = gramSums(gradients, m, n);
  return { left: addScaledIdentity(sums.left, epsilon), right: addScaledIdentity(sums.right, epsilon) };
}

/**
 * The oracle's `shampoo` kind: L, R (symmetric inverse fourth roots through the
 * eigendecomposition) and update = L G_T R.
 *
 * The statistics are formed and decomposed in a scaled form, so that neither
 * gradients near 1e154 (whose squares overflow) nor an epsilon near 1e308
 * (whose statistic overflows the eigensolver) prevents a result float64 can
 * hold: with s a power of two above every |G entry| and c a power of two at
 * the scale of the statistic, ε I + Σ G Gᵀ = c S'' where
 * S'' = (s²/c) Σ G' G'ᵀ + (ε/c) I, G' = G/s, has entries at most about 1, and
 * L = c^(-1/4) S''^(-1/4).
 *
 * Where the statistic has eigenvalues within rounding of zero (at most
 * size·2^-52 times its largest), its -1/4 power is not determined in float64
 * and a NatgradError says so at `path.epsilon`: with ε = 0 the statistic is
 * singular; with ε > 0 epsilon is below the rounding of the statistic's scale
 * and was lost, and the message names the smallest epsilon that is resolved.
 */
export function shampooPreconditioners(gradients: readonly Matrix[], epsilon: number, path = 'spec'): { L: Matrix; R: Matrix; update: Matrix } {
  requirePath(path);
  validate(gradients, epsilon, path);
  const { rows: m, cols: n } = gradients[0];
  let big = 0;
  for (const G of gradients) for (let i = 0; i < G.data.length; i++) big = Math.max(big, Math.abs(G.data[i]));
  // s = 2^e >= every |entry|, so G' = G / s is exact (barring entries far below the largest)
  const e = big > 0 ? Math.ceil(Math.log2(big)) : 0;
  const scaled = gradients.map(
    (G) =>
      new Matrix(
        G.rows,
        G.cols,
        G.data.map((x) => scaleExact(x, -e)),
      ),
  );
  let { left, right } = gramSums(scaled, m, n);
  // c = 2^k at the scale of ε I + s² Σ G'G'ᵀ (the largest diagonal entry bounds the largest eigenvalue within a factor of the size)
  let diag = 0;
  for (let i = 0; i < m; i++) diag = Math.max(diag, left.data[i * m + i]);
  const k = Math.max(diag > 0 ? 2 * e + Math.ceil(Math.log2(diag)) : -Infinity, Math.ceil(Math.log2(epsilon)), -1074);
  // all gradients zero: the Gram sums are zero, and 2^(2e - k) may overflow (0 · Infinity would be NaN)
  const gramFactor = diag > 0 ? scaleExact(1, 2 * e - k) : 0;
  const epsilonScaled = scaleExact(epsilon, -k);
  left = addScaledIdentity(scaleInPlace(left, gramFactor), epsilonScaled);
  right = addScaledIdentity(scaleInPlace(right, gramFactor), epsilonScaled);
  const rootScale = scaleExact(1, -k / 4);
  const L = inverseFourthRoot(left, rootScale, epsilon, k, path, 'ε I_m + Σ G Gᵀ');
  const R = inverseFourthRoot(right, rootScale, epsilon, k, path, 'ε I_n + Σ Gᵀ G');
  const update = matmul(matmul(L, gradients[gradients.length - 1]), R);
  return { L, R, update };
}

function scaleInPlace(M: Matrix, f: number): Matrix {
  for (let i = 0; i < M.data.length; i++) M.data[i] *= f;
  return M;
}

const EPS = 2 ** -52;

/** x · 2^k in decimal (`4.00e306`), also beyond float64's range. */
function scaledText(x: number, k: number): string {
  if (x === 0) return '0';
  const d = Math.log10(x) + k * Math.log10(2);
  let exp = Math.floor(d);
  let mant = Number((10 ** (d - exp)).toFixed(2));
  if (mant >= 10) {
    mant /= 10;
    exp += 1;
  }
  return `${mant.toFixed(2)}e${exp}`;
}

/**
 * rootScale · S''^(-1/4) for the scaled statistic S'' = S / 2^k, or a
 * NatgradError when an eigenvalue of S'' is within rounding of zero.
 */
function inverseFourthRoot(S: Matrix, rootScale: number, epsilon: number, k: number, path: string, what: string): Matrix {
  const { values, vectors } = eigSymmetric(S, `${path}.gradients`);
  let top = 0;
  let low = Infinity;
  for (const v of values) {
    top = Math.max(top, Math.abs(v));
    low = Math.min(low, v);
  }
  const resolution = S.rows * EPS * top;
  if (!(low > resolution)) {
    const gram = what.slice(what.indexOf('Σ'));
    const scale =
      `${what} has largest eigenvalue ${scaledText(top, k)}, float64 resolves its eigenvalues only to about ${scaledText(resolution, k)} ` +
      `(${S.rows}·2^-52 of the largest)`;
    if (epsilon === 0) {
      throw new NatgradError(
        `${path}.epsilon`,
        `is 0 and ${what} is singular: ${scale}, and an eigenvalue is within that of zero; its -1/4 power does not exist, epsilon > 0 makes it ` +
          `positive definite`,
      );
    }
    throw new NatgradError(
      `${path}.epsilon`,
      `${epsilon} is lost in rounding: ${scale}, and ${gram} has an eigenvalue below that (it is singular at this resolution), so the -1/4 power is ` +
        `not determined in float64; it is with an epsilon of at least ${scaledText(2 * resolution, k)}, or with gradients whose ${gram} has no ` +
        `eigenvalue below ${scaledText(resolution, k)}`,
    );
  }
  const w = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) w[i] = rootScale * values[i] ** -0.25;
  return spectralCompose(vectors, w);
}
