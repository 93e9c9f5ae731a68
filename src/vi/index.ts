/**
 * Natural-gradient variational inference: Gaussian families, Gauss-Hermite quadrature, models and the NGVI updates.
 *
 * @module natgrad/vi
 */
export * from './gaussian.js';
export * from './gauss-hermite.js';
export * from './models.js';
export * from './ngvi.js';
