/**
 * Roots of the secular equation of a rank-one modified diagonal matrix
 * D + ρ z zᵀ (d ascending and distinct, every z_j non-zero, ρ > 0):
 *   f(λ) = 1 + ρ Σ_j z_j² / (d_j − λ) = 0,
 * one root in each (d_i, d_{i+1}) and the last in (d_{K−1}, d_{K−1} + ρ zᵀz).
 *
 * Each root is found relative to the nearer of its two poles, λ = d_o + τ,
 * so that the differences d_j − λ = (d_j − d_o) − τ are computed without
 * cancellation; they are returned, because the eigenvectors (through the
 * Löwner formula) are built from them. The iteration is the two-pole rational
 * interpolation of Bunch, Nielsen and Sorensen / Li's "middle way" (as in
 * LAPACK dlaed4), safeguarded by a bracket that bisection shrinks whenever a
 * step would leave it.
 *
 * References: J. Bunch, C. Nielsen and D. Sorensen, "Rank-one modification of
 * the symmetric eigenproblem", Numer. Math. 31, 1978; R.-C. Li, "Solving
 * secular equations stably and efficiently", LAPACK Working Note 89, 1993.
 */

const EPS = 2 ** -52;
const MAX_ITERATIONS = 200;

export interface SecularRoots {
  /** the roots, ascending */
  lambda: Float64Array;
  /** delta[i K + j] = d_j − λ_i */
  delta: Float64Array;
}

/**
 * At λ = base + t: out = [ψ, ψ', φ, φ'] with ψ = ρ Σ_{j<=i} z_j²/(d_j − λ) (poles at
 * or left of d_i) and φ the same over j > i; f = 1 + ψ + φ, f' = ψ' + φ'.
 */
function evaluate(d: Float64Array, z: Float64Array, K: number, i: number, base: number, t: number, rho: number, out: Float64Array): void {
  let psi = 0;
  let dpsi = 0;
  let phi = 0;
  let dphi = 0;
  for (let j = 0; j <= i; j++) {
    const q = z[j] / (d[j] - base - t);
    psi += z[j] * q;
    dpsi += q * q;
  }
  for (let j = i + 1; j < K; j++) {
    const q = z[j] / (d[j] - base - t);
    phi += z[j] * q;
    dphi += q * q;
  }
  out[0] = rho * psi;
  out[1] = rho * dpsi;
  out[2] = rho * phi;
  out[3] = rho * dphi;
}

/**
 * `passes`, when given (length K), receives for each root the number of
 * passes of the iteration, each one evaluation of f: the solver's work, which
 * its convergence order bounds.
 */
export function secularRoots(d: Float64Array, z: Float64Array, rho: number, passes?: Uint8Array): SecularRoots {
  const sums = new Float64Array(4);
  const K = d.length;
  const lambda = new Float64Array(K);
  const delta = new Float64Array(K * K);
  let zz = 0;
  for (let j = 0; j < K; j++) zz += z[j] * z[j];
  for (let i = 0; i < K; i++) {
    const row = i * K;
    let o: number;
    let lo: number;
    let hi: number;
    let tau: number;
    if (i < K - 1) {
      // f increases on (d_i, d_{i+1}): its sign at the midpoint says which half holds the root
      const mid = 0.5 * (d[i + 1] - d[i]);
      evaluate(d, z, K, i, d[i], mid, rho, sums);
      if (1 + sums[0] + sums[2] >= 0) {
        o = i;
        lo = 0;
        hi = mid;
        tau = mid;
      } else {
        o = i + 1;
        lo = -mid;
        hi = 0;
        tau = -mid;
      }
    } else {
      o = K - 1;
      lo = 0;
      hi = rho * zz;
      tau = 0.5 * hi;
      evaluate(d, z, K, i, d[o], tau, rho, sums);
    }
    const dO = d[o];
    for (let j = 0; j < K; j++) delta[row + j] = d[j] - dO; // D_j, then δ_j = D_j − τ
    let it = 0;
    for (; it < MAX_ITERATIONS; it++) {
      if (it > 0) evaluate(d, z, K, i, dO, tau, rho, sums);
      const psi = sums[0];
      const dpsi = sums[1];
      const phi = sums[2];
      const dphi = sums[3];
      const f = 1 + psi + phi;
      if (Math.abs(f) <= 8 * EPS * (1 + Math.abs(psi) + Math.abs(phi))) break;
      if (f < 0) lo = tau;
      else hi = tau;
      const fp = dpsi + dphi;
      let eta: number;
      if (i < K - 1) {
        const di = delta[row + i] - tau;
        const di1 = delta[row + i + 1] - tau;
        const c = f - di * dpsi - di1 * dphi;
        const a = (di + di1) * f - di * di1 * fp;
        const b = di * di1 * f;
        if (c === 0) eta = b / a;
        else {
          const disc = Math.sqrt(Math.abs(a * a - 4 * b * c));
          eta = a <= 0 ? (a - disc) / (2 * c) : (2 * b) / (a + disc);
        }
      } else {
        // one pole, at d_{K−1}: f ≈ c + b/(δ − η) with b = f' δ², c = f − f' δ
        const dl = delta[row + K - 1] - tau;
        const c = f - fp * dl;
        eta = c > 0 ? dl + (fp * dl * dl) / c : NaN;
      }
      // a step against the sign of f, or not finite: Newton's
      if (!Number.isFinite(eta) || f * eta >= 0) eta = -f / fp;
      let next = tau + eta;
      if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
      if (next === tau || hi - lo <= 2 * EPS * Math.max(Math.abs(lo), Math.abs(hi))) {
        tau = next;
        break;
      }
      tau = next;
    }
    if (passes) passes[i] = it + 1;
    for (let j = 0; j < K; j++) delta[row + j] -= tau;
    lambda[i] = dO + tau;
  }
  return { lambda, delta };
}
