/**
 * The work estimates behind the oracle's size limits, on shapes small enough
 * to count by hand: what each kind holds and computes, layer by layer, and the
 * bound each refusal names. (test/oracle/limits.test.ts drives the same
 * limits through the CLI with specs at the bounds; it is slow.)
 */
import { describe, expect, test } from 'vitest';
import {
  HELD_ENTRY_LIMIT,
  OPERATION_LIMIT,
  RESULT_ENTRY_LIMIT,
  type WorkEstimate,
  assertWithinLimits,
  denseModelEstimate,
  ekfacEstimate,
  familyEstimate,
  kfacEstimate,
  perExampleEstimate,
  shampooEstimate,
  totalEstimate,
} from '../../src/oracle/limits.js';

/** mlp sizes [2, 3, 4], a bias in the first layer only: P = 3·2 + 3 + 4·3 = 21; N = 5 examples, R = 4. */
const s = { sizes: [2, 3, 4], bias: [true, false], N: 5, R: 4, P: 21 };

describe('a model', () => {
  test('the exact Fisher: a P x P matrix, N·R·P² operations', () => {
    expect(denseModelEstimate('fisher', 'fisher', s)).toEqual({
      result: { size: 21 * 21 + 21 + 1, what: 'a 21 x 21 matrix of 21 parameters' },
      largest: { size: 441, what: 'a 21 x 21 matrix' },
      operations: { size: 20 * 441, what: 'N·R·P² for the exact Fisher, N·R = 20, P = 21' },
    });
  });

  test('the exact Fisher of many examples holds the N·R x P score vectors', () => {
    expect(denseModelEstimate('fisher', 'fisher', { ...s, N: 30 }).largest).toEqual({
      size: 120 * 21,
      what: 'the 120 x 21 matrix of per-example score vectors (N·R = 30·4 rows of P = 21)',
    });
    expect(denseModelEstimate('fisher', 'empirical-fisher', { ...s, N: 30 })).toMatchObject({
      largest: { size: 30 * 21, what: 'the 30 x 21 matrix of per-example gradients' },
      operations: { size: 30 * 441, what: 'N·P² for the empirical Fisher, N = 30, P = 21' },
    });
  });

  test('the GGN, and the Hessian of a natural gradient with its eigendecomposition', () => {
    expect(denseModelEstimate('fisher', 'ggn', s).operations).toEqual({ size: 5 * (4 * 441 + 16 * 21), what: 'N·D·P² for the GGN, N = 5, D = 4, P = 21' });
    expect(denseModelEstimate('natural-gradient', 'hessian', s)).toEqual({
      result: { size: 441 + 21, what: 'a 21 x 21 matrix of 21 parameters' },
      largest: { size: 441, what: 'a 21 x 21 matrix' },
      operations: {
        size: 4 * 5 * 441 + 40 * 21 ** 3,
        what: 'P Hessian-vector products over N examples, 4·N·P², N = 5, P = 21, and the eigendecomposition of the 21 x 21 matrix, about 370440',
      },
    });
  });

  test('K-FAC, layer by layer: the factors A (in + 1 with a bias) and G, the back-propagated rows', () => {
    // layer 1: in 2 + 1, out 3; layer 2: in 3 (no bias), out 4; N·R = 20 rows
    expect(kfacEstimate('fisher', s)).toEqual({
      result: { size: 1 + (9 + 9 + 18) + (9 + 16 + 24), what: 'the K-FAC factors, gradients and updates of 2 layers' },
      largest: { size: 80, what: 'the 20 x 4 back-propagated rows of layer 2 (N·R = 5·4)' },
      operations: {
        size: 20 * (9 + 6) + 5 * 3 * 6 + 9 * 6 + (20 * (16 + 12) + 5 * 3 * 7 + 12 * 7) + 40 * (27 + 27 + 64 + 27),
        what: 'the factors over 20 back-propagated rows, 1193, and the eigendecompositions of every A and G, 5800',
      },
    });
  });

  test('K-FAC of the empirical Fisher back-propagates N rows; a factor can be the largest array', () => {
    expect(kfacEstimate('empirical-fisher', s).largest).toEqual({ size: 20, what: 'the 5 x 4 back-propagated rows of layer 2 (N·R = 5·1)' });
    const wide = { sizes: [6, 2], bias: [true], N: 1, R: 2, P: 14 };
    expect(kfacEstimate('fisher', wide).largest).toEqual({ size: 49, what: 'A of layer 1, 7 x 7' });
    expect(kfacEstimate('fisher', { sizes: [1, 6], bias: [false], N: 1, R: 1, P: 6 }).largest).toEqual({ size: 36, what: 'G of layer 1, 6 x 6' });
    expect(kfacEstimate('fisher', { sizes: [1, 1], bias: [false], N: 3, R: 1, P: 1 }).largest).toEqual({
      size: 3,
      what: 'the 3 x 1 back-propagated rows of layer 1 (N·R = 3·1)',
    });
    expect(kfacEstimate('fisher', { sizes: [3, 1], bias: [false], N: 3, R: 1, P: 3 }).largest).toEqual({ size: 9, what: 'A of layer 1, 3 x 3' });
    // the output Fisher's square roots (N·R·D) are as large as the last layer's back-propagated rows, never larger
    expect(kfacEstimate('fisher', { sizes: [1, 2], bias: [false], N: 3, R: 3, P: 2 }).largest).toEqual({
      size: 18,
      what: 'the 9 x 2 back-propagated rows of layer 1 (N·R = 3·3)',
    });
    expect(kfacEstimate('fisher', { sizes: [1, 1], bias: [false], N: 1, R: 1, P: 1 }).result.what).toBe('the K-FAC factors, gradients and updates of 1 layer');
  });

  test('EKFAC adds a dense (out·k)² block per layer', () => {
    expect(ekfacEstimate('fisher', s)).toEqual({
      result: { size: 1 + (81 + 18) + (144 + 24), what: 'the EKFAC blocks, gradients and updates of 2 layers' },
      largest: { size: 144, what: 'the largest EKFAC block' },
      operations: { size: 6993 + (2 * 729 + 20 * 9) + (2 * 1728 + 20 * 12), what: "K-FAC's factors, the corrected eigenvalues and the dense blocks, 12327" },
    });
    expect(ekfacEstimate('empirical-fisher', { ...s, N: 100 }).largest).toEqual(kfacEstimate('empirical-fisher', { ...s, N: 100 }).largest);
  });

  test('per-example gradients: N x P', () => {
    expect(perExampleEstimate(s)).toEqual({
      result: { size: 105, what: '5 gradients of 21 parameters (5 x 21)' },
      largest: { size: 105, what: 'the 5 x 21 per-example gradients' },
      operations: { size: 420, what: 'N backward passes over P parameters, 4·N·P, N = 5, P = 21' },
    });
  });
});

