/**
 * The Fisher information of the multivariate normal N(mu, Sigma) for general
 * d, by matrix calculus: the steps a learner follows from the log-density to
 * F_{mu mu} = Sigma⁻¹, F_{mu Sigma} = 0, F_{Sigma Sigma} = ½ Dᵀ(Sigma⁻¹ ⊗ Sigma⁻¹)D
 * on the symmetric parameterization theta = (mu, vech Sigma), vech the upper
 * triangle row by row (the contract order) and D the duplication matrix; then
 * the natural and the expectation parameterizations.
 *
 * Every step is checked numerically at random dimensions and points (seeded)
 * against an independent computation: finite differences (Ridders, within
 * 10 times its error estimate), Monte Carlo (within z standard errors for a
 * false-alarm rate of 1e-6 over the step's comparisons), or an exact matrix
 * identity (within a rounding bound scaled by the condition number). Each
 * step also has a sensitivity run, a planted mistake that the same check must
 * reject.
 *
 * References: K. V. Mardia, J. T. Kent and J. M. Bibby, Multivariate Analysis
 * (1979), Sec. 4.2; J. R. Magnus and H. Neudecker, Matrix Differential
 * Calculus (3rd ed., 2019), Ch. 8 (d log det, d Sigma⁻¹), Ch. 3.8 (the
 * duplication matrix) and Ch. 15.4 (the Fisher information of the normal);
 * L. Isserlis, Biometrika 12 (1918) (fourth moments).
 */
import { Rng } from '../core/rng.js';
import { Cholesky } from '../linalg/cholesky.js';
import { eigSymmetric } from '../linalg/eigen-symmetric.js';
import { Matrix } from '../linalg/matrix.js';
import { kron, matmul, matmulTN } from '../linalg/ops.js';
import { solveMatrix } from '../linalg/solve.js';
import { derivativeFD, gradientFD, hessianFD, jacobianFD, zForFalseAlarm } from '../numeric/index.js';
import { familyFisherMatrix } from './json-points.js';
import { multivariateNormal } from './catalogue/multivariate-normal.js';
import { formatNumber, type CheckMethod, type DerivationStep, type StepCheck } from './steps.js';

const EPS = 2.220446049250313e-16;
const FALSE_ALARM = 1e-6;
const MC_SAMPLES = 20000;

/** One random case: a dimension and a seed for the point. */
export interface MvnCase {
  readonly d: number;
  readonly seed: number;
}

/** Random cases with d drawn from [dMin, dMax], reproducible from the seed. */
export function mvnCases(count: number, seed: number, dMin = 2, dMax = 8): MvnCase[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => ({ d: dMin + Math.floor(rng.uniform() * (dMax - dMin + 1)), seed: rng.nextUint32() }));
}

// ---------------------------------------------------------------------------
// numeric helpers

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
/** The pairs (i, j), i <= j, row by row: the order of vech Sigma in theta. */
export const vechPairs = (d: number): [number, number][] =>
  (VECH_PAIRS[d] ??= range(d).flatMap((i) => range(d - i).map((k) => [i, i + k] as [number, number])));
const VECH_PAIRS: [number, number][][] = []; // by d, read-only: asked for inside the differences of the log-partition
/** The duplication matrix D (d² x d(d+1)/2): vec Sigma = D vech Sigma, vec row-major. */
export function duplicationMatrix(d: number): Matrix {
  const pairs = vechPairs(d);
  const D = new Matrix(d * d, pairs.length);
  pairs.forEach(([i, j], k) => {
    D.set(i * d + j, k, 1);
    D.set(j * d + i, k, 1);
  });
  return D;
}

/** The symmetric basis matrix of vech coordinate k: e_i e_iᵀ on the diagonal, e_i e_jᵀ + e_j e_iᵀ off it. */
function basis(d: number, [i, j]: [number, number]): Matrix {
  const E = new Matrix(d, d);
  E.set(i, j, 1);
  E.set(j, i, 1);
  return E;
}

const trace = (A: Matrix): number => range(A.rows).reduce((s, i) => s + A.get(i, i), 0);
const mm = (...ms: Matrix[]): Matrix => ms.reduce((a, b) => matmul(a, b));
const scaled = (A: Matrix, c: number): Matrix =>
  new Matrix(
    A.rows,
    A.cols,
    A.data.map((v) => v * c),
  );
const plus = (A: Matrix, B: Matrix): Matrix =>
  new Matrix(
    A.rows,
    A.cols,
    A.data.map((v, k) => v + B.data[k]),
  );
const matvec = (A: Matrix, x: ArrayLike<number>): Float64Array =>
  Float64Array.from(range(A.rows), (i) => range(A.cols).reduce((s, j) => s + A.get(i, j) * x[j], 0));
const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => range(a.length).reduce((s, i) => s + a[i] * b[i], 0);
const maxAbs = (A: Matrix | Float64Array): number => (A instanceof Matrix ? A.data : A).reduce((m, v) => Math.max(m, Math.abs(v)), 0);

interface Point {
  d: number;
  mu: Float64Array;
  Sigma: Matrix;
  P: Matrix;
  /** condition number of Sigma */
  cond: number;
  theta: Float64Array;
  x: Float64Array;
  rng: Rng;
}

/** A random point: mu ~ N(0, I), Sigma = L Lᵀ/d + ½ I (condition number bounded), x ~ N(mu, Sigma). */
function pointOf(c: MvnCase): Point {
  const rng = new Rng(c.seed);
  const d = c.d;
  const L = Matrix.from(range(d).map(() => range(d).map(() => rng.normal())));
  const Sigma = plus(scaled(matmul(L, transposeOf(L)), 1 / d), scaled(Matrix.identity(d), 0.5));
  const mu = Float64Array.from(range(d), () => rng.normal());
  const theta = Float64Array.from([...mu, ...vechPairs(d).map(([i, j]) => Sigma.get(i, j))]);
  const P = new Cholesky(Sigma).inverse();
  const ev = eigSymmetric(Sigma).values;
  const x = multivariateNormal.instance(d).sample(rng, theta, {}) as Float64Array;
  return { d, mu, Sigma, P, cond: ev[ev.length - 1] / ev[0], theta, x, rng };
}

/** Draws x ~ N(mu, Sigma) with one Cholesky factor for all draws. */
function sampler(pt: Point): () => Float64Array {
  const L = new Cholesky(pt.Sigma).L;
  const d = pt.d;
  return () => {
    const z = Float64Array.from({ length: d }, () => pt.rng.normal());
    return Float64Array.from({ length: d }, (_, i) => {
      let v = pt.mu[i];
      for (let k = 0; k <= i; k++) v += L.data[i * d + k] * z[k];
      return v;
    });
  };
}

