/**
 * The duplication matrix of the multivariate normal's derivation, on which
 * the oracle's parameter order rests: vech takes the upper triangle row by row.
 */
import { expect, test } from 'vitest';
import { duplicationMatrix, vechPairs } from '../../src/families/mvn-derivation.js';

test('the duplication matrix maps vech (upper triangle row by row) to vec', () => {
  const d = 3;
  const D = duplicationMatrix(d);
  const vech = vechPairs(d).map((_, k) => k + 1);
  const vec = Array.from({ length: d * d }, (_, r) => vech.reduce((s, v, k) => s + D.get(r, k) * v, 0));
  // Sigma = [[1,2,3],[2,4,5],[3,5,6]]
  expect(vec).toEqual([1, 2, 3, 2, 4, 5, 3, 5, 6]);
});
