/**
 * Normal distribution N(mu, sigma^2) in five parameterizations.
 * Literature: Lehmann & Casella, Theory of Point Estimation (2nd ed., 1998),
 * Sec. 2.6 (information of the normal); Amari, Information Geometry and Its
 * Applications (2016), Sec. 2.2 (natural and expectation coordinates, where the
 * Fisher is the Hessian of A and of its conjugate).
 */
import { NEGATIVE, POSITIVE, REAL } from '../../core/domain.js';
import { exactSum, twoProduct } from '../../core/error-free.js';
import { binaryExponent, ldexp, Wide } from '../../core/wide.js';
import { type BaseForms, W, wideDiagonal, wideRows } from '../numeric-forms.js';
import { cite, diagonal, exponentialFamily, parameterization, scalarFamily, symmetric } from '../declare.js';
import type { FamilyDefinition, NumericForms } from '../types.js';

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

const one = Wide.ONE;
const zero = Wide.ZERO;

const meanStd: BaseForms<Point> = {
  point: ([mu, sigma]) => ({ mu: W(mu), sigma: W(sigma), v: W(sigma).square(), logSigma: Math.log(sigma) }),
  coordinates: (pt) => [pt.mu, pt.sigma],
  fisher: ({ v }) => wideDiagonal([v.inv(), v.inv().times2()]),
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

const LEHMANN_CASELLA = 'Lehmann & Casella (1998), Sec. 2.6';

export const normal: FamilyDefinition = scalarFamily({
  family: 'normal',
  support: { kind: 'real' },
  logDensity: '-log(sigma)-1/2*log(2*pi)-(x-mu)^2/(2*sigma^2)',
  logpdf(x, [mu, sigma]) {
    const z = (x - mu) / sigma;
    return -Math.log(sigma) - LOG_SQRT_2PI - 0.5 * z * z;
  },
  sample: (rng, base) => base[0] + base[1] * rng.normal(),
  expFamily: exponentialFamily({ eta1: ['x', 'mu/sigma^2', REAL], eta2: ['x^2', '-1/(2*sigma^2)', NEGATIVE] }, '-eta1^2/(4*eta2)-1/2*log(-2*eta2)'),
  parameterizations: [
    parameterization('mean-std', { mu: REAL, sigma: POSITIVE }, cite(LEHMANN_CASELLA, diagonal('1/sigma^2', '2/sigma^2')), meanStd),
    parameterization('mean-var', { mu: REAL, v: POSITIVE }, cite(LEHMANN_CASELLA, diagonal('1/v', '1/(2*v^2)')), meanVar, {
      toBase: { mu: 'mu', sigma: 'sqrt(v)' },
      fromBase: { mu: 'mu', v: 'sigma^2' },
    }),
    parameterization('mean-logstd', { mu: REAL, s: REAL }, cite(`${LEHMANN_CASELLA}, with sigma = exp(s)`, diagonal('exp(-2*s)', '2')), meanLogstd, {
      toBase: { mu: 'mu', sigma: 'exp(s)' },
      fromBase: { mu: 'mu', s: 'log(sigma)' },
    }),
    parameterization(
      'natural',
      { eta1: REAL, eta2: NEGATIVE },
      cite(
        'Amari (2016), Sec. 2.2: the Hessian of A(eta) = -eta1^2/(4 eta2) - log(-2 eta2)/2',
        symmetric(['-1/(2*eta2)'], ['eta1/(2*eta2^2)', '1/(2*eta2^2)-eta1^2/(2*eta2^3)']),
      ),
      natural,
      {
        toBase: { mu: '-eta1/(2*eta2)', sigma: 'sqrt(-1/(2*eta2))' },
        fromBase: { eta1: 'mu/sigma^2', eta2: '-1/(2*sigma^2)' },
        logDensity: 'eta1*x+eta2*x^2+eta1^2/(4*eta2)+1/2*log(-2*eta2)-1/2*log(2*pi)',
        naturalCoordinates: true,
      },
    ),
    parameterization(
      'expectation',
      { m1: REAL, m2: POSITIVE },
      cite(
        'Amari (2016), Sec. 2.2: the inverse of the covariance of T = (x, x^2)',
        symmetric(['(m2+m1^2)/(m2-m1^2)^2'], ['-m1/(m2-m1^2)^2', '1/(2*(m2-m1^2)^2)']),
      ),
      expectation,
      {
        toBase: { mu: 'm1', sigma: 'sqrt(m2-m1^2)' },
        fromBase: { m1: 'mu', m2: 'mu^2+sigma^2' },
        jointViolation: (t) =>
          varianceFromMoments(t[0], t[1]).sign() > 0
            ? null
            : { param: 'm2', reason: `must be > m1^2 = ${t[0] * t[0]} (the variance m2 - m1^2 must be positive), got ${t[1]}` },
      },
    ),
  ],
  examples: [{ params: { mu: 0.3, sigma: 1.7 } }],
});
