export * from './gaussian.js';
export * from './gauss-hermite.js';
export * from './models.js';
export * from './ngvi.js';