function transposeOf(A: Matrix): Matrix {
  const T = new Matrix(A.cols, A.rows);
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.cols; j++) T.set(j, i, A.get(i, j));
  return T;
}

function sigmaOf(d: number, theta: ArrayLike<number>): Matrix {
  const S = new Matrix(d, d);
  vechPairs(d).forEach(([i, j], k) => {
    S.set(i, j, theta[d + k]);
    S.set(j, i, theta[d + k]);
  });
  return S;
}

/** A random symmetric direction with entries ~ N(0, 1). */
function symmetricDirection(rng: Rng, d: number): Matrix {
  const E = new Matrix(d, d);
  for (let i = 0; i < d; i++)
    for (let j = i; j < d; j++) {
      const v = rng.normal();
      E.set(i, j, v);
      E.set(j, i, v);
    }
  return E;
}

/** The smallest eigenvalue of Sigma: steps along a direction of unit entries stay positive definite below a fraction of it. */
const safeStep = (pt: Point): number => (0.1 * eigSymmetric(pt.Sigma).values[0]) / pt.d;

/** Worst ratio |difference| / tolerance over the entries. */
function worstRatio(value: ArrayLike<number>, expected: ArrayLike<number>, tol: (k: number) => number): { ratio: number; diff: number; tol: number } {
  let w = { ratio: 0, diff: 0, tol: 0 };
  for (let k = 0; k < value.length; k++) {
    const diff = Math.abs(value[k] - expected[k]);
    const t = tol(k) + 1e-300;
    const ratio = Number.isNaN(diff) ? Infinity : diff / t;
    if (!(ratio <= w.ratio)) w = { ratio, diff, tol: t };
  }
  return w;
}

// ---------------------------------------------------------------------------
// the closed forms under test (with the planted mistakes of the sensitivity runs)

/** Score in theta = (mu, vech Sigma): Sigma⁻¹ r, and Dᵀ vec(½(P r rᵀ P - P)); `plant` drops Dᵀ's doubling off the diagonal. */
function scoreFormula(pt: Point, x: Float64Array, plant: boolean): Float64Array {
  const r = Float64Array.from(pt.mu, (m, i) => x[i] - m);
  const Pr = matvec(pt.P, r);
  return Float64Array.from([...Pr, ...vechPairs(pt.d).map(([i, j]) => (i === j || plant ? 0.5 : 1) * (Pr[i] * Pr[j] - pt.P.get(i, j)))]);
}

/** Hessian of log p in theta at x; `plant` drops the ½ of the trace term. */
function hessianFormula(pt: Point, x: Float64Array, plant: boolean): Matrix {
  const { d, P } = pt;
  const pairs = vechPairs(d);
  const n = d + pairs.length;
  const r = Float64Array.from(pt.mu, (m, i) => x[i] - m);
  const Pr = matvec(P, r);
  const E = pairs.map((q) => basis(d, q));
  const H = new Matrix(n, n);
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) H.set(a, b, -P.get(a, b));
  pairs.forEach((_, k) => {
    const PEkPr = matvec(mm(P, E[k]), Pr);
    for (let a = 0; a < d; a++) {
      H.set(a, d + k, -PEkPr[a]);
      H.set(d + k, a, -PEkPr[a]);
    }
    pairs.forEach((__, l) => {
      const PEkPEl = mm(P, E[k], P, E[l]);
      const v = (plant ? 1 : 0.5) * trace(PEkPEl) - dot(Pr, matvec(mm(E[k], P, E[l]), Pr));
      H.set(d + k, d + l, v);
    });
  });
  return H;
}

/** ½ Dᵀ (P ⊗ P) D; `plant` uses the vech "elimination" weights ½ off the diagonal in place of D. */
function sigmaBlock(P: Matrix, d: number, plant: boolean): Matrix {
  const D = duplicationMatrix(d);
  if (plant) for (let k = 0; k < D.data.length; k++) if (D.data[k] !== 0) D.data[k] = 0.5;
  return scaled(matmulTN(D, matmul(kron(P, P), D)), 0.5);
}

/** The full Fisher in theta from the matrix formulas. */
function fisherFormula(pt: Point, plant: boolean): Matrix {
  const { d, P } = pt;
  const S = sigmaBlock(P, d, plant);
  const n = d + S.rows;
  const F = new Matrix(n, n);
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) F.set(a, b, P.get(a, b));
  for (let a = 0; a < S.rows; a++) for (let b = 0; b < S.cols; b++) F.set(d + a, d + b, S.get(a, b));
  return F;
}

/** Cov[T] for T = (x, vech(x xᵀ)) from Isserlis' theorem with means; `plant` drops the terms in mu. */
function covarianceOfStatistics(mu: ArrayLike<number>, S: Matrix, plant: boolean): Matrix {
  const d = S.rows;
  const pairs = vechPairs(d);
  const n = d + pairs.length;
  const m = (i: number): number => (plant ? 0 : mu[i]);
  const C = new Matrix(n, n);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) C.set(i, j, S.get(i, j));
  pairs.forEach(([k, l], b) => {
    for (let i = 0; i < d; i++) {
      const v = S.get(i, k) * m(l) + S.get(i, l) * m(k);
      C.set(i, d + b, v);
      C.set(d + b, i, v);
    }
    pairs.forEach(([i, j], a) => {
      C.set(
        d + a,
        d + b,
        S.get(i, k) * S.get(j, l) +
          S.get(i, l) * S.get(j, k) +
          m(i) * m(k) * S.get(j, l) +
          m(i) * m(l) * S.get(j, k) +
          m(j) * m(k) * S.get(i, l) +
          m(j) * m(l) * S.get(i, k),
      );
    });
  });
  return C;
}

/** eta(theta) = (Sigma⁻¹ mu, q), q_ii = -½ P_ii, q_ij = -P_ij: the coefficients of x and of vech(x xᵀ). */
function naturalOf(d: number, theta: ArrayLike<number>): Float64Array {
  const P = new Cholesky(sigmaOf(d, theta)).inverse();
  const mu = Float64Array.from(range(d), (i) => theta[i]);
  return Float64Array.from([...matvec(P, mu), ...vechPairs(d).map(([i, j]) => (i === j ? -0.5 : -1) * P.get(i, j))]);
}

