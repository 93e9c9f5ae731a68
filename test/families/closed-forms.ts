/**
 * Closed forms the scalar-family tests hold the catalogue to, keyed by family:
 * every scalar family's mean and variance, and a hand-written score for each
 * family that is not an exponential family. test/families/catalogue-coverage.test.ts
 * requires each table to cover its part of the catalogue.
 */
import { FAMILIES } from '../../src/families/catalogue/index.js';
import type { FamilyDefinition } from '../../src/families/types.js';

type Fixed = Record<string, number>;

/** The families without a dimension. */
export const SCALAR_FAMILIES: readonly FamilyDefinition[] = FAMILIES.filter((def) => !def.verifyDimensions);

/** The families without an exponential-family route. */
export const NON_EXPONENTIAL_FAMILIES: readonly FamilyDefinition[] = FAMILIES.filter((def) => def.instance().notExponentialFamily !== undefined);

/** Closed-form mean and variance at the base parameters (from the references cited in each family file). */
export const MOMENTS: Record<string, (b: Float64Array, f: Fixed) => [number, number]> = {
  bernoulli: ([p]) => [p, p * (1 - p)],
  binomial: ([p], { n }) => [n * p, n * p * (1 - p)],
  poisson: ([l]) => [l, l],
  geometric: ([p]) => [(1 - p) / p, (1 - p) / (p * p)],
  'negative-binomial': ([p], { r }) => [(r * (1 - p)) / p, (r * (1 - p)) / (p * p)],
  exponential: ([l]) => [1 / l, 1 / (l * l)],
  normal: ([mu, s]) => [mu, s * s],
  lognormal: ([mu, s]) => [Math.exp(mu + (s * s) / 2), Math.expm1(s * s) * Math.exp(2 * mu + s * s)],
  gamma: ([a, b]) => [a / b, a / (b * b)],
  beta: ([a, b]) => [a / (a + b), (a * b) / ((a + b) ** 2 * (a + b + 1))],
  laplace: ([mu, b]) => [mu, 2 * b * b],
  'student-t': ([mu, s], { nu }) => [mu, (s * s * nu) / (nu - 2)],
  'inverse-gaussian': ([mu, l]) => [mu, mu ** 3 / l],
};

/**
 * Hand-written scores in the base parameters, and a point to check each at;
 * the Fisher identity F = E[s sᵀ] holds for both (Laplace: almost everywhere
 * differentiable, which suffices).
 */
export const NON_EXPONENTIAL_SCORES: Record<string, { score: (x: number, base: Float64Array, fixed: Fixed) => Float64Array; at: [Float64Array, Fixed] }> = {
  laplace: {
    score: (x, [mu, b]) => Float64Array.of(Math.sign(x - mu) / b, Math.abs(x - mu) / (b * b) - 1 / b),
    at: [Float64Array.of(0.4, 1.3), {}],
  },
  'student-t': {
    score: (x, [mu, s], { nu }) => {
      const d = x - mu;
      const q = nu * s * s + d * d;
      return Float64Array.of(((nu + 1) * d) / q, -1 / s + ((nu + 1) * d * d) / (s * q));
    },
    at: [Float64Array.of(-0.5, 0.8), { nu: 6 }],
  },
};
