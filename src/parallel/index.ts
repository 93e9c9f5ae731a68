export * from './sharded-fisher.js';
export * from './stochastic-natural-gradient.js';
export { FISHER_KERNEL_SOURCE } from './fisher-kernel.js';
