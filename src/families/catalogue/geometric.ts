/**
 * Geometric distribution: failures before the first success, support
 * 0, 1, 2, ..., success probability p: P(x) = p (1-p)^x.
 * Literature: F(p) = 1/(p^2 (1-p)) (Johnson, Kemp & Kotz, Univariate Discrete
 * Distributions, 3rd ed. 2005, Ch. 5, the negative binomial with r = 1).
 */
import { NEGATIVE, UNIT_INTERVAL } from '../../core/domain.js';
import { cite, exponentialFamily, parameterization, scalarFamily } from '../declare.js';
import type { FamilyDefinition } from '../types.js';
import { singleParameterization } from '../numeric-forms.js';
import { failuresFisher } from './negative-binomial.js';

const SOURCE = 'Johnson, Kemp & Kotz (2005), Univariate Discrete Distributions, Ch. 5 (negative binomial with r = 1)';

const numericForms = singleParameterization(([p]) => failuresFisher(1, p));

export const geometric: FamilyDefinition = scalarFamily({
  family: 'geometric',
  support: { kind: 'count' },
  logDensity: 'log(p)+x*log(1-p)',
  logpdf: (x, base) => Math.log(base[0]) + x * Math.log1p(-base[0]),
  sample(rng, base) {
    // inversion: P(X >= k) = (1-p)^k = P(log U / log(1-p) >= k)
    return Math.floor(Math.log(rng.uniformOpen()) / Math.log1p(-base[0]));
  },
  expFamily: exponentialFamily({ eta: ['x', 'log(1-p)', NEGATIVE] }, '-log(1-exp(eta))'),
  parameterizations: [parameterization('standard', { p: UNIT_INTERVAL }, cite(SOURCE, [['1/(p^2*(1-p))']]), numericForms)],
  examples: [{ params: { p: 0.4 } }],
});
