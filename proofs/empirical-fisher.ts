/**
 * The empirical Fisher is not the Fisher. For linear regression with
 * y ~ N(xᵀtheta*, sigma^2) and the model N(xᵀtheta, sigma^2), the score of one
 * example is s = (y - xᵀtheta) x / sigma^2, and the expected empirical Fisher is
 *   E_y[s sᵀ] = x xᵀ/sigma^2 + (xᵀ(theta* - theta))^2 x xᵀ/sigma^4,
 * the Fisher x xᵀ/sigma^2 plus a term that vanishes only at theta = theta*
 * (and with a well-specified model). Away from the optimum the empirical
 * Fisher's scale is set by the residuals, not by the curvature; the property
 * `equivalence/empirical-fisher/iterations` measures what that does to the steps.
 *
 * Reference: F. Kunstner, L. Balles and P. Hennig, "Limitations of the
 * empirical Fisher approximation for natural gradient descent", NeurIPS 2019, Sec. 3.
 */
import { POSITIVE, REAL } from '../src/core/domain.js';
import { expectationByMoments, substituteVariables } from '../src/symbolic/index.js';
import { lazyProof } from '../src/verify/proof-runner.js';
import type { Proof, ProofStep } from '../src/verify/proof-types.js';

export const empiricalFisherProof: Proof = lazyProof(
  {
    id: 'equivalence/empirical-fisher',
    title: 'The empirical Fisher is not the Fisher',
    statement:
      'For $y \\sim N(x^\\top\\theta^*, \\sigma^2)$ and the model $N(x^\\top\\theta, \\sigma^2)$, with $s = (y - x^\\top\\theta)x/\\sigma^2$: ' +
      '$\\mathbb{E}_y[s s^\\top] = x x^\\top/\\sigma^2 + (x^\\top(\\theta^* - \\theta))^2\\, x x^\\top/\\sigma^4$, while the Fisher is $x x^\\top/\\sigma^2$ at every $\\theta$. ' +
      'The two agree only at $\\theta = \\theta^*$; elsewhere the empirical Fisher is scaled by the squared residual.',
    references: ['F. Kunstner, L. Balles and P. Hennig, Limitations of the empirical Fisher approximation for natural gradient descent, NeurIPS 2019, Sec. 3'],
    property: 'equivalence/empirical-fisher/iterations',
  },
  () => {
    const x = ['x0', 'x1'];
    const domains = { x0: REAL, x1: REAL, theta0: REAL, theta1: REAL, t0: REAL, t1: REAL, sigma: POSITIVE };
    const mean = '(x0*t0+x1*t1)';
    const fit = '(x0*theta0+x1*theta1)';
    const moments = { 'y^1': mean, 'y^2': `${mean}^2+sigma^2` };
    const s = x.map((xi) => `(y-${fit})*${xi}/sigma^2`);
    const gap = `(${mean}-${fit})`;
    const steps: ProofStep[] = [];
    for (let i = 0; i < 2; i++) {
      for (let j = i; j < 2; j++) {
        const ef = expectationByMoments(`(${s[i]})*(${s[j]})`, ['y'], moments);
        steps.push({
          claim: `$\\mathbb{E}_y[s_${i} s_${j}] = x_${i} x_${j}/\\sigma^2 + (x^\\top(\\theta^*-\\theta))^2 x_${i} x_${j}/\\sigma^4$`,
          lhs: ef,
          rhs: `${x[i]}*${x[j]}/sigma^2+${gap}^2*${x[i]}*${x[j]}/sigma^4`,
          domains,
        });
        if (i === 0 && j === 0) {
          steps.push({
            claim: 'at $\\theta = \\theta^*$ the expected empirical Fisher is the Fisher: $\\mathbb{E}_y[s_0^2] = x_0^2/\\sigma^2$',
            lhs: substituteVariables(ef, { theta0: 't0', theta1: 't1' }),
            rhs: 'x0^2/sigma^2',
            domains,
          });
        }
      }
    }
    return steps;
  },
);
