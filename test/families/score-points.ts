/**
 * The points at which the analytic score is checked: one per family, every
 * family of the catalogue (test/families/catalogue-coverage.test.ts holds
 * the table to it), and a few other parameterizations for the chain rule.
 */
export const SCORE_POINTS: [string, string, Record<string, unknown>, Record<string, number>][] = [
  ['bernoulli', 'mean', { p: 0.3 }, {}],
  ['bernoulli', 'natural', { eta: -0.4 }, {}],
  ['binomial', 'mean', { p: 0.35 }, { n: 12 }],
  ['categorical', 'mean', { p: [0.2, 0.3] }, {}],
  ['poisson', 'rate', { lambda: 3.5 }, {}],
  ['geometric', 'standard', { p: 0.4 }, {}],
  ['negative-binomial', 'standard', { p: 0.45 }, { r: 3.5 }],
  ['exponential', 'rate', { lambda: 1.7 }, {}],
  ['exponential', 'scale', { beta: 0.6 }, {}],
  ['normal', 'mean-std', { mu: 0.3, sigma: 1.7 }, {}],
  ['normal', 'natural', { eta1: 0.5, eta2: -0.8 }, {}],
  ['normal', 'expectation', { m1: 1.2, m2: 3 }, {}],
  ['lognormal', 'mean-std', { mu: 0.2, sigma: 0.4 }, {}],
  ['gamma', 'shape-rate', { alpha: 2.5, beta: 1.5 }, {}],
  ['gamma', 'shape-scale', { k: 3, theta: 0.7 }, {}],
  ['beta', 'standard', { a: 2.5, b: 3.5 }, {}],
  ['laplace', 'location-scale', { mu: -0.5, b: 1.2 }, {}],
  ['student-t', 'location-scale', { mu: 0.5, sigma: 1.3 }, { nu: 7 }],
  ['inverse-gaussian', 'mean-shape', { mu: 1.5, lambda: 4 }, {}],
  ['dirichlet', 'standard', { alpha: [2, 3, 4] }, {}],
  [
    'multivariate-normal',
    'mean-cov',
    {
      mu: [0.5, -1, 0.2],
      Sigma: [
        [2, 0.3, 0.1],
        [0.3, 1, -0.2],
        [0.1, -0.2, 1.5],
      ],
    },
    {},
  ],
];
