/** How a step's numbers are printed: two significant digits in exponent form, exact zero and non-finite values as they are. */
import { describe, expect, test } from 'vitest';
import { formatNumber } from '../../src/families/steps.js';

describe('formatNumber', () => {
  test('two significant digits, zero and non-finite values spelled out', () => {
    expect(formatNumber(1234.5)).toBe('1.2e+3');
    expect(formatNumber(-0.000375)).toBe('-3.8e-4');
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(formatNumber(Number.NaN)).toBe('NaN');
  });
});
