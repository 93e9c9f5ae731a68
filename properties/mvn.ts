/**
 * The multivariate normal's Fisher in (mu, Sigma) (issue 3, "Multivariate
 * normal"): the general formula F_{mu mu} = Sigma⁻¹, F_{mu Sigma} = 0,
 * F_{(ij),(kl)} = ½ tr(Sigma⁻¹ E_ij Sigma⁻¹ E_kl) (the catalogue's numeric form),
 * for d = 2..5 at random (mu, Sigma), against
 *  - Monte Carlo: the mean outer product of the score and the negative
 *    Hessian (the score's Jacobian, with the score as control variate), each
 *    entry within z standard errors, z = zForFalseAlarm(1e-6, number of comparisons);
 *  - the exponential-family route J_etaᵀ ∇²A J_eta, with ∇²A and J_eta by
 *    finite differences of A(eta) = ½ hᵀΘ⁻¹h - ½ log det Θ and of eta(mu, Sigma)
 *    (natural parameters), and J_mᵀ (∇²A)⁻¹ J_m with m = (mu, Sigma + mu muᵀ)
 *    (expectation parameters: there F = (∇²A)⁻¹).
 * Sensitivity: the Sigma block without its factor ½ (the exponential-family
 * route); the least-determined entry off by 1% (Monte Carlo).
 * References: Mardia, Kent & Bibby (1979), Sec. 4.2; Amari (2016), Sec. 2.2.
 */
import fc from 'fast-check';
import { Rng } from '../src/core/rng.js';
import { familyFisherMatrix } from '../src/families/json-points.js';
import { multivariateNormal, sigmaFromTheta } from '../src/families/catalogue/multivariate-normal.js';
import { Cholesky } from '../src/linalg/cholesky.js';
import { eigSymmetric } from '../src/linalg/eigen-symmetric.js';
import { Matrix } from '../src/linalg/matrix.js';
import { frobeniusNorm, matmul, matmulTN, matvec } from '../src/linalg/ops.js';
import { solveMatrix } from '../src/linalg/solve.js';
import { hessianFD, jacobianFD } from '../src/numeric/finite-differences.js';
import { mcFisherScore } from '../src/numeric/monte-carlo.js';
import { JacobianHessianBias } from '../src/numeric/richardson-hessian.js';
import { ControlledMean, symmetricEstimate } from '../src/numeric/score-control.js';
import { zForFalseAlarm } from '../src/numeric/statistics.js';
import type { Check, CheckContext, CheckOutcome } from '../src/verify/types.js';
import { runProperty, type CaseResult } from './run-property.js';

const MKB = 'K. V. Mardia, J. T. Kent and J. M. Bibby, Multivariate Analysis, 1979, Sec. 4.2';

interface MvnCase {
  d: number;
  seed: number;
}
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
function score(d: number, P: Matrix, mu: ArrayLike<number>, x: Float64Array, out = new Float64Array(d + (d * (d + 1)) / 2)): Float64Array {
  const p = P.data;
  for (let i = 0; i < d; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += p[i * d + j] * (x[j] - mu[j]);
    out[i] = s;
  }
  let k = d;
  for (let i = 0; i < d; i++) for (let j = i; j < d; j++, k++) out[k] = (i === j ? 0.5 : 1) * (out[i] * out[j] - p[i * d + j]);
  return out;
}

/**
 * Both Fisher identities by Monte Carlo, with this file's own score (not the
 * catalogue's), at one random point:
 *  - E[g gᵀ], the plain mean of the score's outer product;
 *  - -E[∇² log p], the Hessian as the Jacobian of the score in theta by
 *    central differences at h and h/2 (the precisions at theta ± h are formed
 *    once a case, so a draw costs 4n scores of O(d²)), Richardson-extrapolated
 *    with the bias bound of numeric/richardson-hessian.ts (the mean of the
 *    draws' corrections and mixed-partial gaps, as every negative Hessian of
 *    the project), with the score as control variate: the negative Hessian
 *    of the normal is affine in the score, so the regression estimate is
 *    exact up to rounding and the finite-difference bias, whose bound enters
 *    its tolerance twice.
 * Each entry is held to z standard errors plus its bias floor, z for a
 * false-alarm rate of 1e-6 over every entry of both estimators in every case
 * (Bonferroni). The case's resolution: the smallest error in any entry,
 * as a fraction of sqrt(F_ii F_jj), that the better estimator of that entry
 * detects with probability 0.999. `shift` moves the least-determined entry
 * of the formula by that fraction of sqrt(F_ii F_jj) (the sensitivity).
 */
