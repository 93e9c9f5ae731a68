/**
 * Reinforcement learning on the engine: MDPs, policies, the natural policy gradient and TRPO, CartPole and a point mass.
 *
 * @module natgrad/rl
 */
export * from './mdp.js';
export * from './policy.js';
export * from './policy-gradient.js';
export * from './trpo.js';
export * from './cartpole.js';
export * from './cartpole-trpo.js';
export * from './gaussian-policy.js';
export * from './point-mass.js';
