/** Every check natgrad verifies: the family Fisher checks, the proofs, and the law properties. */
import { familyChecks } from '../../properties/fisher-families.js';
import type { Check } from './types.js';

export function allChecks(): Check[] {
  return [...familyChecks()];
}