const POWER_Z = 3;
const RESOLUTION = 0.01;
interface MvnMonteCarlo {
  value: Matrix;
  se: Matrix;
  floor: Matrix;
  name: string;
}
function monteCarloCase(c: MvnCase, samples: number, hessianSamples: number, cases: number, shift: number, resolutions: number[] = []): CaseResult {
  const inst = multivariateNormal.instance(c.d);
  const d = c.d;
  const theta = point(c);
  const n = theta.length;
  const precisionAt = (t: Float64Array): Matrix => new Cholesky(sigmaFromTheta(t, d)).inverse();
  const P = precisionAt(theta);
  const mu = theta.subarray(0, d);
  const outer = mcFisherScore(
    samples,
    new Rng(c.seed ^ 0x5bd1e995),
    (rng) => inst.sample(rng, theta, {}) as Float64Array,
    (x) => score(d, P, mu, x),
  );
  // the points theta ± h e_k and theta ± h/2 e_k, inside the positive-definite cone
  const sigmaMin = eigSymmetric(sigmaFromTheta(theta, d)).values[0];
  const h = Float64Array.from(theta, (v) => Math.min(1e-3 * Math.max(0.1, Math.abs(v)), sigmaMin / 8));
  const shifted = (k: number, step: number): { P: Matrix; mu: Float64Array } => {
    const t = theta.slice();
    t[k] += step;
    return { P: precisionAt(t), mu: t.slice(0, d) };
  };
  const stencil = Array.from({ length: n }, (_, k) => [h[k], -h[k], h[k] / 2, -h[k] / 2].map((step) => shifted(k, step)));
  const pairs = (n * (n + 1)) / 2;
  const acc = new ControlledMean(pairs, n);
  const hessians = new JacobianHessianBias(n);
  const d1 = new Float64Array(n * n);
  const d2 = new Float64Array(n * n);
  const y = new Float64Array(pairs);
  const [p1, m1, p2, m2, g] = Array.from({ length: 5 }, () => new Float64Array(n));
  const rng = new Rng(c.seed ^ 0x27d4eb2d);
  for (let s = 0; s < hessianSamples; s++) {
    const x = inst.sample(rng, theta, {}) as Float64Array;
    for (let k = 0; k < n; k++) {
      const [a, b, c2, e2] = stencil[k];
      score(d, a.P, a.mu, x, p1);
      score(d, b.P, b.mu, x, m1);
      score(d, c2.P, c2.mu, x, p2);
      score(d, e2.P, e2.mu, x, m2);
      for (let i = 0; i < n; i++) {
        d1[i * n + k] = (p1[i] - m1[i]) / (2 * h[k]);
        d2[i * n + k] = (p2[i] - m2[i]) / h[k];
      }
    }
    const H = hessians.add(d1, d2);
    for (let i = 0, p = 0; i < n; i++) for (let j = i; j < n; j++, p++) y[p] = -H[i * n + j];
    acc.add(y, score(d, P, mu, x, g));
  }
  const bias = hessians.bias();
  const e = acc.estimate();
  const hessian = symmetricEstimate(n, e.value, e.stdError);
  const F = formula(d, theta, false);
  const scale = (i: number, j: number): number => Math.sqrt(F.get(i, i) * F.get(j, j));
  const estimators: MvnMonteCarlo[] = [
    { name: 'score outer product', value: outer.value, se: outer.stdError, floor: Matrix.zeros(n, n) },
    {
      name: 'negative Hessian',
      value: hessian.value,
      se: hessian.stdError,
      floor: Matrix.from(Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => 1e-10 * scale(i, j) + 2 * bias[i * n + j]))),
    },
  ];
  const z = zForFalseAlarm(1e-6, cases * 2 * pairs);
  // the smallest detectable error of each entry (the better estimator), and the least-determined entry
  let resolution = 0;
  let entry: [number, number] = [0, 0];
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      const r = Math.min(...estimators.map((m) => ((z + POWER_Z) * m.se.get(i, j) + 2 * m.floor.get(i, j)) / scale(i, j)));
      if (r > resolution) {
        resolution = r;
        entry = [i, j];
      }
    }
  resolutions.push(resolution);
  const expected = F.clone();
  if (shift !== 0) {
    const [i, j] = entry;
    expected.set(i, j, expected.get(i, j) + shift * scale(i, j));
    if (i !== j) expected.set(j, i, expected.get(j, i) + shift * scale(i, j));
  }
  let ratio = 0;
  let worst = '';
  for (const m of estimators) {
    for (let i = 0; i < n; i++)
      for (let j = i; j < n; j++) {
        const r = Math.abs(m.value.get(i, j) - expected.get(i, j)) / (z * m.se.get(i, j) + m.floor.get(i, j));
        if (!(r <= ratio)) {
          ratio = r;
          worst = `${m.name} entry [${i}][${j}]`;
        }
      }
  }
  return { ratio, what: `d = ${d}, ${samples} + ${hessianSamples} samples: worst ${worst} (limit z = ${z.toFixed(2)} standard errors plus the bias floor)` };
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
    else {
      T.set(i, j, -q);
      T.set(j, i, -q);
    }
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
  pairsOf(d).forEach(([i, j], k) => {
    const q = eta[d + k];
    Theta.set(i, j, (i === j ? -2 : -1) * q);
    Theta.set(j, i, (i === j ? -2 : -1) * q);
  });
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
  return {
    ratio,
    what: `d = ${d}: |J_etaᵀ ∇²A J_eta - F| <= ${maxDiff(viaNatural, F).toExponential(2)} (tolerance ${tolNat.toExponential(2)}), |J_mᵀ (∇²A)⁻¹ J_m - F| <= ${maxDiff(viaExpectation, F).toExponential(2)} (tolerance ${tolExp.toExponential(2)})`,
  };
}

