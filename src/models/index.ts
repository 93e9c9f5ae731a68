/** Conditional models for learning: activations, output likelihoods, the MLP, and batched sequential networks. */
export * from './activations.js';
export * from './likelihoods.js';
export * from './mlp.js';
export * from './tensor.js';
export * from './output-loss.js';
export * from './layers/index.js';
export * from './sequential.js';