/** A(eta) = -¼ h1ᵀ H2⁻¹ h1 - ½ log det(-2 H2), H2 the symmetric matrix with vech coefficients q (H2_ii = q_ii, H2_ij = q_ij / 2). */
function logPartition(d: number, eta: ArrayLike<number>): number {
  const Lambda = new Matrix(d, d); // -2 H2 = Sigma⁻¹
  vechPairs(d).forEach(([i, j], k) => {
    const q = eta[d + k];
    if (i === j) Lambda.set(i, i, -2 * q);
    else {
      Lambda.set(i, j, -q);
      Lambda.set(j, i, -q);
    }
  });
  const ch = new Cholesky(Lambda);
  const h = Float64Array.from(range(d), (i) => eta[i]);
  return 0.5 * dot(h, ch.solve(h)) - 0.5 * ch.logDet();
}

/** The Fisher in expectation coordinates (m, vech M) in closed form; `plant` drops the u uᵀ term. */
function expectationFisherFormula(m: Float64Array, M: Matrix, plant: boolean): Matrix {
  const d = m.length;
  const Sigma = new Matrix(
    d,
    d,
    M.data.map((v, k) => v - m[Math.floor(k / d)] * m[k % d]),
  );
  const P = new Cholesky(Sigma).inverse();
  const u = matvec(P, m);
  const pairs = vechPairs(d);
  const n = d + pairs.length;
  const F = new Matrix(n, n);
  const c = 1 + dot(m, u);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) F.set(i, j, c * P.get(i, j) + (plant ? 0 : u[i] * u[j]));
  pairs.forEach(([k, l], b) => {
    const w = k === l ? 0.5 : 1;
    for (let i = 0; i < d; i++) {
      const v = -w * (P.get(i, k) * u[l] + P.get(i, l) * u[k]);
      F.set(i, d + b, v);
      F.set(d + b, i, v);
    }
  });
  const S = sigmaBlock(P, d, false);
  for (let a = 0; a < pairs.length; a++) for (let b = 0; b < pairs.length; b++) F.set(d + a, d + b, S.get(a, b));
  return F;
}

// ---------------------------------------------------------------------------
// the checks: each returns its worst ratio (<= 1 passes) and what it compared

interface CaseOutcome {
  ratio: number;
  what: string;
}

function logDensityCase(c: MvnCase, plant: boolean): CaseOutcome {
  const pt = pointOf(c);
  const { d, x } = pt;
  // independent of the catalogue's Cholesky: the eigen-decomposition of Sigma
  const { values, vectors } = eigSymmetric(pt.Sigma);
  const r = Float64Array.from(pt.mu, (m, i) => x[i] - m);
  let quad = 0;
  let logDet = 0;
  for (let k = 0; k < d; k++) {
    const v = range(d).reduce((s, i) => s + vectors.get(i, k) * r[i], 0);
    quad += (v * v) / values[k];
    logDet += Math.log(values[k]);
  }
  const formula = -0.5 * d * Math.log(2 * Math.PI) - (plant ? 1 : 0.5) * logDet - 0.5 * quad;
  const catalogue = multivariateNormal.instance(d).logpdf(x, pt.theta, {});
  const tol = 64 * d * pt.cond * EPS * (1 + Math.abs(logDet) + quad + d);
  const w = worstRatio([formula], [catalogue], () => tol);
  return { ratio: w.ratio, what: `d = ${d}: |difference| ${formatNumber(w.diff)} (tolerance ${formatNumber(tol)})` };
}

function logDetCase(c: MvnCase, plant: boolean): CaseOutcome {
  const pt = pointOf(c);
  const E = symmetricDirection(pt.rng, pt.d);
  const h = safeStep(pt) / Math.max(1, maxAbs(E));
  const fd = derivativeFD((t) => new Cholesky(plus(pt.Sigma, scaled(E, t))).logDet(), 0, { h, maxStep: h });
  const formula = trace(matmul(plant ? pt.Sigma : pt.P, E));
  const tol = 10 * fd.error + 64 * EPS * Math.abs(formula);
  const w = worstRatio([formula], [fd.value], () => tol);
  return { ratio: w.ratio, what: `d = ${pt.d}: tr(Sigma⁻¹ E) vs difference quotient, |difference| ${formatNumber(w.diff)} (tolerance ${formatNumber(tol)})` };
}

function inverseCase(c: MvnCase, plant: boolean): CaseOutcome {
  const pt = pointOf(c);
  const E = symmetricDirection(pt.rng, pt.d);
  const h = safeStep(pt) / Math.max(1, maxAbs(E));
  const fd = jacobianFD((t) => new Cholesky(plus(pt.Sigma, scaled(E, t[0]))).inverse().data, Float64Array.of(0), { h, maxStep: h });
  const formula = scaled(plant ? mm(E, pt.P, pt.P) : mm(pt.P, E, pt.P), -1);
  // plus the rounding of the computed inverses: d cond(Sigma) eps relative to the largest entry, not to each entry
  const roundoff = 64 * pt.d * pt.cond * EPS * maxAbs(formula);
  const w = worstRatio(formula.data, fd.value.data, (k) => 10 * fd.error.data[k] + roundoff);
  return { ratio: w.ratio, what: `d = ${pt.d}: worst entry |difference| ${formatNumber(w.diff)} (tolerance ${formatNumber(w.tol)})` };
}

/** Steps in theta that keep Sigma positive definite: diagonal and off-diagonal moves of at most a fraction of its smallest eigenvalue. */
function thetaSteps(pt: Point): Float64Array {
  const s = safeStep(pt);
  return Float64Array.from(pt.theta, (_, k) => (k < pt.d ? 0.1 * Math.max(1, Math.abs(pt.theta[k])) : s));
}

function scoreCase(c: MvnCase, plant: boolean): CaseOutcome {
  const pt = pointOf(c);
  const inst = multivariateNormal.instance(pt.d);
  const fd = gradientFD((t) => inst.logpdf(pt.x, t, {}), pt.theta, { maxStep: thetaSteps(pt) });
  const formula = scoreFormula(pt, pt.x, plant);
  const w = worstRatio(formula, fd.value, (k) => 10 * fd.error[k] + 64 * pt.cond * EPS * Math.abs(formula[k]));
  return { ratio: w.ratio, what: `d = ${pt.d}: worst of ${formula.length} components |difference| ${formatNumber(w.diff)} (tolerance ${formatNumber(w.tol)})` };
}

