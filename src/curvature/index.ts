/**
 * Curvatures of conditional models: dense exact matrices, matrix-free
 * products, diagonal, block-diagonal and low-rank approximations, Monte Carlo
 * and Hutchinson estimators, K-FAC, EKFAC, Shampoo, and the stabilization
 * (damping, clipping, conditioning) every preconditioner built from them shares.
 *
 * @module natgrad/curvature
 */
export * from './dense-curvature.js';
export * from './curvature-products.js';
export * from './block-diagonal.js';
export * from './diagonal.js';
export * from './low-rank.js';
export * from './monte-carlo-fisher.js';
export * from './hutchinson.js';
export * from './stability.js';
export * from './kfac.js';
export * from './ekfac.js';
export * from './shampoo.js';
/** The exact curvatures of any Sequential model (names shared with the MLP forms above). */
export * as sequentialCurvature from './model-curvature.js';
export * from './label-moments.js';
