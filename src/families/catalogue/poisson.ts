/**
 * Poisson distribution with rate lambda.
 * Literature: F(lambda) = 1/lambda (Lehmann & Casella, Theory of Point
 * Estimation, 2nd ed. 1998, Sec. 2.5); in the natural coordinate
 * eta = log(lambda), F(eta) = A''(eta) = e^eta with A(eta) = e^eta (Amari,
 * Information Geometry and Its Applications, 2016, Sec. 2.2).
 */
import { POSITIVE, REAL } from '../../core/domain.js';
import { Wide } from '../../core/wide.js';
import { lgamma } from '../../symbolic/special.js';
import { cite, exponentialFamily, parameterization, scalarFamily } from '../declare.js';
import { type BaseForms, naturalOfMean, W, wideRows } from '../numeric-forms.js';
import type { FamilyDefinition } from '../types.js';

/** lambda, wide (e^eta leaves the float range before eta does), and eta = log lambda. */
interface Point {
  lambda: Wide;
  eta: number;
}

const rateForms: BaseForms<Point> = {
  point: ([lambda]) => ({ lambda: W(lambda), eta: Math.log(lambda) }),
  coordinates: (pt) => [pt.lambda],
  fisher: (pt) => wideRows([[pt.lambda.inv()]]),
};

const naturalForms = naturalOfMean(rateForms, {
  point: ([eta]) => ({ lambda: Wide.exp(eta), eta }),
  coordinates: (pt) => [W(pt.eta)],
  fisher: (pt) => wideRows([[pt.lambda]]),
});

export const poisson: FamilyDefinition = scalarFamily({
  family: 'poisson',
  support: { kind: 'count' },
  logDensity: 'x*log(lambda)-lambda-lgamma(x+1)',
  logpdf: (k, base) => k * Math.log(base[0]) - base[0] - lgamma(k + 1),
  sample: (rng, base) => rng.poisson(base[0]),
  expFamily: exponentialFamily({ eta: ['x', 'log(lambda)', REAL] }, 'exp(eta)'),
  parameterizations: [
    parameterization('rate', { lambda: POSITIVE }, cite('Lehmann & Casella (1998), Sec. 2.5: information of the Poisson', [['1/lambda']]), rateForms),
    parameterization('natural', { eta: REAL }, cite('Amari (2016), Sec. 2.2: the second derivative of A(eta) = exp(eta)', [['exp(eta)']]), naturalForms, {
      toBase: { lambda: 'exp(eta)' },
      fromBase: { eta: 'log(lambda)' },
    }),
  ],
  examples: [{ params: { lambda: 2.5 } }],
});
