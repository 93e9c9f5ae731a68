/**
 * The one shared table of optimizers: every registry entry, with its options
 * per problem, must reach the stated loss within the stated number of
 * iterations on every common problem. Budgets are about 1.5x the measured
 * iteration counts (deterministic: every problem and sampler is seeded).
 */
import { describe, expect, test } from 'vitest';
import { createOptimizer, OPTIMIZER_NAMES, type OptimizerOptions } from '../../src/optim/registry.js';
import { modelProblem, train } from '../../src/optim/train.js';
import { illConditionedRegression, logisticRegression, mlpClassifier, type TestProblem } from './problems.js';

type ProblemKey = 'regression' | 'logistic' | 'mlp';

interface Row {
  name: string;
  /** options over the registry defaults, and the iteration budget, per problem */
  runs: Record<ProblemKey, { options?: OptimizerOptions; budget: number }>;
}

const mlpNg = { damping: 0.1, lr: 0.5 };

const OPTIMIZER_TABLE: readonly Row[] = [
  {
    name: 'sgd',
    runs: { regression: { options: { lr: 0.015 }, budget: 2800 }, logistic: { options: { lr: 1 }, budget: 70 }, mlp: { options: { lr: 0.5 }, budget: 600 } },
  },
  { name: 'momentum', runs: { regression: { options: { lr: 0.01 }, budget: 400 }, logistic: { budget: 70 }, mlp: { options: { lr: 0.1 }, budget: 330 } } },
  { name: 'nesterov', runs: { regression: { options: { lr: 0.01 }, budget: 400 }, logistic: { budget: 70 }, mlp: { options: { lr: 0.1 }, budget: 330 } } },
  {
    name: 'adam',
    runs: { regression: { options: { lr: 0.1 }, budget: 120 }, logistic: { options: { lr: 0.1 }, budget: 55 }, mlp: { options: { lr: 0.03 }, budget: 200 } },
  },
  { name: 'adagrad', runs: { regression: { options: { lr: 1 }, budget: 30 }, logistic: { options: { lr: 1 }, budget: 35 }, mlp: { budget: 1450 } } },
  { name: 'rmsprop', runs: { regression: { options: { lr: 0.03 }, budget: 130 }, logistic: { options: { lr: 0.03 }, budget: 145 }, mlp: { budget: 400 } } },
  { name: 'adahessian', runs: { regression: { options: { lr: 0.3 }, budget: 100 }, logistic: { budget: 60 }, mlp: { budget: 600 } } },
  { name: 'newton', runs: { regression: { budget: 2 }, logistic: { budget: 6 }, mlp: { options: { damping: 0.1 }, budget: 45 } } },
  { name: 'gauss-newton', runs: { regression: { budget: 2 }, logistic: { budget: 6 }, mlp: { options: mlpNg, budget: 65 } } },
  { name: 'levenberg-marquardt', runs: { regression: { budget: 2 }, logistic: { budget: 6 }, mlp: { budget: 25 } } },
  { name: 'natural-gradient', runs: { regression: { budget: 2 }, logistic: { budget: 6 }, mlp: { options: mlpNg, budget: 65 } } },
  {
    name: 'natural-gradient-empirical',
    runs: { regression: { options: { lr: 0.1 }, budget: 1250 }, logistic: { options: { lr: 0.1 }, budget: 30 }, mlp: { options: { lr: 0.2 }, budget: 20 } },
  },
  { name: 'natural-gradient-mc', runs: { regression: { budget: 7 }, logistic: { budget: 7 }, mlp: { options: mlpNg, budget: 60 } } },
  {
    name: 'natural-gradient-trust-region',
    runs: { regression: { budget: 12 }, logistic: { budget: 6 }, mlp: { options: { damping: 0.01, trustRegion: 0.5 }, budget: 12 } },
  },
  { name: 'hessian-free', runs: { regression: { budget: 2 }, logistic: { budget: 6 }, mlp: { budget: 65 } } },
  { name: 'natural-gradient-low-rank', runs: { regression: { budget: 2 }, logistic: { budget: 6 }, mlp: { options: mlpNg, budget: 65 } } },
  { name: 'natural-gradient-block-diagonal', runs: { regression: { budget: 2 }, logistic: { budget: 6 }, mlp: { options: mlpNg, budget: 80 } } },
  // registry defaults (adaptive damping, quadratic-model step, KL clip) on every problem: measured 8, 4, 11 and 8, 4, 10
  { name: 'kfac', runs: { regression: { budget: 12 }, logistic: { budget: 6 }, mlp: { budget: 17 } } },
  { name: 'ekfac', runs: { regression: { budget: 12 }, logistic: { budget: 6 }, mlp: { budget: 15 } } },
  { name: 'shampoo', runs: { regression: { options: { lr: 0.5 }, budget: 500 }, logistic: { options: { lr: 0.5 }, budget: 80 }, mlp: { budget: 1150 } } },
];

/** The minimum of a convex problem, by Newton's method to a gradient of 1e-12. */
function minimumLoss(p: TestProblem): number {
  const { objective, extra } = modelProblem(p.spec, p.inputs, p.targets, 1);
  const r = train(createOptimizer('newton', { damping: 0 }), p.params0, { objective, extra, maxIterations: 50, gradientTolerance: 1e-12 });
  expect(r.stopReason).toBe('gradient-tolerance');
  return r.finalLoss;
}

const problems: Record<ProblemKey, { problem: TestProblem; target: () => number; what: string }> = {
  regression: { problem: illConditionedRegression(), target: () => minimumLoss(illConditionedRegression()) + 1e-3, what: 'minimum + 1e-3' },
  logistic: { problem: logisticRegression(), target: () => minimumLoss(logisticRegression()) + 1e-3, what: 'minimum + 1e-3' },
  mlp: { problem: mlpClassifier(), target: () => 0.2, what: '0.2 (from 1.094 at the seeded initialization)' },
};

describe('the shared optimizer table', () => {
  test('every registered optimizer has exactly one row, and every row a registered optimizer', () => {
    expect(OPTIMIZER_TABLE.map((r) => r.name).sort()).toEqual([...OPTIMIZER_NAMES].sort());
  });

  for (const key of Object.keys(problems) as ProblemKey[]) {
    describe(problems[key].problem.name, () => {
      const { problem } = problems[key];
      const target = problems[key].target();
      test.each(OPTIMIZER_TABLE.map((r) => [r.name, r] as const))(`%s reaches ${problems[key].what}`, (_, row) => {
        const { options, budget } = row.runs[key];
        const { objective, extra } = modelProblem(problem.spec, problem.inputs, problem.targets, 7);
        const r = train(createOptimizer(row.name, options), problem.params0, { objective, extra, maxIterations: budget, targetLoss: target });
        expect({ stop: r.stopReason, loss: r.finalLoss }).toEqual({ stop: 'target-loss', loss: r.finalLoss });
        expect(r.iterations).toBeLessThanOrEqual(budget);
        expect(r.reachedTarget?.iteration).toBe(r.iterations);
      });
    });
  }

  test('sensitivity: a budget of a third of the measured one is not enough for gradient descent on the ill-conditioned problem', () => {
    const p = problems.regression.problem;
    const { objective, extra } = modelProblem(p.spec, p.inputs, p.targets, 7);
    const r = train(createOptimizer('sgd', { lr: 0.015 }), p.params0, { objective, extra, maxIterations: 600, targetLoss: problems.regression.target() });
    expect(r.stopReason).toBe('max-iterations');
  });
});
