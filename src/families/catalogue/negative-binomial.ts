/**
 * Negative binomial distribution: failures before the r-th success (r > 0
 * real, fixed), success probability p:
 * P(x) = Gamma(x+r) / (Gamma(r) x!) p^r (1-p)^x, x = 0, 1, 2, ...
 * Literature: F(p) = r/(p^2 (1-p)) (Johnson, Kemp & Kotz, Univariate Discrete
 * Distributions, 3rd ed. 2005, Ch. 5).
 */
import { NEGATIVE, POSITIVE, UNIT_INTERVAL } from '../../core/domain.js';
import { lgamma } from '../../symbolic/special.js';
import { cite, exponentialFamily, parameterization, scalarFamily } from '../declare.js';
import type { FamilyDefinition } from '../types.js';
import type { WideMatrix } from '../../core/wide.js';
import { W, singleParameterization, wideRows } from '../numeric-forms.js';

const SOURCE = 'Johnson, Kemp & Kotz (2005), Univariate Discrete Distributions, Ch. 5';

/** r / (p^2 (1 - p)), the Fisher of the failures before the r-th success; 1 - p of an exact p is correctly rounded */
export function failuresFisher(r: number, p: number): WideMatrix {
  const q = 1 - p;
  return wideRows([[W(r).div(W(p).square().mul(W(q)))]]);
}

const numericForms = singleParameterization(([p], { r }) => failuresFisher(r, p));

export const negativeBinomial: FamilyDefinition = scalarFamily({
  family: 'negative-binomial',
  support: { kind: 'count' },
  fixed: { r: POSITIVE },
  logDensity: 'lgamma(x+r)-lgamma(r)-lgamma(x+1)+r*log(p)+x*log(1-p)',
  logpdf: (k, base, { r }) => lgamma(k + r) - lgamma(r) - lgamma(k + 1) + r * Math.log(base[0]) + k * Math.log1p(-base[0]),
  sample(rng, base, fixed) {
    // Poisson-gamma mixture: lambda ~ Gamma(r, rate p/(1-p)), x | lambda ~ Poisson(lambda)
    const p = base[0];
    return rng.poisson((rng.gamma(fixed.r) * (1 - p)) / p);
  },
  expFamily: exponentialFamily({ eta: ['x', 'log(1-p)', NEGATIVE] }, '-r*log(1-exp(eta))'),
  parameterizations: [parameterization('standard', { p: UNIT_INTERVAL }, cite(SOURCE, [['r/(p^2*(1-p))']]), numericForms)],
  examples: [{ params: { p: 0.6 }, fixed: { r: 3.5 } }],
});
