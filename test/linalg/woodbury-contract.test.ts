/**
 * The Woodbury operator's contract beyond its accuracy: shape, the transpose
 * product, an exactly symmetric dense form that agrees with the products, and
 * refusals that name the argument.
 */
import { expect, test } from 'vitest';
import { vec } from '../../src/core/vec.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { lowRankPlusDampingInverse, lowRankPlusDampingSolve } from '../../src/linalg/woodbury.js';
import { thrownLine } from '../natgrad-error.js';

const U = Matrix.from([
  [1, 2],
  [0, -1],
  [3, 0.5],
]);
const lambda = 0.7;

/** (lambda I + U Uᵀ) x, directly. */
function forward(x: number[]): number[] {
  return x.map((xi, i) => lambda * xi + [0, 1].reduce((a, c) => a + U.get(i, c) * [0, 1, 2].reduce((b, j) => b + U.get(j, c) * x[j], 0), 0));
}

test('shape, and matvec, rmatvec and solve invert lambda I + U Uᵀ', () => {
  const op = lowRankPlusDampingInverse(U, lambda);
  expect(op.shape).toEqual([3, 3]);
  const b = [0.3, -1.2, 2];
  for (const x of [op.matvec(vec(b)), op.rmatvec(vec(b)), lowRankPlusDampingSolve(U, lambda, vec(b))]) {
    forward([...x]).forEach((v, i) => expect(v).toBeCloseTo(b[i], 13));
  }
});

test('the dense inverse is exactly symmetric and its columns are the products with the unit vectors', () => {
  const op = lowRankPlusDampingInverse(U, lambda);
  const D = op.dense?.() as Matrix;
  expect(D.rows).toBe(3);
  for (let j = 0; j < 3; j++) {
    const e = vec([0, 1, 2].map((i) => (i === j ? 1 : 0)));
    const col = op.matvec(e);
    for (let i = 0; i < 3; i++) {
      expect(D.get(i, j), `(${i}, ${j})`).toBeCloseTo(col[i], 13);
      expect(D.get(i, j)).toBe(D.get(j, i));
    }
  }
});

test('refusals name the argument', () => {
  for (const bad of [0, -1, Number.POSITIVE_INFINITY, Number.NaN]) {
    expect(thrownLine(() => lowRankPlusDampingInverse(U, bad))).toBe(
      `lambda: must be a finite number > 0 (the damping; lambda I + U Uᵀ is singular when lambda = 0 and k < n), got ${bad}`,
    );
  }
  expect(thrownLine(() => lowRankPlusDampingInverse(U, lambda).matvec(vec([1, 2])))).toBe('vector: vector has length 2, expected 3');
  expect(thrownLine(() => lowRankPlusDampingInverse(Matrix.from([[1, Number.NaN]]), lambda))).toMatch(/^U: /);
});
