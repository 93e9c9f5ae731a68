/**
 * Student-t distribution with location mu, scale sigma and nu > 0 degrees of
 * freedom (fixed): x = mu + sigma t, t ~ t_nu.
 * Literature: F(mu, sigma) = diag((nu+1)/((nu+3) sigma^2), 2 nu/((nu+3) sigma^2))
 * (Lange, Little & Taylor, "Robust statistical modeling using the t
 * distribution", JASA 84, 1989; Johnson, Kotz & Balakrishnan,
 * Continuous Univariate Distributions, Vol. 2, 2nd ed. 1995, Ch. 28).
 */
import { POSITIVE, REAL } from '../../core/domain.js';
import { lgamma } from '../../symbolic/special.js';
import { W, singleParameterization, wideDiagonal } from '../numeric-forms.js';
import { cite, diagonal, parameterization, scalarFamily } from '../declare.js';
import type { FamilyDefinition } from '../types.js';

const SOURCE = 'Lange, Little & Taylor (1989), Robust statistical modeling using the t distribution, JASA 84';

// (nu + 1)/(nu + 3) and 2 nu/(nu + 3) are in (0, 2) for every nu > 0: only 1/sigma^2 needs the wide range
const numericForms = singleParameterization(([, sigma], { nu }) => {
  const precision = W(sigma).square().inv();
  return wideDiagonal([precision.mulNum((nu + 1) / (nu + 3)), precision.mulNum(2 * (nu / (nu + 3)))]);
});

export const studentT: FamilyDefinition = scalarFamily({
  family: 'student-t',
  support: { kind: 'real' },
  fixed: { nu: POSITIVE },
  logDensity: 'lgamma((nu+1)/2)-lgamma(nu/2)-1/2*log(nu*pi)-log(sigma)-(nu+1)/2*log(1+(x-mu)^2/(nu*sigma^2))',
  logpdf(x, [mu, sigma], { nu }) {
    const z = (x - mu) / sigma;
    return lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * Math.log(nu * Math.PI) - Math.log(sigma) - ((nu + 1) / 2) * Math.log1p((z * z) / nu);
  },
  sample(rng, base, fixed) {
    // t = Z / sqrt(V / nu) with V ~ chi^2_nu = 2 Gamma(nu/2, 1)
    const nu = fixed.nu;
    const v = 2 * rng.gamma(nu / 2);
    return base[0] + (base[1] * rng.normal()) / Math.sqrt(v / nu);
  },
  notExponentialFamily:
    'log p contains log(1 + (x - mu)^2/(nu sigma^2)), which is not linear in any finite set of statistics of x with coefficients depending on (mu, sigma) alone (the t is a scale mixture of normals, not an exponential family)',
  parameterizations: [
    parameterization('location-scale', { mu: REAL, sigma: POSITIVE }, cite(SOURCE, diagonal('(nu+1)/((nu+3)*sigma^2)', '2*nu/((nu+3)*sigma^2)')), numericForms),
  ],
  examples: [{ params: { mu: 0.2, sigma: 1.1 }, fixed: { nu: 4 } }],
  // nu >= 1: below it the tails are too heavy for sampled estimates to settle
  valuesFromUnit: { nu: (u) => 1 + 11 * u },
});
