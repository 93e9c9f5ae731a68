/**
 * Multivariate normal N(mu, Sigma) in d dimensions. Parameters: mu[0..d-1],
 * then the upper triangle of Sigma row by row (an off-diagonal parameter moves
 * both symmetric entries).
 * Literature: F_{mu mu} = Sigma^-1, F_{mu Sigma} = 0, and for the Sigma entries
 * F_{(ij),(kl)} = ½ tr(Sigma^-1 E_ij Sigma^-1 E_kl), E_ij the symmetric basis
 * matrix of the parameter (Mardia, Kent & Bibby, Multivariate Analysis, 1979,
 * Sec. 4.2; Porat & Friedlander 1986, "Computation of the exact information
 * matrix of Gaussian time series").
 */
import { NEGATIVE, POSITIVE, REAL, type Domain } from '../../core/domain.js';
import { Cholesky } from '../../linalg/cholesky.js';
import { binaryExponent, ldexp, Wide, WideMatrix } from '../../core/wide.js';
import { Matrix } from '../../linalg/matrix.js';
import type { Expr } from '../../symbolic/index.js';
import { singleParameterization } from '../numeric-forms.js';
import { perDimension } from '../declare.js';
import { valueFromUnit } from '../unit-points.js';
import type { FamilyDefinition, FamilyInstance } from '../types.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Symbolic determinant by cofactor expansion (only used for d <= 3). */
function det(m: Expr[][]): Expr {
  const n = m.length;
  if (n === 1) return m[0][0];
  if (n === 2) return `(${m[0][0]})*(${m[1][1]})-(${m[0][1]})*(${m[1][0]})`;
  return range(n)
    .map((j) => `${j % 2 === 0 ? '+' : '-'}(${m[0][j]})*(${det(minor(m, 0, j))})`)
    .join('');
}

function minor(m: Expr[][], r: number, c: number): Expr[][] {
  return m.filter((_, i) => i !== r).map((row) => row.filter((_, j) => j !== c));
}

/** Symbolic inverse through the adjugate. */
function inverse(m: Expr[][]): Expr[][] {
  const n = m.length;
  const D = det(m);
  if (n === 1) return [[`1/(${D})`]];
  return range(n).map((i) => range(n).map((j) => `${(i + j) % 2 === 0 ? '' : '-'}(${det(minor(m, j, i))})/(${D})`));
}

/** The parameters of the Sigma block: pairs (i, j), i <= j, row by row. */
const upperPairs = (d: number): [number, number][] => range(d).flatMap((i) => range(d - i).map((k) => [i, i + k] as [number, number]));

/** tr(P E_ij P E_kl) as a list of index quadruples (a, b, c, e): sum of P_ab P_ce. */
function traceTerms(i: number, j: number, k: number, l: number): [number, number, number, number][] {
  const A: [number, number][] =
    i === j
      ? [[i, i]]
      : [
          [i, j],
          [j, i],
        ];
  const B: [number, number][] =
    k === l
      ? [[k, k]]
      : [
          [k, l],
          [l, k],
        ];
  const out: [number, number, number, number][] = [];
  // tr(P A P B) = sum over A's (b,c) and B's (e,a) of P_ab P_ce
  for (const [b, c] of A) for (const [e, a] of B) out.push([a, b, c, e]);
  return out;
}