function hessianCase(c: MvnCase, plant: boolean): CaseOutcome {
  const pt = pointOf(c);
  const inst = multivariateNormal.instance(pt.d);
  const fd = hessianFD((t) => inst.logpdf(pt.x, t, {}), pt.theta, { maxStep: thetaSteps(pt) });
  const formula = hessianFormula(pt, pt.x, plant);
  const w = worstRatio(formula.data, fd.value.data, (k) => 10 * fd.error.data[k] + 64 * pt.cond * pt.cond * EPS * (1 + Math.abs(formula.data[k])));
  return {
    ratio: w.ratio,
    what: `d = ${pt.d}: worst of ${formula.data.length} entries |difference| ${formatNumber(w.diff)} (tolerance ${formatNumber(w.tol)})`,
  };
}

/** Monte Carlo of E[r rᵀ] around the known mean; `plant` claims 1.1 Sigma. */
function secondMomentCase(c: MvnCase, plant: boolean, comparisons: number): CaseOutcome {
  const pt = pointOf(c);
  const { d } = pt;
  const draw = sampler(pt);
  const mean = new Float64Array(d * d);
  const m2 = new Float64Array(d * d);
  for (let k = 1; k <= MC_SAMPLES; k++) {
    const x = draw();
    for (let i = 0; i < d; i++)
      for (let j = 0; j < d; j++) {
        const v = (x[i] - pt.mu[i]) * (x[j] - pt.mu[j]);
        const q = i * d + j;
        const delta = v - mean[q];
        mean[q] += delta / k;
        m2[q] += delta * (v - mean[q]);
      }
  }
  const claimed = scaled(pt.Sigma, plant ? 1.1 : 1);
  const z = zForFalseAlarm(FALSE_ALARM, comparisons * d * d);
  const w = worstRatio(claimed.data, mean, (q) => z * Math.sqrt(m2[q] / (MC_SAMPLES - 1) / MC_SAMPLES));
  return { ratio: w.ratio, what: `d = ${d}, ${MC_SAMPLES} samples: worst entry ${formatNumber(w.ratio * z)} standard errors (limit z = ${z.toFixed(2)})` };
}

/** -E[Hessian] by linearity (r -> 0, r rᵀ -> Sigma: the Hessian is affine in r and r rᵀ) against the Fisher formula. */
function expectationCase(c: MvnCase, plant: boolean): CaseOutcome {
  const pt = pointOf(c);
  const { d, P } = pt;
  const pairs = vechPairs(d);
  const E = pairs.map((q) => basis(d, q));
  const n = d + pairs.length;
  // -E[H]: the mu-mu block P; mu-Sigma: P E_k P E[r] = 0; Sigma-Sigma: -½ tr(P E_k P E_l) + tr(P E_k P E_l P E[r rᵀ]) with E[r rᵀ] = Sigma
  const negEH = new Matrix(n, n);
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) negEH.set(a, b, P.get(a, b));
  pairs.forEach((_, k) =>
    pairs.forEach((__, l) => {
      const PEkPEl = mm(P, E[k], P, E[l]);
      negEH.set(d + k, d + l, -0.5 * trace(PEkPEl) + trace(mm(PEkPEl, P, pt.Sigma)));
    }),
  );
  const F = fisherFormula(pt, plant);
  const scale = maxAbs(F);
  const w = worstRatio(negEH.data, F.data, () => 64 * n * pt.cond * pt.cond * EPS * scale);
  return { ratio: w.ratio, what: `d = ${d}: worst entry |difference| ${formatNumber(w.diff)} (tolerance ${formatNumber(w.tol)})` };
}

/** Isserlis by Monte Carlo at random index quadruples; `plant` keeps only the pairing (ab)(ce). */
function isserlisCase(c: MvnCase, plant: boolean, comparisons: number): CaseOutcome {
  const pt = pointOf(c);
  const { d, Sigma: S } = pt;
  const draw = sampler(pt);
  const quads = range(4).map(() => range(4).map(() => Math.floor(pt.rng.uniform() * d)));
  const mean = new Float64Array(quads.length);
  const m2 = new Float64Array(quads.length);
  for (let k = 1; k <= MC_SAMPLES; k++) {
    const x = draw();
    quads.forEach(([a, b, cc, e], q) => {
      const v = (x[a] - pt.mu[a]) * (x[b] - pt.mu[b]) * (x[cc] - pt.mu[cc]) * (x[e] - pt.mu[e]);
      const delta = v - mean[q];
      mean[q] += delta / k;
      m2[q] += delta * (v - mean[q]);
    });
  }
  const claimed = quads.map(([a, b, cc, e]) => S.get(a, b) * S.get(cc, e) + (plant ? 0 : S.get(a, cc) * S.get(b, e) + S.get(a, e) * S.get(b, cc)));
  const z = zForFalseAlarm(FALSE_ALARM, comparisons * quads.length);
  const w = worstRatio(claimed, mean, (q) => z * Math.sqrt(m2[q] / (MC_SAMPLES - 1) / MC_SAMPLES));
  return {
    ratio: w.ratio,
    what: `d = ${d}, ${MC_SAMPLES} samples, 4 index quadruples: worst ${formatNumber(w.ratio * z)} standard errors (limit z = ${z.toFixed(2)})`,
  };
}

/** E[s sᵀ] for the Sigma block from Isserlis (an exact index sum) against ½ tr(P E_k P E_l); `plant` uses one pairing. */
function scoreCovarianceCase(c: MvnCase, plant: boolean): CaseOutcome {
  const pt = pointOf(c);
  const { d, P, Sigma: S } = pt;
  const pairs = vechPairs(d);
  const E = pairs.map((q) => basis(d, q));
  const A = E.map((Ek) => mm(P, Ek, P));
  // s_k = ½ rᵀ A_k r - ½ tr(P E_k); Cov(rᵀ A r, rᵀ B r) = sum A_ab B_ce (S_ac S_be + S_ae S_bc)
  const cov = new Matrix(pairs.length, pairs.length);
  for (let k = 0; k < pairs.length; k++)
    for (let l = k; l < pairs.length; l++) {
      let s = 0;
      for (let a = 0; a < d; a++)
        for (let b = 0; b < d; b++) {
          const Aab = A[k].get(a, b);
          if (Aab === 0) continue;
          for (let cc = 0; cc < d; cc++)
            for (let e = 0; e < d; e++) {
              s += Aab * A[l].get(cc, e) * (S.get(a, cc) * S.get(b, e) + (plant ? 0 : S.get(a, e) * S.get(b, cc)));
            }
        }
      cov.set(k, l, s / 4);
      cov.set(l, k, s / 4);
    }
  const F = sigmaBlock(P, d, false);
  const w = worstRatio(cov.data, F.data, () => 64 * d * d * pt.cond * pt.cond * EPS * maxAbs(F));
  return { ratio: w.ratio, what: `d = ${d}: worst entry |difference| ${formatNumber(w.diff)} (tolerance ${formatNumber(w.tol)})` };
}

