/**
 * A family point read from JSON names a wrong family or parameterization at
 * its own path under the point's path (what the CLI prints before the reason).
 */
import { describe, expect, test } from 'vitest';
import { parsePoint } from '../../src/families/json-points.js';

describe('the names of a point, by path', () => {
  test('a misspelled family: named at <path>.family, with the nearest name', () => {
    expect(() => parsePoint('nromal', 'mean-sd', { mu: 0, sigma: 1 }, {}, 'spec')).toThrow(
      /^spec\.family: must be one of .*, got "nromal"; did you mean "normal"\?$/,
    );
  });
  test('a parameterization the family does not have: named at <path>.parameterization, with those it has', () => {
    expect(() => parsePoint('normal', 'mean-sdd', { mu: 0, sigma: 1 }, {}, 'spec')).toThrow(
      /^spec\.parameterization: normal has parameterizations .*, got "mean-sdd"/,
    );
  });
});

describe('params that are not an object: the message lists what each parameter is', () => {
  test.each([
    ['normal', 'mean-std', 'mu \\(a number\\), sigma \\(a number\\)'],
    ['categorical', 'mean', 'p \\(an array of numbers\\)'],
    ['multivariate-normal', 'mean-cov', 'mu \\(an array of numbers\\), Sigma \\(a symmetric matrix, as an array of rows\\)'],
  ])('%s %s', (family, parameterization, layout) => {
    expect(() => parsePoint(family, parameterization, 3, {}, 'spec')).toThrow(new RegExp(`^spec\\.params: must be an object with ${layout}, got 3$`));
  });
});
