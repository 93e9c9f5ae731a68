/**
 * The diagnosis sentences of `natgrad check` word for word: the factor names
 * of [scale], the factor-with-variant pairs ([sign], [batch-size], [mse]) and
 * another loss convention with a variant computed under it.
 */
import { describe, expect, test } from 'vitest';
import { factorName } from '../../src/oracle/diagnose.js';
import { checkJson, classifier, linearRegression, oracleOk, shampooSpec } from './fixtures.js';

const times = (M: number[][], c: number) => M.map((row) => row.map((x) => c * x));

/** The diagnosis of the one mismatching field. */
async function diagnosisOf(spec: unknown, candidate: unknown): Promise<string | null> {
  const { code, report } = await checkJson(spec, candidate);
  expect(code).toBe(1);
  expect(report.mismatches.length).toBe(1);
  return report.mismatches[0].diagnosis;
}

const EMPIRICAL = 'the empirical Fisher (gradients at the given targets) where the Fisher (expectation over y drawn from the model) was asked [empirical]';

describe('factorName', () => {
  test('integers, their inverses and C, the number of outputs', () => {
    expect(factorName(2, null)).toBe('2');
    expect(factorName(-2, null)).toBe('-2');
    expect(factorName(2, 3)).toBe('2');
    expect(factorName(3, 3)).toBe('3 = C (C = 3 outputs)');
    expect(factorName(-3, 3)).toBe('-3 = -C (C = 3 outputs)');
    expect(factorName(1 / 3, 3)).toBe('1/3 = 1/C (C = 3 outputs)');
    expect(factorName(-1 / 3, 3)).toBe('-1/3 = -1/C (C = 3 outputs)');
    expect(factorName(1 / 3, null)).toBe('1/3');
    expect(factorName(0.5, 2)).toBe('1/2 = 1/C (C = 2 outputs)');
    // one output is no C worth naming
    expect(factorName(1, 1)).toBe('1');
  });
  test('p/q with q <= 16 and p <= 64 in lowest terms, sqrt(2) and its inverse', () => {
    expect(factorName(2 / 3, null)).toBe('2/3');
    expect(factorName(-2 / 3, null)).toBe('-2/3');
    expect(factorName(3 / 2, null)).toBe('3/2');
    expect(factorName(3 / 16, null)).toBe('3/16');
    expect(factorName(64 / 3, null)).toBe('64/3');
    expect(factorName(65 / 3, null)).toBeNull();
    expect(factorName(1 / 17 + 1 / 289, null)).toBeNull();
    expect(factorName(Math.SQRT2, null)).toBe('sqrt(2)');
    expect(factorName(-Math.SQRT1_2, null)).toBe('-1/sqrt(2)');
    expect(factorName(Math.PI, null)).toBeNull();
    expect(factorName(0, null)).toBeNull();
  });
  test('a name needs agreement to 1e-6 relative', () => {
    expect(factorName(10 * (1 + 5e-7), null)).toBe('10');
    expect(factorName(10 * (1 + 3e-6), null)).toBeNull();
    expect(factorName((2 / 3) * (1 + 5e-7), null)).toBe('2/3');
    expect(factorName((2 / 3) * (1 + 3e-6), null)).toBeNull();
  });
});

