/**
 * The multivariate normal's matrix derivation as `natgrad derive` shows it:
 * the steps in order, each with its reason, and each check's verdict line
 * naming what was compared, where, and the worst case (the pages mask these
 * lines, so this is where their wording is held).
 */
import { describe, expect, test } from 'vitest';
import { mvnCases, mvnDerivationSteps } from '../../src/families/mvn-derivation.js';

const cases = mvnCases(1, 1717, 2, 2);

// Derived inside each test, not in the describe body: a mutation run then knows which test covers which code.
const stepsShown = (): ReturnType<typeof mvnDerivationSteps>['steps'] => mvnDerivationSteps({ cases }).steps;

describe('the matrix derivation as shown', () => {
  test('twelve steps, from the log-density to the expectation parameters', () => {
    expect(stepsShown().map((s) => s.title)).toEqual([
      'Log-density',
      'Differential of the log-determinant',
      'Differential of the inverse',
      'Score',
      'Hessian',
      'The moments the expectation needs',
      'Expectation: the Fisher information',
      'The duplication matrix',
      "Fourth moments: Isserlis' theorem",
      'The Fisher identity, by Isserlis',
      'Natural parameters',
      'Expectation parameters',
    ]);
  });
  test('each step gives its reason, and its check says what it compared, at which points, and the worst case against its tolerance', () => {
    for (const s of stepsShown()) {
      expect(s.reason.length, s.title).toBeGreaterThan(60);
      expect(s.check?.points, s.title).toBe(1);
      expect(s.check?.detail, s.title).toMatch(/^.{20,}, at 1 random points \(d = 2\): worst case d = 2[:,] .+, [0-9.e+-]+ of the tolerance$/);
    }
  });
});

describe('the matrix derivation where Sigma is far from the identity', () => {
  // at these points Sigma's largest eigenvalue is large, so the natural parameter Lambda = Sigma⁻¹ has a small one:
  // the differences of the log-partition must take steps inside Lambda's cone (sized from 1 / lambda_max(Sigma))
  test('the natural-parameter step holds at d = 2 and d = 3', () => {
    for (const c of [
      { d: 2, seed: 7 },
      { d: 3, seed: 31 },
    ]) {
      const s = mvnDerivationSteps({ cases: [c] }).steps.find((x) => x.title === 'Natural parameters');
      expect(s?.check?.ok, `${JSON.stringify(c)}: ${s?.check?.detail}`).toBe(true);
    }
  });
  // Sigma = [[9.09, 7.25], [7.25, 6.63]] (correlation 0.93): the boundary of the cone is 0.51 away along
  // Sigma_12, closer than a difference step of 10% of the entry (0.73), so the Jacobian of eta(theta)
  // must take its steps from Sigma's smallest eigenvalue (7 seeds in 10^6 at d = 2 are like this one)
  // here the difference between -Sigma⁻¹ E Sigma⁻¹ and the differences of (Sigma + t E)⁻¹ is the rounding of the
  // computed inverses (d cond(Sigma) eps of the largest entry): Ridders' share of the tolerance (10 times its error
  // estimate) covers 0.23 of it (of 3,000 seeds at d = 3 to 5, the least), so the tolerance must carry that term whole
  test('the differential of the inverse holds where the inverses round off more than the differences show', () => {
    const s = mvnDerivationSteps({ cases: [{ d: 4, seed: 2405 }] }).steps.find((x) => x.title === 'Differential of the inverse');
    expect(s?.check?.ok, s?.check?.detail).toBe(true);
  });
  test('the natural-parameter step holds where a 10% move of a covariance leaves the cone', () => {
    const s = mvnDerivationSteps({ cases: [{ d: 2, seed: 767581 }] }).steps.find((x) => x.title === 'Natural parameters');
    expect(s?.check?.ok, s?.check?.detail).toBe(true);
  });
});
