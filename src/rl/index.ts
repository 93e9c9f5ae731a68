export * from './mdp.js';
export * from './policy.js';
export * from './policy-gradient.js';
export * from './trpo.js';
export * from './cartpole.js';
export * from './cartpole-trpo.js';
export * from './gaussian-policy.js';
export * from './point-mass.js';
