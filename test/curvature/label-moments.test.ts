/**
 * The exact variances of label-quadratic statistics against independent
 * computations: for discrete labels, enumeration of every joint outcome of
 * an example's positions; for normal labels, Var(zᵀ C z) = 2 ‖(C + Cᵀ)/2‖²_F
 * for z standard normal. Both for a plain vector statistic (R = 1, full and
 * diagonal) and for one shared by R positions, with an outcome of
 * probability 0 among them.
 */
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { outcomeWeights, sharedStatisticVariance, standardErrors, vectorStatisticVariance } from '../../src/curvature/label-moments.js';
import { Tensor } from '../../src/models/tensor.js';
import type { LabelOutcomes } from '../../src/models/output-loss.js';

interface Discrete {
  /** unweighted blocks, N S blocks of R x m (row-major), each position's outcomes of mean zero */
  blocks: Float64Array;
  probability: Float64Array;
  position: Int32Array;
  N: number;
  S: number;
  T: number;
  K: number;
  R: number;
  m: number;
}

/** Random discrete outcomes: T positions of K outcomes each (one of probability 0 when `withZero`), mean zero per position. */
function discrete(seed: number, N: number, T: number, K: number, R: number, m: number, withZero: boolean): Discrete {
  const rng = new Rng(seed);
  const S = T * K;
  const block = R * m;
  const blocks = new Float64Array(N * S * block);
  const probability = new Float64Array(N * S);
  const position = Int32Array.from({ length: S }, (_, j) => Math.floor(j / K));
  for (let n = 0; n < N; n++) {
    for (let t = 0; t < T; t++) {
      const w = Array.from({ length: K }, (_, k) => (withZero && k === 0 ? 0 : 0.2 + rng.uniform()));
      const total = w.reduce((a, b) => a + b, 0);
      const rows = Array.from({ length: K }, (_, k) => n * S + t * K + k);
      rows.forEach((row, k) => {
        probability[row] = w[k] / total;
      });
      // outcomes 0 .. K-2 random, the last one making the mean zero
      const mean = new Float64Array(block);
      for (let k = 0; k < K - 1; k++) {
        for (let q = 0; q < block; q++) {
          const v = rng.normal();
          blocks[rows[k] * block + q] = v;
          mean[q] += probability[rows[k]] * v;
        }
      }
      const last = rows[K - 1];
      for (let q = 0; q < block; q++) blocks[last * block + q] = -mean[q] / probability[last];
    }
  }
  return { blocks, probability, position, N, S, T, K, R, m };
}

/** The weighted rows sqrt(p) U the functions take. */
function weighted(d: Discrete): Float64Array {
  const block = d.R * d.m;
  return d.blocks.map((v, q) => v * Math.sqrt(d.probability[Math.floor(q / block)]));
}

/** sum_n Var(Q_ij), Q = vᵀ v for v = sum_t (block of y_t), by enumerating the K^T joint outcomes of each example. */
function enumeratedVariance(d: Discrete): Float64Array {
  const { N, S, T, K, R, m } = d;
  const block = R * m;
  const out = new Float64Array(m * m);
  for (let n = 0; n < N; n++) {
    const EQ = new Float64Array(m * m);
    const EQ2 = new Float64Array(m * m);
    for (let c = 0; c < K ** T; c++) {
      let prob = 1;
      const v = new Float64Array(block);
      for (let t = 0, code = c; t < T; t++, code = Math.floor(code / K)) {
        const row = n * S + t * K + (code % K);
        prob *= d.probability[row];
        for (let q = 0; q < block; q++) v[q] += d.blocks[row * block + q];
      }
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < m; j++) {
          let Q = 0;
          for (let r = 0; r < R; r++) Q += v[r * m + i] * v[r * m + j];
          EQ[i * m + j] += prob * Q;
          EQ2[i * m + j] += prob * Q * Q;
        }
      }
    }
    for (let q = 0; q < m * m; q++) out[q] += EQ2[q] - EQ[q] * EQ[q];
  }
  return out;
}

/** sum_n Var(zᵀ C z) = 2 ‖(C + Cᵀ)/2‖²_F, C_ab = (B_aᵀ B_b)_ij over the S blocks of example n, z standard normal. */
function normalVariance(blocks: Float64Array, N: number, S: number, R: number, m: number): Float64Array {
  const block = R * m;
  const out = new Float64Array(m * m);
  for (let n = 0; n < N; n++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        const C = (a: number, b: number) => {
          let s = 0;
          for (let r = 0; r < R; r++) s += blocks[(n * S + a) * block + r * m + i] * blocks[(n * S + b) * block + r * m + j];
          return s;
        };
        let f = 0;
        for (let a = 0; a < S; a++) for (let b = 0; b < S; b++) f += ((C(a, b) + C(b, a)) / 2) ** 2;
        out[i * m + j] += 2 * f;
      }
    }
  }
  return out;
}

