/**
 * Gamma distribution with shape alpha and rate beta (or shape k and scale
 * theta = 1/beta): p(x) = beta^alpha x^(alpha-1) e^(-beta x) / Gamma(alpha).
 * Literature: F(alpha, beta) = [[trigamma(alpha), -1/beta], [-1/beta, alpha/beta^2]],
 * F(k, theta) = [[trigamma(k), 1/theta], [1/theta, k/theta^2]] (Johnson, Kotz &
 * Balakrishnan, Continuous Univariate Distributions, Vol. 1, 2nd ed. 1994,
 * Ch. 17; Lehmann & Casella 1998, Sec. 2.6).
 */
import { NEGATIVE, POSITIVE } from '../../core/domain.js';
import { lgamma } from '../../symbolic/special.js';
import type { FamilyDefinition, FamilyInstance } from '../types.js';

const SOURCE = 'Johnson, Kotz & Balakrishnan (1994), Continuous Univariate Distributions Vol. 1, Ch. 17';

const instance: FamilyInstance = {
  family: 'gamma',
  dataVars: ['x'],
  logDensity: 'alpha*log(beta)-lgamma(alpha)+(alpha-1)*log(x)-beta*x',
  support: { kind: 'positive' },
  base: 'shape-rate',
  fixed: {},
  // with h(x) = 1/x the natural parameters are (alpha, -beta), both of one sign
  expFamily: {
    statistics: ['log(x)', 'x'],
    natural: ['alpha', '-beta'],
    etaSymbols: ['eta1', 'eta2'],
    logPartition: 'lgamma(eta1)-eta1*log(-eta2)',
    etaDomains: { eta1: POSITIVE, eta2: NEGATIVE },
  },
  parameterizations: [
    {
      name: 'shape-rate',
      symbols: ['alpha', 'beta'],
      paramNames: ['alpha', 'beta'],
      domains: { alpha: POSITIVE, beta: POSITIVE },
      toBase: { alpha: 'alpha', beta: 'beta' },
      fromBase: { alpha: 'alpha', beta: 'beta' },
      literatureFisher: [['trigamma(alpha)', '-1/beta'], ['-1/beta', 'alpha/beta^2']],
      literatureSource: SOURCE,
    },
    {
      name: 'shape-scale',
      symbols: ['k', 'theta'],
      paramNames: ['k', 'theta'],
      domains: { k: POSITIVE, theta: POSITIVE },
      toBase: { alpha: 'k', beta: '1/theta' },
      fromBase: { k: 'alpha', theta: '1/beta' },
      literatureFisher: [['trigamma(k)', '1/theta'], ['1/theta', 'k/theta^2']],
      literatureSource: SOURCE,
    },
  ],
  logpdf(x, base) {
    const [alpha, beta] = base;
    const v = x as number;
    return alpha * Math.log(beta) - lgamma(alpha) + (alpha - 1) * Math.log(v) - beta * v;
  },
  sample(rng, base) {
    return rng.gamma(base[0]) / base[1];
  },
};

export const gamma: FamilyDefinition = {
  name: 'gamma',
  layouts: {
    'shape-rate': [{ name: 'alpha', shape: 'scalar' }, { name: 'beta', shape: 'scalar' }],
    'shape-scale': [{ name: 'k', shape: 'scalar' }, { name: 'theta', shape: 'scalar' }],
  },
  fixed: {},
  instance: () => instance,
};
