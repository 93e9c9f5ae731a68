/**
 * Log-normal distribution: log x ~ N(mu, sigma^2).
 * Literature: F(mu, sigma) = diag(1/sigma^2, 2/sigma^2), the normal's
 * information, since the map x -> log x does not involve the parameters
 * (Johnson, Kotz & Balakrishnan, Continuous Univariate Distributions, Vol. 1,
 * 2nd ed. 1994, Ch. 14).
 */
import { NEGATIVE, POSITIVE, REAL } from '../../core/domain.js';
import { W, singleParameterization, wideDiagonal } from '../numeric-forms.js';
import { cite, diagonal, exponentialFamily, parameterization, scalarFamily } from '../declare.js';
import type { FamilyDefinition } from '../types.js';

const SOURCE = 'Johnson, Kotz & Balakrishnan (1994), Continuous Univariate Distributions Vol. 1, Ch. 14';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

const numericForms = singleParameterization(([, sigma]) => {
  const precision = W(sigma).square().inv();
  return wideDiagonal([precision, precision.times2()]);
});

export const lognormal: FamilyDefinition = scalarFamily({
  family: 'lognormal',
  support: { kind: 'positive' },
  logDensity: '-log(x)-log(sigma)-1/2*log(2*pi)-(log(x)-mu)^2/(2*sigma^2)',
  logpdf(x, [mu, sigma]) {
    const lx = Math.log(x);
    const z = (lx - mu) / sigma;
    return -lx - Math.log(sigma) - LOG_SQRT_2PI - 0.5 * z * z;
  },
  sample: (rng, base) => Math.exp(base[0] + base[1] * rng.normal()),
  expFamily: exponentialFamily({ eta1: ['log(x)', 'mu/sigma^2', REAL], eta2: ['log(x)^2', '-1/(2*sigma^2)', NEGATIVE] }, '-eta1^2/(4*eta2)-1/2*log(-2*eta2)'),
  parameterizations: [parameterization('mean-std', { mu: REAL, sigma: POSITIVE }, cite(SOURCE, diagonal('1/sigma^2', '2/sigma^2')), numericForms)],
  examples: [{ params: { mu: 0.2, sigma: 0.8 } }],
});
