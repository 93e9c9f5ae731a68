export * from './test-functions.js';
export * from './utilities.js';
export * from './search-gradient.js';
export * from './xnes.js';
export * from './snes.js';
export * from './one-plus-one-es.js';
