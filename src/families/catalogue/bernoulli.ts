/**
 * Bernoulli distribution on {0, 1} with success probability p.
 * Literature: F(p) = 1/(p(1-p)) (Lehmann & Casella, Theory of Point
 * Estimation, 2nd ed. 1998, Sec. 2.5, the information of the binomial with one
 * trial); in the natural coordinate eta = log(p/(1-p)), F(eta) = A''(eta) =
 * e^eta/(1+e^eta)^2 with A(eta) = log(1+e^eta) (Amari, Information Geometry
 * and Its Applications, 2016, Sec. 2.2).
 */
import { REAL, UNIT_INTERVAL } from '../../core/domain.js';
import type { FamilyDefinition, FamilyInstance } from '../types.js';

const instance: FamilyInstance = {
  family: 'bernoulli',
  dataVars: ['x'],
  logDensity: 'x*log(p)+(1-x)*log(1-p)',
  support: { kind: 'count', max: () => 1 },
  base: 'mean',
  fixed: {},
  expFamily: {
    statistics: ['x'],
    natural: ['-log(1/p-1)'],
    etaSymbols: ['eta'],
    logPartition: 'eta+log(1+exp(-eta))',
    etaDomains: { eta: REAL },
  },
  parameterizations: [
    {
      name: 'mean',
      symbols: ['p'],
      paramNames: ['p'],
      domains: { p: UNIT_INTERVAL },
      toBase: { p: 'p' },
      fromBase: { p: 'p' },
      literatureFisher: [['1/(p*(1-p))']],
      literatureSource: 'Lehmann & Casella (1998), Sec. 2.5: binomial information with one trial',
    },
    {
      name: 'natural',
      symbols: ['eta'],
      paramNames: ['eta'],
      domains: { eta: REAL },
      toBase: { p: '1/(1+exp(-eta))' },
      fromBase: { eta: '-log(1/p-1)' },
      literatureFisher: [['exp(eta)/(1+exp(eta))^2']],
      literatureSource: 'Amari (2016), Sec. 2.2: the second derivative of A(eta) = log(1 + exp(eta))',
    },
  ],
  logpdf(x, base) {
    const p = base[0];
    return (x as number) === 1 ? Math.log(p) : Math.log1p(-p);
  },
  sample(rng, base) {
    return rng.uniform() < base[0] ? 1 : 0;
  },
};

export const bernoulli: FamilyDefinition = {
  name: 'bernoulli',
  layouts: {
    mean: [{ name: 'p', shape: 'scalar' }],
    natural: [{ name: 'eta', shape: 'scalar' }],
  },
  fixed: {},
  instance: () => instance,
};
