/** The largest entrywise difference of two arrays of equal length, relative to the largest |entry| of the second. */
import { expect } from 'vitest';

export function relGap(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  let scale = 1e-300;
  for (let i = 0; i < b.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  expect(a.length).toBe(b.length);
  return worst / scale;
}
