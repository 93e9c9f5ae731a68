/**
 * Normal distribution N(mu, sigma^2) in five parameterizations.
 * Literature: Lehmann & Casella, Theory of Point Estimation (2nd ed., 1998),
 * Sec. 2.6 (information of the normal); Amari, Information Geometry and Its
 * Applications (2016), Sec. 2.2 (natural and expectation coordinates, where the
 * Fisher is the Hessian of A and of its conjugate).
 */
import { NEGATIVE, POSITIVE, REAL } from '../../core/domain.js';
import { exactSum, twoProduct } from '../../core/error-free.js';
import { binaryExponent, ldexp, Wide, WideMatrix } from '../../core/wide.js';
import { W, wideDiagonal, wideRows } from '../numeric-forms.js';
import { exponentialFamily, parameterization, scalarFamily, scalarInstance } from '../declare.js';
import type { FamilyDefinition, FamilyInstance, NumericForms } from '../types.js';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * mu, sigma and v = sigma^2 as wide numbers (from natural parameters sigma^2
 * = -1/(2 eta2) leaves the float range before the Fisher does), and
 * log sigma formed from the input directly (as log of sigma rounded it would
 * lose its relative accuracy near sigma = 1).
 */
interface Point {
  mu: Wide;
  sigma: Wide;
  v: Wide;
  logSigma: number;
}

/**
 * m2 - m1^2 from exact inputs: m1^2 as an exact pair (Dekker), after scaling
 * both by a power of two so that neither the square nor its error leaves the
 * range; the difference of m2 and the leading part is then exact wherever the
 * two are close (Sterbenz), which is where a plain formula would cancel.
 */
export function varianceFromMoments(m1: number, m2: number): Wide {
  if (!(m2 > 0)) return W(m2 - m1 * m1);
  const s = Math.floor(binaryExponent(m2) / 2);
  const a = ldexp(m1, -s);
  const b = ldexp(m2, -2 * s);
  const [h, l] = twoProduct(a, a);
  return Wide.make(b - h - l, 2 * s);
}

const ID2 = (): WideMatrix => WideMatrix.identityOf(2);
const one = Wide.ONE;
const zero = Wide.ZERO;

const meanStd: NumericForms<Point> = {
  point: ([mu, sigma]) => ({ mu: W(mu), sigma: W(sigma), v: W(sigma).square(), logSigma: Math.log(sigma) }),
  coordinates: (pt) => [pt.mu, pt.sigma],
  fisher: ({ v }) => wideDiagonal([v.inv(), v.inv().times2()]),
  jacobianToBase: ID2,
  jacobianFromBase: ID2,
};

const meanVar: NumericForms<Point> = {
  point: ([mu, v]) => ({ mu: W(mu), sigma: W(v).sqrt(), v: W(v), logSigma: 0.5 * Math.log(v) }),
  coordinates: (pt) => [pt.mu, pt.v],
  fisher: ({ v }) => wideDiagonal([v.inv(), v.square().times2().inv()]),
  // d sigma / d v = 1/(2 sigma), d v / d sigma = 2 sigma
  jacobianToBase: ({ sigma }) => wideDiagonal([one, sigma.times2().inv()]),
  jacobianFromBase: ({ sigma }) => wideDiagonal([one, sigma.times2()]),
};

const meanLogstd: NumericForms<Point> = {
  point: ([mu, s]) => ({ mu: W(mu), sigma: Wide.exp(s), v: Wide.exp(2 * s), logSigma: s }),
  coordinates: (pt) => [pt.mu, W(pt.logSigma)],
  fisher: ({ v }) => wideDiagonal([v.inv(), W(2)]),
  jacobianToBase: ({ sigma }) => wideDiagonal([one, sigma]),
  jacobianFromBase: ({ sigma }) => wideDiagonal([one, sigma.inv()]),
};

const natural: NumericForms<Point> = {
  point: ([eta1, eta2]) => {
    const minusTwoEta2 = W(-eta2).times2();
    const v = minusTwoEta2.inv();
    return { mu: W(eta1).mul(v), sigma: v.sqrt(), v, logSigma: -0.5 * minusTwoEta2.log() };
  },
  coordinates: ({ mu, v }) => [mu.div(v), v.times2().inv().neg()],
  // the covariance of (x, x^2): [[v, 2 mu v], [2 mu v, 2 v^2 + 4 mu^2 v]], all terms of one sign
  fisher: ({ mu, v }) => {
    const c = mu.mul(v).times2();
    return wideRows([
      [v, c],
      [c, v.square().times2().add(mu.square().mul(v).times2(2))],
    ]);
  },
  // mu = -eta1/(2 eta2), sigma = (-2 eta2)^(-1/2): d mu/d eta = (v, 2 mu v), d sigma/d eta2 = sigma^3
  jacobianToBase: ({ mu, sigma, v }) =>
    wideRows([
      [v, mu.mul(v).times2()],
      [zero, v.mul(sigma)],
    ]),
  // eta1 = mu/v, eta2 = -1/(2 v): d eta1 = (1/v, -2 mu/(v sigma)), d eta2 / d sigma = 1/(v sigma)
  jacobianFromBase: ({ mu, sigma, v }) => {
    const vs = v.mul(sigma);
    return wideRows([
      [v.inv(), mu.times2().div(vs).neg()],
      [zero, vs.inv()],
    ]);
  },
};

/**
 * log sigma = log(m2 - m1^2)/2; where the variance is near 1 its log is near
 * 0, and log1p of the exactly summed v - 1 keeps its relative accuracy.
 */