/** ½ Dᵀ(P ⊗ P)D against the entrywise ½ tr(P E_k P E_l), the index form c_ij c_kl (P_ik P_jl + P_il P_jk), and the catalogue's Fisher. */
function duplicationCase(c: MvnCase, plant: boolean): CaseOutcome {
  const pt = pointOf(c);
  const { d, P } = pt;
  const pairs = vechPairs(d);
  const F = fisherFormula(pt, plant);
  const entrywise = new Matrix(F.rows, F.cols);
  const indexForm = new Matrix(F.rows, F.cols);
  const w = (i: number, j: number): number => (i === j ? 0.5 : 1);
  for (let a = 0; a < d; a++)
    for (let b = 0; b < d; b++) {
      entrywise.set(a, b, P.get(a, b));
      indexForm.set(a, b, P.get(a, b));
    }
  pairs.forEach(([i, j], k) =>
    pairs.forEach(([kk, l], m) => {
      entrywise.set(d + k, d + m, 0.5 * trace(mm(P, basis(d, [i, j]), P, basis(d, [kk, l]))));
      indexForm.set(d + k, d + m, w(i, j) * w(kk, l) * (P.get(i, kk) * P.get(j, l) + P.get(i, l) * P.get(j, kk)));
    }),
  );
  const inst = multivariateNormal.instance(d);
  const catalogue = familyFisherMatrix(inst, inst.parameterizations[0], pt.theta, {});
  const tol = 64 * F.rows * pt.cond * EPS * maxAbs(entrywise);
  const worst = [entrywise, indexForm, catalogue].map((M) => worstRatio(F.data, M.data, () => tol)).reduce((a, b) => (a.ratio >= b.ratio ? a : b));
  return { ratio: worst.ratio, what: `d = ${d}: worst entry |difference| ${formatNumber(worst.diff)} (tolerance ${formatNumber(tol)})` };
}

/** Cov[T] from Isserlis against ∇²A by finite differences, and against the pullback J⁻ᵀ F_theta J⁻¹ through eta(theta). */
function naturalCase(c: MvnCase, plant: boolean): CaseOutcome {
  const pt = pointOf(c);
  const { d } = pt;
  const eta = naturalOf(d, pt.theta);
  const C = covarianceOfStatistics(pt.mu, pt.Sigma, plant);
  // Lambda = Sigma⁻¹; a step h in q moves Lambda by at most 2h per entry: stay well inside its cone
  const lambdaMin = 1 / eigSymmetric(pt.Sigma).values[d - 1];
  const steps = Float64Array.from(eta, (v, k) => (k < d ? 0.1 * Math.max(1, Math.abs(v)) : (0.05 * lambdaMin) / d));
  const H = hessianFD((e) => logPartition(d, e), eta, { maxStep: steps });
  const w1 = worstRatio(C.data, H.value.data, (k) => 10 * H.error.data[k] + 64 * pt.cond * EPS * Math.abs(C.data[k]));
  // pullback: F_eta = J⁻ᵀ F_theta J⁻¹ with J = d eta / d theta (by differences)
  const J = jacobianFD((t) => naturalOf(d, t), pt.theta, { maxStep: thetaSteps(pt) });
  const Ftheta = fisherFormula(pt, false);
  const Jinv = solveMatrix(J.value, Matrix.identity(J.value.rows));
  const pulled = matmulTN(Jinv, matmul(Ftheta, Jinv));
  const jErr = maxAbs(J.error) / Math.max(maxAbs(J.value), 1e-300);
  const w2 = worstRatio(C.data, pulled.data, () => 20 * jErr * pt.cond * maxAbs(pulled) * C.rows + 64 * pt.cond * EPS * maxAbs(pulled));
  const w = w1.ratio >= w2.ratio ? w1 : w2;
  return {
    ratio: w.ratio,
    what: `d = ${d}: against ∇²A by differences, worst ${formatNumber(w1.diff)} (tolerance ${formatNumber(w1.tol)}); against the pullback, worst ${formatNumber(w2.diff)} (tolerance ${formatNumber(w2.tol)})`,
  };
}

/** F_m in closed form against Cov[T]⁻¹ and against the pullback J_mᵀ F_theta J_m with theta(m) = (m, vech(M - m mᵀ)). */
function expectationParametersCase(c: MvnCase, plant: boolean): CaseOutcome {
  const pt = pointOf(c);
  const { d } = pt;
  const pairs = vechPairs(d);
  const M = plus(
    pt.Sigma,
    new Matrix(
      d,
      d,
      Float64Array.from(range(d * d), (k) => pt.mu[Math.floor(k / d)] * pt.mu[k % d]),
    ),
  );
  const Fm = expectationFisherFormula(pt.mu, M, plant);
  const C = covarianceOfStatistics(pt.mu, pt.Sigma, false);
  const Cinv = solveMatrix(C, Matrix.identity(C.rows));
  // J_m = d theta / d (m, vech M): identity on both blocks, and d vech Sigma / d m = -(e_k m_l + m_k e_l)
  const n = d + pairs.length;
  const Jm = Matrix.identity(n);
  pairs.forEach(([k, l], b) => {
    for (let i = 0; i < d; i++) Jm.set(d + b, i, -((k === i ? pt.mu[l] : 0) + (l === i ? pt.mu[k] : 0)));
  });
  const pulled = matmulTN(Jm, matmul(fisherFormula(pt, false), Jm));
  const condC = pt.cond * pt.cond * (1 + dot(pt.mu, pt.mu)) ** 2;
  const tol = 64 * n * condC * EPS * maxAbs(Fm);
  const w1 = worstRatio(Fm.data, Cinv.data, () => tol);
  const w2 = worstRatio(Fm.data, pulled.data, () => tol);
  const w = w1.ratio >= w2.ratio ? w1 : w2;
  return { ratio: w.ratio, what: `d = ${d}: worst entry |difference| ${formatNumber(w.diff)} (tolerance ${formatNumber(tol)})` };
}

// ---------------------------------------------------------------------------
// the steps

interface StepSpec {
  title: string;
  reason: string;
  equations: { lhs: string; tex: string; text: string }[];
  method: CheckMethod;
  /** what the check compares, one clause */
  compares: string;
  planted: string;
  run: (c: MvnCase, plant: boolean, comparisons: number) => CaseOutcome;
}