test('a family and shampoo', () => {
  expect(familyEstimate('reparameterize', 2)).toEqual({
    result: { size: 10, what: 'a 2 x 2 Fisher matrix of 2 parameters and a 2 x 2 Jacobian' },
    largest: { size: 4, what: 'a 2 x 2 matrix' },
    operations: { size: 2 ** 13 * 4 + 16, what: 'building the family at this dimension and two 2 x 2 products' },
  });
  expect(familyEstimate('natural-gradient', 3).operations).toEqual({
    size: 2 ** 13 * 9 + 40 * 27,
    what: 'building the family at this dimension, 73728, and the eigendecomposition of a 3 x 3 matrix, 1080',
  });
  expect(familyEstimate('fisher', 3)).toMatchObject({ result: { size: 12, what: 'a 3 x 3 Fisher matrix of 3 parameters' } });
  expect(shampooEstimate(3, 2, 5)).toEqual({
    result: { size: 39, what: 'L (2 x 2), R (5 x 5) and the update (2 x 5)' },
    largest: { size: 25, what: 'a 5 x 5 statistic' },
    operations: { size: 210 + 5320 + 70, what: 'the statistics of 3 gradients, 210, and their eigendecompositions, 5320' },
  });
});

test('an array spec adds results and operations; its largest array is the largest of all', () => {
  const t = totalEstimate([shampooEstimate(3, 2, 5), familyEstimate('fisher', 3), shampooEstimate(1, 1, 1)]);
  expect(t.result).toEqual({ size: 39 + 12 + 3, what: 'the 3 results of the array together' });
  expect(t.largest).toEqual({ size: 25, what: 'a 5 x 5 statistic' });
  expect(t.operations.what).toBe('the 3 specs of the array together');
});

describe('each bound at its value', () => {
  const est = (result: number, largest: number, operations: number): WorkEstimate => ({
    result: { size: result, what: 'R' },
    largest: { size: largest, what: 'the L array' },
    operations: { size: operations, what: 'O' },
  });
  const refusal = (e: WorkEstimate, oneResult = true): string => {
    try {
      assertWithinLimits(e, 'spec.x', oneResult);
    } catch (err) {
      return (err as Error).message;
    }
    return 'accepted';
  };

  test('at each limit is accepted, one past it refused with the bound named', () => {
    expect(refusal(est(HELD_ENTRY_LIMIT, HELD_ENTRY_LIMIT, OPERATION_LIMIT))).toBe('accepted');
    expect(refusal(est(HELD_ENTRY_LIMIT + 1, 1, 1))).toBe(
      "spec.x: the result would have 1.68e7 entries (R); natgrad's oracle prints at most 2^24 = 16777216 numbers in one answer (memory bound; the contract's limit is 2^26)",
    );
    expect(refusal(est(RESULT_ENTRY_LIMIT + 1, 1, 1))).toBe(
      'spec.x: the result would have 6.71e7 entries (R); the contract allows at most 2^26 = 67108864 entries in one result',
    );
    expect(refusal(est(RESULT_ENTRY_LIMIT + 1, 1, 1), false)).toMatch(/prints at most 2\^24/);
    expect(refusal(est(1, HELD_ENTRY_LIMIT + 1, 1))).toBe(
      "spec.x: computing it holds the L array, 1.68e7 entries; natgrad's oracle holds at most 2^24 = 16777216 entries in one array (memory bound)",
    );
    expect(refusal(est(1, 1, OPERATION_LIMIT + 1))).toBe(
      "spec.x: computing it takes about 3.44e10 multiply-adds (O); natgrad's oracle does at most 2^35 = 3.44e10 for one answer, about half a minute (time bound)",
    );
    expect(refusal(est(1, 1, Infinity))).toMatch(/takes about more than 1e308 multiply-adds/);
  });
});