function expectClose(got: Float64Array, want: Float64Array): void {
  expect(got.length).toBe(want.length);
  const scale = Math.max(...want.map(Math.abs));
  for (let q = 0; q < want.length; q++) expect(Math.abs(got[q] - want[q])).toBeLessThanOrEqual(1e-12 * scale);
}

describe('discrete labels: the variances equal those of the enumerated outcomes', () => {
  test.each([
    { name: 'one position, three outcomes', T: 1, K: 3, withZero: false },
    { name: 'two positions, three outcomes each', T: 2, K: 3, withZero: false },
    { name: 'two positions, an outcome of probability 0 in each', T: 2, K: 3, withZero: true },
  ])('vector statistic (R = 1), full and diagonal: $name', ({ T, K, withZero }) => {
    const d = discrete(1501 + T + K, 3, T, K, 1, 3, withZero);
    const want = enumeratedVariance(d);
    const U = weighted(d);
    expectClose(vectorStatisticVariance(U, d.N, d.S, d.m, d.position, d.probability, false), want);
    expectClose(
      vectorStatisticVariance(U, d.N, d.S, d.m, d.position, d.probability, true),
      Float64Array.from({ length: d.m }, (_, i) => want[i * d.m + i]),
    );
    // the shared form with R = 1 is the same statistic
    expectClose(sharedStatisticVariance(U, d.N, d.S, 1, d.m, d.position, d.probability), want);
  });

  test.each([
    { name: 'one position', T: 1, withZero: false },
    { name: 'two positions', T: 2, withZero: false },
    { name: 'three positions, outcomes of probability 0', T: 3, withZero: true },
  ])('shared statistic (R = 2): $name', ({ T, withZero }) => {
    const d = discrete(1511 + T, 2, T, 2, 2, 2, withZero);
    expectClose(sharedStatisticVariance(weighted(d), d.N, d.S, d.R, d.m, d.position, d.probability), enumeratedVariance(d));
  });
});

describe('normal labels: the variances equal 2 ‖sym C‖²_F', () => {
  const rng = new Rng(1521);
  const N = 2;
  const S = 4;
  const m = 3;
  // two positions of two square-root columns each
  const position = Int32Array.of(0, 0, 1, 1);

  test('vector statistic (R = 1), full and diagonal, and the shared form with R = 1', () => {
    const U = Float64Array.from({ length: N * S * m }, () => rng.normal());
    const want = normalVariance(U, N, S, 1, m);
    expectClose(vectorStatisticVariance(U, N, S, m, position, null, false), want);
    expectClose(
      vectorStatisticVariance(U, N, S, m, position, null, true),
      Float64Array.from({ length: m }, (_, i) => want[i * m + i]),
    );
    expectClose(sharedStatisticVariance(U, N, S, 1, m, position, null), want);
  });

  test('shared statistic (R = 3)', () => {
    const R = 3;
    const U = Float64Array.from({ length: N * S * R * m }, () => rng.normal());
    expectClose(sharedStatisticVariance(U, N, S, R, m, position, null), normalVariance(U, N, S, R, m));
  });

  test('no rows: zero variance', () => {
    expect(Array.from(vectorStatisticVariance(new Float64Array(0), 2, 0, 2, new Int32Array(0), null, false))).toEqual([0, 0, 0, 0]);
    expect(Array.from(sharedStatisticVariance(new Float64Array(0), 2, 0, 2, 2, new Int32Array(0), null))).toEqual([0, 0, 0, 0]);
  });
});

describe('weights and standard errors', () => {
  test('outcome weights are sqrt(p) for a discrete label and 1 for a normal one', () => {
    const rows = Tensor.zeros(3, [2]);
    const discreteOutcomes: LabelOutcomes = { rows, rowsPerExample: 3, position: Int32Array.of(0, 0, 0), probability: Float64Array.of(0.25, 0, 0.75) };
    expect(Array.from(outcomeWeights(discreteOutcomes))).toEqual([0.5, 0, Math.sqrt(0.75)]);
    expect(Array.from(outcomeWeights({ ...discreteOutcomes, probability: null }))).toEqual([1, 1, 1]);
  });

  test('standard errors are sqrt(c² v / M), a negative (round-off) variance giving 0', () => {
    expect(Array.from(standardErrors(Float64Array.of(-1e-20, 4, 16), 0.5, 4))).toEqual([0, 0.5, 1]);
  });
});