const SPECS: StepSpec[] = [
  {
    title: 'Log-density',
    reason:
      'The density of $N(\\mu, \\Sigma)$ in $d$ dimensions, with $r = x - \\mu$; the parameters are $\\theta = (\\mu, \\operatorname{vech}\\Sigma)$, $\\operatorname{vech}\\Sigma$ the upper triangle of $\\Sigma$ row by row (an off-diagonal parameter $\\Sigma_{ij}$ moves both $\\Sigma_{ij}$ and $\\Sigma_{ji}$).',
    equations: [
      {
        lhs: '\\log p(x \\mid \\mu, \\Sigma)',
        tex: '-\\tfrac{d}{2}\\log(2\\pi) - \\tfrac12\\log\\det\\Sigma - \\tfrac12\\, r^\\top \\Sigma^{-1} r',
        text: 'log p = -d/2 log(2 pi) - 1/2 log det Sigma - 1/2 rᵀ Sigma⁻¹ r',
      },
    ],
    method: 'matrix-identity',
    compares: "the formula, evaluated through the eigen-decomposition of Sigma, against the catalogue's Cholesky-based log-density",
    planted: 'the factor ½ on log det Sigma dropped',
    run: logDensityCase,
  },
  {
    title: 'Differential of the log-determinant',
    reason:
      "Jacobi's formula: along a symmetric direction $d\\Sigma$, $\\log\\det$ changes by the trace of $\\Sigma^{-1} d\\Sigma$ (Magnus & Neudecker, Ch. 8).",
    equations: [{ lhs: 'd \\log\\det\\Sigma', tex: '\\operatorname{tr}(\\Sigma^{-1} d\\Sigma)', text: 'd log det Sigma = tr(Sigma⁻¹ dSigma)' }],
    method: 'finite-differences',
    compares: 'tr(Sigma⁻¹ E) against the difference quotient of log det(Sigma + t E) along a random symmetric E',
    planted: 'tr(Sigma E) in place of tr(Sigma⁻¹ E)',
    run: logDetCase,
  },
  {
    title: 'Differential of the inverse',
    reason: 'Differentiate $\\Sigma\\Sigma^{-1} = I$: $d\\Sigma\\,\\Sigma^{-1} + \\Sigma\\, d\\Sigma^{-1} = 0$.',
    equations: [{ lhs: 'd\\Sigma^{-1}', tex: '-\\Sigma^{-1}\\, d\\Sigma\\, \\Sigma^{-1}', text: 'd Sigma⁻¹ = -Sigma⁻¹ dSigma Sigma⁻¹' }],
    method: 'finite-differences',
    compares: '-Sigma⁻¹ E Sigma⁻¹ against the difference quotients of (Sigma + t E)⁻¹, every entry',
    planted: 'the product in the wrong order, -E Sigma⁻¹ Sigma⁻¹',
    run: inverseCase,
  },
  {
    title: 'Score',
    reason:
      'With the two differentials: $d\\log p = r^\\top\\Sigma^{-1} d\\mu + \\tfrac12\\operatorname{tr}\\big((\\Sigma^{-1} r r^\\top \\Sigma^{-1} - \\Sigma^{-1})\\, d\\Sigma\\big)$. On the symmetric parameters $d\\operatorname{vec}\\Sigma = D\\, d\\operatorname{vech}\\Sigma$, so the gradient in $\\operatorname{vech}\\Sigma$ is $D^\\top\\operatorname{vec}$ of the matrix gradient: its diagonal entries once, its off-diagonal entries twice.',
    equations: [
      { lhs: '\\nabla_\\mu \\log p', tex: '\\Sigma^{-1} r', text: 'grad_mu log p = Sigma⁻¹ r' },
      {
        lhs: '\\nabla_{\\operatorname{vech}\\Sigma} \\log p',
        tex: '\\tfrac12 D^\\top \\operatorname{vec}\\big(\\Sigma^{-1} r r^\\top \\Sigma^{-1} - \\Sigma^{-1}\\big)',
        text: 'grad_vechSigma log p = 1/2 Dᵀ vec(Sigma⁻¹ r rᵀ Sigma⁻¹ - Sigma⁻¹)',
      },
    ],
    method: 'finite-differences',
    compares: "the formula against Ridders' differences of the catalogue's log-density in every coordinate of theta",
    planted: 'vech in place of Dᵀ vec (off-diagonal entries not doubled)',
    run: scoreCase,
  },
  {
    title: 'Hessian',
    reason:
      'Differentiate the score once more, using $d\\Sigma^{-1} = -\\Sigma^{-1} d\\Sigma\\,\\Sigma^{-1}$ again; $E_k$ is the symmetric basis matrix of the $k$-th entry of $\\operatorname{vech}\\Sigma$ ($e_i e_i^\\top$ on the diagonal, $e_i e_j^\\top + e_j e_i^\\top$ off it).',
    equations: [
      { lhs: '\\nabla^2_{\\mu\\mu} \\log p', tex: '-\\Sigma^{-1}', text: 'H_mu,mu = -Sigma⁻¹' },
      { lhs: '\\partial_{\\mu}\\partial_{k} \\log p', tex: '-\\Sigma^{-1} E_k \\Sigma^{-1} r', text: 'H_mu,k = -Sigma⁻¹ E_k Sigma⁻¹ r' },
      {
        lhs: '\\partial_{k}\\partial_{l} \\log p',
        tex: '\\tfrac12\\operatorname{tr}(\\Sigma^{-1} E_k \\Sigma^{-1} E_l) - r^\\top \\Sigma^{-1} E_k \\Sigma^{-1} E_l \\Sigma^{-1} r',
        text: 'H_k,l = 1/2 tr(Sigma⁻¹ E_k Sigma⁻¹ E_l) - rᵀ Sigma⁻¹ E_k Sigma⁻¹ E_l Sigma⁻¹ r',
      },
    ],
    method: 'finite-differences',
    compares: "every entry against Ridders' second differences of the catalogue's log-density",
    planted: 'the factor ½ of the trace term dropped',
    run: hessianCase,
  },
  {
    title: 'The moments the expectation needs',
    reason:
      'The Hessian is affine in $r$ and $r r^\\top$, so its expectation needs only the first two moments of $r = x - \\mu$: $\\mathbb{E}[r] = 0$ and the definition of the covariance.',
    equations: [{ lhs: '\\mathbb{E}[(x-\\mu)(x-\\mu)^\\top]', tex: '\\Sigma', text: 'E[(x - mu)(x - mu)ᵀ] = Sigma' }],
    method: 'monte-carlo',
    compares: 'Sigma against the sample mean of (x - mu)(x - mu)ᵀ, every entry',
    planted: '1.1 Sigma claimed',
    run: secondMomentCase,
  },
  {
    title: 'Expectation: the Fisher information',
    reason:
      'Substitute: $\\mathbb{E}[\\Sigma^{-1}E_k\\Sigma^{-1} r] = 0$, and $\\mathbb{E}[r^\\top A r] = \\operatorname{tr}(A\\Sigma)$ turns the last term into $\\operatorname{tr}(\\Sigma^{-1}E_k\\Sigma^{-1}E_l)$, so $-\\mathbb{E}[\\partial_k\\partial_l\\log p] = \\tfrac12\\operatorname{tr}(\\Sigma^{-1}E_k\\Sigma^{-1}E_l)$. Since $\\operatorname{vec}E_k = D e_k$ and $\\operatorname{tr}(A X B Y) = \\operatorname{vec}(X)^\\top (A\\otimes B)\\operatorname{vec}(Y)$ for symmetric $A, B, X, Y$, the block is $\\tfrac12 D^\\top(\\Sigma^{-1}\\otimes\\Sigma^{-1})D$.',
    equations: [
      { lhs: 'F_{\\mu\\mu}', tex: '\\Sigma^{-1}', text: 'F_mu,mu = Sigma⁻¹' },
      { lhs: 'F_{\\mu\\Sigma}', tex: '0', text: 'F_mu,Sigma = 0' },
      { lhs: 'F_{\\Sigma\\Sigma}', tex: '\\tfrac12 D^\\top (\\Sigma^{-1}\\otimes\\Sigma^{-1}) D', text: 'F_Sigma,Sigma = 1/2 Dᵀ (Sigma⁻¹ ⊗ Sigma⁻¹) D' },
    ],
    method: 'matrix-identity',
    compares: '-E[Hessian] with E[r] = 0 and E[r rᵀ] = Sigma substituted, entry by entry, against the three blocks',
    planted: 'the vech weights ½ in place of the duplication matrix D',
    run: expectationCase,
  },
  {
    title: 'The duplication matrix',
    reason:
      '$D$ maps the $d(d+1)/2$ free entries to all $d^2$ entries, $\\operatorname{vec}\\Sigma = D\\operatorname{vech}\\Sigma$: column $(i,j)$ of $D$ has a 1 in rows $(i,j)$ and $(j,i)$ and zeros elsewhere. Entry by entry the block is $\\tfrac12\\operatorname{tr}(P E_{ij} P E_{kl})$ with $P = \\Sigma^{-1}$, which sums to the index form below, $c_{ii} = \\tfrac12$ and $c_{ij} = 1$ for $i \\ne j$ (the off-diagonal parameters count twice).',
    equations: [
      {
        lhs: 'D_{(a,b),(i,j)}',
        tex: '\\begin{cases}1 & (a,b) = (i,j) \\text{ or } (a,b) = (j,i)\\\\ 0 & \\text{otherwise}\\end{cases}',
        text: 'D[(a,b),(i,j)] = 1 if (a,b) = (i,j) or (j,i), else 0',
      },
      {
        lhs: 'F_{\\Sigma_{ij},\\Sigma_{kl}}',
        tex: 'c_{ij}\\, c_{kl}\\, (P_{ik}P_{jl} + P_{il}P_{jk})',
        text: 'F_(Sigma_ij, Sigma_kl) = c_ij c_kl (P_ik P_jl + P_il P_jk)',
      },
    ],
    method: 'matrix-identity',
    compares: "½ Dᵀ(Sigma⁻¹ ⊗ Sigma⁻¹)D against the entrywise ½ tr(Sigma⁻¹ E_k Sigma⁻¹ E_l), the index form and the catalogue's Fisher",
    planted: 'the vech weights ½ in place of D',
    run: duplicationCase,
  },
  {
    title: "Fourth moments: Isserlis' theorem",
    reason:
      'The same matrix is the covariance of the score, $F = \\mathbb{E}[s s^\\top]$, which needs the fourth moments of $r$. For a centred Gaussian they are sums over the three pairings (Isserlis 1918); with them $\\operatorname{Cov}(r^\\top A r, r^\\top B r) = 2\\operatorname{tr}(A\\Sigma B\\Sigma)$ for symmetric $A, B$.',
    equations: [
      {
        lhs: '\\mathbb{E}[r_a r_b r_c r_e]',
        tex: '\\Sigma_{ab}\\Sigma_{ce} + \\Sigma_{ac}\\Sigma_{be} + \\Sigma_{ae}\\Sigma_{bc}',
        text: 'E[r_a r_b r_c r_e] = S_ab S_ce + S_ac S_be + S_ae S_bc',
      },
    ],
    method: 'monte-carlo',
    compares: 'the sum of pairings against the sample mean of r_a r_b r_c r_e at random index quadruples',
    planted: 'one pairing only',
    run: isserlisCase,
  },
  {
    title: 'The Fisher identity, by Isserlis',
    reason:
      'The $\\Sigma$-part of the score is $s_k = \\tfrac12 r^\\top \\Sigma^{-1}E_k\\Sigma^{-1} r - \\tfrac12\\operatorname{tr}(\\Sigma^{-1}E_k)$; with $A_k = \\Sigma^{-1}E_k\\Sigma^{-1}$, $\\mathbb{E}[s_k s_l] = \\tfrac14\\cdot 2\\operatorname{tr}(A_k\\Sigma A_l\\Sigma) = \\tfrac12\\operatorname{tr}(\\Sigma^{-1}E_k\\Sigma^{-1}E_l)$: the outer product of the score gives the same block as the Hessian.',
    equations: [
      {
        lhs: '\\mathbb{E}[s_\\Sigma s_\\Sigma^\\top]',
        tex: '\\tfrac12 D^\\top (\\Sigma^{-1}\\otimes\\Sigma^{-1}) D',
        text: 'E[s_Sigma s_Sigmaᵀ] = 1/2 Dᵀ (Sigma⁻¹ ⊗ Sigma⁻¹) D',
      },
    ],
    method: 'matrix-identity',
    compares: "the index sum of Isserlis' pairings against ½ Dᵀ(Sigma⁻¹ ⊗ Sigma⁻¹)D, every entry",
    planted: 'Isserlis with one pairing',
    run: scoreCovarianceCase,
  },
  {
    title: 'Natural parameters',
    reason:
      'As an exponential family in the statistics $T = (x, \\operatorname{vech}(x x^\\top))$: $\\eta_1 = \\Sigma^{-1}\\mu$ and $q = -\\tfrac12 D^\\top\\operatorname{vec}\\Sigma^{-1}$ ($q_{ii} = -\\tfrac12 P_{ii}$, $q_{ij} = -P_{ij}$), with log-partition $A = \\tfrac12\\eta_1^\\top\\Lambda^{-1}\\eta_1 - \\tfrac12\\log\\det\\Lambda$, $\\Lambda = \\Sigma^{-1}$ rebuilt from $q$. The Fisher in $\\eta$ is $\\nabla^2 A = \\operatorname{Cov}[T]$; from Isserlis with means:',
    equations: [
      { lhs: '\\operatorname{Cov}(x_i, x_k x_l)', tex: '\\Sigma_{ik}\\mu_l + \\Sigma_{il}\\mu_k', text: 'Cov(x_i, x_k x_l) = S_ik mu_l + S_il mu_k' },
      {
        lhs: '\\operatorname{Cov}(x_i x_j, x_k x_l)',
        tex: '\\Sigma_{ik}\\Sigma_{jl} + \\Sigma_{il}\\Sigma_{jk} + \\mu_i\\mu_k\\Sigma_{jl} + \\mu_i\\mu_l\\Sigma_{jk} + \\mu_j\\mu_k\\Sigma_{il} + \\mu_j\\mu_l\\Sigma_{ik}',
        text: 'Cov(x_i x_j, x_k x_l) = S_ik S_jl + S_il S_jk + mu_i mu_k S_jl + mu_i mu_l S_jk + mu_j mu_k S_il + mu_j mu_l S_ik',
      },
      {
        lhs: 'F_\\eta',
        tex: '\\nabla^2 A(\\eta) = \\operatorname{Cov}[T], \\quad \\operatorname{Cov}(x) = \\Sigma',
        text: 'F_eta = Hessian of A = Cov[T], Cov(x) = Sigma',
      },
    ],
    method: 'finite-differences',
    compares: "Cov[T] against ∇²A by Ridders' differences and against the pullback J⁻ᵀ F_theta J⁻¹ through eta(theta)",
    planted: 'the terms in mu dropped (the central fourth moments only)',
    run: naturalCase,
  },
  {
    title: 'Expectation parameters',
    reason:
      'In $m = \\mathbb{E}[x] = \\mu$ and $M = \\mathbb{E}[x x^\\top] = \\Sigma + \\mu\\mu^\\top$ (on $\\operatorname{vech}M$) the Fisher is $(\\nabla^2 A)^{-1} = \\operatorname{Cov}[T]^{-1}$. In closed form, with $\\Sigma = M - m m^\\top$, $P = \\Sigma^{-1}$, $u = P m$, and $c_{kl} = \\tfrac12$ for $k = l$, $1$ otherwise (the pullback through $\\mu = m$, $\\Sigma = M - m m^\\top$):',
    equations: [
      { lhs: 'F_{mm}', tex: '(1 + m^\\top u)\\, P + u u^\\top', text: 'F_mm = (1 + mᵀu) P + u uᵀ' },
      { lhs: 'F_{m_i, M_{kl}}', tex: '-c_{kl}\\,(P_{ik} u_l + P_{il} u_k)', text: 'F_(m_i, M_kl) = -c_kl (P_ik u_l + P_il u_k)' },
      { lhs: 'F_{MM}', tex: '\\tfrac12 D^\\top (P\\otimes P) D', text: 'F_MM = 1/2 Dᵀ (P ⊗ P) D' },
    ],
    method: 'matrix-identity',
    compares: 'the closed form against the inverse of Cov[T] and against J_mᵀ F_theta J_m',
    planted: 'the term u uᵀ dropped',
    run: expectationParametersCase,
  },
];

