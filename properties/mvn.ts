/**
 * The multivariate normal's Fisher in (mu, Sigma) (issue 3, "Multivariate
 * normal"): the general formula F_{mu mu} = Sigma⁻¹, F_{mu Sigma} = 0,
 * F_{(ij),(kl)} = ½ tr(Sigma⁻¹ E_ij Sigma⁻¹ E_kl) (the catalogue's numeric form),
 * for d = 2..5 at random (mu, Sigma), against
 *  - Monte Carlo: the mean outer product of the analytic score, within
 *    z standard errors, z = zForFalseAlarm(1e-6, number of entries);
 *  - the exponential-family route J_etaᵀ ∇²A J_eta, with ∇²A and J_eta by
 *    finite differences of A(eta) = ½ hᵀΘ⁻¹h - ½ log det Θ and of eta(mu, Sigma)
 *    (natural parameters), and J_mᵀ (∇²A)⁻¹ J_m with m = (mu, Sigma + mu muᵀ)
 *    (expectation parameters: there F = (∇²A)⁻¹).
 * Sensitivity: the Sigma block without its factor ½.
 * References: Mardia, Kent & Bibby (1979), Sec. 4.2; Amari (2016), Sec. 2.2.
 */
import fc from 'fast-check';
import { Rng } from '../src/core/rng.js';
import { familyFisherMatrix } from '../src/families/catalogue.js';
import { multivariateNormal, sigmaFromTheta } from '../src/families/catalogue/multivariate-normal.js';
import { Cholesky } from '../src/linalg/cholesky.js';
import { eigSymmetric } from '../src/linalg/eigen-symmetric.js';
import { Matrix } from '../src/linalg/matrix.js';
import { frobeniusNorm, matmul, matmulTN, matvec } from '../src/linalg/ops.js';
import { solveMatrix } from '../src/linalg/solve.js';
import { hessianFD, jacobianFD } from '../src/numeric/finite-differences.js';
import { mcFisherScore } from '../src/numeric/monte-carlo.js';
import { withinStdError, zForFalseAlarm } from '../src/numeric/statistics.js';
import type { Check, CheckContext } from '../src/verify/types.js';
import { runProperty, type CaseResult } from './run-property.js';

const MKB = 'K. V. Mardia, J. T. Kent and J. M. Bibby, Multivariate Analysis, 1979, Sec. 4.2';

interface MvnCase { d: number; seed: number }
const mvnArb: fc.Arbitrary<MvnCase> = fc.record({ d: fc.integer({ min: 2, max: 5 }), seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }) });

const pairsOf = (d: number): [number, number][] => {
  const out: [number, number][] = [];
  for (let i = 0; i < d; i++) for (let j = i; j < d; j++) out.push([i, j]);
  return out;
};

/** A random point: mu ~ N(0, I), Sigma = L Lᵀ/d + ½ I (positive definite, condition bounded). */
function point(c: MvnCase): Float64Array {
  const rng = new Rng(c.seed);
  const d = c.d;
  const L = Matrix.from(Array.from({ length: d }, () => Array.from({ length: d }, () => rng.normal())));
  const S = matmul(L, transposeOf(L));
  const theta: number[] = Array.from({ length: d }, () => rng.normal());
  for (const [i, j] of pairsOf(d)) theta.push(S.get(i, j) / d + (i === j ? 0.5 : 0));
  return Float64Array.from(theta);
}

function transposeOf(A: Matrix): Matrix {
  const T = new Matrix(A.cols, A.rows);
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.cols; j++) T.set(j, i, A.get(i, j));
  return T;
}

/** The formula under test; `halfDropped` doubles the Sigma block (the sensitivity). */
function formula(d: number, theta: Float64Array, halfDropped: boolean): Matrix {
  const F = familyFisherMatrix(multivariateNormal.instance(d), multivariateNormal.instance(d).parameterizations[0], theta, {});
  if (!halfDropped) return F;
  const G = F.clone();
  for (let i = d; i < G.rows; i++) for (let j = d; j < G.cols; j++) G.set(i, j, 2 * G.get(i, j));
  return G;
}

