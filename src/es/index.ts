/**
 * Natural evolution strategies: xNES, SNES, the (1+1)-ES baseline, search gradients and test functions.
 *
 * @module natgrad/es
 */
export * from './test-functions.js';
export * from './utilities.js';
export * from './search-gradient.js';
export * from './xnes.js';
export * from './snes.js';
export * from './one-plus-one-es.js';