/** One step's check over the cases: ok when every case's worst ratio is at most 1. */
function runStep(spec: StepSpec, cases: readonly MvnCase[], plant: boolean): { check: StepCheck; worst: CaseOutcome } {
  let worst: CaseOutcome = { ratio: 0, what: '' }; // replaced by the first case, so a zero difference everywhere still names its case
  for (const c of cases) {
    const o = spec.run(c, plant, cases.length);
    if (worst.what === '' || !(o.ratio <= worst.ratio)) worst = o;
  }
  const ds = [...new Set(cases.map((c) => c.d))].sort((a, b) => a - b).join(', ');
  const ok = worst.ratio <= 1;
  return {
    worst,
    check: {
      ok,
      method: spec.method,
      points: cases.length,
      detail: `${spec.compares}, at ${cases.length} random points (d = ${ds}): worst case ${worst.what}, ${formatNumber(worst.ratio)} of the tolerance`,
    },
  };
}

export interface MvnStepsOptions {
  /** the cases every step is checked at */
  cases: readonly MvnCase[];
  /** also run each step's planted mistake and report that it was caught */
  sensitivity?: boolean;
}

export interface SensitivityOutcome {
  readonly title: string;
  readonly planted: string;
  readonly caught: boolean;
  readonly ratio: number;
}

