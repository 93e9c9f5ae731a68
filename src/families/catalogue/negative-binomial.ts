/**
 * Negative binomial distribution: failures before the r-th success (r > 0
 * real, fixed), success probability p:
 * P(x) = Gamma(x+r) / (Gamma(r) x!) p^r (1-p)^x, x = 0, 1, 2, ...
 * Literature: F(p) = r/(p^2 (1-p)) (Johnson, Kemp & Kotz, Univariate Discrete
 * Distributions, 3rd ed. 2005, Ch. 5).
 */
import { NEGATIVE, POSITIVE, UNIT_INTERVAL } from '../../core/domain.js';
import { lgamma } from '../../symbolic/special.js';
import { exponentialFamily, parameterization, scalarFamily, scalarInstance } from '../declare.js';
import type { FamilyDefinition, FamilyInstance } from '../types.js';
import { W, singleParameterization, wideRows } from '../numeric-forms.js';

const numericForms = singleParameterization(([p], { r }) =>
  wideRows([
    [
      W(r).div(
        W(p)
          .square()
          .mul(W(1 - p)),
      ),
    ],
  ]),
);

const instance: FamilyInstance = scalarInstance({
  family: 'negative-binomial',
  logDensity: 'lgamma(x+r)-lgamma(r)-lgamma(x+1)+r*log(p)+x*log(1-p)',
  support: { kind: 'count' },
  fixed: { r: POSITIVE },
  expFamily: exponentialFamily({ eta: ['x', 'log(1-p)', NEGATIVE] }, '-r*log(1-exp(eta))'),
  parameterizations: [
    parameterization({
      name: 'standard',
      domains: { p: UNIT_INTERVAL },
      literatureFisher: [['r/(p^2*(1-p))']],
      literatureSource: 'Johnson, Kemp & Kotz (2005), Univariate Discrete Distributions, Ch. 5',
      numeric: numericForms,
    }),
  ],
  logpdf(x, base, fixed) {
    const k = x as number;
    const r = fixed.r;
    const p = base[0];
    return lgamma(k + r) - lgamma(r) - lgamma(k + 1) + r * Math.log(p) + k * Math.log1p(-p);
  },
  sample(rng, base, fixed) {
    // Poisson-gamma mixture: lambda ~ Gamma(r, rate p/(1-p)), x | lambda ~ Poisson(lambda)
    const p = base[0];
    return rng.poisson((rng.gamma(fixed.r) * (1 - p)) / p);
  },
});

export const negativeBinomial: FamilyDefinition = scalarFamily(instance, { examples: [{ params: { p: 0.6 }, fixed: { r: 3.5 } }] });
