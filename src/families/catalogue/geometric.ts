/**
 * Geometric distribution: failures before the first success, support
 * 0, 1, 2, ..., success probability p: P(x) = p (1-p)^x.
 * Literature: F(p) = 1/(p^2 (1-p)) (Johnson, Kemp & Kotz, Univariate Discrete
 * Distributions, 3rd ed. 2005, Ch. 5, the negative binomial with r = 1).
 */
import { NEGATIVE, UNIT_INTERVAL } from '../../core/domain.js';
import { exponentialFamily, parameterization, scalarFamily, scalarInstance } from '../declare.js';
import type { FamilyDefinition, FamilyInstance } from '../types.js';
import { W, singleParameterization, wideRows } from '../numeric-forms.js';

const numericForms = singleParameterization(([p]) =>
  wideRows([
    [
      W(p)
        .square()
        .mul(W(1 - p))
        .inv(),
    ],
  ]),
);

const instance: FamilyInstance = scalarInstance({
  family: 'geometric',
  logDensity: 'log(p)+x*log(1-p)',
  support: { kind: 'count' },
  expFamily: exponentialFamily({ eta: ['x', 'log(1-p)', NEGATIVE] }, '-log(1-exp(eta))'),
  parameterizations: [
    parameterization({
      name: 'standard',
      domains: { p: UNIT_INTERVAL },
      literatureFisher: [['1/(p^2*(1-p))']],
      literatureSource: 'Johnson, Kemp & Kotz (2005), Univariate Discrete Distributions, Ch. 5 (negative binomial with r = 1)',
      numeric: numericForms,
    }),
  ],
  logpdf(x, base) {
    const p = base[0];
    return Math.log(p) + (x as number) * Math.log1p(-p);
  },
  sample(rng, base) {
    // inversion: P(X >= k) = (1-p)^k = P(log U / log(1-p) >= k)
    return Math.floor(Math.log(rng.uniformOpen()) / Math.log1p(-base[0]));
  },
});

export const geometric: FamilyDefinition = scalarFamily(instance, { examples: [{ params: { p: 0.4 } }] });
