/**
 * Conditional models for learning: activations, output likelihoods (with
 * their reductions), batched layers and the Sequential model, the MLP.
 *
 * @module natgrad/models
 */
export * from './activations.js';
export * from './likelihoods.js';
export * from './mlp.js';
export * from './output-loss.js';
export * from './tensor.js';
export * from './layers/index.js';
export * from './sequential.js';
