/**
 * Normal distribution N(mu, sigma^2) in five parameterizations.
 * Literature: Lehmann & Casella, Theory of Point Estimation (2nd ed., 1998),
 * Sec. 2.6 (information of the normal); Amari, Information Geometry and Its
 * Applications (2016), Sec. 2.2 (natural and expectation coordinates, where the
 * Fisher is the Hessian of A and of its conjugate).
 */
import { NEGATIVE, POSITIVE, REAL } from '../../core/domain.js';
import type { FamilyDefinition, FamilyInstance } from '../types.js';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

const instance: FamilyInstance = {
  family: 'normal',
  dataVars: ['x'],
  logDensity: '-log(sigma)-1/2*log(2*pi)-(x-mu)^2/(2*sigma^2)',
  support: { kind: 'real' },
  base: 'mean-std',
  fixed: {},
  expFamily: {
    statistics: ['x', 'x^2'],
    natural: ['mu/sigma^2', '-1/(2*sigma^2)'],
    etaSymbols: ['eta1', 'eta2'],
    logPartition: '-eta1^2/(4*eta2)-1/2*log(-2*eta2)',
    etaDomains: { eta1: REAL, eta2: NEGATIVE },
  },
  parameterizations: [
    {
      name: 'mean-std',
      symbols: ['mu', 'sigma'],
      paramNames: ['mu', 'sigma'],
      domains: { mu: REAL, sigma: POSITIVE },
      toBase: { mu: 'mu', sigma: 'sigma' },
      fromBase: { mu: 'mu', sigma: 'sigma' },
      literatureFisher: [['1/sigma^2', '0'], ['0', '2/sigma^2']],
      literatureSource: 'Lehmann & Casella (1998), Sec. 2.6',
    },
    {
      name: 'mean-var',
      symbols: ['mu', 'v'],
      paramNames: ['mu', 'v'],
      domains: { mu: REAL, v: POSITIVE },
      toBase: { mu: 'mu', sigma: 'sqrt(v)' },
      fromBase: { mu: 'mu', v: 'sigma^2' },
      literatureFisher: [['1/v', '0'], ['0', '1/(2*v^2)']],
      literatureSource: 'Lehmann & Casella (1998), Sec. 2.6',
    },
    {
      name: 'mean-logstd',
      symbols: ['mu', 's'],
      paramNames: ['mu', 's'],
      domains: { mu: REAL, s: REAL },
      toBase: { mu: 'mu', sigma: 'exp(s)' },
      fromBase: { mu: 'mu', s: 'log(sigma)' },
      literatureFisher: [['exp(-2*s)', '0'], ['0', '2']],
      literatureSource: 'Lehmann & Casella (1998), Sec. 2.6, with sigma = exp(s)',
    },
    {
      name: 'natural',
      symbols: ['eta1', 'eta2'],
      paramNames: ['eta1', 'eta2'],
      domains: { eta1: REAL, eta2: NEGATIVE },
      toBase: { mu: '-eta1/(2*eta2)', sigma: 'sqrt(-1/(2*eta2))' },
      fromBase: { eta1: 'mu/sigma^2', eta2: '-1/(2*sigma^2)' },
      literatureFisher: [
        ['-1/(2*eta2)', 'eta1/(2*eta2^2)'],
        ['eta1/(2*eta2^2)', '1/(2*eta2^2)-eta1^2/(2*eta2^3)'],
      ],
      literatureSource: 'Amari (2016), Sec. 2.2: the Hessian of A(eta) = -eta1^2/(4 eta2) - log(-2 eta2)/2',
      logDensity: 'eta1*x+eta2*x^2+eta1^2/(4*eta2)+1/2*log(-2*eta2)-1/2*log(2*pi)',
      naturalCoordinates: true,
    },
    {
      name: 'expectation',
      symbols: ['m1', 'm2'],
      paramNames: ['m1', 'm2'],
      domains: { m1: REAL, m2: POSITIVE },
      toBase: { mu: 'm1', sigma: 'sqrt(m2-m1^2)' },
      fromBase: { m1: 'mu', m2: 'mu^2+sigma^2' },
      literatureFisher: [
        ['(m2+m1^2)/(m2-m1^2)^2', '-m1/(m2-m1^2)^2'],
        ['-m1/(m2-m1^2)^2', '1/(2*(m2-m1^2)^2)'],
      ],
      literatureSource: 'Amari (2016), Sec. 2.2: the inverse of the covariance of T = (x, x^2)',
      jointViolation: (t) => (t[1] > t[0] * t[0] ? null : { param: 'm2', reason: `must be > m1^2 = ${t[0] * t[0]} (the variance m2 - m1^2 must be positive), got ${t[1]}` }),
    },
  ],
  logpdf(x, base) {
    const [mu, sigma] = base;
    const z = ((x as number) - mu) / sigma;
    return -Math.log(sigma) - LOG_SQRT_2PI - 0.5 * z * z;
  },
  sample(rng, base) {
    return base[0] + base[1] * rng.normal();
  },
};

export const normal: FamilyDefinition = {
  name: 'normal',
  layouts: {
    'mean-std': [{ name: 'mu', shape: 'scalar' }, { name: 'sigma', shape: 'scalar' }],
    'mean-var': [{ name: 'mu', shape: 'scalar' }, { name: 'v', shape: 'scalar' }],
    'mean-logstd': [{ name: 'mu', shape: 'scalar' }, { name: 's', shape: 'scalar' }],
    natural: [{ name: 'eta1', shape: 'scalar' }, { name: 'eta2', shape: 'scalar' }],
    expectation: [{ name: 'm1', shape: 'scalar' }, { name: 'm2', shape: 'scalar' }],
  },
  fixed: {},
  instance: () => instance,
};
