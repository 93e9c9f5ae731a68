/**
 * natgrad, the library: the optimizer engine (every optimizer is a pure
 * `init`/`update` transform, run by one training loop), the multilayer
 * perceptron it trains, its curvature matrices, the data sets of the
 * experiments, and the core types.
 *
 * Every function here checks its arguments and throws a {@link NatgradError}
 * naming the offending argument and what is allowed; it never lets NaN
 * through silently.
 *
 * Other entry points (each loads only what it needs):
 * `natgrad/families` (the distribution catalogue, symbolic derivations and
 * family Fisher matrices; loads the computer algebra), `natgrad/optim`,
 * `natgrad/models`, `natgrad/curvature`, `natgrad/linalg`, `natgrad/numeric`,
 * `natgrad/symbolic`, `natgrad/data`, `natgrad/rl`, `natgrad/es`, `natgrad/vi`,
 * `natgrad/parallel` (the building blocks of each area), and `natgrad/cli`
 * (the command line).
 *
 * @example
 * ```ts
 * import { adam, initWeights, flattenWeights, modelProblem, Rng, train, type MlpSpec } from 'natgrad';
 *
 * const spec: MlpSpec = { sizes: [2, 8, 2], activations: ['tanh', 'identity'], likelihood: 'categorical' };
 * const inputs = [Float64Array.of(0, 1), Float64Array.of(1, 0)];
 * const { objective } = modelProblem(spec, inputs, [0, 1]);
 * const params0 = flattenWeights(initWeights(spec, new Rng(1)));
 * const result = train(adam({ lr: 0.05 }), params0, { objective, maxIterations: 100 });
 * console.log(result.finalLoss, result.stopReason);
 * ```
 *
 * @module natgrad
 */

// Core
export { NatgradError } from './core/errors.js';
export { Rng } from './core/rng.js';
export type { Vec } from './core/vec.js';
export { Matrix } from './linalg/matrix.js';
export type { LinearOperator } from './linalg/linear-operator.js';

// Models: the multilayer perceptron and its likelihoods
export type { Activation } from './models/activations.js';
export type { Likelihood, Target } from './models/likelihoods.js';
export type { ForwardTrace, LayerWeights, MlpSpec } from './models/mlp.js';
export { flattenWeights, forward, initWeights, lossAndGradient, paramCount, unflattenWeights } from './models/mlp.js';

// Sequential models (the classes and their curvature: natgrad/models, natgrad/curvature, natgrad/optim)
export type { Batch, SequentialSpec } from './models/sequential.js';
export type { LayerSpec } from './models/layers/index.js';
export type { ExampleTarget, Reduction } from './models/output-loss.js';

// Curvature of a model
export type { ModelCurvature, ModelCurvatureKind } from './curvature/dense-curvature.js';
export { fisherMatrix as modelFisherMatrix, modelCurvature } from './curvature/dense-curvature.js';
export type { KfacDampingScheme, KfacFisherKind, KfacLayer } from './curvature/kfac.js';
export { kfacLayers } from './curvature/kfac.js';
export type { KfacApproximation, KfacBias, KfacBlock, KfacFactorOptions, KfacResultBlock, KfacResultOptions } from './curvature/kfac.js';
export type { EkfacResultBlock } from './curvature/ekfac.js';
export { shampooPreconditioners } from './curvature/shampoo.js';

// The optimizer engine
export type { Transform } from './optim/transform.js';
export { chain } from './optim/transform.js';
export type { Schedule } from './optim/common.js';
export { applyUpdates } from './optim/apply-updates.js';
export type { MlpBatch, ModelBatch, SequentialBatch } from './optim/extra.js';
export type { ModelProblem, ModelProblemOptions, NonFinitePolicy, StopReason, TrainOptions, TrainRecord, TrainResult } from './optim/train.js';
export { modelProblem, train } from './optim/train.js';
export type { OptimizerEntry, OptimizerOptions } from './optim/registry.js';
export { createOptimizer, MODEL_FREE_OPTIMIZER_NAMES, OPTIMIZER_NAMES, OPTIMIZERS, optimizerEntry, type ModelFreeOptimizerName } from './optim/registry.js';
export { sgd, type SgdOptions } from './optim/sgd.js';
export { momentum, nesterov, type MomentumOptions } from './optim/momentum.js';
export { adam, type AdamOptions } from './optim/adam.js';
export { adagrad, type AdagradOptions } from './optim/adagrad.js';
export { rmsprop, type RmspropOptions } from './optim/rmsprop.js';
export { adahessian, type AdahessianOptions } from './optim/adahessian.js';
export { newton, type NewtonOptions } from './optim/newton.js';
export {
  gaussNewton,
  levenbergMarquardt,
  type GaussNewtonOptions,
  type ScaleByLevenbergMarquardtOptions as LevenbergMarquardtOptions,
} from './optim/gauss-newton.js';
export { naturalGradient, type NaturalGradientOptions } from './optim/natural-gradient.js';
export { hessianFree, type HessianFreeOptions } from './optim/hessian-free.js';
export { kfac, type KfacOptions } from './optim/kfac.js';
export { ekfac, type EkfacOptions } from './optim/ekfac.js';
export { shampoo, type ShampooOptions } from './optim/shampoo.js';

// Data sets
export type { Dataset, DigitsOptions, SplitOptions } from './data/datasets.js';
export { loadBreastCancer, loadDigits } from './data/datasets.js';
