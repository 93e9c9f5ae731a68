/**
 * Poisson distribution with rate lambda.
 * Literature: F(lambda) = 1/lambda (Lehmann & Casella, Theory of Point
 * Estimation, 2nd ed. 1998, Sec. 2.5); in the natural coordinate
 * eta = log(lambda), F(eta) = A''(eta) = e^eta with A(eta) = e^eta (Amari,
 * Information Geometry and Its Applications, 2016, Sec. 2.2).
 */
import { POSITIVE, REAL } from '../../core/domain.js';
import { lgamma } from '../../symbolic/special.js';
import { exponentialFamily, parameterization, scalarFamily, scalarInstance } from '../declare.js';
import type { FamilyDefinition, FamilyInstance, NumericForms } from '../types.js';
import { Wide, WideMatrix } from '../../core/wide.js';
import { W, wideRows } from '../numeric-forms.js';

/** lambda, wide (e^eta leaves the float range before eta does), and eta = log lambda. */
interface Point {
  lambda: Wide;
  eta: number;
}

const rateForms: NumericForms<Point> = {
  point: ([lambda]) => ({ lambda: W(lambda), eta: Math.log(lambda) }),
  coordinates: (pt) => [pt.lambda],
  fisher: (pt) => wideRows([[pt.lambda.inv()]]),
  jacobianToBase: () => WideMatrix.identityOf(1),
  jacobianFromBase: () => WideMatrix.identityOf(1),
};

const naturalForms: NumericForms<Point> = {
  point: ([eta]) => ({ lambda: Wide.exp(eta), eta }),
  coordinates: (pt) => [W(pt.eta)],
  fisher: (pt) => wideRows([[pt.lambda]]),
  jacobianToBase: (pt) => wideRows([[pt.lambda]]),
  jacobianFromBase: (pt) => wideRows([[pt.lambda.inv()]]),
};

const instance: FamilyInstance = scalarInstance({
  family: 'poisson',
  logDensity: 'x*log(lambda)-lambda-lgamma(x+1)',
  support: { kind: 'count' },
  expFamily: exponentialFamily({ eta: ['x', 'log(lambda)', REAL] }, 'exp(eta)'),
  parameterizations: [
    parameterization({
      name: 'rate',
      domains: { lambda: POSITIVE },
      literatureFisher: [['1/lambda']],
      literatureSource: 'Lehmann & Casella (1998), Sec. 2.5: information of the Poisson',
      numeric: rateForms,
    }),
    parameterization({
      name: 'natural',
      domains: { eta: REAL },
      toBase: { lambda: 'exp(eta)' },
      fromBase: { eta: 'log(lambda)' },
      literatureFisher: [['exp(eta)']],
      literatureSource: 'Amari (2016), Sec. 2.2: the second derivative of A(eta) = exp(eta)',
      numeric: naturalForms,
    }),
  ],
  logpdf(x, base) {
    const k = x as number;
    const lambda = base[0];
    return k * Math.log(lambda) - lambda - lgamma(k + 1);
  },
  sample(rng, base) {
    return rng.poisson(base[0]);
  },
});

export const poisson: FamilyDefinition = scalarFamily(instance, { examples: [{ params: { lambda: 2.5 } }] });
