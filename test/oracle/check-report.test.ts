/**
 * The human report of `check` line by line, and the float32 error bound of a
 * field that is not a solve (γ_k times the field's largest entry), which the
 * [float32] diagnosis prints with its derivation.
 */
import { expect, test } from 'vitest';
import { FLOAT32_UNIT_ROUNDOFF } from '../../src/oracle/float32.js';
import { check, checkJson, linearRegression, oracleOk } from './fixtures.js';

test('the field names are padded to the longest one, so the errors line up', async () => {
  const expected = await oracleOk(linearRegression);
  const r = await check(linearRegression, { loss: expected.loss, matrix: expected.matrix });
  expect(r.code).toBe(0);
  expect(r.out).toBe(
    [
      '  ok        loss    max abs err 0, max rel err 0',
      '  ok        matrix  max abs err 0, max rel err 0',
      'ok: 2 fields match (rtol 1e-6, atol 1e-9)',
      '',
    ].join('\n'),
  );
});

test('a name shorter than five characters is padded to five', async () => {
  const expected = await oracleOk(linearRegression);
  const r = await check(linearRegression, { loss: expected.loss });
  expect(r.out.split('\n')[0]).toBe('  ok        loss   max abs err 0, max rel err 0');
});

test('an exact field within γ_k max|e| of the expected value is diagnosed [float32], one beyond it is not', async () => {
  const expected = await oracleOk(linearRegression);
  const M: number[][] = expected.matrix;
  const entries = M.flat().map(Math.abs);
  const largest = Math.max(...entries);
  // the chain of roundings of an mlp [2, 1] on 3 examples: 2 (2 + 1) + 3 + 4
  const k = 13;
  const ku = k * FLOAT32_UNIT_ROUNDOFF;
  const bound = (ku / (1 - ku)) * largest;
  // the bound and γ_k / max|e| are far apart, so either formula fails one of the two cases
  expect(largest < 0.5 || largest > 2).toBe(true);
  const smallest = entries.indexOf(Math.min(...entries));
  const [i, j] = [Math.floor(smallest / M[0].length), smallest % M[0].length];
  const shifted = (d: number) => M.map((row, a) => row.map((x, b) => (a === i && b === j ? x + d : x)));
  expect(1e-9 + 1e-6 * entries[smallest]).toBeLessThan(0.5 * bound);
  const inside = await checkJson(linearRegression, { matrix: shifted(0.5 * bound) });
  expect(inside.report.mismatches[0].diagnosis).toContain(
    `<= ${bound.toExponential(2)} = γ_k max|e| with k = ${k} roundings per entry, u = 2^-24) [float32]: a candidate computed in single precision passes with --precision float32`,
  );
  const outside = await checkJson(linearRegression, { matrix: shifted(2 * bound) });
  expect(outside.code).toBe(1);
  expect(outside.report.mismatches[0].diagnosis ?? '').not.toContain('[float32]');
  expect((await check(linearRegression, { matrix: shifted(0.5 * bound) }, ['--precision', 'float32'])).code).toBe(0);
  expect((await check(linearRegression, { matrix: shifted(2 * bound) }, ['--precision', 'float32'])).code).toBe(1);
});