describe('[scale]: a constant factor on every entry', () => {
  test('the printed factor, then its name unless the name is the printed number', async () => {
    const f = await oracleOk(classifier);
    const scale = (x: string) => `scaled by ${x} [scale]: a constant factor on every entry`;
    expect(await diagnosisOf(classifier, { matrix: times(f.matrix, 1.2345) })).toBe(scale('1.2345'));
    expect(await diagnosisOf(classifier, { matrix: times(f.matrix, -2) })).toBe(scale('-2'));
    expect(await diagnosisOf(classifier, { matrix: times(f.matrix, 3) })).toBe(scale('3 = C (C = 3 outputs)'));
    expect(await diagnosisOf(classifier, { matrix: times(f.matrix, 1 / 3) })).toBe(scale('0.3333333 = 1/3 = 1/C (C = 3 outputs)'));
    expect(await diagnosisOf(classifier, { matrix: times(f.matrix, 2 / 3) })).toBe(scale('0.6666667 = 2/3'));
    expect(await diagnosisOf(classifier, { matrix: times(f.matrix, Math.SQRT2) })).toBe(scale('1.414214 = sqrt(2)'));
  });
  test('a single number: only a named factor is a diagnosis (any two numbers have a ratio)', async () => {
    const f = await oracleOk(classifier);
    expect(await diagnosisOf(classifier, { loss: f.loss * 3 })).toBe('scaled by 3 = C (C = 3 outputs) [scale]: a constant factor on every entry');
    expect(await diagnosisOf(classifier, { loss: f.loss * 1.2345 })).toBeNull();
  });
  test('a matrix with a single non-zero entry counts as a single number', async () => {
    // zero inputs: only the bias has a gradient, so the Fisher is 0 except its last diagonal entry
    const spec = {
      ...linearRegression,
      inputs: [
        [0, 0],
        [0, 0],
        [0, 0],
      ],
    };
    const f = await oracleOk(spec);
    expect(f.matrix).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 1],
    ]);
    expect(await diagnosisOf(spec, { matrix: times(f.matrix, 1.2345) })).toBeNull();
    expect(await diagnosisOf(spec, { matrix: times(f.matrix, 7) })).toBe('scaled by 7 [scale]: a constant factor on every entry');
    // two non-zero entries already make a factor a diagnosis: the gradient [g, 0, g] of inputs (1, 0)
    const two = {
      ...linearRegression,
      inputs: [
        [1, 0],
        [1, 0],
        [1, 0],
      ],
    };
    const g = (await oracleOk(two)).gradient as number[];
    expect(g.map((x) => x !== 0)).toEqual([true, false, true]);
    expect(await diagnosisOf(two, { gradient: g.map((x) => 1.2345 * x) })).toBe('scaled by 1.2345 [scale]: a constant factor on every entry');
  });
  test('not when one entry breaks the factor, nor for a factor 0', async () => {
    const f = await oracleOk(classifier);
    const M = times(f.matrix, 1.2345);
    M[1][1] *= 1.01;
    expect(await diagnosisOf(classifier, { matrix: M })).toBeNull();
    expect(await diagnosisOf(classifier, { matrix: times(f.matrix, 0) })).toBeNull();
  });
});

