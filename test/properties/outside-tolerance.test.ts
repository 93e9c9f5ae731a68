import { describe, expect, test } from 'vitest';
import { outsideTolerance } from '../../properties/fisher-families.js';

describe('the Monte Carlo comparison of a Fisher entry', () => {
  test('a deviation within z standard errors and the floor passes, one beyond it does not', () => {
    expect(outsideTolerance(1, 2, 0.5, 0)).toBe(false);
    expect(outsideTolerance(1.0001, 2, 0.5, 0)).toBe(true);
    expect(outsideTolerance(1.5, 2, 0.5, 0.5)).toBe(false);
  });

  test('a NaN estimate, standard error or floor never passes', () => {
    expect(outsideTolerance(Number.NaN, 5, 1, 0)).toBe(true);
    expect(outsideTolerance(0, 5, Number.NaN, 0)).toBe(true);
    expect(outsideTolerance(0, 5, 1, Number.NaN)).toBe(true);
  });
});
