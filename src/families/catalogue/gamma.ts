/**
 * Gamma distribution with shape alpha and rate beta (or shape k and scale
 * theta = 1/beta): p(x) = beta^alpha x^(alpha-1) e^(-beta x) / Gamma(alpha).
 * Literature: F(alpha, beta) = [[trigamma(alpha), -1/beta], [-1/beta, alpha/beta^2]],
 * F(k, theta) = [[trigamma(k), 1/theta], [1/theta, k/theta^2]] (Johnson, Kotz &
 * Balakrishnan, Continuous Univariate Distributions, Vol. 1, 2nd ed. 1994,
 * Ch. 17; Lehmann & Casella 1998, Sec. 2.6).
 */
import { NEGATIVE, POSITIVE } from '../../core/domain.js';
import { Wide } from '../../core/wide.js';
import { lgamma } from '../../symbolic/special.js';
import { type BaseForms, W, trigammaWide, wideDiagonal, wideRows } from '../numeric-forms.js';
import { cite, exponentialFamily, parameterization, scalarFamily, symmetric } from '../declare.js';
import type { FamilyDefinition, NumericForms } from '../types.js';

/** the shape, and the rate and scale (one the exact input, the other its correctly rounded reciprocal) */
interface Point {
  alpha: number;
  beta: Wide;
  theta: Wide;
}

const shapeRate: BaseForms<Point> = {
  point: ([alpha, beta]) => ({ alpha, beta: W(beta), theta: W(beta).inv() }),
  coordinates: (pt) => [W(pt.alpha), pt.beta],
  fisher: ({ alpha, theta }) =>
    wideRows([
      [trigammaWide(alpha), theta.neg()],
      [theta.neg(), W(alpha).mul(theta.square())],
    ]),
};

const shapeScale: NumericForms<Point> = {
  point: ([k, theta]) => ({ alpha: k, beta: W(theta).inv(), theta: W(theta) }),
  coordinates: (pt) => [W(pt.alpha), pt.theta],
  fisher: ({ alpha, beta }) =>
    wideRows([
      [trigammaWide(alpha), beta],
      [beta, W(alpha).mul(beta.square())],
    ]),
  // d beta / d theta = -1/theta^2 = -beta^2, d theta / d beta = -theta^2
  jacobianToBase: ({ beta }) => wideDiagonal([Wide.ONE, beta.square().neg()]),
  jacobianFromBase: ({ theta }) => wideDiagonal([Wide.ONE, theta.square().neg()]),
};

const SOURCE = 'Johnson, Kotz & Balakrishnan (1994), Continuous Univariate Distributions Vol. 1, Ch. 17';

export const gamma: FamilyDefinition = scalarFamily({
  family: 'gamma',
  support: { kind: 'positive' },
  logDensity: 'alpha*log(beta)-lgamma(alpha)+(alpha-1)*log(x)-beta*x',
  logpdf: (x, [alpha, beta]) => alpha * Math.log(beta) - lgamma(alpha) + (alpha - 1) * Math.log(x) - beta * x,
  sample: (rng, base) => rng.gamma(base[0]) / base[1],
  // with h(x) = 1/x the natural parameters are (alpha, -beta), both of one sign
  expFamily: exponentialFamily({ eta1: ['log(x)', 'alpha', POSITIVE], eta2: ['x', '-beta', NEGATIVE] }, 'lgamma(eta1)-eta1*log(-eta2)'),
  parameterizations: [
    parameterization('shape-rate', { alpha: POSITIVE, beta: POSITIVE }, cite(SOURCE, symmetric(['trigamma(alpha)'], ['-1/beta', 'alpha/beta^2'])), shapeRate),
    parameterization('shape-scale', { k: POSITIVE, theta: POSITIVE }, cite(SOURCE, symmetric(['trigamma(k)'], ['1/theta', 'k/theta^2'])), shapeScale, {
      toBase: { alpha: 'k', beta: '1/theta' },
      fromBase: { k: 'alpha', theta: '1/beta' },
    }),
  ],
  examples: [{ params: { alpha: 2.5, beta: 1.5 } }],
});
