/**
 * Laplace (double exponential) distribution with location mu and scale b:
 * p(x) = exp(-|x - mu| / b) / (2 b).
 * Literature: F(mu, b) = diag(1/b^2, 1/b^2) (Kotz, Kozubowski & Podgórski,
 * The Laplace Distribution and Generalizations, 2001, Ch. 2; Johnson, Kotz &
 * Balakrishnan, Continuous Univariate Distributions, Vol. 2, 2nd ed. 1995, Ch. 24).
 */
import { POSITIVE, REAL } from '../../core/domain.js';
import { W, singleParameterization, wideDiagonal } from '../numeric-forms.js';
import { cite, diagonal, parameterization, scalarFamily } from '../declare.js';
import type { FamilyDefinition } from '../types.js';

const SOURCE = 'Kotz, Kozubowski & Podgórski (2001), The Laplace Distribution and Generalizations, Ch. 2';

const numericForms = singleParameterization(([, b]) => {
  const f = W(b).square().inv();
  return wideDiagonal([f, f]);
});

export const laplace: FamilyDefinition = scalarFamily({
  family: 'laplace',
  support: { kind: 'real' },
  logDensity: '-abs(x-mu)/b-log(2*b)',
  logpdf: (x, [mu, b]) => -Math.abs(x - mu) / b - Math.log(2 * b),
  sample(rng, base) {
    // inversion of the distribution function, u uniform on (-1/2, 1/2)
    const u = rng.uniformOpen() - 0.5;
    return base[0] - base[1] * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
  },
  breakpoints: (base) => [base[0]],
  notExponentialFamily:
    'log p = -|x - mu|/b - log(2b) is not of the form <eta(theta), T(x)> - A(eta): |x - mu| does not split into a function of mu times a function of x',
  hessianRouteFails:
    'log p = -|x - mu|/b - log(2b) is not twice differentiable in mu at x = mu: away from the kink d²/dmu² log p = 0, so -E[∂²/∂mu² log p] = 0 while the Fisher entry E[(∂/∂mu log p)^2] = 1/b^2 (the kink carries a point mass 2 p(mu)/b = 1/b^2 of the second derivative that the pointwise Hessian misses)',
  parameterizations: [parameterization('location-scale', { mu: REAL, b: POSITIVE }, cite(SOURCE, diagonal('1/b^2', '1/b^2')), numericForms)],
  examples: [{ params: { mu: 0.1, b: 1.3 } }],
});