/** Score of log N(x; mu, Sigma) in (mu, upper triangle of Sigma): P r, and ½(P r rᵀ P - P)_ij, doubled off the diagonal. */
function score(d: number, P: Matrix, mu: Float64Array, x: Float64Array): Float64Array {
  const r = Float64Array.from(mu, (m, i) => x[i] - m);
  const Pr = matvec(P, r);
  const out = Array.from(Pr);
  for (const [i, j] of pairsOf(d)) out.push((i === j ? 0.5 : 1) * (Pr[i] * Pr[j] - P.get(i, j)));
  return Float64Array.from(out);
}

/** z for a false-alarm rate of 1e-6 over every entry of every case of the run (Bonferroni). */
function monteCarloCase(c: MvnCase, samples: number, cases: number, halfDropped: boolean): CaseResult {
  const inst = multivariateNormal.instance(c.d);
  const theta = point(c);
  const P = new Cholesky(sigmaFromTheta(theta, c.d)).inverse();
  const mu = theta.subarray(0, c.d);
  const est = mcFisherScore(samples, new Rng(c.seed ^ 0x5bd1e995), (rng) => inst.sample(rng, theta, {}) as Float64Array, (x) => score(c.d, P, mu, x));
  const F = formula(c.d, theta, halfDropped);
  const n = F.rows;
  const z = zForFalseAlarm(1e-6, cases * ((n * (n + 1)) / 2));
  const check = withinStdError(est.value, est.stdError, F, z);
  return { ratio: check.worst.zScore / z, what: `d = ${c.d}, ${samples} samples: worst entry ${check.worst.index} at ${check.worst.zScore.toFixed(2)} standard errors (limit z = ${z.toFixed(2)})` };
}

/** eta(mu, Sigma) = (Sigma⁻¹ mu, -½ P_ii, -P_ij for i < j), in the catalogue's statistic order. */
function natural(d: number, theta: Float64Array): Float64Array {
  const P = new Cholesky(sigmaFromTheta(theta, d)).inverse();
  const h = matvec(P, theta.subarray(0, d));
  return Float64Array.from([...h, ...pairsOf(d).map(([i, j]) => (i === j ? -0.5 : -1) * P.get(i, j))]);
}

/** A(eta) = ½ hᵀ Θ⁻¹ h - ½ log det Θ, Θ_ii = -2 q_ii, Θ_ij = -q_ij. */
function logPartition(d: number, eta: Float64Array): number {
  const T = new Matrix(d, d);
  pairsOf(d).forEach(([i, j], k) => {
    const q = eta[d + k];
    if (i === j) T.set(i, i, -2 * q);
    else { T.set(i, j, -q); T.set(j, i, -q); }
  });
  const ch = new Cholesky(T);
  const h = eta.subarray(0, d);
  const s = ch.solve(h);
  return 0.5 * h.reduce((a, v, i) => a + v * s[i], 0) - 0.5 * ch.logDet();
}

function expectation(d: number, theta: Float64Array): Float64Array {
  const mu = theta.subarray(0, d);
  return Float64Array.from([...mu, ...pairsOf(d).map(([i, j], k) => theta[d + k] + mu[i] * mu[j])]);
}

function maxEntry(m: Matrix): number {
  let x = 0;
  for (const v of m.data) x = Math.max(x, Math.abs(v));
  return x;
}

