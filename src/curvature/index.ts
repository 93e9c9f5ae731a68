/** Curvatures of conditional models: dense exact matrices, matrix-free products, K-FAC, Shampoo. */
export * from './dense-curvature.js';
export * from './curvature-products.js';
export * from './kfac.js';
export * from './shampoo.js';
