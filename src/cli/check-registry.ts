/** Every check natgrad verifies: the family Fisher checks, the proofs, and the law properties. */
import { proofChecks } from '../../proofs/index.js';
import { familyChecks } from '../../properties/fisher-families.js';
import { lawChecks } from '../../properties/laws-index.js';
import type { Check } from './types.js';

export function allChecks(): Check[] {
  return [...familyChecks(), ...proofChecks(), ...lawChecks()];
}
