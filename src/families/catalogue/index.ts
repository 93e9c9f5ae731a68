/** The distribution catalogue, in the order of the oracle contract's table. */
import type { FamilyDefinition } from '../types.js';
import { bernoulli } from './bernoulli.js';
import { binomial } from './binomial.js';
import { categorical } from './categorical.js';
import { poisson } from './poisson.js';
import { geometric } from './geometric.js';
import { negativeBinomial } from './negative-binomial.js';
import { exponential } from './exponential.js';
import { normal } from './normal.js';
import { lognormal } from './lognormal.js';
import { gamma } from './gamma.js';
import { beta } from './beta.js';
import { laplace } from './laplace.js';
import { studentT } from './student-t.js';
import { inverseGaussian } from './inverse-gaussian.js';
import { dirichlet } from './dirichlet.js';
import { multivariateNormal } from './multivariate-normal.js';

export const FAMILIES: readonly FamilyDefinition[] = [
  bernoulli,
  binomial,
  categorical,
  poisson,
  geometric,
  negativeBinomial,
  exponential,
  normal,
  lognormal,
  gamma,
  beta,
  laplace,
  studentT,
  inverseGaussian,
  dirichlet,
  multivariateNormal,
];
