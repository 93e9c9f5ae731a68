/**
 * The work estimates of K-FAC and EKFAC for a sequential model, counted by
 * hand on one linear layer applied at two positions.
 */
import { expect, test } from 'vitest';
import { Sequential } from '../../src/models/sequential.js';
import { sequentialEkfacEstimate, sequentialKfacEstimate } from '../../src/oracle/sequential-limits.js';

// input 2 positions x 2 features, linear 2 -> 3 (with a bias) at each position, categorical per position (K = 3); N = 4
const model = new Sequential({ input: [2, 2], layers: [{ type: 'linear', out: 3 }], likelihood: 'categorical', reduction: 'mean' });
const N = 4;
// rows per example S = 2 positions x 3 classes; the forward pass costs 2·3·2 products and 6 outputs
const S = 6;
const forward = 2 * 3 * 2 + 6;

test('K-FAC: per block the factors A (3 x 3 with the bias) and G, over N·S back-propagated rows at every position', () => {
  const e = sequentialKfacEstimate('fisher', model, N);
  expect(e.result.size).toBe(1 + 9 + 9 + 2 * 3 * 3);
  expect(e.largest.size).toBe(N * S * 2 * 3);
  expect(e.largest.what).toMatch(/^the output gradients of layer 1 \(.*\), 48 x 3$/);
  const factors = N * 2 * 9 + N * S * 2 * 9 + 3 * 3 * (3 + 3);
  expect(e.operations.size).toBe(3 * N * S * forward + factors + 40 * (27 + 27));
});

test('EKFAC adds a dense 9 x 9 block and its corrected eigenvalues', () => {
  const k = sequentialKfacEstimate('fisher', model, N);
  const e = sequentialEkfacEstimate('fisher', model, N);
  expect(e.result).toEqual({ size: 1 + 81 + 18, what: 'the EKFAC blocks, gradients and updates' });
  expect(e.largest).toEqual(k.largest);
  expect(e.operations.size).toBe(k.operations.size + 2 * 9 ** 3 + N * S * 2 * 9);
});

test('the activations, with attention’s T x T weights per head, are the largest item of a long sequence', () => {
  // input 16 positions x 2 features; attention (2 heads) keeps its output (16 x 2) and 2 weight matrices of 16 x 16;
  // mean over positions (2), linear 2 -> 2 (2): 32 + 32 + 2 · 16² + 2 + 2 = 580 entries per example
  const long = new Sequential({
    input: [16, 2],
    layers: [{ type: 'attention', heads: 2 }, { type: 'mean' }, { type: 'linear', out: 2 }],
    likelihood: 'categorical',
  });
  const e = sequentialKfacEstimate('fisher', long, 3);
  expect(e.largest).toEqual({ size: 3 * 580, what: 'the activations of 3 examples through every layer' });
});
