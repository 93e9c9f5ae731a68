/**
 * The multivariate normal's page: its Fisher information for general d by
 * matrix calculus, each step checked at random dimensions; the entrywise
 * computer-algebra derivation at d = 2 is a cross-check on its own page.
 */
import type { MatrixDerivation } from '../families/derivation-cache.js';
import { renderSteps } from './steps.js';

export function renderMatrixFamilyPage(family: string, d: MatrixDerivation, crossCheckPage: string): string {
  const out = [
    `# The Fisher information of the ${family} family`,
    '',
    'For $x \\sim N(\\mu, \\Sigma)$ in any dimension $d$, derived in matrix notation: the log-density, the differentials of $\\log\\det\\Sigma$ and ' +
      'of $\\Sigma^{-1}$, the score and the Hessian, the moments, and the Fisher information on the symmetric parameterization $\\theta = (\\mu, ' +
      '\\operatorname{vech}\\Sigma)$ (the order of the oracle contract: $\\mu$, then the upper triangle of $\\Sigma$ row by row); then the covariance ' +
      "of the score by Isserlis' theorem, and the natural and expectation parameterizations.",
    '',
    'Notation: $r = x - \\mu$, $P = \\Sigma^{-1}$, $\\operatorname{vec}$ stacks a matrix into a vector, $\\operatorname{vech}\\Sigma$ keeps its ' +
      '$d(d+1)/2$ free entries, and $D$ is the duplication matrix, $\\operatorname{vec}\\Sigma = D\\operatorname{vech}\\Sigma$.',
    '',
    'Each step is checked numerically at random dimensions from 2 to 8 and random points (seeded) against an independent computation, and each check ' +
      'has a sensitivity run: a planted mistake (named in the step) that the same check must reject.',
    '',
    '**References.** K. V. Mardia, J. T. Kent and J. M. Bibby, Multivariate Analysis, Academic Press 1979, Sec. 4.2; J. R. Magnus and H. Neudecker, ' +
      'Matrix Differential Calculus with Applications in Statistics and Econometrics, 3rd ed., Wiley 2019, Ch. 3 (the duplication matrix), Ch. 8 ' +
      '(differentials of the determinant and the inverse); L. Isserlis, On a formula for the product-moment coefficient of any order of a normal ' +
      'frequency distribution in any number of variables, Biometrika 12 (1918); S. Amari, Information Geometry and Its Applications, Springer 2016, Sec. 2.2.',
    '',
    '## Steps',
    '',
    ...renderSteps(d.steps, '###'),
    '## Cross-checks',
    '',
    `* The entrywise derivation at $d = 2$ by the computer algebra (the Hessian and exponential-family routes, each entry proved equal to the formula ` +
      `above): [${crossCheckPage}](${crossCheckPage}), re-run by \`natgrad verify --filter mvn/fisher-d2\` and \`natgrad verify --filter ` +
      `fisher/multivariate-normal/mean-cov/d=2/routes\`.`,
    '* The formula against Monte Carlo estimates of $\\mathbb{E}[s s^\\top]$ and against $J_\\eta^\\top\\nabla^2 A\\, J_\\eta$ for $d$ from 2 to 5: ' +
      '`natgrad verify --filter mvn/fisher`.',
    '',
  ];
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
