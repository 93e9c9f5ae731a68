/**
 * The multivariate normal's matrix-calculus derivation: every step holds at
 * random dimensions and points, and every step's planted mistake is caught by
 * the same check.
 */
import { describe, expect, test } from 'vitest';
import { duplicationMatrix, mvnCases, mvnDerivationSteps, mvnSensitivityRuns, vechPairs } from '../../src/families/mvn-derivation.js';

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
  test('the duplication matrix maps vech (upper triangle row by row) to vec', () => {
    const d = 3;
    const D = duplicationMatrix(d);
    const vech = vechPairs(d).map((_, k) => k + 1);
    const vec = Array.from({ length: d * d }, (_, r) => vech.reduce((s, v, k) => s + D.get(r, k) * v, 0));
    // Sigma = [[1,2,3],[2,4,5],[3,5,6]]
    expect(vec).toEqual([1, 2, 3, 2, 4, 5, 3, 5, 6]);
  });
});
