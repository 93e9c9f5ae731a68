/**
 * The catalogue split into the groups whose Fisher checks run as one test
 * file each (discrete, continuous, multivariate): every family in exactly one,
 * which test/families/catalogue-coverage.test.ts holds to the catalogue.
 */
export const FISHER_FAMILY_GROUPS = {
  discrete: ['bernoulli', 'binomial', 'categorical', 'poisson', 'geometric', 'negative-binomial'],
  continuous: ['exponential', 'normal', 'lognormal', 'gamma', 'beta', 'laplace', 'student-t', 'inverse-gaussian'],
  multivariate: ['dirichlet', 'multivariate-normal'],
} as const satisfies Record<string, readonly string[]>;
