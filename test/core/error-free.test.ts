/**
 * Error-free transformations: the sum of probabilities that nearly reach 1
 * and the square of a mean next to its second moment, where plain float64
 * arithmetic cancels.
 */
import { describe, expect, test } from 'vitest';
import { exactSum, exactSumPair, twoProduct, twoSum } from '../../src/core/error-free.js';
import { findNonFinite, requireFiniteResult } from '../../src/core/finite-result.js';

describe('error-free sums and products', () => {
  test('twoSum and twoProduct recover the rounding error exactly', () => {
    const [s, e] = twoSum(1, 2 ** -60);
    expect([s, e]).toEqual([1, 2 ** -60]);
    const a = 1 + 2 ** -30;
    const [p, err] = twoProduct(a, a); // (1 + 2^-30)^2 = 1 + 2^-29 + 2^-60
    expect(p).toBe(1 + 2 ** -29);
    expect(err).toBe(2 ** -60);
  });
  test('exactSum is correctly rounded where the plain sum is not', () => {
    expect(exactSum([1, 1e100, 1, -1e100])).toBe(2);
    expect([1, 1e100, 1, -1e100].reduce((x, y) => x + y)).toBe(0);
    // the exact sum of these four doubles (Python's math.fsum gives the same); the plain sum is 4x too large
    expect(exactSum([0.1, 0.2, 0.3, -0.6])).toBe(2.7755575615628914e-17);
    expect(exactSum([0.3, -0.6, 0.2, 0.1])).toBe(2.7755575615628914e-17);
    // ties to even in the last place
    expect(exactSum([1, 2 ** -53])).toBe(1);
    expect(exactSum([1, 2 ** -53, 2 ** -100])).toBe(1 + 2 ** -52);
  });
  test('1 - sum p as a pair: the remainder keeps what the rounded head cannot', () => {
    expect(exactSumPair([1, -0.5, -0.25, -1e-300])).toEqual([0.25, -1e-300]);
    expect(exactSumPair([1, -0.5, -0.5])).toEqual([0, 0]);
  });
});

describe('the finiteness rule for results', () => {
  test('names the first field that is not finite, with its JSON path', () => {
    expect(
      findNonFinite(
        {
          matrix: [
            [1, 2],
            [3, Infinity],
          ],
        },
        '',
      ),
    ).toEqual({ path: 'matrix[1][1]', value: Infinity });
    expect(findNonFinite({ direction: Float64Array.of(1, NaN) }, 'r')).toEqual({ path: 'r.direction[1]', value: NaN });
    expect(() => requireFiniteResult({ matrix: [[Infinity]] }, 'spec')).toThrow('spec: the result field matrix[0][0] overflows float64');
    expect(() => requireFiniteResult({ direction: [NaN] }, 'spec')).toThrow('spec: the result field direction[0] is not a number (NaN)');
    expect(() => requireFiniteResult({ matrix: [[0, 5e-324]] }, 'spec')).not.toThrow();
  });
});
