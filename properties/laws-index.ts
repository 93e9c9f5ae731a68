/** Every property check of the laws: transformation laws, invariance, equivalences, multivariate normal, K-FAC for weight sharing, the batched layers' derivatives. */
import type { Check } from '../src/verify/types.js';
import { checks as adam } from './adam-second-moment.js';
import { checks as empiricalFisher } from './empirical-fisher.js';
import { checks as exponentialFamilies } from './exponential-families.js';
import { checks as gaussNewton } from './gauss-newton.js';
import { checks as invariance } from './invariance.js';
import { checks as linearModels } from './linear-models.js';
import { checks as mvn } from './mvn.js';
import { checks as sequentialDerivatives } from './sequential-derivatives.js';
import { checks as sequentialKfac } from './sequential-kfac.js';

export function lawChecks(): Check[] {
  return [
    ...invariance,
    ...linearModels,
    ...exponentialFamilies,
    ...gaussNewton,
    ...adam,
    ...empiricalFisher,
    ...mvn,
    ...sequentialKfac,
    ...sequentialDerivatives,
  ];
}
