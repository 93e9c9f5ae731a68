/**
 * Inverse Gaussian (Wald) distribution with mean mu and shape lambda:
 * p(x) = sqrt(lambda / (2 pi x^3)) exp(-lambda (x - mu)^2 / (2 mu^2 x)).
 * Literature: F(mu, lambda) = diag(lambda/mu^3, 1/(2 lambda^2)) (Chhikara &
 * Folks, The Inverse Gaussian Distribution, 1989; Johnson, Kotz &
 * Balakrishnan, Continuous Univariate Distributions, Vol. 1, 2nd ed. 1994, Ch. 15).
 */
import { NEGATIVE, POSITIVE } from '../../core/domain.js';
import { W, singleParameterization, wideDiagonal } from '../numeric-forms.js';
import { cite, diagonal, exponentialFamily, parameterization, scalarFamily } from '../declare.js';
import type { FamilyDefinition } from '../types.js';

const SOURCE = 'Chhikara & Folks (1989), The Inverse Gaussian Distribution; Johnson, Kotz & Balakrishnan (1994), Vol. 1, Ch. 15';

const LOG_2PI = Math.log(2 * Math.PI);

const numericForms = singleParameterization(([mu, lambda]) => wideDiagonal([W(lambda).div(W(mu).square().mul(W(mu))), W(lambda).square().times2().inv()]));

export const inverseGaussian: FamilyDefinition = scalarFamily({
  family: 'inverse-gaussian',
  support: { kind: 'positive' },
  logDensity: '1/2*log(lambda)-1/2*log(2*pi)-3/2*log(x)-lambda*(x-mu)^2/(2*mu^2*x)',
  logpdf(x, [mu, lambda]) {
    const d = x - mu;
    return 0.5 * (Math.log(lambda) - LOG_2PI) - 1.5 * Math.log(x) - (lambda * d * d) / (2 * mu * mu * x);
  },
  sample(rng, base) {
    // Michael, Schucany & Haas (1976): lambda (y - mu)^2 / (mu^2 y) = nu ~ chi^2_1 has the roots
    // y1 <= mu <= y2 with y1 y2 = mu^2; take y1 = mu^2 / y2 (no cancellation), then y1 with probability mu / (mu + y1)
    const [mu, lambda] = base;
    const z = rng.normal();
    const a = (mu * mu * z * z) / (2 * lambda);
    const y1 = (mu * mu) / (mu + a + Math.sqrt(a * (a + 2 * mu)));
    return rng.uniform() <= mu / (mu + y1) ? y1 : (mu * mu) / y1;
  },
  // log p = eta1 x + eta2/x - A(eta) - log(2 pi x^3)/2 with A = -lambda/mu - log(lambda)/2 written in eta
  expFamily: exponentialFamily({ eta1: ['x', '-lambda/(2*mu^2)', NEGATIVE], eta2: ['1/x', '-lambda/2', NEGATIVE] }, '-2*sqrt(eta1*eta2)-1/2*log(-2*eta2)'),
  parameterizations: [
    parameterization('mean-shape', { mu: POSITIVE, lambda: POSITIVE }, cite(SOURCE, diagonal('lambda/mu^3', '1/(2*lambda^2)')), numericForms),
  ],
  examples: [{ params: { mu: 1.5, lambda: 2 } }],
});
