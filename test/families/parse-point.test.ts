/**
 * Reading a family point from JSON (catalogue.ts): refusals by path and
 * message where a test of the oracle does not already pin them, and the
 * result fields of a reparameterization.
 */
import { describe, expect, test } from 'vitest';
import { fisherAt, parsePoint, reparameterizeAt, toJsonParams } from '../../src/families/json-points.js';
import { familyPointSize } from '../../src/families/point-names.js';

describe('refusals', () => {
  test('a covariance whose size differs from the mean: named at Sigma with the size the mean fixes', () => {
    const Sigma = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
    expect(() => fisherAt('multivariate-normal', 'mean-cov', { mu: [0, 0], Sigma }, {}, 'spec')).toThrow(
      'spec.params.Sigma: must be a 2 x 2 matrix (array of rows), got ',
    );
  });

  test('fixed values that are not an object: named at fixed, with what the family needs', () => {
    for (const fixed of [5, null, [12]])
      expect(() => fisherAt('binomial', 'mean', { p: 0.3 }, fixed, 'spec'), JSON.stringify(fixed)).toThrow(/^spec\.fixed: binomial needs fixed values n \(/);
  });

  test('a fixed value missing from the object: named at its own path', () => {
    expect(() => fisherAt('binomial', 'mean', { p: 0.3 }, {}, 'spec')).toThrow(/^spec\.fixed\.n: missing; binomial needs n, /);
  });

  test('a covariance row of the wrong length: named at the row', () => {
    expect(() => parsePoint('multivariate-normal', 'mean-cov', { mu: [0, 0], Sigma: [[1, 0], [0]] }, {}, 'spec')).toThrow(
      'spec.params.Sigma[1]: must be a row of 2 numbers, got ',
    );
    expect(() => parsePoint('multivariate-normal', 'mean-cov', { mu: [0, 0], Sigma: [[1, 0], 5] }, {}, 'spec')).toThrow(
      'spec.params.Sigma[1]: must be a row of 2 numbers, got ',
    );
  });

  test('the number of parameters from the JSON lengths: a vector counts its length, a symmetric matrix its upper triangle', () => {
    const Sigma = [
      [2, 0.1, 0],
      [0.1, 1, 0],
      [0, 0, 1],
    ];
    expect(familyPointSize('multivariate-normal', 'mean-cov', { mu: [0, 0, 0], Sigma }, {}, 'spec')).toBe(3 + 6);
    expect(familyPointSize('categorical', 'mean', { p: [0.2, 0.3, 0.1] }, {}, 'spec')).toBe(3);
    expect(familyPointSize('gamma', 'shape-rate', { alpha: 2, beta: 1 }, {}, 'spec')).toBe(2);
  });

  test('a symmetric covariance that is not positive definite: named at Sigma', () => {
    expect(() =>
      parsePoint(
        'multivariate-normal',
        'mean-cov',
        {
          mu: [0, 0],
          Sigma: [
            [1, 2],
            [2, 1],
          ],
        },
        {},
        'spec',
      ),
    ).toThrow('spec.params.Sigma: must be symmetric positive definite (its Cholesky factorization fails)');
  });

  test('categorical probabilities that sum to 1 leave p_K = 0, outside the open simplex: refused, with the sum', () => {
    for (const p of [
      [0.5, 0.5],
      [0.25, 0.75],
    ])
      expect(() => parsePoint('categorical', 'mean', { p }, {}, 'spec')).toThrow(
        'spec.params.p: the probabilities must sum below 1 (p_K = 1 - sum(p) must be > 0), got sum 1',
      );
    expect(parsePoint('categorical', 'mean', { p: [0.25, 0.7] }, {}, 'spec').theta).toEqual(Float64Array.from([0.25, 0.7]));
  });

  test('an asymmetric covariance: named at the upper entry, with both values', () => {
    const Sigma = [
      [2, 0.3],
      [0.4, 1],
    ];
    expect(() => parsePoint('multivariate-normal', 'mean-cov', { mu: [0, 0], Sigma }, {}, 'spec')).toThrow(
      'spec.params.Sigma[0][1]: must be symmetric: entry [0][1] = 0.3 but [1][0] = 0.4',
    );
  });
});

describe('reparameterization results', () => {
  test('exponential rate -> scale at lambda = 1e200: d lambda / d beta = -lambda^2 overflows, named as the jacobian entry', () => {
    expect(() => reparameterizeAt('exponential', 'rate', 'scale', { lambda: 1e200 }, {}, 'spec')).toThrow(
      /^spec\.params: the result field jacobian\[0\]\[0\] would be -1(\.0+)?e\+400/,
    );
  });

  test('exponential rate -> rate at lambda = 1e-160: the Jacobian is the identity, the Fisher 1/lambda^2 overflows, named as the fisher entry', () => {
    expect(() => reparameterizeAt('exponential', 'rate', 'rate', { lambda: 1e-160 }, {}, 'spec')).toThrow(
      /^spec\.params: the result field fisher\[0\]\[0\] would be 1(\.0+)?e\+320/,
    );
  });

  test('categorical mean -> natural: the log-odds against the last class, in the natural layout (a vector eta), which parses back', () => {
    const r = reparameterizeAt('categorical', 'mean', 'natural', { p: [0.2, 0.3] }, {}, 'spec');
    expect(Object.keys(r.params)).toEqual(['eta']);
    const eta = r.params.eta as number[];
    expect(eta).toHaveLength(2);
    expect(eta[0]).toBeCloseTo(Math.log(0.2 / 0.5), 14);
    expect(eta[1]).toBeCloseTo(Math.log(0.3 / 0.5), 14);
    expect(Array.from(parsePoint('categorical', 'natural', { eta }, {}, 'spec').theta)).toEqual(eta);
  });

  test('normal expectation -> mean-logstd: s = log(m2 - m1^2)/2, away from and near variance 1', () => {
    const far = reparameterizeAt('normal', 'expectation', 'mean-logstd', { m1: 0.5, m2: 4.25 }, {}, 'spec');
    expect(far.params.s as number).toBeCloseTo(Math.log(2), 14);
    const near = reparameterizeAt('normal', 'expectation', 'mean-logstd', { m1: 0.5, m2: 1.25 + 2e-9 }, {}, 'spec');
    expect(Math.abs((near.params.s as number) - 1e-9) / 1e-9).toBeLessThan(1e-6);
  });

  test('the names of the target parameterization, in contract order', () => {
    const r = reparameterizeAt('normal', 'mean-std', 'natural', { mu: 0.3, sigma: 1.7 }, {}, 'spec');
    expect(r.paramNames).toEqual(['eta1', 'eta2']);
    expect(Object.keys(r.params)).toEqual(['eta1', 'eta2']);
  });

  test('a vector and a symmetric matrix are assembled back into the JSON layout', () => {
    const layout = [
      { name: 'mu', shape: 'vector' as const },
      { name: 'Sigma', shape: 'symmetric-matrix' as const },
    ];
    expect(toJsonParams(layout, Float64Array.from([1, 2, 3, 4, 5]), 2)).toEqual({
      mu: [1, 2],
      Sigma: [
        [3, 4],
        [4, 5],
      ],
    });
  });
});
