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

/** the largest double below 1 */
const BELOW_ONE = 1 - 2 ** -53;

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
  // near x = 1 (where the density has a pole for b < 1) 1 - x cannot be formed from x: the distances to both ends are read exactly
  logpdfUnit: (fromLeft, toRight, [a, b]) => lgamma(a + b) - lgamma(a) - lgamma(b) + (a - 1) * Math.log(fromLeft) + (b - 1) * Math.log(toRight),
  // A draw within 2^-54 of 1 rounds to 1, where the density has its pole for b < 1 (log p and the score infinite): it is kept
  // inside the open support as the largest double below 1. The mass so moved is about 2^(-54 b) / (b B(a, b)), 1.6e-5 at
  // a = 1, b = 0.3; with log(1 - x) = -36.7 in place of its mean there, log(2^-54) - 1/b, E[score scoreᵀ] moves by < 0.05%.
  sample: (rng, base) => Math.min(rng.beta(base[0], base[1]), BELOW_ONE),
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
});
