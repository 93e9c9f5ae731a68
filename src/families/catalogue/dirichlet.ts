/**
 * Dirichlet distribution on the K-simplex with concentrations alpha.
 * Literature: F_ij = trigamma(alpha_i) delta_ij - trigamma(alpha_0),
 * alpha_0 = sum alpha (Minka, "Estimating a Dirichlet distribution", 2000, Sec. 1;
 * Ng, Tian & Tang, Dirichlet and Related Distributions, 2011, Sec. 2.2).
 */
import { POSITIVE } from '../../core/domain.js';
import { exactSum } from '../../core/error-free.js';
import { WideMatrix } from '../../core/wide.js';
import { lgamma, trigamma, trigammaDifference } from '../../symbolic/special.js';
import { singleParameterization } from '../numeric-forms.js';
import { cite, parameterization, perDimension, sameDomain } from '../declare.js';
import type { FamilyDefinition, FamilyInstance } from '../types.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * trigamma(alpha_i) delta_ij - trigamma(alpha_0): the diagonal as
 * trigamma(alpha_i) - trigamma(alpha_i + rest_i), differenced analytically
 * (it cancels when alpha_i dominates alpha_0), rest_i the sum of the others.
 */
function dirichletFisher(alpha: Float64Array): WideMatrix {
  const K = alpha.length;
  const a0 = exactSum(alpha);
  const t0 = trigamma(a0);
  const F = new Float64Array(K * K).fill(-t0);
  for (let i = 0; i < K; i++) {
    // a0 - alpha_i loses nothing unless alpha_i is most of a0 (at most one i): then sum the others
    const rest = alpha[i] <= a0 / 2 ? a0 - alpha[i] : exactSum(alpha.filter((_, j) => j !== i));
    F[i * K + i] = trigammaDifference(alpha[i], rest);
  }
  return WideMatrix.fromScaled(F, K, K);
}

function build(K: number): FamilyInstance {
  const idx = range(K);
  const a = idx.map((i) => `alpha${i}`);
  const x = idx.map((i) => `x${i}`);
  const eta = idx.map((i) => `eta${i}`);
  const a0 = `(${a.join('+')})`;
  return {
    family: 'dirichlet',
    dim: K,
    dataVars: x,
    logDensity: `lgamma${a0}-(${a.map((s) => `lgamma(${s})`).join('+')})+${idx.map((i) => `(${a[i]}-1)*log(${x[i]})`).join('+')}`,
    support: { kind: 'simplex', dim: K },
    base: 'standard',
    fixed: {},
    expFamily: {
      statistics: x.map((v) => `log(${v})`),
      natural: a.map((s) => `${s}-1`),
      etaSymbols: eta,
      // with h(x) = 1 on the simplex: A(eta) = sum lgamma(eta_k + 1) - lgamma(sum(eta_k + 1))
      logPartition: `${eta.map((e) => `lgamma(${e}+1)`).join('+')}-lgamma(${eta.map((e) => `${e}+1`).join('+')})`,
      etaDomains: sameDomain(eta, POSITIVE),
    },
    parameterizations: [
      parameterization(
        'standard',
        sameDomain(a, POSITIVE),
        cite(
          'Minka (2000), Estimating a Dirichlet distribution, Sec. 1',
          idx.map((i) => idx.map((j) => (i === j ? `trigamma(${a[i]})-trigamma${a0}` : `-trigamma${a0}`))),
        ),
        singleParameterization(dirichletFisher),
        { paramNames: idx.map((i) => `alpha[${i}]`) },
      ),
    ],
    logpdf(xv, base) {
      const v = xv as Float64Array;
      let s = 0;
      let lp = 0;
      for (let i = 0; i < K; i++) {
        s += base[i];
        lp += (base[i] - 1) * Math.log(v[i]) - lgamma(base[i]);
      }
      return lp + lgamma(s);
    },
    sample(rng, base) {
      const g = new Float64Array(K);
      let s = 0;
      for (let i = 0; i < K; i++) s += g[i] = rng.gamma(base[i]);
      for (let i = 0; i < K; i++) g[i] /= s;
      return g;
    },
  };
}

export const dirichlet: FamilyDefinition = {
  name: 'dirichlet',
  layouts: { standard: [{ name: 'alpha', shape: 'vector' }] },
  fixed: {},
  dimensionFromParams: (_p, params) => (params.alpha as unknown[]).length,
  verifyDimensions: [2, 3],
  dimensionSymbol: 'K',
  examples: [{ params: { alpha: [1.5, 2] } }, { params: { alpha: [1.2, 0.8, 2.5] } }],
  instance: perDimension(3, build),
};
