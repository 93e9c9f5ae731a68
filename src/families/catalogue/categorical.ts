/**
 * Categorical distribution over K classes with K-1 free parameters; class K is
 * the reference (p_K = 1 - sum p, logits (eta, 0)). The data are one-hot
 * indicators x_0..x_{K-2} (all zero for class K).
 * Literature: the multinomial information with one trial, F = diag(1/p) +
 * 11ᵀ/p_K (Lehmann & Casella 1998, Sec. 2.6; Amari 2016, Sec. 2.2), and in
 * natural coordinates F = diag(pi) - pi piᵀ, the Hessian of log(1 + sum exp eta).
 */
import { REAL, UNIT_INTERVAL } from '../../core/domain.js';
import { Matrix } from '../../linalg/matrix.js';
import type { FamilyDefinition, FamilyInstance } from '../types.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

function softmaxWithReference(eta: Float64Array): Float64Array {
  const m = Math.max(0, ...eta);
  let z = Math.exp(-m);
  for (const e of eta) z += Math.exp(e - m);
  return eta.map((e) => Math.exp(e - m) / z);
}

function build(K: number): FamilyInstance {
  const m = K - 1;
  const idx = range(m);
  const p = idx.map((i) => `p${i}`);
  const eta = idx.map((i) => `eta${i}`);
  const x = idx.map((i) => `x${i}`);
  const pK = `(1-(${p.join('+')}))`;
  const sumExp = `(1+${eta.map((e) => `exp(${e})`).join('+')})`;
  const pi = (i: number): string => `exp(${eta[i]})/${sumExp}`;
  return {
    family: 'categorical',
    dim: K,
    dataVars: x,
    logDensity: `${idx.map((i) => `${x[i]}*log(${p[i]})`).join('+')}+(1-(${x.join('+')}))*log${pK}`,
    support: { kind: 'categories', classes: K },
    base: 'mean',
    fixed: {},
    expFamily: {
      statistics: x,
      natural: idx.map((i) => `log(${p[i]}/${pK})`),
      etaSymbols: eta,
      logPartition: `log${sumExp}`,
      etaDomains: Object.fromEntries(eta.map((e) => [e, REAL])),
    },
    parameterizations: [
      {
        name: 'mean',
        symbols: p,
        paramNames: idx.map((i) => `p[${i}]`),
        domains: Object.fromEntries(p.map((s) => [s, UNIT_INTERVAL])),
        toBase: Object.fromEntries(p.map((s) => [s, s])),
        fromBase: Object.fromEntries(p.map((s) => [s, s])),
        literatureFisher: idx.map((i) => idx.map((j) => (i === j ? `1/${p[i]}+1/${pK}` : `1/${pK}`))),
        literatureSource: 'Lehmann & Casella (1998), Sec. 2.6: multinomial with one trial',
        jointViolation: (t) => {
          const s = t.reduce((a, b) => a + b, 0);
          return s < 1 ? null : { param: 'p', reason: `the probabilities must sum below 1 (p_K = 1 - sum(p) must be > 0), got sum ${s}` };
        },
        numericFisher: (t) => {
          const last = 1 - t.reduce((a, b) => a + b, 0);
          const F = new Matrix(m, m);
          for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) F.data[i * m + j] = 1 / last + (i === j ? 1 / t[i] : 0);
          return F;
        },
        numericMaps: identityMaps(m),
      },
      {
        name: 'natural',
        symbols: eta,
        paramNames: idx.map((i) => `eta[${i}]`),
        domains: Object.fromEntries(eta.map((e) => [e, REAL])),
        toBase: Object.fromEntries(idx.map((i) => [p[i], pi(i)])),
        fromBase: Object.fromEntries(idx.map((i) => [eta[i], `log(${p[i]}/${pK})`])),
        literatureFisher: idx.map((i) => idx.map((j) => (i === j ? `${pi(i)}-(${pi(i)})^2` : `-(${pi(i)})*(${pi(j)})`))),
        literatureSource: 'Amari (2016), Sec. 2.2: the Hessian of A(eta) = log(1 + sum exp(eta))',
        logDensity: `${idx.map((i) => `${x[i]}*${eta[i]}`).join('+')}-log${sumExp}`,
        naturalCoordinates: true,
        numericFisher: (t) => {
          const q = softmaxWithReference(t);
          const F = new Matrix(m, m);
          for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) F.data[i * m + j] = (i === j ? q[i] : 0) - q[i] * q[j];
          return F;
        },
        numericMaps: {
          toBase: softmaxWithReference,
          fromBase: (b) => {
            const last = 1 - b.reduce((a, c) => a + c, 0);
            return b.map((v) => Math.log(v / last));
          },
          jacobianToBase: (t) => {
            const q = softmaxWithReference(t);
            const J = new Matrix(m, m);
            for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) J.data[i * m + j] = (i === j ? q[i] : 0) - q[i] * q[j];
            return J;
          },
          jacobianFromBase: (b) => {
            const last = 1 - b.reduce((a, c) => a + c, 0);
            const J = new Matrix(m, m);
            for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) J.data[i * m + j] = (i === j ? 1 / b[i] : 0) + 1 / last;
            return J;
          },
        },
      },
    ],
    logpdf(xv, base) {
      const v = xv as Float64Array;
      let last = 1;
      let lp = 0;
      let hot = false;
      for (let i = 0; i < m; i++) {
        last -= base[i];
        if (v[i] === 1) { lp = Math.log(base[i]); hot = true; }
      }
      return hot ? lp : Math.log(last);
    },
    sample(rng, base) {
      const u = rng.uniform();
      const out = new Float64Array(m);
      let c = 0;
      for (let i = 0; i < m; i++) {
        c += base[i];
        if (u < c) { out[i] = 1; return out; }
      }
      return out;
    },
  };
}

function identityMaps(m: number) {
  return {
    toBase: (t: Float64Array) => t.slice(),
    fromBase: (b: Float64Array) => b.slice(),
    jacobianToBase: () => Matrix.identity(m),
    jacobianFromBase: () => Matrix.identity(m),
  };
}

const instances = new Map<number, FamilyInstance>();

export const categorical: FamilyDefinition = {
  name: 'categorical',
  layouts: { mean: [{ name: 'p', shape: 'vector' }], natural: [{ name: 'eta', shape: 'vector' }] },
  fixed: {},
  dimensionFromParams: (pname, params) => (params[pname === 'mean' ? 'p' : 'eta'] as unknown[]).length + 1,
  verifyDimensions: [2, 3],
  instance(dim = 3) {
    let inst = instances.get(dim);
    if (!inst) { inst = build(dim); instances.set(dim, inst); }
    return inst;
  },
};
