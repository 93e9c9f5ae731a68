import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { kroneckerOperator } from '../../src/linalg/kronecker.js';
import { LU, dampedSolve, pseudoInverse, pseudoInverseSolve, spectralCompose } from '../../src/linalg/solve.js';
import { symmetricFunction, symmetricPower } from '../../src/linalg/matrix-function.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { blockDiagonalOperator, composeOperators, dampedOperator, denseOperator } from '../../src/linalg/operators.js';
import {
  GEMM_THRESHOLD,
  assertSquare,
  matTvec,
  matmul,
  matmulNT,
  matmulTN,
  maxAbsDiff,
  symmetrize,
  assertRightHandSides,
  finiteMaxAbs,
  vecRow,
} from '../../src/linalg/ops.js';

const EPS = 2 ** -52;

function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  const rng = new Rng(seed);
  const m = new Matrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = rng.normal();
  return m;
}

const sameBits = (x: Float64Array, y: Float64Array): boolean => x.length === y.length && x.every((v, i) => Object.is(v, y[i]));

/** The NatgradError a call throws (fails the test when it throws none). */
function refusal(f: () => unknown): NatgradError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(NatgradError);
    return e as NatgradError;
  }
  throw new Error('expected a NatgradError');
}

describe('ops: refusals by path and message', () => {
  test('shape refusals name the path and both shapes', () => {
    const a = new Matrix(2, 3);
    let e = refusal(() => assertSquare(a));
    expect([e.path, e.message]).toEqual(['matrix', expect.stringContaining('expected a square matrix, got 2 x 3')]);
    e = refusal(() => maxAbsDiff(new Matrix(2, 3), new Matrix(3, 3)));
    expect([e.path, e.message]).toEqual(['matrix', expect.stringContaining('cannot compare 2 x 3 and 3 x 3: shapes differ')]);
    e = refusal(() => maxAbsDiff(new Matrix(2, 3), new Matrix(2, 2)));
    expect(e.message).toMatch(/cannot compare 2 x 3 and 2 x 2/);
    e = refusal(() => matmulTN(new Matrix(2, 3), new Matrix(3, 2)));
    expect([e.path, e.message]).toEqual(['matrix', expect.stringContaining('rows of both (2 and 3) must be equal')]);
    e = refusal(() => matTvec(new Matrix(2, 3), new Float64Array(3)));
    expect([e.path, e.message]).toEqual([
      'vector',
      expect.stringContaining('cannot multiply the transpose of 2 x 3 by a vector of length 3: expected length 2'),
    ]);
    e = refusal(() => matmulNT(new Matrix(2, 3), new Matrix(2, 2)));
    expect([e.path, e.message]).toEqual(['matrix', expect.stringContaining('columns of both (3 and 2) must be equal')]);
    e = refusal(() => assertRightHandSides(3, new Matrix(2, 4)));
    expect([e.path, e.message]).toEqual([
      'matrix',
      expect.stringContaining('cannot solve with a 3 x 3 matrix and a right-hand side of shape 2 x 4: expected 3 rows'),
    ]);
  });

  test('a non-finite entry is named by its row and column', () => {
    const a = Matrix.from([
      [1, 2, 3],
      [4, 5, Number.NaN],
    ]);
    const e = refusal(() => finiteMaxAbs(a, 'spec.fisher'));
    expect([e.path, e.message]).toEqual(['spec.fisher', expect.stringContaining('matrix is not finite: entry (1, 2) is NaN')]);
  });

  test('Matrix refuses data of the wrong length and ragged rows, by path and message', () => {
    let e = refusal(() => new Matrix(2, 3, new Float64Array(5)));
    expect([e.path, e.message]).toEqual(['matrix', expect.stringContaining('data has 5 entries, expected 2 x 3 = 6')]);
    e = refusal(() => Matrix.from([[1, 2], [3]]));
    expect([e.path, e.message]).toEqual(['matrix[1]', expect.stringContaining('row has length 1, expected 2')]);
  });

  test('vecRow is a copy: writing to it leaves the matrix alone', () => {
    const a = Matrix.from([[1, 2]]);
    const v = vecRow(a);
    v[0] = 7;
    expect(a.data[0]).toBe(1);
  });

  test('symmetrize gives (a + aᵀ)/2 in both triangles', () => {
    const a = Matrix.from([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    expect(symmetrize(a).toArray()).toEqual([
      [1, 3, 5],
      [3, 5, 7],
      [5, 7, 9],
    ]);
  });

  test('aᵀ a and a aᵀ above the kernel threshold equal the general product bit for bit, for both orientations', () => {
    const a = randomMatrix(20, 24, 5);
    expect(20 * 20 * 24).toBeGreaterThanOrEqual(GEMM_THRESHOLD);
    expect(sameBits(matmulTN(a, a).data, matmulTN(a, a.clone()).data)).toBe(true);
    expect(sameBits(matmulNT(a, a).data, matmulNT(a, a.clone()).data)).toBe(true);
  });

  test('aᵀ b of two different matrices above the kernel threshold is aᵀ b (the symmetric shortcut is for aᵀ a only)', () => {
    const a = randomMatrix(20, 24, 6);
    const b = randomMatrix(20, 18, 7);
    expect(24 * 18 * 20).toBeGreaterThanOrEqual(GEMM_THRESHOLD);
    const c = matmulTN(a, b);
    // each entry is a sum of k = 20 products: off by at most k eps Σ|a_pi b_pj| (with room for the kernel's order)
    for (let i = 0; i < 24; i++) {
      for (let j = 0; j < 18; j++) {
        let ref = 0;
        let mag = 0;
        for (let p = 0; p < 20; p++) {
          ref += a.get(p, i) * b.get(p, j);
          mag += Math.abs(a.get(p, i) * b.get(p, j));
        }
        expect(Math.abs(c.get(i, j) - ref), `entry (${i}, ${j})`).toBeLessThanOrEqual(2 * 20 * 2 ** -52 * mag);
      }
    }
  });
});

describe('kroneckerOperator: a X bᵀ in the cheaper association', () => {
  test('matvec and rmatvec give, bit for bit, the association with fewer multiplications (the left one on a tie)', () => {
    const sizes = [1, 2, 3, 5, 8];
    let seed = 100;
    for (const m of sizes) {
      for (const n of sizes) {
        for (const p of sizes) {
          for (const q of sizes) {
            const a = randomMatrix(m, n, seed++);
            const b = randomMatrix(p, q, seed++);
            const op = kroneckerOperator(a, b);
            const x = randomMatrix(n, q, seed++);
            const y = randomMatrix(m, p, seed++);
            // a X bᵀ: (a X) bᵀ costs m n q + m q p, a (X bᵀ) costs n q p + m n p
            const left = matmulNT(matmul(a, x), b).data;
            const right = matmul(a, matmulNT(x, b)).data;
            const mv = m * n * q + m * q * p <= n * q * p + m * n * p ? left : right;
            expect(sameBits(op.matvec(x.data), mv)).toBe(true);
            // aᵀ Y b: (aᵀ Y) b costs n m p + n p q, aᵀ (Y b) costs m p q + n m q
            const tleft = matmul(matmulTN(a, y), b).data;
            const tright = matmulTN(a, matmul(y, b)).data;
            const rv = n * m * p + n * p * q <= m * p * q + n * m * q ? tleft : tright;
            expect(sameBits(op.rmatvec(y.data), rv)).toBe(true);
          }
        }
      }
    }
  });
});

describe('operators: refusals by path', () => {
  test('composition, block-diagonal vectors and damping name what is wrong', () => {
    const a = denseOperator(new Matrix(2, 3));
    let e = refusal(() => composeOperators(a, a));
    expect([e.path, e.message]).toEqual(['operator', expect.stringContaining('inner dimensions 3 and 2 differ')]);
    const bd = blockDiagonalOperator([a, a]);
    e = refusal(() => bd.matvec(new Float64Array(5)));
    expect([e.path, e.message]).toEqual(['vector', expect.stringContaining('length 5, expected 6')]);
    e = refusal(() => bd.rmatvec(new Float64Array(5)));
    expect([e.path, e.message]).toEqual(['vector', expect.stringContaining('length 5, expected 4')]);
    e = refusal(() => dampedOperator(a, 1));
    expect([e.path, e.message]).toEqual(['operator', expect.stringContaining('damping needs a square operator, got 2 x 3')]);
  });
});

describe('matrix functions: the boundaries of symmetricPower and the default path', () => {
  test('p = 0 is an integer power: the identity, whatever the sign of the eigenvalues', () => {
    const a = Matrix.from([
      [2, 0],
      [0, -3],
    ]);
    expect(symmetricPower(a, 0).toArray()).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });

  test('a negative eigenvalue within n eps max|lambda| is rounding of a PSD matrix and is taken as 0; beyond it is refused', () => {
    const diag = (x: number, y: number) =>
      Matrix.from([
        [x, 0],
        [0, y],
      ]);
    // exactly at the bound -n eps max|lambda| (n = 2): accepted
    expect(symmetricPower(diag(1, -2 * EPS), 0.5).toArray()).toEqual([
      [1, 0],
      [0, 0],
    ]);
    expect(symmetricPower(diag(1, -1e-17), 0.5).toArray()).toEqual([
      [1, 0],
      [0, 0],
    ]);
    // the bound scales with max|lambda| = 4: 2 eps 4 = 1.8e-15
    expect(symmetricPower(diag(4, -5e-16), 0.5).toArray()).toEqual([
      [2, 0],
      [0, 0],
    ]);
    const e = refusal(() => symmetricPower(diag(4, -4e-15), 0.5));
    expect(e.message).toMatch(/needs a positive semidefinite matrix, but eigenvalue -4e-15 < 0/);
  });

  test('symmetricFunction refuses a non-finite value under the default path', () => {
    const e = refusal(() => symmetricFunction(Matrix.identity(2), () => Number.NaN));
    expect(e.path).toBe('matrix');
    expect(e.message).toMatch(/matrix function is not finite at eigenvalue 1/);
  });
});

describe('solve: row swaps after the first column, and the exactly symmetric spectral composition', () => {
  test('LU pivots rows in a later column too: a permutation matrix is solved exactly', () => {
    // column 0 needs no swap; column 1 swaps rows 1 and 2; column 2 swaps rows 2 and 3
    const a = Matrix.from([
      [1, 0, 0, 0],
      [0, 0, 1, 0],
      [0, 0, 0, 1],
      [0, 1, 0, 0],
    ]);
    const lu = new LU(a);
    expect(Array.from(lu.solve([1, 2, 3, 4]))).toEqual([1, 4, 2, 3]);
    expect(lu.solveMatrix(Matrix.from([[1], [2], [3], [4]])).toArray()).toEqual([[1], [4], [2], [3]]);
  });

  test('V diag(w) Vᵀ is exactly symmetric although the two triangles of the product round differently', () => {
    for (const n of [6, 9, 12]) {
      const V = randomMatrix(n, n, 40 + n);
      const w = Float64Array.from({ length: n }, (_, i) => (i % 3) - 0.7 + i / 7);
      const C = spectralCompose(V, w);
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(C.data[i * n + j]).toBe(C.data[j * n + i]);
    }
  });
});

describe('solve: refusals by path and message, and the singularity threshold n eps max|a|', () => {
  test('LU refuses a pivot below n eps max|a| (a large entry raises the threshold), naming the remedy, under the default path', () => {
    const a = Matrix.from([
      [1e8, 0],
      [0, 1e-9],
    ]);
    const e = refusal(() => new LU(a));
    expect(e.path).toBe('matrix');
    expect(e.message).toMatch(/singular to working precision: no pivot above 4\.44e-8 in column 1 .*use pseudoInverseSolve or add damping/);
    // above the threshold it factors
    expect(
      () =>
        new LU(
          Matrix.from([
            [1e8, 0],
            [0, 1e-7],
          ]),
        ),
    ).not.toThrow();
  });

  test('the right-hand side and rcond are refused by path', () => {
    const a = Matrix.identity(2);
    for (const f of [() => new LU(a).solve([1]), () => pseudoInverseSolve(a, [1]), () => dampedSolve(a, 0.1, [1])]) {
      const e = refusal(f);
      expect([e.path, e.message]).toEqual(['vector', expect.stringContaining('right-hand side has length 1, expected 2')]);
    }
    for (const f of [() => dampedSolve(a, 0.1, [1, 1], -1), () => pseudoInverse(a, -1)]) expect(refusal(f).path).toBe('rcond');
  });
});
