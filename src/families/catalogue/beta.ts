/**
 * Beta distribution on (0, 1): p(x) = x^(a-1) (1-x)^(b-1) / B(a, b).
 * Literature: F(a, b) = [[trigamma(a) - trigamma(a+b), -trigamma(a+b)],
 * [-trigamma(a+b), trigamma(b) - trigamma(a+b)]] (Johnson, Kotz &
 * Balakrishnan, Continuous Univariate Distributions, Vol. 2, 2nd ed. 1995,
 * Ch. 25; the Dirichlet with two components, Minka 2000).
 */
import { POSITIVE } from '../../core/domain.js';
import { lgamma, trigamma, trigammaDifference } from '../../symbolic/special.js';
import { W, singleParameterization, wideRows } from '../numeric-forms.js';
import { cite, exponentialFamily, parameterization, scalarFamily, symmetric } from '../declare.js';
import type { FamilyDefinition } from '../types.js';

const SOURCE = 'Johnson, Kotz & Balakrishnan (1995), Continuous Univariate Distributions Vol. 2, Ch. 25';

// trigamma(a) - trigamma(a + b) cancels when b << a: it is differenced analytically
const numericForms = singleParameterization(([a, b]) => {
  const offDiagonal = W(-trigamma(a + b));
  return wideRows([
    [W(trigammaDifference(a, b)), offDiagonal],
    [offDiagonal, W(trigammaDifference(b, a))],
  ]);
});

export const beta: FamilyDefinition = scalarFamily({
  family: 'beta',
  support: { kind: 'unit' },
  logDensity: 'lgamma(a+b)-lgamma(a)-lgamma(b)+(a-1)*log(x)+(b-1)*log(1-x)',
  logpdf: (x, [a, b]) => lgamma(a + b) - lgamma(a) - lgamma(b) + (a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x),
  sample: (rng, base) => rng.beta(base[0], base[1]),
  // with h(x) = 1/(x(1-x)) the natural parameters are (a, b) themselves
  expFamily: exponentialFamily({ eta1: ['log(x)', 'a', POSITIVE], eta2: ['log(1-x)', 'b', POSITIVE] }, 'lgamma(eta1)+lgamma(eta2)-lgamma(eta1+eta2)'),
  parameterizations: [
    parameterization(
      'standard',
      { a: POSITIVE, b: POSITIVE },
      cite(SOURCE, symmetric(['trigamma(a)-trigamma(a+b)'], ['-trigamma(a+b)', 'trigamma(b)-trigamma(a+b)'])),
      numericForms,
    ),
  ],
  examples: [{ params: { a: 2, b: 3.5 } }],
  // b in [1, 1/0.3), 1 at the centre: below 1 the pole of the density at x = 1 leaves quadrature an error bound too large to check the Fisher by
  valuesFromUnit: { b: (u) => Math.exp(Math.log(1 / 0.3) * Math.abs(2 * u - 1)) },
});
