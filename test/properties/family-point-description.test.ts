/**
 * A family point as a failing property prints it in its counterexample: the family, the
 * parameterization and the numbers that replay it, in a line, not the instance's closures and
 * symbolic forms (whose full stringification cost a Monte Carlo check's sensitivity run a quarter
 * of a second).
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { multivariateNormal } from '../../src/families/catalogue/multivariate-normal.js';
import { normal } from '../../src/families/catalogue/normal.js';
import { familyPoint } from '../../properties/arbitraries/families.js';

test('a vector family point prints its family, dimension, parameterization and numbers', () => {
  const [pt] = fc.sample(familyPoint(multivariateNormal, 'mean-cov', 2), { seed: 7, numRuns: 1 });
  const s = fc.stringify(pt);
  expect(s).toBe(`multivariate-normal d=2 (mean-cov) at ${fc.stringify({ theta: [...pt.theta], base: [...pt.base], fixed: pt.fixed })}`);
  expect(s.length).toBeLessThan(300);
});

test('a scalar family point prints no dimension', () => {
  const [pt] = fc.sample(familyPoint(normal, 'mean-std'), { seed: 7, numRuns: 1 });
  expect(fc.stringify(pt)).toMatch(/^normal \(mean-std\) at \{"theta":\[[^\]]+\],"base":\[[^\]]+\],"fixed":\{\}\}$/);
});
