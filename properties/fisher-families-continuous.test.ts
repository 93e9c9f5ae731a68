/**
 * The continuous families' Fisher checks, exactly as `natgrad verify` runs them
 * (same seeds): each must be verified, and its sensitivity run must fail.
 */
import { describe, expect, test } from 'vitest';
import { checkSeed, runCheck } from '../src/verify/runner.js';
import { familyChecks } from './fisher-families.js';

const FAMILIES = ['exponential', 'normal', 'lognormal', 'gamma', 'beta', 'laplace', 'student-t', 'inverse-gaussian'];
const checks = familyChecks().filter((c) => FAMILIES.includes(c.id.split('/')[1]));

describe('Fisher information of the continuous families', () => {
  test('every family of the group has checks', () => {
    for (const f of FAMILIES) expect(checks.some((c) => c.id.startsWith(`fisher/${f}/`)), f).toBe(true);
  });
  test.each(checks.map((c) => [c.id, c] as const))('%s', (_id, check) => {
    const r = runCheck(check, { seed: 20261125, runs: 8, thorough: false });
    expect(r.status, `${r.detail}; sensitivity: ${r.sensitivity}`).toBe('verified');
    if (check.sensitivity) expect(r.sensitivity.startsWith('caught')).toBe(true);
    // a Monte Carlo check detects an error of 1% of sqrt(F_ii F_jj) in any entry, by its own standard errors
    if (check.id.endsWith('/monte-carlo')) expect(Number(/detects an error of ([\d.]+(?:e[-+]?\d+)?)%/.exec(r.detail)?.[1]), r.detail).toBeLessThanOrEqual(1);
  });

  test('the Laplace Monte Carlo check raises no false alarm over 40 run seeds (a Bartlett control of nonzero mean, at [mu][mu], once biased it at 10% of seeds)', () => {
    const check = checks.find((c) => c.id === 'fisher/laplace/location-scale/monte-carlo')!;
    const failed = Array.from({ length: 40 }, (_, k) => k + 1).filter((s) => !check.run({ seed: checkSeed(s, check.id), runs: 8, thorough: false }).ok);
    expect(failed).toEqual([]);
  });
});
