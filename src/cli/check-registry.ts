/**
 * Every check natgrad verifies: the family Fisher checks, the proofs, and the
 * law properties. The CLI is the composition root: only it imports proofs/ and
 * properties/, and it hands the checks (and this module's URL, for the
 * workers) to verify.
 */
import { proofChecks } from '../../proofs/index.js';
import { familyChecks } from '../../properties/fisher-families.js';
import { lawChecks } from '../../properties/laws-index.js';
import type { Check } from '../verify/types.js';

export function allChecks(): Check[] {
  return [...familyChecks(), ...proofChecks(), ...lawChecks()];
}

/** This module's URL, which verify's worker threads load to find the same checks. */
export const CHECK_REGISTRY_URL = new URL(import.meta.url.endsWith('.ts') ? './check-registry.ts' : './check-registry.js', import.meta.url).href;
