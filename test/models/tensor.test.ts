/**
 * The batched tensor and the strided product the layers use: both branches
 * of matmulStrided (plain loop below the GEMM threshold, WebAssembly GEMM
 * above it) against a direct triple loop, for every transpose, with offsets
 * and leading dimensions.
 */
import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';
import { Tensor, formatShape, matmulStrided, shapeSize, stackExamples, toNested } from '../../src/models/tensor.js';

const EPS = 2 ** -52;

describe('matmulStrided', () => {
  const cases = [
    [3, 2, 4],
    [20, 17, 19],
  ] as const;
  for (const [m, n, k] of cases) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        test(`${m} x ${n} x ${k}, transA ${transA}, transB ${transB}, with offsets and padding`, () => {
          const rng = new Rng(`mm ${m} ${transA} ${transB}`);
          const [ar, ac] = transA ? [k, m] : [m, k];
          const [br, bc] = transB ? [n, k] : [k, n];
          const lda = ac + 2;
          const ldb = bc + 1;
          const ldc = n + 3;
          const A = Float64Array.from({ length: 5 + ar * lda }, () => rng.normal());
          const B = Float64Array.from({ length: 7 + br * ldb }, () => rng.normal());
          const C = Float64Array.from({ length: 4 + m * ldc }, () => rng.normal());
          const C0 = C.slice();
          const a = (i: number, p: number) => (transA ? A[5 + p * lda + i] : A[5 + i * lda + p]);
          const b = (p: number, j: number) => (transB ? B[7 + j * ldb + p] : B[7 + p * ldb + j]);
          matmulStrided(transA, transB, m, n, k, 0.5, A, 5, lda, B, 7, ldb, 2, C, 4, ldc);
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              let s = 0;
              let abs = 0;
              for (let p = 0; p < k; p++) {
                s += a(i, p) * b(p, j);
                abs += Math.abs(a(i, p) * b(p, j));
              }
              const expected = 2 * C0[4 + i * ldc + j] + 0.5 * s;
              const bound = 2 * (k + 2) * EPS * (abs + 4 * Math.abs(C0[4 + i * ldc + j]));
              expect(Math.abs(C[4 + i * ldc + j] - expected)).toBeLessThanOrEqual(bound);
            }
          }
          // entries outside the m x n block at ldc are untouched
          for (let i = 0; i < m; i++) for (let j = n; j < ldc && 4 + i * ldc + j < C.length; j++) expect(C[4 + i * ldc + j]).toBe(C0[4 + i * ldc + j]);
        });
      }
    }
  }

  test('beta = 0 overwrites (NaN in C does not propagate), in both branches', () => {
    for (const size of [2, 20]) {
      const A = new Float64Array(size * size).fill(1);
      const C = new Float64Array(size * size).fill(NaN);
      matmulStrided(false, false, size, size, size, 1, A, 0, size, A, 0, size, 0, C, 0, size);
      expect(C.every((c) => c === size)).toBe(true);
    }
  });
});

describe('Tensor', () => {
  test('shape, examples and views', () => {
    const t = stackExamples([Float64Array.of(1, 2, 3, 4, 5, 6), Float64Array.of(7, 8, 9, 10, 11, 12)], [2, 3]);
    expect(t.shape).toEqual([2, 2, 3]);
    expect(t.batch).toBe(2);
    expect(t.exampleShape).toEqual([2, 3]);
    expect(t.exampleSize).toBe(6);
    expect(Array.from(t.example(1))).toEqual([7, 8, 9, 10, 11, 12]);
    const flat = t.withExampleShape([6]);
    flat.data[0] = 100;
    expect(t.data[0]).toBe(100);
    expect(toNested(t.example(0), [2, 3])).toEqual([
      [100, 2, 3],
      [4, 5, 6],
    ]);
    expect(shapeSize([2, 3, 4])).toBe(24);
    expect(formatShape([1, 6, 6])).toBe('[1, 6, 6]');
    expect(Tensor.zeros(0, [3]).exampleSize).toBe(3);
  });

  test('bad shapes and data lengths are NatgradErrors', () => {
    expect(() => new Tensor([2, 3], new Float64Array(5))).toThrow(NatgradError);
    expect(() => new Tensor([])).toThrow(/batch axis/);
    expect(() => new Tensor([2, 1.5])).toThrow(NatgradError);
    expect(() => stackExamples([Float64Array.of(1, 2)], [3])).toThrow(/inputs\[0\]/);
  });
});
