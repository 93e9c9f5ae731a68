/**
 * One group's Fisher checks, exactly as `natgrad verify` runs them (same
 * seeds): each must be verified, and its sensitivity run must fail.
 */
import { describe, expect, test } from 'vitest';
import { runCheck } from '../src/verify/runner.js';
import { familyChecks } from './fisher-families.js';
import { FISHER_FAMILY_GROUPS } from './fisher-family-groups.js';

export function fisherFamilySuite(group: keyof typeof FISHER_FAMILY_GROUPS): void {
  const families: readonly string[] = FISHER_FAMILY_GROUPS[group];
  const checks = familyChecks().filter((c) => families.includes(c.id.split('/')[1]));
  describe(`Fisher information of the ${group} families`, () => {
    test('every family of the group has checks', () => {
      for (const f of families)
        expect(
          checks.some((c) => c.id.startsWith(`fisher/${f}/`)),
          f,
        ).toBe(true);
    });
    test.each(checks.map((c) => [c.id, c] as const))('%s', (_id, check) => {
      const r = runCheck(check, { seed: 20261125, runs: 8, thorough: false });
      expect(r.status, `${r.detail}; sensitivity: ${r.sensitivity}`).toBe('verified');
      if (check.sensitivity) expect(r.sensitivity.startsWith('caught')).toBe(true);
      // a Monte Carlo check detects an error of 1% of sqrt(F_ii F_jj) in any entry, by its own standard errors
      if (check.id.endsWith('/monte-carlo')) {
        const power = Number(/detects an error of ([\d.]+(?:e[-+]?\d+)?)%/.exec(r.detail)?.[1]);
        expect(power, r.detail).toBeLessThanOrEqual(1);
      }
    });
  });
}