function maxDiff(a: Matrix, b: Matrix): number {
  let x = 0;
  for (let k = 0; k < a.data.length; k++) x = Math.max(x, Math.abs(a.data[k] - b.data[k]));
  return x;
}

const samplesOf = (ctx: CheckContext): number => (ctx.thorough ? 40000 : 4000);
const hessianSamplesOf = (ctx: CheckContext): number => (ctx.thorough ? 1000 : 100);
const casesOf = (ctx: CheckContext): number => Math.min(ctx.runs, 8);

function generalFormula(ctx: CheckContext): CheckOutcome {
  const resolutions: number[] = [];
  const outcome = runProperty(
    ctx,
    mvnArb,
    (c) => monteCarloCase(c, samplesOf(ctx), hessianSamplesOf(ctx), casesOf(ctx), 0, resolutions),
    'monte-carlo',
    casesOf(ctx),
  );
  if (!outcome.ok || resolutions.length === 0) return outcome;
  return {
    ...outcome,
    detail: `${outcome.detail}; detects an error of ${(100 * Math.max(...resolutions)).toPrecision(2)}% of sqrt(F_ii F_jj) in any entry (power 0.999)`,
  };
}

export const checks: Check[] = [
  {
    id: 'mvn/fisher/general-d',
    theorem:
      'Multivariate normal, d = 2..5: F_{mu mu} = Sigma⁻¹, F_{(ij),(kl)} = ½ tr(Sigma⁻¹ E_ij Sigma⁻¹ E_kl) against Monte Carlo of the score outer product',
    reference: MKB,
    kind: 'property',
    run: generalFormula,
    sensitivity: {
      description: 'the least-determined entry of the formula off by 1% of sqrt(F_ii F_jj)',
      run: (ctx) =>
        runProperty(ctx, mvnArb, (c) => monteCarloCase(c, samplesOf(ctx), hessianSamplesOf(ctx), casesOf(ctx), RESOLUTION), 'monte-carlo', casesOf(ctx)),
    },
  },
  {
    id: 'mvn/fisher/exponential-family-route',
    theorem: 'Multivariate normal, d = 2..5: the general formula equals J_etaᵀ ∇²A J_eta (natural parameters) and J_mᵀ (∇²A)⁻¹ J_m (expectation parameters)',
    reference: `${MKB}; S. Amari, Information Geometry and Its Applications, 2016, Sec. 2.2`,
    kind: 'property',
    run: (ctx) => runProperty(ctx, mvnArb, (c) => exponentialFamilyCase(c, false), 'finite-differences', Math.min(ctx.runs, 8)),
    sensitivity: {
      description: 'the Sigma block without its factor ½',
      run: (ctx) => runProperty(ctx, mvnArb, (c) => exponentialFamilyCase(c, true), 'finite-differences', Math.min(ctx.runs, 8)),
    },
  },
];
