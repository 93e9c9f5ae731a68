/**
 * K-FAC and EKFAC with their default options on the problem where the fixed
 * defaults (lr 1, λ 1e-3, no rescaling, no adaptation, no clip) diverge: the
 * 2-16-16-3 tanh MLP on three overlapping Gaussian classes (`mlp-blobs`,
 * seed 2, src/experiments/problems.ts). With the defaults the training loss
 * falls nearly monotonically to the target; with the step control switched
 * off the old divergence comes back.
 *
 * Criterion "nearly monotone": no evaluation more than 25% above the one
 * before it (measured with the defaults: one rise, of 2.8%, for K-FAC in 45
 * iterations; two, of 12% and 0.1%, for EKFAC in 20; in one step the
 * fixed-default runs rise up to 9.6x (K-FAC) and 6.9x (EKFAC, first 5
 * steps)). Budgets: K-FAC reaches 0.05 at iteration
 * 35 (budget 45); EKFAC is at 0.095 after 20 (bound 0.12).
 */
import { describe, expect, test } from 'vitest';
import { buildProblem } from '../../src/experiments/problems.js';
import { ekfac } from '../../src/optim/ekfac.js';
import { kfac } from '../../src/optim/kfac.js';
import type { ModelBatch } from '../../src/optim/extra.js';
import { modelProblem, train } from '../../src/optim/train.js';
import type { Transform } from '../../src/optim/transform.js';

const problem = buildProblem('mlp-blobs', 2);
const TARGET = 0.05;
const MAX_RISE = 0.25;

function run(t: Transform<unknown, ModelBatch>, iterations: number): number[] {
  const { objective, extra } = modelProblem(problem.spec, problem.trainInputs, problem.trainTargets, 0);
  return train(t, problem.params0, { objective, extra, maxIterations: iterations }).history.map((r) => r.loss);
}

/** The largest relative rise of the loss from one evaluation to the next. */
const largestRise = (losses: readonly number[]): number => Math.max(0, ...losses.slice(1).map((l, i) => l / losses[i] - 1));

const fixedDefaults = { adaptiveDamping: false, rescale: 'none', klClip: null } as const;

describe('K-FAC on the 2-16-16-3 MLP (mlp-blobs, seed 2)', () => {
  test(`default options: the loss reaches ${TARGET} within 45 iterations, never rising more than 25% in a step`, () => {
    const losses = run(kfac(), 45);
    expect(losses[0]).toBeCloseTo(1.064, 3);
    expect(Math.min(...losses)).toBeLessThanOrEqual(TARGET);
    expect(largestRise(losses)).toBeLessThanOrEqual(MAX_RISE);
  });

  test('sensitivity: with adaptive damping, rescaling and the KL clip switched off it diverges (the old defaults)', () => {
    const losses = run(kfac(fixedDefaults), 45);
    expect(Math.min(...losses)).toBeGreaterThan(TARGET);
    expect(largestRise(losses)).toBeGreaterThan(5);
    expect(Math.max(...losses)).toBeGreaterThan(5);
  });
});

describe('EKFAC on the same problem (20 iterations: EKFAC steps cost more)', () => {
  test('default options: the loss falls below 0.12 in 20 iterations, never rising more than 25% in a step', () => {
    const losses = run(ekfac(), 20);
    expect(losses.at(-1)).toBeLessThanOrEqual(0.12);
    expect(largestRise(losses)).toBeLessThanOrEqual(MAX_RISE);
  });

  test('sensitivity: with the step control switched off the loss passes 100 within 5 iterations', () => {
    const losses = run(ekfac(fixedDefaults), 5);
    expect(Math.max(...losses)).toBeGreaterThan(100);
  });
});
