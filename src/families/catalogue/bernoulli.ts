/**
 * Bernoulli distribution on {0, 1} with success probability p.
 * Literature: F(p) = 1/(p(1-p)) (Lehmann & Casella, Theory of Point
 * Estimation, 2nd ed. 1998, Sec. 2.5, the information of the binomial with one
 * trial); in the natural coordinate eta = log(p/(1-p)), F(eta) = A''(eta) =
 * e^eta/(1+e^eta)^2 with A(eta) = log(1+e^eta) (Amari, Information Geometry
 * and Its Applications, 2016, Sec. 2.2).
 */
import { REAL, UNIT_INTERVAL } from '../../core/domain.js';
import type { Wide } from '../../core/wide.js';
import { type BaseForms, logisticPair, logit, naturalOfMean, W, wideRows } from '../numeric-forms.js';
import { cite, exponentialFamily, parameterization, scalarFamily } from '../declare.js';
import type { FamilyDefinition } from '../types.js';

/** p, 1 - p and eta = logit p, each without cancellation. */
interface Point {
  p: Wide;
  q: Wide;
  eta: number;
}

const mean: BaseForms<Point> = {
  point: ([p]) => ({ p: W(p), q: W(1 - p), eta: logit(p) }),
  coordinates: (pt) => [pt.p],
  fisher: (pt) => wideRows([[pt.p.mul(pt.q).inv()]]),
};

const natural = naturalOfMean(mean, {
  point: ([eta]) => ({ ...logisticPair(eta), eta }),
  coordinates: (pt) => [W(pt.eta)],
  // sigma(eta) sigma(-eta) = e^-|eta| / (1 + e^-|eta|)^2
  fisher: (pt) => wideRows([[pt.p.mul(pt.q)]]),
});

export const bernoulli: FamilyDefinition = scalarFamily({
  family: 'bernoulli',
  support: { kind: 'count', max: () => 1 },
  logDensity: 'x*log(p)+(1-x)*log(1-p)',
  logpdf: (x, base) => (x === 1 ? Math.log(base[0]) : Math.log1p(-base[0])),
  sample: (rng, base) => (rng.uniform() < base[0] ? 1 : 0),
  expFamily: exponentialFamily({ eta: ['x', '-log(1/p-1)', REAL] }, 'eta+log(1+exp(-eta))'),
  parameterizations: [
    parameterization('mean', { p: UNIT_INTERVAL }, cite('Lehmann & Casella (1998), Sec. 2.5: binomial information with one trial', [['1/(p*(1-p))']]), mean),
    parameterization(
      'natural',
      { eta: REAL },
      cite('Amari (2016), Sec. 2.2: the second derivative of A(eta) = log(1 + exp(eta))', [['exp(eta)/(1+exp(eta))^2']]),
      natural,
      { toBase: { p: '1/(1+exp(-eta))' }, fromBase: { eta: '-log(1/p-1)' } },
    ),
  ],
  examples: [{ params: { p: 0.3 } }],
});
