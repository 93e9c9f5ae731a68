/**
 * The Monte Carlo estimators on deterministic draws, where the sample mean and
 * its standard error sqrt(s² / n) are known exactly, and their refusals of bad
 * draws, each naming the sample and entry.
 */
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { vec, type Vec } from '../../src/core/vec.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { mcFisherNegHessian, mcFisherScore, mcMatrixMean, mcMean } from '../../src/numeric/monte-carlo.js';
import { thrownLine } from '../natgrad-error.js';

/** Draws x_0, x_1, ... in turn, ignoring the generator. */
function sequence<T>(xs: readonly T[]): () => T {
  let i = 0;
  return () => xs[i++ % xs.length];
}

/** Sample mean and standard error sqrt(s² / n), s² the unbiased variance, computed directly. */
function meanAndStdError(xs: readonly number[]): [number, number] {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const s2 = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
  return [mean, Math.sqrt(s2 / n)];
}

describe('exact means and standard errors on known draws', () => {
  test('mcMean of scalars and of vectors', () => {
    const xs = [1, 2, 4, 8, 3];
    const [m, se] = meanAndStdError(xs);
    const r = mcMean(xs.length, new Rng(1), sequence(xs));
    expect(r.value[0]).toBeCloseTo(m, 14);
    expect(r.stdError[0]).toBeCloseTo(se, 14);
    const ys = [-1, 0.5, 2, 2, 7];
    const v = mcMean(xs.length, new Rng(1), sequence(xs.map((x, i) => vec([x, ys[i]]))));
    const [my, sy] = meanAndStdError(ys);
    expect([...v.value].map((x) => +x.toFixed(13))).toEqual([m, my].map((x) => +x.toFixed(13)));
    expect(v.stdError[1]).toBeCloseTo(sy, 14);
  });

  test('mcMatrixMean starts every draw from a zero matrix', () => {
    // a draw that adds to its output: without zeroing, the k-th draw would see the sum of the earlier ones
    const r = mcMatrixMean(4, new Rng(1), (_rng, out) => out.set(0, 1, out.get(0, 1) + 1), [1, 2]);
    expect(r.value.get(0, 1)).toBe(1);
    expect(r.stdError.get(0, 1)).toBe(0);
    const xs = [3, 5, 11];
    const [m, se] = meanAndStdError(xs);
    const next = sequence(xs);
    const s = mcMatrixMean(3, new Rng(1), (_rng, out) => out.set(1, 0, next()), 2);
    expect(s.value.get(1, 0)).toBeCloseTo(m, 14);
    expect(s.stdError.get(1, 0)).toBeCloseTo(se, 14);
    expect(s.value.get(0, 0)).toBe(0);
  });

  test('mcFisherScore: the mean of g gᵀ over the scores, symmetric, with the standard error of each product', () => {
    const scores = [vec([1, 2, 0]), vec([-1, 0.5, 3]), vec([2, -2, 1]), vec([0, 1, -1])];
    const r = mcFisherScore(scores.length, new Rng(1), sequence(scores), (g: Vec) => g);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const [m, se] = meanAndStdError(scores.map((g) => g[i] * g[j]));
        expect(r.value.get(i, j), `(${i}, ${j})`).toBeCloseTo(m, 14);
        expect(r.stdError.get(i, j), `(${i}, ${j})`).toBeCloseTo(se, 14);
      }
    }
  });

  test('mcFisherNegHessian: the entrywise mean of the matrices, rectangular shapes kept', () => {
    const hs = [Matrix.from([[1, 2, 3]]), Matrix.from([[3, 0, -1]]), Matrix.from([[2, 7, 1]])];
    const r = mcFisherNegHessian(3, new Rng(1), sequence(hs), (h: Matrix) => h);
    expect(r.value.rows).toBe(1);
    expect(r.value.cols).toBe(3);
    for (let j = 0; j < 3; j++) {
      const [m, se] = meanAndStdError(hs.map((h) => h.get(0, j)));
      expect(r.value.get(0, j)).toBeCloseTo(m, 14);
      expect(r.stdError.get(0, j)).toBeCloseTo(se, 14);
    }
  });
});

describe('bad draws are refused, naming the sample and entry', () => {
  test('the number of samples', () => {
    for (const n of [1, 2.5, 0]) {
      expect(thrownLine(() => mcMean(n, new Rng(1), () => 1))).toBe(`n: the number of samples must be an integer >= 2 (a standard error needs two), got ${n}`);
    }
    expect(mcMean(2, new Rng(1), sequence([1, 3])).value[0]).toBe(2);
  });

  test('non-finite entries', () => {
    expect(thrownLine(() => mcMean(5, new Rng(1), sequence([vec([1, 2]), vec([1, Number.NaN])])))).toBe('draw: entry 1 of sample 1 is not finite (NaN)');
    expect(thrownLine(() => mcMatrixMean(5, new Rng(1), (_rng, out) => out.set(0, 1, Number.POSITIVE_INFINITY), 2))).toBe(
      'draw: entry 1 of sample 0 is not finite (Infinity)',
    );
    expect(thrownLine(() => mcFisherScore(5, new Rng(1), sequence([1, 2, 3]), (x: number) => vec([x, x === 3 ? Number.NaN : 0])))).toBe(
      'score: entry 1 of sample 2 is not finite (NaN)',
    );
    expect(thrownLine(() => mcFisherNegHessian(5, new Rng(1), sequence([1, -1]), (x: number) => Matrix.from([[x > 0 ? 1 : Number.NaN]])))).toBe(
      'negHessian: entry 0 of sample 1 is not finite (NaN)',
    );
  });

  test('draws whose size changes', () => {
    expect(thrownLine(() => mcMean(5, new Rng(1), sequence([vec([1, 2]), vec([1, 2]), vec([1])])))).toBe('draw: returned 1 entries at sample 2, expected 2');
    expect(thrownLine(() => mcFisherScore(5, new Rng(1), sequence([vec([1, 2]), vec([1, 2, 3])]), (g: Vec) => g))).toBe(
      'score: returned 3 entries at sample 1, expected 2',
    );
    expect(thrownLine(() => mcFisherNegHessian(5, new Rng(1), sequence([Matrix.zeros(2, 2), Matrix.zeros(2, 3)]), (h: Matrix) => h))).toBe(
      'negHessian: returned a 2 x 3 matrix at sample 1, expected 2 x 2',
    );
    expect(thrownLine(() => mcFisherNegHessian(5, new Rng(1), sequence([Matrix.zeros(2, 2), Matrix.zeros(3, 2)]), (h: Matrix) => h))).toBe(
      'negHessian: returned a 3 x 2 matrix at sample 1, expected 2 x 2',
    );
  });
});