function build(d: number): FamilyInstance {
  const idx = range(d);
  const mu = idx.map((i) => `mu${i}`);
  const x = idx.map((i) => `x${i}`);
  const pairs = upperPairs(d);
  const S = (i: number, j: number): string => (i <= j ? `Sigma${i}_${j}` : `Sigma${j}_${i}`);
  const sigmaSymbols = pairs.map(([i, j]) => S(i, j));
  const symbols = [...mu, ...sigmaSymbols];
  const paramNames = [...idx.map((i) => `mu[${i}]`), ...pairs.map(([i, j]) => `Sigma[${i}][${j}]`)];
  const sigmaMatrix: Expr[][] = idx.map((i) => idx.map((j) => S(i, j)));
  const domains: Record<string, Domain> = Object.fromEntries([
    ...mu.map((m) => [m, REAL] as const),
    ...pairs.map(([i, j]) => [S(i, j), i === j ? POSITIVE : REAL] as const),
  ]);
  const n = symbols.length;
  let lazyInverse: Expr[][] | undefined;
  const P = (): Expr[][] => (lazyInverse ??= inverse(sigmaMatrix));
  const identity = Object.fromEntries(symbols.map((s) => [s, s]));
  // Natural parameters: h = Sigma^-1 mu for the statistics x_i, and the
  // coefficients of x_i x_j in -½ xᵀ Sigma^-1 x for the statistics x_i x_j.
  const quadStats = pairs.map(([i, j]) => (i === j ? `${x[i]}^2` : `${x[i]}*${x[j]}`));
  const etaLin = idx.map((i) => `h${i}`);
  const etaQuad = pairs.map(([i, j]) => `q${i}_${j}`);
  const theta: Expr[][] = idx.map((i) => idx.map((j) => (i === j ? `(-2*q${i}_${i})` : `(-q${Math.min(i, j)}_${Math.max(i, j)})`)));

  // Monte Carlo loops draw and evaluate at one covariance (or the few that a
  // finite-difference stencil visits) millions of times: factor each once.
  // (the last covariance is compared entry by entry first: forming the key
  // string would cost more than the draw)
  const factors = new Map<string, Cholesky>();
  const lastSigma = new Float64Array(n - d).fill(NaN);
  let lastFactor: Cholesky | null = null;
  const factorOf = (base: Float64Array): Cholesky => {
    let same = lastFactor !== null;
    for (let k = 0; same && k < n - d; k++) same = base[d + k] === lastSigma[k];
    if (same) return lastFactor!;
    const f = factorFor(base);
    lastSigma.set(base.subarray(d, n));
    lastFactor = f;
    return f;
  };
  const factorFor = (base: Float64Array): Cholesky => {
    const key = base.subarray(d).join(',');
    let f = factors.get(key);
    if (!f) {
      f = new Cholesky(sigmaFromTheta(base, d));
      if (factors.size >= 256) factors.clear();
      factors.set(key, f);
    }
    return f;
  };
  const precisions = new Map<Cholesky, Float64Array>();
  const precisionOf = (base: Float64Array): Float64Array => {
    const chol = factorOf(base);
    let P = precisions.get(chol);
    if (!P) {
      P = chol.inverse().data;
      if (precisions.size >= 256) precisions.clear();
      precisions.set(chol, P);
    }
    return P;
  };
  const u = new Float64Array(d);
  const inst: FamilyInstance = {
    family: 'multivariate-normal',
    dim: d,
    dataVars: x,
    get logDensity() {
      const quad = idx.flatMap((i) => idx.map((j) => `(${x[i]}-${mu[i]})*(${P()[i][j]})*(${x[j]}-${mu[j]})`)).join('+');
      return `-${d}/2*log(2*pi)-1/2*log(${det(sigmaMatrix)})-1/2*(${quad})`;
    },
    support: { kind: 'real-vector', dim: d },
    base: 'mean-cov',
    fixed: {},
    get expFamily() {
      const Pm = P();
      const thetaInv = inverse(theta);
      const hTh = idx.flatMap((i) => idx.map((j) => `(${etaLin[i]})*(${thetaInv[i][j]})*(${etaLin[j]})`)).join('+');
      return {
        statistics: [...x, ...quadStats],
        natural: [
          ...idx.map((i) => idx.map((j) => `(${Pm[i][j]})*${mu[j]}`).join('+')),
          ...pairs.map(([i, j]) => (i === j ? `-1/2*(${Pm[i][i]})` : `-(${Pm[i][j]})`)),
        ],
        etaSymbols: [...etaLin, ...etaQuad],
        logPartition: `1/2*(${hTh})-1/2*log(${det(theta)})`,
        etaDomains: Object.fromEntries([
          ...etaLin.map((h) => [h, REAL] as const),
          ...pairs.map(([i, j]) => [`q${i}_${j}`, i === j ? NEGATIVE : REAL] as const),
        ]),
      };
    },
    parameterizations: [
      {
        name: 'mean-cov',
        symbols,
        paramNames,
        domains,
        toBase: identity,
        fromBase: identity,
        get literatureFisher() {
          const Pm = P();
          const F: Expr[][] = range(n).map(() => range(n).map(() => '0'));
          for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) F[a][b] = Pm[a][b];
          pairs.forEach(([i, j], r) =>
            pairs.forEach(([k, l], c) => {
              const terms = traceTerms(i, j, k, l).map(([a, b, cc, e]) => `(${Pm[a][b]})*(${Pm[cc][e]})`);
              F[d + r][d + c] = `1/2*(${terms.join('+')})`;
            }),
          );
          return F;
        },
        literatureSource: 'Mardia, Kent & Bibby (1979), Sec. 4.2: ½ tr(Sigma^-1 E_ij Sigma^-1 E_kl)',
        jointViolation: (t) => {
          try {
            new Cholesky(equilibrate(sigmaFromTheta(t, d)).scaled);
            return null;
          } catch {
            return { param: 'Sigma', reason: 'must be symmetric positive definite (its Cholesky factorization fails)' };
          }
        },
        numeric: singleParameterization((t) => fisherNumeric(t, d)),
      },
    ],
    logpdf(xv, base) {
      const v = xv as Float64Array;
      const chol = factorOf(base);
      const r = Float64Array.from(idx, (i) => v[i] - base[i]);
      const z = chol.solve(r);
      let q = 0;
      for (let i = 0; i < d; i++) q += r[i] * z[i];
      return -0.5 * d * Math.log(2 * Math.PI) - 0.5 * chol.logDet() - 0.5 * q;
    },
    score(xv, base, _fixed, out) {
      // with u = P (x − mu): ∂/∂mu = u, ∂/∂Sigma_ii = ½(u_i² − P_ii), and
      // ∂/∂Sigma_ij = u_i u_j − P_ij for i < j (the symmetric entry counted twice)
      const v = xv as Float64Array;
      const P = precisionOf(base);
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += P[i * d + j] * (v[j] - base[j]);
        u[i] = s;
        out[i] = s;
      }
      let k = d;
      for (let i = 0; i < d; i++) for (let j = i; j < d; j++, k++) out[k] = i === j ? 0.5 * (u[i] * u[i] - P[i * d + i]) : u[i] * u[j] - P[i * d + j];
    },
    sample(rng, base) {
      const L = factorOf(base).L.data;
      const z = new Float64Array(d);
      for (let i = 0; i < d; i++) z[i] = rng.normal();
      const out = new Float64Array(d);
      for (let i = 0; i < d; i++) {
        let s = base[i];
        for (let k = 0; k <= i; k++) s += L[i * d + k] * z[k];
        out[i] = s;
      }
      return out;
    },
  };
  return inst;
}

