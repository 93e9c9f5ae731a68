/**
 * Exact variances of statistics that are quadratic in a label-dependent
 * gradient, the standard errors of Monte Carlo curvature estimates.
 *
 * For one example, the gradient (of the loss, pulled back to the parameters
 * or to a layer's outputs) is v(y) = sum_t u_t(y_t), one independent term
 * per output position, each of mean zero under y_t ~ p(. | f_t) (the score
 * has mean zero). Write each u_t through the label outcomes of its position
 * (OutputLoss.labelOutcomes): for a discrete label, u_t takes the value U_k
 * with probability p_k; for a normal label, u_t is normal with covariance
 * sum_k U_k U_kᵀ. With the weighted rows Ũ_k = sqrt(p_k) U_k (normal: U_k),
 * second moments are sums of Ũ Ũᵀ, and by independence across positions and
 * Isserlis' theorem within a normal one, the variance of
 * Q_ij = sum_r v_{r,i} v_{r,j} (r over the R positions that share a weight
 * matrix; R = 1 for a plain vector) is
 *
 *   sum over pairs of rows a, b of different positions of (X_ab,ij + X_ab,ji)²  (unordered pairs)
 *   + for a normal label: the same over pairs of one position, and 2 X_aa,ij² per row
 *   + for a discrete label, per position t: sum_k X_kk,ij² / p_k - (sum_k X_kk,ij)²
 *
 * with X_ab = Ũ_aᵀ Ũ_b (R x m by R x m). For R = 1 the pair sums collapse to
 * C_ii C_jj + C_ij² with C = sum_a Ũ_a Ũ_aᵀ the example's second moment, less
 * the same within each discrete position. An M-sample Monte Carlo estimate
 * c sum_n (1/M) sum_s Q(y_ns) then has standard error
 * sqrt(c² sum_n Var_n(Q) / M).
 *
 * Reference: L. Isserlis, "On a formula for the product-moment coefficient of
 * any order of a normal frequency distribution in any number of variables",
 * Biometrika 12, 1918 (fourth moments of a normal vector).
 */
import type { LabelOutcomes } from '../models/output-loss.js';

/**
 * The weights that turn outcome rows into Ũ: sqrt(p) for a discrete label, 1
 * for a normal one (one entry per row of `outcomes`).
 */
export function outcomeWeights(outcomes: LabelOutcomes): Float64Array {
  const n = outcomes.rows.batch;
  if (outcomes.probability === null) return new Float64Array(n).fill(1);
  return outcomes.probability.map(Math.sqrt);
}

/**
 * sum_n Var_n(v_i v_j) for vector statistics (R = 1): `U` holds the weighted
 * rows Ũ (N S rows of m entries, S per example), `probability` the outcome
 * probabilities (null for a normal label). Returns the m x m matrix of summed
 * variances, or only its diagonal (length m) when `diagonalOnly`.
 */
export function vectorStatisticVariance(
  U: Float64Array,
  N: number,
  S: number,
  m: number,
  position: Int32Array,
  probability: Float64Array | null,
  diagonalOnly: boolean,
): Float64Array {
  const out = new Float64Array(diagonalOnly ? m : m * m);
  const C = new Float64Array(diagonalOnly ? m : m * m);
  const T = position.length === 0 ? 0 : position[S - 1] + 1;
  const perPosition = T === 0 ? 0 : S / T;
  const Mt = new Float64Array(diagonalOnly ? m : m * m);
  const Qt = new Float64Array(diagonalOnly ? m : m * m);
  for (let n = 0; n < N; n++) {
    C.fill(0);
    for (let a = 0; a < S; a++) addOuter(C, U, (n * S + a) * m, m, 1, diagonalOnly);
    // the all-pairs part: C_ii C_jj + C_ij²
    if (diagonalOnly) for (let i = 0; i < m; i++) out[i] += 2 * C[i] * C[i];
    else for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) out[i * m + j] += C[i * m + i] * C[j * m + j] + C[i * m + j] * C[i * m + j];
    if (probability === null) continue;
    // a discrete position: its own pairs leave the all-pairs part, its fourth moment enters
    for (let t = 0; t < T; t++) {
      Mt.fill(0);
      Qt.fill(0);
      for (let k = 0; k < perPosition; k++) {
        const row = n * S + t * perPosition + k;
        const p = probability[row];
        addOuter(Mt, U, row * m, m, 1, diagonalOnly);
        if (p > 0) addSquaredOuter(Qt, U, row * m, m, 1 / p, diagonalOnly);
      }
      if (diagonalOnly) for (let i = 0; i < m; i++) out[i] += Qt[i] - 3 * Mt[i] * Mt[i];
      else {
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < m; j++) {
            const mij = Mt[i * m + j];
            out[i * m + j] += Qt[i * m + j] - Mt[i * m + i] * Mt[j * m + j] - 2 * mij * mij;
          }
        }
      }
    }
  }
  return out;
}

