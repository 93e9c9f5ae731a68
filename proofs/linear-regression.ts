/**
 * Linear regression with Gaussian noise, y_n ~ N(x_nᵀ theta, sigma^2), mean
 * negative log-likelihood L(theta) = (1/(2 n sigma^2)) sum_n (y_n - x_nᵀ theta)^2 + const:
 * the Fisher is XᵀX/(n sigma^2), equal to the Hessian of L; so one natural-gradient
 * step with step size 1, from any start, is the Newton step and lands on the
 * least-squares solution (XᵀX)⁻¹Xᵀy. Written out for n = 3 examples and
 * p = 2 features with every entry symbolic.
 *
 * References: Martens (2020), Sec. 9 (natural gradient as a Gauss-Newton
 * method); Amari (1998), Sec. 4.
 */
import { POSITIVE, REAL } from '../src/core/domain.js';
import { diff, expectationByMoments, type Expr } from '../src/symbolic/index.js';
import { inverseExpr, mulExpr, transposeExpr } from './expr-matrix.js';
import { lazyProof } from '../src/verify/proof-runner.js';
import type { Proof, ProofStep } from '../src/verify/proof-types.js';

const N = 3;
const P = 2;
const X: Expr[][] = Array.from({ length: N }, (_, n) => Array.from({ length: P }, (_, j) => `x${n}${j}`));
const Y: Expr[] = Array.from({ length: N }, (_, n) => `y${n}`);
const THETA = Array.from({ length: P }, (_, j) => `theta${j}`);
const residual = (n: number): Expr => `(${Y[n]}-(${X[n].map((x, j) => `${x}*${THETA[j]}`).join('+')}))`;
const MEAN_NLL: Expr = `(${Array.from({ length: N }, (_, n) => `${residual(n)}^2`).join('+')})/(2*${N}*sigma^2)`;

export const linearRegressionProof: Proof = lazyProof(
  {
    id: 'equivalence/linear-regression',
    title: 'Linear regression: natural gradient = Newton = least squares',
    statement:
      'For $y_n \\sim N(x_n^\\top\\theta, \\sigma^2)$, $n = 1..N$, with mean negative log-likelihood $L(\\theta) = \\frac{1}{2N\\sigma^2}\\sum_n (y_n - x_n^\\top\\theta)^2$: ' +
      '$F = -\\mathbb{E}_y[\\nabla^2 \\log p] = X^\\top X/(N\\sigma^2) = \\nabla^2 L$, and for every $\\theta$ the natural-gradient step with step size 1, ' +
      '$\\theta - F^{-1}\\nabla L(\\theta)$, equals the Newton step $\\theta - (\\nabla^2 L)^{-1}\\nabla L(\\theta)$ and the least-squares solution $(X^\\top X)^{-1}X^\\top y$. ' +
      `Checked with $N = ${N}$, $p = ${P}$ and every entry of $X$, $y$, $\\theta$ symbolic.`,
    references: [
      'J. Martens, New insights and perspectives on the natural gradient method, JMLR 21(146), 2020, Sec. 9',
      'S. Amari, Natural gradient works efficiently in learning, Neural Computation 10(2), 1998, Sec. 4',
    ],
    property: 'equivalence/linear-regression/one-step',
  },
  () => {
    const domains = Object.fromEntries([...X.flat(), ...Y, ...THETA].map((v) => [v, REAL] as const));
    const withSigma = { ...domains, sigma: POSITIVE };
    const XtX = mulExpr(transposeExpr(X), X);
    const fisherClosed = XtX.map((row) => row.map((e) => `(${e})/(${N}*sigma^2)`));
    const grad = THETA.map((t) => diff(MEAN_NLL, t));
    const hess = THETA.map((_, i) => THETA.map((t) => diff(grad[i], t)));
    // the Fisher from its definition: -E_y[∇² log p], the expectation over y_n ~ N(x_nᵀ theta, sigma^2)
    const moments: Record<string, Expr> = {};
    Y.forEach((y, n) => {
      const mean = X[n].map((x, j) => `${x}*${THETA[j]}`).join('+');
      moments[`${y}^1`] = `(${mean})`;
      moments[`${y}^2`] = `(${mean})^2+sigma^2`;
    });
    const fisherDef = hess.map((row) => row.map((h) => expectationByMoments(h, Y, moments)));
    const ngStep = mulExpr(
      inverseExpr(fisherClosed),
      grad.map((g) => [g]),
    ).map((r, j) => `${THETA[j]}-(${r[0]})`);
    const newtonStep = mulExpr(
      inverseExpr(hess),
      grad.map((g) => [g]),
    ).map((r, j) => `${THETA[j]}-(${r[0]})`);
    const leastSquares = mulExpr(
      inverseExpr(XtX),
      mulExpr(
        transposeExpr(X),
        Y.map((y) => [y]),
      ),
    ).map((r) => r[0]);
    const steps: ProofStep[] = [];
    for (let i = 0; i < P; i++) {
      for (let j = i; j < P; j++) {
        steps.push({
          claim: `$F_{${i}${j}} = -\\mathbb{E}_y[\\partial^2 \\log p / \\partial\\theta_${i}\\partial\\theta_${j}] = (X^\\top X)_{${i}${j}}/(N\\sigma^2)$`,
          lhs: fisherDef[i][j],
          rhs: fisherClosed[i][j],
          domains: withSigma,
        });
        steps.push({
          claim: `$(\\nabla^2 L)_{${i}${j}} = (X^\\top X)_{${i}${j}}/(N\\sigma^2)$, for every $y$ (the Hessian does not depend on the data's labels)`,
          lhs: hess[i][j],
          rhs: fisherClosed[i][j],
          domains: withSigma,
        });
      }
    }
    for (let j = 0; j < P; j++) {
      steps.push({
        claim: `component ${j}: natural-gradient step $\\theta - F^{-1}\\nabla L$ = Newton step $\\theta - (\\nabla^2 L)^{-1}\\nabla L$`,
        lhs: ngStep[j],
        rhs: newtonStep[j],
        domains: withSigma,
      });
      steps.push({
        claim: `component ${j}: natural-gradient step = least-squares solution $(X^\\top X)^{-1} X^\\top y$, from any $\\theta$`,
        lhs: ngStep[j],
        rhs: leastSquares[j],
        domains: withSigma,
      });
    }
    return steps;
  },
);