describe('a factor together with a known variant', () => {
  test('the sign and N, 1/N, N², 1/N² times the empirical Fisher (N = 5)', async () => {
    const emp = await oracleOk({ ...classifier, curvature: 'empirical-fisher' });
    expect(await diagnosisOf(classifier, { matrix: times(emp.matrix, -1) })).toBe(`the sign flipped [sign]; together with ${EMPIRICAL}`);
    expect(await diagnosisOf(classifier, { matrix: times(emp.matrix, 1 / 5) })).toBe(`scaled by 1/5 = 1/N [batch-size]; together with ${EMPIRICAL}`);
    expect(await diagnosisOf(classifier, { matrix: times(emp.matrix, 25) })).toBe(`scaled by 25 = N² [batch-size]; together with ${EMPIRICAL}`);
    expect(await diagnosisOf(classifier, { matrix: times(emp.matrix, 1 / 25) })).toBe(`scaled by 1/25 = 1/N² [batch-size]; together with ${EMPIRICAL}`);
    // a factor C is not among them, nor [mse]'s 2 for a categorical model
    expect(await diagnosisOf(classifier, { matrix: times(emp.matrix, 3) })).toBeNull();
    expect(await diagnosisOf(classifier, { matrix: times(emp.matrix, 2) })).toBeNull();
  });
  test('N times a natural gradient with the empirical Fisher (not explained by sum reduction, which also scales the Fisher)', async () => {
    const ng = { ...classifier, kind: 'natural-gradient', damping: 0.1 };
    const emp = await oracleOk({ ...ng, curvature: 'empirical-fisher' });
    expect(await diagnosisOf(ng, { direction: emp.direction.map((x: number) => 5 * x) })).toBe(`scaled by 5 = N [batch-size]; together with ${EMPIRICAL}`);
  });
  test('a factor is not paired with a variant that is itself a factor N or a sign: -N² and 1/N³ are [scale]', async () => {
    const f = await oracleOk(classifier);
    expect(await diagnosisOf(classifier, { matrix: times(f.matrix, -25) })).toBe('scaled by -25 [scale]: a constant factor on every entry');
    expect(await diagnosisOf(classifier, { matrix: times(f.matrix, 1 / 125) })).toBe('scaled by 0.008 = 1/125 [scale]: a constant factor on every entry');
  });
  test('no factor N where a kind has no examples: an all-zero Shampoo update has no diagnosis', async () => {
    const s = await oracleOk(shampooSpec);
    expect(await diagnosisOf(shampooSpec, { update: s.update.map((row: number[]) => row.map(() => 0)) })).toBeNull();
  });
  test('another loss convention together with a variant computed under it: sum reduction and the empirical Fisher', async () => {
    const emp = await oracleOk({ ...classifier, curvature: 'empirical-fisher' });
    expect(await diagnosisOf(classifier, { matrix: times(emp.matrix, 5) })).toBe(
      `reduction "sum" where the spec says "mean": a factor N = 5 [reduction]; together with ${EMPIRICAL}`,
    );
  });
  test('[mse]: a factor 2 or 1/2 with a variant, for a gaussian spec and for an mse spec', async () => {
    const emp = await oracleOk({ ...linearRegression, curvature: 'empirical-fisher' });
    const gaussianMeant = (f: string) =>
      `scaled by ${f} [mse]: the gradient of nn.MSELoss (||y - f||²) where the gaussian loss was meant; together with ${EMPIRICAL}`;
    expect(await diagnosisOf(linearRegression, { matrix: times(emp.matrix, 2) })).toBe(gaussianMeant('2'));
    expect(await diagnosisOf(linearRegression, { matrix: times(emp.matrix, 0.5) })).toBe(gaussianMeant('1/2'));
    const mse = { ...linearRegression, model: { ...linearRegression.model, likelihood: 'mse' } };
    const mseEmp = await oracleOk({ ...mse, curvature: 'empirical-fisher' });
    const mseMeant = (f: string) =>
      `scaled by ${f} [mse]: the gradient of the gaussian loss (½||y - f||²) where nn.MSELoss was meant; together with ${EMPIRICAL}`;
    expect(await diagnosisOf(mse, { matrix: times(mseEmp.matrix, 2) })).toBe(mseMeant('2'));
    expect(await diagnosisOf(mse, { matrix: times(mseEmp.matrix, 0.5) })).toBe(mseMeant('1/2'));
  });
});

describe('another loss convention alone', () => {
  test('sum reduction: a factor N is named as [batch-size] too, on every field it explains', async () => {
    const lr = await oracleOk(linearRegression);
    const sum = 'scaled by 3 = N [batch-size]: reduction "sum" where the spec says "mean": a factor N = 3 [reduction]';
    const { code, report } = await checkJson(linearRegression, { gradient: lr.gradient.map((x: number) => 3 * x), loss: lr.loss * 3 });
    expect(code).toBe(1);
    expect(report.mismatches.map((m) => [m.field, m.diagnosis])).toEqual([
      ['gradient', sum],
      ['loss', sum],
    ]);
  });
  test('nn.MSELoss against a gaussian spec', async () => {
    const lr = await oracleOk(linearRegression);
    expect(await diagnosisOf(linearRegression, { gradient: lr.gradient.map((x: number) => 2 * x) })).toBe(
      'nn.MSELoss (||y - f||², without the 1/2) where the spec says gaussian: a factor 2 on gradients and curvatures, 4 on the empirical Fisher [mse]',
    );
  });
});