export function sigmaFromTheta(t: Float64Array, d: number): Matrix {
  const S = new Matrix(d, d);
  let k = d;
  for (let i = 0; i < d; i++)
    for (let j = i; j < d; j++) {
      S.data[i * d + j] = t[k];
      S.data[j * d + i] = t[k];
      k++;
    }
  return S;
}

/**
 * Sigma = D S D with D = diag(2^k_i), 2^k_i within a factor 2 of
 * sqrt(Sigma_ii): the scaling is exact, S has a diagonal in [1/4, 4), and
 * Cholesky on S is as accurate as the correlation structure allows, whatever
 * the scales of the variables (van der Sluis 1969: diagonal scaling is
 * nearly optimal for the condition number of a positive definite matrix).
 */
function equilibrate(sigma: Matrix): { scaled: Matrix; k: Int32Array } {
  const d = sigma.rows;
  const k = Int32Array.from({ length: d }, (_, i) => Math.round(binaryExponent(sigma.data[i * d + i]) / 2));
  const scaled = new Matrix(d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) scaled.data[i * d + j] = ldexp(sigma.data[i * d + j], -k[i] - k[j]);
  return { scaled, k };
}

/**
 * The literature Fisher with P = Sigma^-1 = D^-1 S^-1 D^-1: each entry is a
 * float from S^-1 times a power of two (in the Sigma block every term of an
 * entry carries the same D factors, those of its four indices), so entries
 * of any scale are formed without overflow or underflow.
 */
