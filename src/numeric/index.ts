/**
 * Numeric estimators: every estimate comes with an error bound or a standard error.
 *
 * @module natgrad/numeric
 */
export * from './finite-differences.js';
export * from './quadrature.js';
export * from './exact-sum.js';
export * from './monte-carlo.js';
export * from './statistics.js';
