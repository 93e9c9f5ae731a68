/**
 * Type-level tests of the library entry, checked by `npm run typecheck`
 * (never executed). Each `@ts-expect-error` line must be a type error: if
 * the types stop catching the mistake, the directive is unused and the type
 * check fails.
 */
import { adam, createOptimizer, hessianFree, kfac, type MlpSpec, modelProblem, naturalGradient, newton, sgd, shampoo, train } from '../../src/index.js';

export function trainTypeTests(spec: MlpSpec, inputs: Float64Array[], targets: number[], params0: Float64Array): void {
  const { objective, extra } = modelProblem(spec, inputs, targets);

  // Gradient-only optimizers need no extra.
  train(sgd({ lr: 0.1 }), params0, { objective });
  train(adam({ lr: 0.01 }), params0, { objective, maxIterations: 10 });
  train(createOptimizer('adam'), params0, { objective });

  // Curvature optimizers need the model batch.
  train(kfac(), params0, { objective, extra });
  train(naturalGradient({ damping: 1e-3 }), params0, { objective, extra });
  train(createOptimizer('kfac', { damping: 1e-2 }), params0, { objective, extra });

  // @ts-expect-error K-FAC without the ModelBatch extra
  train(kfac(), params0, { objective });
  // @ts-expect-error natural gradient without the ModelBatch extra
  train(naturalGradient(), params0, { objective });
  // @ts-expect-error Newton without the ModelBatch extra
  train(newton(), params0, { objective });
  // @ts-expect-error Hessian-free without the ModelBatch extra
  train(hessianFree(), params0, { objective });
  // @ts-expect-error Shampoo without the ModelBatch extra
  train(shampoo(), params0, { objective });
  // @ts-expect-error a curvature optimizer from the registry without the ModelBatch extra
  train(createOptimizer('natural-gradient'), params0, { objective });
  // @ts-expect-error an extra that is not a ModelBatch
  train(kfac(), params0, { objective, extra: () => 42 });
  // @ts-expect-error a misspelled option of train
  train(sgd({ lr: 0.1 }), params0, { objective, maxIteration: 10 });
  // @ts-expect-error a misspelled option of an optimizer
  kfac({ dampnig: 1 });
  // @ts-expect-error onNonFinite takes 'throw' or 'stop'
  train(sgd({ lr: 0.1 }), params0, { objective, onNonFinite: 'ignore' });
}
