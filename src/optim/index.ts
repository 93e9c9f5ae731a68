/**
 * The optimizer engine: transforms, named optimizers, the training loop and the registry.
 *
 * @module natgrad/optim
 */
export * from './transform.js';
export * from './common.js';
export * from './apply-updates.js';
export * from './extra.js';
export * from './sgd.js';
export * from './momentum.js';
export * from './moments.js';
export * from './adam.js';
export * from './adagrad.js';
export * from './rmsprop.js';
export * from './adahessian.js';
export * from './newton.js';
export * from './gauss-newton.js';
export * from './natural-gradient.js';
export * from './kfac.js';
export * from './ekfac.js';
export * from './shampoo.js';
export * from './train.js';
export * from './registry.js';
export * from './hessian-free.js';
export * from './damping.js';
export * from './curvature-step.js';
export * from './quadratic-model.js';
export * from './kl-clip.js';
