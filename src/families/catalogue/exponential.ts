/**
 * Exponential distribution with rate lambda (scale beta = 1/lambda).
 * Literature: F(lambda) = 1/lambda^2, F(beta) = 1/beta^2 (Johnson, Kotz &
 * Balakrishnan, Continuous Univariate Distributions, Vol. 1, 2nd ed. 1994,
 * Ch. 19; Lehmann & Casella 1998, Sec. 2.5, the gamma with shape 1).
 */
import { NEGATIVE, POSITIVE } from '../../core/domain.js';
import type { Wide } from '../../core/wide.js';
import { cite, exponentialFamily, parameterization, scalarFamily } from '../declare.js';
import { type BaseForms, W, wideRows } from '../numeric-forms.js';
import type { FamilyDefinition, NumericForms } from '../types.js';

const SOURCE = 'Johnson, Kotz & Balakrishnan (1994), Continuous Univariate Distributions Vol. 1, Ch. 19';

/** the rate and the scale, each the exact input or one correctly rounded reciprocal */
interface Point {
  lambda: Wide;
  beta: Wide;
}

const rateForms: BaseForms<Point> = {
  point: ([lambda]) => ({ lambda: W(lambda), beta: W(lambda).inv() }),
  coordinates: (pt) => [pt.lambda],
  fisher: (pt) => wideRows([[pt.beta.square()]]),
};

const scaleForms: NumericForms<Point> = {
  point: ([beta]) => ({ lambda: W(beta).inv(), beta: W(beta) }),
  coordinates: (pt) => [pt.beta],
  fisher: (pt) => wideRows([[pt.lambda.square()]]),
  // d lambda / d beta = -1/beta^2, d beta / d lambda = -1/lambda^2
  jacobianToBase: (pt) => wideRows([[pt.lambda.square().neg()]]),
  jacobianFromBase: (pt) => wideRows([[pt.beta.square().neg()]]),
};

export const exponential: FamilyDefinition = scalarFamily({
  family: 'exponential',
  support: { kind: 'positive' },
  logDensity: 'log(lambda)-lambda*x',
  logpdf: (x, base) => Math.log(base[0]) - base[0] * x,
  sample: (rng, base) => rng.exponential() / base[0],
  expFamily: exponentialFamily({ eta: ['x', '-lambda', NEGATIVE] }, '-log(-eta)'),
  parameterizations: [
    parameterization('rate', { lambda: POSITIVE }, cite(SOURCE, [['1/lambda^2']]), rateForms),
    parameterization('scale', { beta: POSITIVE }, cite(SOURCE, [['1/beta^2']]), scaleForms, { toBase: { lambda: '1/beta' }, fromBase: { beta: '1/lambda' } }),
  ],
  examples: [{ params: { lambda: 1.5 } }],
});