function fisherNumeric(t: Float64Array, d: number): WideMatrix {
  const { scaled, k } = equilibrate(sigmaFromTheta(t, d));
  const P = new Cholesky(scaled).inverse();
  const pairs = upperPairs(d);
  const n = d + pairs.length;
  const F = new WideMatrix(n, n);
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < d; b++) {
      F.m[a * n + b] = P.data[a * d + b];
      F.e[a * n + b] = -k[a] - k[b];
    }
  }
  pairs.forEach(([i, j], r) =>
    pairs.forEach(([kk, l], c) => {
      const terms = traceTerms(i, j, kk, l);
      let s = 0;
      // entries of S^-1 may be tiny (weak correlations): a product that leaves the float range is summed wide
      let underflow = false;
      for (const [a, b, cc, e] of terms) {
        const x = P.data[a * d + b];
        const y = P.data[cc * d + e];
        const t = x * y;
        if (Math.abs(t) < 2 ** -960 && x !== 0 && y !== 0) underflow = true;
        s += t;
      }
      const k0 = (d + r) * n + d + c;
      const scale = -k[i] - k[j] - k[kk] - k[l];
      if (underflow) {
        let w = Wide.ZERO;
        for (const [a, b, cc, e] of terms) w = w.add(Wide.of(P.data[a * d + b]).mul(Wide.of(P.data[cc * d + e])));
        F.m[k0] = w.m;
        F.e[k0] = w.e - 1 + scale;
      } else {
        F.m[k0] = 0.5 * s;
        F.e[k0] = scale;
      }
    }),
  );
  return F;
}

/**
 * mu in [-2, 2)^d and Sigma = L Lᵀ + 0.3 w wᵀ + 0.7 diag(e), with L in
 * [-1, 1)^(d x d) and w, e in [1/2, 3/2)^d: positive definite with its
 * smallest eigenvalue at least 0.35. At the centre of the cube, mu = 0 and
 * Sigma has 1 on the diagonal and 0.3 off it, exactly.
 */
function meanCovFromUnit(u: readonly number[], d: number): Float64Array {
  const mu = u.slice(0, d).map((v) => valueFromUnit(REAL, v));
  const L = u.slice(d, d + d * d).map((v) => 2 * v - 1);
  const w = u.slice(d + d * d, 2 * d + d * d).map((v) => 0.5 + v);
  const e = u.slice(2 * d + d * d).map((v) => 0.5 + v);
  const out = [...mu];
  for (let i = 0; i < d; i++)
    for (let j = i; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += L[i * d + k] * L[j * d + k];
      out.push(s + 0.3 * w[i] * w[j] + (i === j ? 0.7 * e[i] : 0));
    }
  return Float64Array.from(out);
}

export const multivariateNormal: FamilyDefinition = {
  name: 'multivariate-normal',
  layouts: {
    'mean-cov': [
      { name: 'mu', shape: 'vector' },
      { name: 'Sigma', shape: 'symmetric-matrix' },
    ],
  },
  fixed: {},
  dimensionFromParams: (_p, params) => (params.mu as unknown[]).length,
  verifyDimensions: [2],
  dimensionSymbol: 'd',
  baseFromUnit: { units: (d) => d + d * d + 2 * d, map: meanCovFromUnit },
  examples: [
    { params: { mu: [0.5], Sigma: [[2]] } },
    {
      params: {
        mu: [0.1, -0.2],
        Sigma: [
          [2, 0.3],
          [0.3, 1],
        ],
      },
    },
    {
      params: {
        mu: [0.1, -0.2, 0.4],
        Sigma: [
          [1.5, 0.2, -0.1],
          [0.2, 1, 0.3],
          [-0.1, 0.3, 2],
        ],
      },
    },
  ],
  instance: perDimension(2, build),
};
