/**
 * Diagnoses of a distribution family's results: the inverse Fisher in place
 * of the Fisher, and a reparameterized Fisher left in the old coordinates.
 */
import { expect, test } from 'vitest';
import { checkJson, oracleOk } from './fixtures.js';

const normal = { kind: 'fisher', family: 'normal', parameterization: 'mean-std', params: { mu: 0.3, sigma: 2 } };

test('the inverse Fisher (the Cramér-Rao covariance) is [inverse]', async () => {
  // F = diag(1/σ², 2/σ²) = diag(1/4, 1/2)
  const { code, report } = await checkJson(normal, {
    matrix: [
      [4, 0],
      [0, 2],
    ],
  });
  expect(code).toBe(1);
  expect(report.mismatches[0].diagnosis).toBe('the inverse Fisher (the Cramér-Rao covariance) instead of the Fisher [inverse]');
});

test('a reparameterized Fisher left in the old parameterization is [untransformed]', async () => {
  const spec = { kind: 'reparameterize', family: 'normal', from: 'mean-std', to: 'natural', params: { mu: 0.3, sigma: 2 } };
  const old = await oracleOk(normal);
  const { code, report } = await checkJson(spec, { fisher: old.matrix });
  expect(code).toBe(1);
  expect(report.mismatches.map((m) => [m.field, m.diagnosis])).toEqual([['fisher', 'the Fisher in "mean-std" left untransformed [untransformed]']]);
});