function logSigmaFromMoments(m1: number, m2: number, v: Wide): number {
  const x = v.toNumber();
  if (!(x > 0.5 && x < 2)) return 0.5 * v.log();
  const [h, l] = twoProduct(m1, m1);
  return 0.5 * Math.log1p(exactSum([m2, -h, -l, -1]));
}

const expectation: NumericForms<Point> = {
  point: ([m1, m2]) => {
    const v = varianceFromMoments(m1, m2);
    return { mu: W(m1), sigma: v.sqrt(), v, logSigma: logSigmaFromMoments(m1, m2, v) };
  },
  coordinates: ({ mu, v }) => [mu, mu.square().add(v)],
  // the inverse of the covariance of (x, x^2): [[(v + 2 mu^2)/v^2, -mu/v^2], [-mu/v^2, 1/(2 v^2)]]
  fisher: ({ mu, v }) => {
    const v2 = v.square();
    const c = mu.div(v2).neg();
    return wideRows([
      [v.add(mu.square().times2()).div(v2), c],
      [c, v2.times2().inv()],
    ]);
  },
  // sigma = sqrt(m2 - m1^2): d sigma / d m = (-mu/sigma, 1/(2 sigma))
  jacobianToBase: ({ mu, sigma }) =>
    wideRows([
      [one, zero],
      [mu.div(sigma).neg(), sigma.times2().inv()],
    ]),
  jacobianFromBase: ({ mu, sigma }) =>
    wideRows([
      [one, zero],
      [mu.times2(), sigma.times2()],
    ]),
};

const instance: FamilyInstance = scalarInstance({
  family: 'normal',
  logDensity: '-log(sigma)-1/2*log(2*pi)-(x-mu)^2/(2*sigma^2)',
  support: { kind: 'real' },
  expFamily: exponentialFamily({ eta1: ['x', 'mu/sigma^2', REAL], eta2: ['x^2', '-1/(2*sigma^2)', NEGATIVE] }, '-eta1^2/(4*eta2)-1/2*log(-2*eta2)'),
  parameterizations: [
    parameterization({
      name: 'mean-std',
      domains: { mu: REAL, sigma: POSITIVE },
      literatureFisher: [
        ['1/sigma^2', '0'],
        ['0', '2/sigma^2'],
      ],
      literatureSource: 'Lehmann & Casella (1998), Sec. 2.6',
      numeric: meanStd,
    }),
    parameterization({
      name: 'mean-var',
      domains: { mu: REAL, v: POSITIVE },
      toBase: { mu: 'mu', sigma: 'sqrt(v)' },
      fromBase: { mu: 'mu', v: 'sigma^2' },
      literatureFisher: [
        ['1/v', '0'],
        ['0', '1/(2*v^2)'],
      ],
      literatureSource: 'Lehmann & Casella (1998), Sec. 2.6',
      numeric: meanVar,
    }),
    parameterization({
      name: 'mean-logstd',
      domains: { mu: REAL, s: REAL },
      toBase: { mu: 'mu', sigma: 'exp(s)' },
      fromBase: { mu: 'mu', s: 'log(sigma)' },
      literatureFisher: [
        ['exp(-2*s)', '0'],
        ['0', '2'],
      ],
      literatureSource: 'Lehmann & Casella (1998), Sec. 2.6, with sigma = exp(s)',
      numeric: meanLogstd,
    }),
    parameterization({
      name: 'natural',
      domains: { eta1: REAL, eta2: NEGATIVE },
      toBase: { mu: '-eta1/(2*eta2)', sigma: 'sqrt(-1/(2*eta2))' },
      fromBase: { eta1: 'mu/sigma^2', eta2: '-1/(2*sigma^2)' },
      literatureFisher: [
        ['-1/(2*eta2)', 'eta1/(2*eta2^2)'],
        ['eta1/(2*eta2^2)', '1/(2*eta2^2)-eta1^2/(2*eta2^3)'],
      ],
      literatureSource: 'Amari (2016), Sec. 2.2: the Hessian of A(eta) = -eta1^2/(4 eta2) - log(-2 eta2)/2',
      numeric: natural,
      logDensity: 'eta1*x+eta2*x^2+eta1^2/(4*eta2)+1/2*log(-2*eta2)-1/2*log(2*pi)',
      naturalCoordinates: true,
    }),
    parameterization({
      name: 'expectation',
      domains: { m1: REAL, m2: POSITIVE },
      toBase: { mu: 'm1', sigma: 'sqrt(m2-m1^2)' },
      fromBase: { m1: 'mu', m2: 'mu^2+sigma^2' },
      literatureFisher: [
        ['(m2+m1^2)/(m2-m1^2)^2', '-m1/(m2-m1^2)^2'],
        ['-m1/(m2-m1^2)^2', '1/(2*(m2-m1^2)^2)'],
      ],
      literatureSource: 'Amari (2016), Sec. 2.2: the inverse of the covariance of T = (x, x^2)',
      numeric: expectation,
      jointViolation: (t) =>
        varianceFromMoments(t[0], t[1]).sign() > 0
          ? null
          : { param: 'm2', reason: `must be > m1^2 = ${t[0] * t[0]} (the variance m2 - m1^2 must be positive), got ${t[1]}` },
    }),
  ],
  logpdf(x, base) {
    const [mu, sigma] = base;
    const z = ((x as number) - mu) / sigma;
    return -Math.log(sigma) - LOG_SQRT_2PI - 0.5 * z * z;
  },
  sample(rng, base) {
    return base[0] + base[1] * rng.normal();
  },
});

export const normal: FamilyDefinition = scalarFamily(instance, { examples: [{ params: { mu: 0.3, sigma: 1.7 } }] });
