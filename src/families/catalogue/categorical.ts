/**
 * Categorical distribution over K classes with K-1 free parameters; class K is
 * the reference (p_K = 1 - sum p, logits (eta, 0)). The data are one-hot
 * indicators x_0..x_{K-2} (all zero for class K).
 * Literature: the multinomial information with one trial, F = diag(1/p) +
 * 11ᵀ/p_K (Lehmann & Casella 1998, Sec. 2.6; Amari 2016, Sec. 2.2), and in
 * natural coordinates F = diag(pi) - pi piᵀ, the Hessian of log(1 + sum exp eta).
 */
import { REAL, UNIT_INTERVAL } from '../../core/domain.js';
import { exactSum, exactSumPair, twoSum } from '../../core/error-free.js';
import { Wide, WideMatrix } from '../../core/wide.js';
import { cite, parameterization, perDimension, sameDomain } from '../declare.js';
import type { FamilyDefinition, FamilyInstance } from '../types.js';
import { type BaseForms, naturalOfMean } from '../numeric-forms.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * The probabilities of the K - 1 free classes and of the reference, and
 * 1 - p_i for the free classes, each to full relative accuracy: 1 - p_i is
 * never formed by subtracting a p_i near 1, but as the sum of the other
 * classes' probabilities. pKlo carries the rounding error of p_K when it was
 * formed as 1 - sum p (so that log(p_i/p_K) near 0 keeps its accuracy), and
 * eta is kept when the point was given by its logits.
 */
interface Point {
  p: Wide[];
  r: Wide[];
  pK: Wide;
  pKlo: number;
  eta: Float64Array | null;
}

/** 1 - sum p as a correctly rounded pair hi + lo (the p nearly summing to 1 cancel). */
const referenceProbability = (p: ArrayLike<number>): [number, number] => exactSumPair([1, ...Array.from(p, (v) => -v)]);

function pointFromProbabilities(p: Float64Array): Point {
  const [pK, pKlo] = referenceProbability(p);
  return { p: Array.from(p, (v) => Wide.of(v)), r: Array.from(p, (v) => Wide.of(1 - v)), pK: Wide.of(pK), pKlo, eta: null };
}

/**
 * Softmax with the reference logit 0, relative to the largest logit M:
 * w_j = e^(eta_j - M) with the rounding error of eta_j - M restored (at
 * |eta_j - M| ~ 1000 it is 1e-13 relative), wide so that no class underflows.
 */
function pointFromLogits(eta: Float64Array): Point {
  const logits = [...eta, 0];
  const M = Math.max(...logits);
  const w = logits.map((x) => {
    const [d, err] = twoSum(x, -M);
    return Wide.exp(d).mulNum(1 + (Number.isFinite(err) ? err : 0));
  });
  const wf = w.map((v) => v.toNumber());
  const z = exactSum(wf); // in [1, K]: the largest w is 1
  const Z = Wide.of(z);
  const r = eta.length
    ? Array.from(eta, (_, i) => {
        // 1 - p_i = (sum of the other w) / z; plain z - w_i is exact enough unless class i dominates
        if (wf[i] <= z / 2) return Wide.of(z - wf[i]).div(Z);
        let others = Wide.ZERO;
        w.forEach((v, j) => {
          if (j !== i) others = others.add(v);
        });
        return others.div(Z);
      })
    : [];
  return { p: w.slice(0, -1).map((v) => v.div(Z)), r, pK: w[w.length - 1].div(Z), pKlo: 0, eta: eta.slice() };
}

/** diag(1/p) + 11ᵀ/p_K: d eta / d p, and the Fisher in mean coordinates. */
function meanFisher(pt: Point): WideMatrix {
  const m = pt.p.length;
  const F = new WideMatrix(m, m);
  const invK = pt.pK.inv();
  F.m.fill(invK.m);
  F.e.fill(invK.e);
  for (let i = 0; i < m; i++) F.set(i, i, pt.p[i].inv().add(invK));
  return F;
}

/** diag(p) - p pᵀ with the diagonal as p_i (1 - p_i): d p / d eta, and the Fisher in natural coordinates. */
function naturalFisher(pt: Point): WideMatrix {
  const m = pt.p.length;
  const F = new WideMatrix(m, m);
  for (let i = 0; i < m; i++) {
    const pi = pt.p[i];
    for (let j = 0; j < m; j++) {
      const k = i * m + j;
      if (i === j) {
        const d = pi.mul(pt.r[i]);
        F.m[k] = d.m;
        F.e[k] = d.e;
      } else {
        // products of normalized mantissas stay in [0.25, 1): no object per entry
        F.m[k] = -pi.m * pt.p[j].m;
        F.e[k] = pi.e + pt.p[j].e;
      }
    }
  }
  return F;
}