/** The derivation's steps, each checked at the cases (and, optionally, its planted mistake run). */
export function mvnDerivationSteps(opts: MvnStepsOptions): { steps: DerivationStep[]; sensitivity: SensitivityOutcome[] } {
  const steps: DerivationStep[] = [];
  const sensitivity: SensitivityOutcome[] = [];
  for (const spec of SPECS) {
    const { check } = runStep(spec, opts.cases, false);
    let detail = check.detail;
    if (opts.sensitivity) {
      const planted = runStep(spec, opts.cases, true);
      const caught = !planted.check.ok;
      sensitivity.push({ title: spec.title, planted: spec.planted, caught, ratio: planted.worst.ratio });
      detail += `. Sensitivity: with ${spec.planted}, the same check ${caught ? 'fails' : 'DOES NOT fail'} (${formatNumber(planted.worst.ratio)} of the tolerance)`;
    }
    steps.push({
      title: spec.title,
      reason: spec.reason,
      equations: spec.equations.map((e) => {
        const cut = e.text.indexOf(' = ');
        return { lhs: e.lhs, text: e.text.slice(0, cut), rhs: { tex: e.tex, text: e.text.slice(cut + 3) } };
      }),
      domains: {},
      check: { ...check, detail },
    });
  }
  return { steps, sensitivity };
}

/** The planted mistakes, for tests: each step's check run with its mistake at the cases. */
export function mvnSensitivityRuns(cases: readonly MvnCase[]): SensitivityOutcome[] {
  return SPECS.map((spec) => {
    const planted = runStep(spec, cases, true);
    return { title: spec.title, planted: spec.planted, caught: !planted.check.ok, ratio: planted.worst.ratio };
  });
}
