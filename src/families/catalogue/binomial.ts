/**
 * Binomial distribution: successes in n trials (n fixed) with success
 * probability p.
 * Literature: F(p) = n/(p(1-p)) (Lehmann & Casella, Theory of Point
 * Estimation, 2nd ed. 1998, Sec. 2.5; Johnson, Kemp & Kotz, Univariate
 * Discrete Distributions, 3rd ed. 2005, Ch. 3).
 */
import { POSITIVE_INTEGER, REAL, UNIT_INTERVAL } from '../../core/domain.js';
import { lgamma } from '../../symbolic/special.js';
import { exponentialFamily, parameterization, scalarFamily, scalarInstance } from '../declare.js';
import type { FamilyDefinition, FamilyInstance } from '../types.js';
import { W, singleParameterization, wideRows } from '../numeric-forms.js';

// n / (p (1 - p)); 1 - p of an exact p is correctly rounded, so nothing cancels
const numericForms = singleParameterization(([p], { n }) => wideRows([[W(n).div(W(p).mul(W(1 - p)))]]));

const instance: FamilyInstance = scalarInstance({
  family: 'binomial',
  // x log(p/(1-p)) + n log(1-p), with the logit spelt as the natural parameter is: this form keeps the backend's simplification fast
  logDensity: 'lgamma(n+1)-lgamma(x+1)-lgamma(n-x+1)-x*log(1/p-1)+n*log(1-p)',
  support: { kind: 'count', max: (fixed) => fixed.n },
  fixed: { n: POSITIVE_INTEGER },
  expFamily: exponentialFamily({ eta: ['x', '-log(1/p-1)', REAL] }, 'n*(eta+log(1+exp(-eta)))'),
  parameterizations: [
    parameterization({
      name: 'mean',
      domains: { p: UNIT_INTERVAL },
      literatureFisher: [['n/(p*(1-p))']],
      literatureSource: 'Lehmann & Casella (1998), Sec. 2.5: information of the binomial',
      numeric: numericForms,
    }),
  ],
  logpdf(x, base, fixed) {
    const k = x as number;
    const n = fixed.n;
    const p = base[0];
    return lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p);
  },
  sample(rng, base, fixed) {
    return rng.binomial(fixed.n, base[0]);
  },
});

export const binomial: FamilyDefinition = scalarFamily(instance, { examples: [{ params: { p: 0.35 }, fixed: { n: 10 } }] });
