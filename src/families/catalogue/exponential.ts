/**
 * Exponential distribution with rate lambda (scale beta = 1/lambda).
 * Literature: F(lambda) = 1/lambda^2, F(beta) = 1/beta^2 (Johnson, Kotz &
 * Balakrishnan, Continuous Univariate Distributions, Vol. 1, 2nd ed. 1994,
 * Ch. 19; Lehmann & Casella 1998, Sec. 2.5, the gamma with shape 1).
 */
import { NEGATIVE, POSITIVE } from '../../core/domain.js';
import type { FamilyDefinition, FamilyInstance } from '../types.js';

const instance: FamilyInstance = {
  family: 'exponential',
  dataVars: ['x'],
  logDensity: 'log(lambda)-lambda*x',
  support: { kind: 'positive' },
  base: 'rate',
  fixed: {},
  expFamily: {
    statistics: ['x'],
    natural: ['-lambda'],
    etaSymbols: ['eta'],
    logPartition: '-log(-eta)',
    etaDomains: { eta: NEGATIVE },
  },
  parameterizations: [
    {
      name: 'rate',
      symbols: ['lambda'],
      paramNames: ['lambda'],
      domains: { lambda: POSITIVE },
      toBase: { lambda: 'lambda' },
      fromBase: { lambda: 'lambda' },
      literatureFisher: [['1/lambda^2']],
      literatureSource: 'Johnson, Kotz & Balakrishnan (1994), Continuous Univariate Distributions Vol. 1, Ch. 19',
    },
    {
      name: 'scale',
      symbols: ['beta'],
      paramNames: ['beta'],
      domains: { beta: POSITIVE },
      toBase: { lambda: '1/beta' },
      fromBase: { beta: '1/lambda' },
      literatureFisher: [['1/beta^2']],
      literatureSource: 'Johnson, Kotz & Balakrishnan (1994), Continuous Univariate Distributions Vol. 1, Ch. 19',
    },
  ],
  logpdf(x, base) {
    const lambda = base[0];
    return Math.log(lambda) - lambda * (x as number);
  },
  sample(rng, base) {
    return rng.exponential() / base[0];
  },
};

export const exponential: FamilyDefinition = {
  name: 'exponential',
  layouts: {
    rate: [{ name: 'lambda', shape: 'scalar' }],
    scale: [{ name: 'beta', shape: 'scalar' }],
  },
  fixed: {},
  instance: () => instance,
};
