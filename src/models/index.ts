/**
 * Conditional models for learning: activations, output likelihoods, the MLP.
 *
 * @module natgrad/models
 */
export * from './activations.js';
export * from './likelihoods.js';
export * from './mlp.js';
