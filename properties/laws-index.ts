/** Every property check of issue 3's theorems (transformation laws, invariance, equivalences, multivariate normal). */
import type { Check } from '../src/verify/types.js';
import { checks as adam } from './adam-second-moment.js';
import { checks as empiricalFisher } from './empirical-fisher.js';
import { checks as exponentialFamilies } from './exponential-families.js';
import { checks as gaussNewton } from './gauss-newton.js';
import { checks as invariance } from './invariance.js';
import { checks as linearModels } from './linear-models.js';
import { checks as mvn } from './mvn.js';

export function lawChecks(): Check[] {
  return [...invariance, ...linearModels, ...exponentialFamilies, ...gaussNewton, ...adam, ...empiricalFisher, ...mvn];
}
