/**
 * Binomial distribution: successes in n trials (n fixed) with success
 * probability p.
 * Literature: F(p) = n/(p(1-p)) (Lehmann & Casella, Theory of Point
 * Estimation, 2nd ed. 1998, Sec. 2.5; Johnson, Kemp & Kotz, Univariate
 * Discrete Distributions, 3rd ed. 2005, Ch. 3).
 */
import { POSITIVE_INTEGER, REAL, UNIT_INTERVAL } from '../../core/domain.js';
import { lgamma } from '../../symbolic/special.js';
import { cite, exponentialFamily, parameterization, scalarFamily } from '../declare.js';
import type { FamilyDefinition } from '../types.js';
import { W, singleParameterization, wideRows } from '../numeric-forms.js';

// n / (p (1 - p)); 1 - p of an exact p is correctly rounded, so nothing cancels
const numericForms = singleParameterization(([p], { n }) => wideRows([[W(n).div(W(p).mul(W(1 - p)))]]));

export const binomial: FamilyDefinition = scalarFamily({
  family: 'binomial',
  support: { kind: 'count', max: (fixed) => fixed.n },
  fixed: { n: POSITIVE_INTEGER },
  // x log(p/(1-p)) + n log(1-p), with the logit spelt as the natural parameter is: this form keeps the backend's simplification fast
  logDensity: 'lgamma(n+1)-lgamma(x+1)-lgamma(n-x+1)-x*log(1/p-1)+n*log(1-p)',
  logpdf: (k, base, { n }) => lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) + k * Math.log(base[0]) + (n - k) * Math.log1p(-base[0]),
  sample: (rng, base, fixed) => rng.binomial(fixed.n, base[0]),
  expFamily: exponentialFamily({ eta: ['x', '-log(1/p-1)', REAL] }, 'n*(eta+log(1+exp(-eta)))'),
  parameterizations: [
    parameterization('mean', { p: UNIT_INTERVAL }, cite('Lehmann & Casella (1998), Sec. 2.5: information of the binomial', [['n/(p*(1-p))']]), numericForms),
  ],
  examples: [{ params: { p: 0.35 }, fixed: { n: 10 } }],
});
