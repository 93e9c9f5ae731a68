/**
 * The generic variants every field is tried against: N² for a sum taken
 * twice over the examples, and the transpose of a non-square matrix.
 */
import { expect, test } from 'vitest';
import { checkJson, kfacSpec, linearRegression, oracleOk } from './fixtures.js';

test('a Fisher scaled by N² (N = 3) is summed twice over the examples', async () => {
  const f = await oracleOk(linearRegression);
  const { report } = await checkJson(linearRegression, { matrix: f.matrix.map((row: number[]) => row.map((x) => 9 * x)) });
  expect(report.mismatches[0].diagnosis).toBe('scaled by 9 = N² [batch-size]: summed twice over the N examples');
});

test('a non-square field transposed names both shapes', async () => {
  const spec = kfacSpec('exact');
  const k = await oracleOk(spec);
  const G: number[][] = k.layers[1].gradient;
  const transposed = G[0].map((_, j) => G.map((row) => row[j]));
  const { report } = await checkJson(spec, { layers: [{}, { gradient: transposed }] });
  expect(report.mismatches[0].diagnosis).toBe('the transpose (5 x 3 instead of 3 x 5) [transpose]');
});