/** M += w u uᵀ (or its diagonal) for the row u = U[o .. o + m]. */
function addOuter(M: Float64Array, U: Float64Array, o: number, m: number, w: number, diagonalOnly: boolean): void {
  if (diagonalOnly) {
    for (let i = 0; i < m; i++) M[i] += w * U[o + i] * U[o + i];
    return;
  }
  for (let i = 0; i < m; i++) {
    const ui = w * U[o + i];
    if (ui === 0) continue;
    for (let j = 0; j < m; j++) M[i * m + j] += ui * U[o + j];
  }
}

/** M_ij += w u_i² u_j² (or its diagonal). */
function addSquaredOuter(M: Float64Array, U: Float64Array, o: number, m: number, w: number, diagonalOnly: boolean): void {
  if (diagonalOnly) {
    for (let i = 0; i < m; i++) M[i] += w * U[o + i] ** 4;
    return;
  }
  for (let i = 0; i < m; i++) {
    const ui = w * U[o + i] * U[o + i];
    if (ui === 0) continue;
    for (let j = 0; j < m; j++) M[i * m + j] += ui * U[o + j] * U[o + j];
  }
}

/**
 * sum_n Var_n(Q_ij), Q_ij = sum_r v_{r,i} v_{r,j}, for a statistic shared by
 * R positions: `U` holds the weighted rows Ũ as N S blocks of R x m (row
 * block n S + a, position-major), `probability` as in
 * vectorStatisticVariance. Returns m x m. Cost S² R m² per example.
 */
export function sharedStatisticVariance(
  U: Float64Array,
  N: number,
  S: number,
  R: number,
  m: number,
  position: Int32Array,
  probability: Float64Array | null,
): Float64Array {
  const out = new Float64Array(m * m);
  const X = new Float64Array(m * m);
  const T = S === 0 ? 0 : position[S - 1] + 1;
  const perPosition = T === 0 ? 0 : S / T;
  const Z = new Float64Array(m * m);
  const Q = new Float64Array(m * m);
  const block = R * m;
  for (let n = 0; n < N; n++) {
    for (let a = 0; a < S; a++) {
      const oa = (n * S + a) * block;
      for (let b = a; b < S; b++) {
        const sameT = position[a] === position[b];
        if (probability !== null && sameT) continue;
        crossProduct(X, U, oa, (n * S + b) * block, R, m);
        if (a === b) {
          for (let k = 0; k < m * m; k++) out[k] += 2 * X[k] * X[k];
        } else {
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < m; j++) {
              const s = X[i * m + j] + X[j * m + i];
              out[i * m + j] += s * s;
            }
          }
        }
      }
    }
    if (probability === null) continue;
    for (let t = 0; t < T; t++) {
      Z.fill(0);
      Q.fill(0);
      for (let k = 0; k < perPosition; k++) {
        const row = n * S + t * perPosition + k;
        const p = probability[row];
        if (!(p > 0)) continue;
        crossProduct(X, U, row * block, row * block, R, m);
        for (let q = 0; q < m * m; q++) {
          Z[q] += X[q];
          Q[q] += (X[q] * X[q]) / p;
        }
      }
      for (let q = 0; q < m * m; q++) out[q] += Q[q] - Z[q] * Z[q];
    }
  }
  return out;
}

/** X = Aᵀ B for the R x m blocks A = U[oa ..], B = U[ob ..]. */
function crossProduct(X: Float64Array, U: Float64Array, oa: number, ob: number, R: number, m: number): void {
  X.fill(0);
  for (let r = 0; r < R; r++) {
    const ar = oa + r * m;
    const br = ob + r * m;
    for (let i = 0; i < m; i++) {
      const ai = U[ar + i];
      if (ai === 0) continue;
      for (let j = 0; j < m; j++) X[i * m + j] += ai * U[br + j];
    }
  }
}

/** sqrt(c² v / M) entrywise: the standard error of an M-sample mean from summed per-example variances v. */
export function standardErrors(summedVariance: Float64Array, c: number, samples: number): Float64Array {
  return summedVariance.map((v) => Math.sqrt((Math.max(v, 0) * (c * c)) / samples));
}
