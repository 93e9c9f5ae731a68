/**
 * Exponential distribution with rate lambda (scale beta = 1/lambda).
 * Literature: F(lambda) = 1/lambda^2, F(beta) = 1/beta^2 (Johnson, Kotz &
 * Balakrishnan, Continuous Univariate Distributions, Vol. 1, 2nd ed. 1994,
 * Ch. 19; Lehmann & Casella 1998, Sec. 2.5, the gamma with shape 1).
 */
import { NEGATIVE, POSITIVE } from '../../core/domain.js';
import { exponentialFamily, parameterization, scalarFamily, scalarInstance } from '../declare.js';
import type { FamilyDefinition, FamilyInstance, NumericForms } from '../types.js';
import { type Wide, WideMatrix } from '../../core/wide.js';
import { W, wideRows } from '../numeric-forms.js';

/** the rate and the scale, each the exact input or one correctly rounded reciprocal */
interface Point {
  lambda: Wide;
  beta: Wide;
}

const rateForms: NumericForms<Point> = {
  point: ([lambda]) => ({ lambda: W(lambda), beta: W(lambda).inv() }),
  coordinates: (pt) => [pt.lambda],
  fisher: (pt) => wideRows([[pt.beta.square()]]),
  jacobianToBase: () => WideMatrix.identityOf(1),
  jacobianFromBase: () => WideMatrix.identityOf(1),
};

const scaleForms: NumericForms<Point> = {
  point: ([beta]) => ({ lambda: W(beta).inv(), beta: W(beta) }),
  coordinates: (pt) => [pt.beta],
  fisher: (pt) => wideRows([[pt.lambda.square()]]),
  // d lambda / d beta = -1/beta^2, d beta / d lambda = -1/lambda^2
  jacobianToBase: (pt) => wideRows([[pt.lambda.square().neg()]]),
  jacobianFromBase: (pt) => wideRows([[pt.beta.square().neg()]]),
};

const instance: FamilyInstance = scalarInstance({
  family: 'exponential',
  logDensity: 'log(lambda)-lambda*x',
  support: { kind: 'positive' },
  expFamily: exponentialFamily({ eta: ['x', '-lambda', NEGATIVE] }, '-log(-eta)'),
  parameterizations: [
    parameterization({
      name: 'rate',
      domains: { lambda: POSITIVE },
      literatureFisher: [['1/lambda^2']],
      literatureSource: 'Johnson, Kotz & Balakrishnan (1994), Continuous Univariate Distributions Vol. 1, Ch. 19',
      numeric: rateForms,
    }),
    parameterization({
      name: 'scale',
      domains: { beta: POSITIVE },
      toBase: { lambda: '1/beta' },
      fromBase: { beta: '1/lambda' },
      literatureFisher: [['1/beta^2']],
      literatureSource: 'Johnson, Kotz & Balakrishnan (1994), Continuous Univariate Distributions Vol. 1, Ch. 19',
      numeric: scaleForms,
    }),
  ],
  logpdf(x, base) {
    const lambda = base[0];
    return Math.log(lambda) - lambda * (x as number);
  },
  sample(rng, base) {
    return rng.exponential() / base[0];
  },
});

export const exponential: FamilyDefinition = scalarFamily(instance, { examples: [{ params: { lambda: 1.5 } }] });
