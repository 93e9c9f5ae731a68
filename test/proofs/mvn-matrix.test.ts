/**
 * The multivariate normal's matrix-calculus derivation: every step holds at
 * random dimensions and points, and every step's planted mistake is caught by
 * the same check.
 */
import { describe, expect, test } from 'vitest';
import { mvnCases, mvnDerivationSteps, mvnSensitivityRuns } from '../../src/families/mvn-derivation.js';

// three cases keep the test within seconds; the docs check four at d from 2 to 8
const cases = mvnCases(3, 4242, 2, 6);

describe('the multivariate normal in matrix calculus', () => {
  test(`every step holds at d = ${cases.map((c) => c.d).join(', ')}`, () => {
    const { steps } = mvnDerivationSteps({ cases });
    expect(steps.length).toBeGreaterThanOrEqual(12);
    for (const s of steps) expect(s.check?.ok, `${s.title}: ${s.check?.detail}`).toBe(true);
  });
  test('each planted mistake fails its step', () => {
    for (const s of mvnSensitivityRuns(cases)) expect(s.caught, `${s.title}: ${s.planted} (ratio ${s.ratio})`).toBe(true);
  });
});
