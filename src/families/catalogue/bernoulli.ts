/**
 * Bernoulli distribution on {0, 1} with success probability p.
 * Literature: F(p) = 1/(p(1-p)) (Lehmann & Casella, Theory of Point
 * Estimation, 2nd ed. 1998, Sec. 2.5, the information of the binomial with one
 * trial); in the natural coordinate eta = log(p/(1-p)), F(eta) = A''(eta) =
 * e^eta/(1+e^eta)^2 with A(eta) = log(1+e^eta) (Amari, Information Geometry
 * and Its Applications, 2016, Sec. 2.2).
 */
import { REAL, UNIT_INTERVAL } from '../../core/domain.js';
import { type Wide, WideMatrix } from '../../core/wide.js';
import { W, logisticPair, logit, wideRows } from '../numeric-forms.js';
import { exponentialFamily, parameterization, scalarFamily, scalarInstance } from '../declare.js';
import type { FamilyDefinition, FamilyInstance, NumericForms } from '../types.js';

/** p, 1 - p and eta = logit p, each without cancellation. */
interface Point {
  p: Wide;
  q: Wide;
  eta: number;
}

const mean: NumericForms<Point> = {
  point: ([p]) => ({ p: W(p), q: W(1 - p), eta: logit(p) }),
  coordinates: (pt) => [pt.p],
  fisher: (pt) => wideRows([[pt.p.mul(pt.q).inv()]]),
  jacobianToBase: () => WideMatrix.identityOf(1),
  jacobianFromBase: () => WideMatrix.identityOf(1),
};

const natural: NumericForms<Point> = {
  point: ([eta]) => ({ ...logisticPair(eta), eta }),
  coordinates: (pt) => [W(pt.eta)],
  // sigma(eta) sigma(-eta) = e^-|eta| / (1 + e^-|eta|)^2
  fisher: (pt) => wideRows([[pt.p.mul(pt.q)]]),
  jacobianToBase: (pt) => wideRows([[pt.p.mul(pt.q)]]),
  jacobianFromBase: (pt) => wideRows([[pt.p.mul(pt.q).inv()]]),
};

const instance: FamilyInstance = scalarInstance({
  family: 'bernoulli',
  logDensity: 'x*log(p)+(1-x)*log(1-p)',
  support: { kind: 'count', max: () => 1 },
  expFamily: exponentialFamily({ eta: ['x', '-log(1/p-1)', REAL] }, 'eta+log(1+exp(-eta))'),
  parameterizations: [
    parameterization({
      name: 'mean',
      domains: { p: UNIT_INTERVAL },
      literatureFisher: [['1/(p*(1-p))']],
      literatureSource: 'Lehmann & Casella (1998), Sec. 2.5: binomial information with one trial',
      numeric: mean,
    }),
    parameterization({
      name: 'natural',
      domains: { eta: REAL },
      toBase: { p: '1/(1+exp(-eta))' },
      fromBase: { eta: '-log(1/p-1)' },
      literatureFisher: [['exp(eta)/(1+exp(eta))^2']],
      literatureSource: 'Amari (2016), Sec. 2.2: the second derivative of A(eta) = log(1 + exp(eta))',
      numeric: natural,
    }),
  ],
  logpdf(x, base) {
    const p = base[0];
    return (x as number) === 1 ? Math.log(p) : Math.log1p(-p);
  },
  sample(rng, base) {
    return rng.uniform() < base[0] ? 1 : 0;
  },
});

export const bernoulli: FamilyDefinition = scalarFamily(instance, { examples: [{ params: { p: 0.3 } }] });
