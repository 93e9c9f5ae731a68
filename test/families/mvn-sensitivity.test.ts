/**
 * The multivariate normal's matrix-calculus derivation at two small cases
 * (d = 2 and 3), within seconds: every step's check passes, and every step's
 * planted mistake fails the same check. The tolerances of the checks are what
 * this pins: one too loose lets the planted mistake through, one too tight
 * fails the correct step. The thorough run (test/proofs/mvn-matrix.test.ts)
 * and the docs check the same at larger dimensions.
 */
import { describe, expect, test } from 'vitest';
import { multivariateNormal } from '../../src/families/catalogue/multivariate-normal.js';
import { matrixDerivationOf } from '../../src/families/derivation-cache.js';
import { mvnCases, mvnDerivationSteps, mvnSensitivityRuns } from '../../src/families/mvn-derivation.js';

const cases = [...mvnCases(1, 1717, 2, 2), ...mvnCases(1, 1718, 3, 3)];

describe('the matrix derivation at small dimensions', () => {
  test('every step holds', () => {
    const { steps } = mvnDerivationSteps({ cases });
    for (const s of steps) expect(s.check?.ok, `${s.title}: ${s.check?.detail}`).toBe(true);
  });
  test('every step shows its equations in TeX and in text, and names how it was checked', () => {
    const { steps } = mvnDerivationSteps({ cases });
    for (const s of steps) {
      expect(['finite-differences', 'monte-carlo', 'matrix-identity'], s.title).toContain(s.check?.method);
      for (const e of s.equations) {
        const rhs = e.rhs as { tex: string; text: string };
        expect(
          [e.lhs, e.text, rhs.tex, rhs.text].every((t) => typeof t === 'string' && t.trim() !== ''),
          `${s.title}: ${JSON.stringify(e)}`,
        ).toBe(true);
      }
    }
  });
  test('each planted mistake fails its step', () => {
    for (const s of mvnSensitivityRuns(cases)) {
      expect(s.caught, `${s.title}: ${s.planted} (ratio ${s.ratio})`).toBe(true);
      // the page names the mistake planted
      expect(s.planted.trim(), s.title).not.toBe('');
    }
  });
  test('the derivation at d = 2 with its sensitivity runs is verified: every step holds and every planted mistake is caught', () => {
    const m = matrixDerivationOf(multivariateNormal, { dim: 2, sensitivity: true })!;
    expect(m.sensitivity.length).toBe(m.steps.length);
    expect(m.sensitivity.every((s) => s.caught)).toBe(true);
    expect(m.verified).toBe(true);
  });
});
