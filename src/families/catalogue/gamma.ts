/**
 * Gamma distribution with shape alpha and rate beta (or shape k and scale
 * theta = 1/beta): p(x) = beta^alpha x^(alpha-1) e^(-beta x) / Gamma(alpha).
 * Literature: F(alpha, beta) = [[trigamma(alpha), -1/beta], [-1/beta, alpha/beta^2]],
 * F(k, theta) = [[trigamma(k), 1/theta], [1/theta, k/theta^2]] (Johnson, Kotz &
 * Balakrishnan, Continuous Univariate Distributions, Vol. 1, 2nd ed. 1994,
 * Ch. 17; Lehmann & Casella 1998, Sec. 2.6).
 */
import { NEGATIVE, POSITIVE } from '../../core/domain.js';
import { Wide, WideMatrix } from '../../core/wide.js';
import { lgamma } from '../../symbolic/special.js';
import { W, trigammaWide, wideRows } from '../numeric-forms.js';
import { exponentialFamily, parameterization, scalarFamily, scalarInstance } from '../declare.js';
import type { FamilyDefinition, FamilyInstance, NumericForms } from '../types.js';

/** the shape, and the rate and scale (one the exact input, the other its correctly rounded reciprocal) */
interface Point {
  alpha: number;
  beta: Wide;
  theta: Wide;
}

const shapeRate: NumericForms<Point> = {
  point: ([alpha, beta]) => ({ alpha, beta: W(beta), theta: W(beta).inv() }),
  coordinates: (pt) => [W(pt.alpha), pt.beta],
  fisher: ({ alpha, theta }) =>
    wideRows([
      [trigammaWide(alpha), theta.neg()],
      [theta.neg(), W(alpha).mul(theta.square())],
    ]),
  jacobianToBase: () => WideMatrix.identityOf(2),
  jacobianFromBase: () => WideMatrix.identityOf(2),
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
  jacobianToBase: ({ beta }) =>
    wideRows([
      [Wide.ONE, Wide.ZERO],
      [Wide.ZERO, beta.square().neg()],
    ]),
  jacobianFromBase: ({ theta }) =>
    wideRows([
      [Wide.ONE, Wide.ZERO],
      [Wide.ZERO, theta.square().neg()],
    ]),
};

const SOURCE = 'Johnson, Kotz & Balakrishnan (1994), Continuous Univariate Distributions Vol. 1, Ch. 17';

const instance: FamilyInstance = scalarInstance({
  family: 'gamma',
  logDensity: 'alpha*log(beta)-lgamma(alpha)+(alpha-1)*log(x)-beta*x',
  support: { kind: 'positive' },
  // with h(x) = 1/x the natural parameters are (alpha, -beta), both of one sign
  expFamily: exponentialFamily({ eta1: ['log(x)', 'alpha', POSITIVE], eta2: ['x', '-beta', NEGATIVE] }, 'lgamma(eta1)-eta1*log(-eta2)'),
  parameterizations: [
    parameterization({
      name: 'shape-rate',
      domains: { alpha: POSITIVE, beta: POSITIVE },
      literatureFisher: [
        ['trigamma(alpha)', '-1/beta'],
        ['-1/beta', 'alpha/beta^2'],
      ],
      literatureSource: SOURCE,
      numeric: shapeRate,
    }),
    parameterization({
      name: 'shape-scale',
      domains: { k: POSITIVE, theta: POSITIVE },
      toBase: { alpha: 'k', beta: '1/theta' },
      fromBase: { k: 'alpha', theta: '1/beta' },
      literatureFisher: [
        ['trigamma(k)', '1/theta'],
        ['1/theta', 'k/theta^2'],
      ],
      literatureSource: SOURCE,
      numeric: shapeScale,
    }),
  ],
  logpdf(x, base) {
    const [alpha, beta] = base;
    const v = x as number;
    return alpha * Math.log(beta) - lgamma(alpha) + (alpha - 1) * Math.log(v) - beta * v;
  },
  sample(rng, base) {
    return rng.gamma(base[0]) / base[1];
  },
});

export const gamma: FamilyDefinition = scalarFamily(instance, { examples: [{ params: { alpha: 2.5, beta: 1.5 } }] });