/** log(p_i / p_K), as log1p of an exact difference where the ratio is near 1 (the result near 0). */
function logitsOf(pt: Point): Wide[] {
  if (pt.eta) return Array.from(pt.eta, (v) => Wide.of(v));
  const pK = pt.pK.toNumber();
  return pt.p.map((pi) => {
    const ratio = pi.div(pt.pK);
    const x = ratio.toNumber();
    if (x >= 0.5 && x <= 2) return Wide.of(Math.log1p((pi.toNumber() - pK - pt.pKlo) / pK));
    return Wide.of(ratio.log());
  });
}

const meanForms: BaseForms<Point> = { point: pointFromProbabilities, coordinates: (pt) => pt.p, fisher: meanFisher };

const naturalForms = naturalOfMean(meanForms, { point: pointFromLogits, coordinates: logitsOf, fisher: naturalFisher });

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
      etaDomains: sameDomain(eta, REAL),
    },
    parameterizations: [
      parameterization(
        'mean',
        sameDomain(p, UNIT_INTERVAL),
        cite(
          'Lehmann & Casella (1998), Sec. 2.6: multinomial with one trial',
          idx.map((i) => idx.map((j) => (i === j ? `1/${p[i]}+1/${pK}` : `1/${pK}`))),
        ),
        meanForms,
        {
          paramNames: idx.map((i) => `p[${i}]`),
          jointViolation: (t) => {
            if (referenceProbability(t)[0] > 0) return null;
            return { param: 'p', reason: `the probabilities must sum below 1 (p_K = 1 - sum(p) must be > 0), got sum ${exactSum(t)}` };
          },
        },
      ),
      parameterization(
        'natural',
        sameDomain(eta, REAL),
        cite(
          'Amari (2016), Sec. 2.2: the Hessian of A(eta) = log(1 + sum exp(eta))',
          idx.map((i) => idx.map((j) => (i === j ? `${pi(i)}-(${pi(i)})^2` : `-(${pi(i)})*(${pi(j)})`))),
        ),
        naturalForms,
        {
          paramNames: idx.map((i) => `eta[${i}]`),
          toBase: Object.fromEntries(idx.map((i) => [p[i], pi(i)])),
          fromBase: Object.fromEntries(idx.map((i) => [eta[i], `log(${p[i]}/${pK})`])),
          logDensity: `${idx.map((i) => `${x[i]}*${eta[i]}`).join('+')}-log${sumExp}`,
          naturalCoordinates: true,
        },
      ),
    ],
    logpdf(xv, base) {
      const v = xv as Float64Array;
      let last = 1;
      let lp = 0;
      let hot = false;
      for (let i = 0; i < m; i++) {
        last -= base[i];
        if (v[i] === 1) {
          lp = Math.log(base[i]);
          hot = true;
        }
      }
      return hot ? lp : Math.log(last);
    },
    sample(rng, base) {
      const u = rng.uniform();
      const out = new Float64Array(m);
      let c = 0;
      for (let i = 0; i < m; i++) {
        c += base[i];
        if (u < c) {
          out[i] = 1;
          return out;
        }
      }
      return out;
    },
  };
}

export const categorical: FamilyDefinition = {
  name: 'categorical',
  layouts: { mean: [{ name: 'p', shape: 'vector' }], natural: [{ name: 'eta', shape: 'vector' }] },
  fixed: {},
  dimensionFromParams: (pname, params) => (params[pname === 'mean' ? 'p' : 'eta'] as unknown[]).length + 1,
  verifyDimensions: [2, 3],
  dimensionSymbol: 'K',
  // the first K - 1 shares of K weights in [1/2, 3/2): every point of the open simplex away from its faces
  baseFromUnit: {
    units: (K) => K,
    map(u, K) {
      const w = u.map((v) => 0.5 + v);
      const total = w.reduce((a, b) => a + b, 0);
      return Float64Array.from(w.slice(0, K - 1), (v) => v / total);
    },
  },
  examples: [{ params: { p: [0.4] } }, { params: { p: [0.2, 0.5] } }, { params: { p: [0.1, 0.2, 0.3] } }],
  instance: perDimension(3, build),
};