function exponentialFamilyCase(c: MvnCase, halfDropped: boolean): CaseResult {
  const d = c.d;
  const theta = point(c);
  const F = formula(d, theta, halfDropped);
  const eta = natural(d, theta);
  const sigmaMin = eigSymmetric(sigmaFromTheta(theta, d)).values[0];
  // keep every stencil inside the positive-definite cone: a step h moves an eigenvalue by at most 2h per coordinate
  const J = jacobianFD((t) => natural(d, t), theta, { h: 0.05, maxStep: sigmaMin / 8 });
  const Theta = new Matrix(d, d);
  pairsOf(d).forEach(([i, j], k) => { const q = eta[d + k]; Theta.set(i, j, (i === j ? -2 : -1) * q); Theta.set(j, i, (i === j ? -2 : -1) * q); });
  const thetaMin = eigSymmetric(Theta).values[0];
  const H = hessianFD((e) => logPartition(d, e), eta, { h: 0.05, maxStep: thetaMin / 8 });
  const viaNatural = matmulTN(J.value, matmul(H.value, J.value));
  const Jm = jacobianFD((t) => expectation(d, t), theta, { h: 0.05 });
  const Hinv = solveMatrix(H.value, Matrix.identity(H.value.rows));
  const viaExpectation = matmulTN(Jm.value, matmul(Hinv, Jm.value));
  const nJ = frobeniusNorm(J.value);
  const nH = frobeniusNorm(H.value);
  const nHinv = frobeniusNorm(Hinv);
  const nJm = frobeniusNorm(Jm.value);
  const tolNat = 10 * (nJ * nJ * frobeniusNorm(H.error) + 2 * nJ * nH * frobeniusNorm(J.error)) + 1e-10 * maxEntry(F);
  const tolExp = 10 * (nJm * nJm * nHinv * nHinv * frobeniusNorm(H.error) + 2 * nJm * nHinv * frobeniusNorm(Jm.error)) + 1e-10 * maxEntry(F);
  let ratio = 0;
  for (let k = 0; k < F.data.length; k++) {
    ratio = Math.max(ratio, Math.abs(viaNatural.data[k] - F.data[k]) / tolNat, Math.abs(viaExpectation.data[k] - F.data[k]) / tolExp);
  }
  return { ratio, what: `d = ${d}: |J_etaᵀ ∇²A J_eta - F| <= ${maxDiff(viaNatural, F).toExponential(2)} (tolerance ${tolNat.toExponential(2)}), |J_mᵀ (∇²A)⁻¹ J_m - F| <= ${maxDiff(viaExpectation, F).toExponential(2)} (tolerance ${tolExp.toExponential(2)})` };
}

function maxDiff(a: Matrix, b: Matrix): number {
  let x = 0;
  for (let k = 0; k < a.data.length; k++) x = Math.max(x, Math.abs(a.data[k] - b.data[k]));
  return x;
}

const samplesOf = (ctx: CheckContext): number => (ctx.thorough ? 40000 : 4000);

export const checks: Check[] = [
  {
    id: 'mvn/fisher/general-d',
    theorem: 'Multivariate normal, d = 2..5: F_{mu mu} = Sigma⁻¹, F_{(ij),(kl)} = ½ tr(Sigma⁻¹ E_ij Sigma⁻¹ E_kl) against Monte Carlo of the score outer product',
    reference: MKB,
    kind: 'property',
    run: (ctx) => runProperty(ctx, mvnArb, (c) => monteCarloCase(c, samplesOf(ctx), Math.min(ctx.runs, 8), false), 'monte-carlo', Math.min(ctx.runs, 8)),
    sensitivity: { description: 'the Sigma block without its factor ½', run: (ctx) => runProperty(ctx, mvnArb, (c) => monteCarloCase(c, samplesOf(ctx), Math.min(ctx.runs, 8), true), 'monte-carlo', Math.min(ctx.runs, 8)) },
  },
  {
    id: 'mvn/fisher/exponential-family-route',
    theorem: 'Multivariate normal, d = 2..5: the general formula equals J_etaᵀ ∇²A J_eta (natural parameters) and J_mᵀ (∇²A)⁻¹ J_m (expectation parameters)',
    reference: `${MKB}; S. Amari, Information Geometry and Its Applications, 2016, Sec. 2.2`,
    kind: 'property',
    run: (ctx) => runProperty(ctx, mvnArb, (c) => exponentialFamilyCase(c, false), 'finite-differences', Math.min(ctx.runs, 8)),
    sensitivity: { description: 'the Sigma block without its factor ½', run: (ctx) => runProperty(ctx, mvnArb, (c) => exponentialFamilyCase(c, true), 'finite-differences', Math.min(ctx.runs, 8)) },
  },
];
