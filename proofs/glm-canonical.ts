/**
 * Generalized linear models with the canonical link: the Hessian of the
 * negative log-likelihood in theta does not depend on the label, so it equals
 * its expectation, the Fisher, at every theta and for every label. Logistic
 * (Bernoulli, logit link), Poisson (log link) and softmax regression (three
 * classes, logits theta_k x, the last class the reference). The Fisher is
 * computed from its definition E_y[s sᵀ], s the score, summing or taking
 * moments over y. (With the probit link the Hessian depends on y: the
 * property `equivalence/glm/probit-counterexample` shows they differ.)
 *
 * References: McCullagh & Nelder, Generalized Linear Models (2nd ed., 1989),
 * Sec. 2.5 (Fisher scoring = Newton-Raphson for canonical links); Martens (2020), Sec. 9.2.
 */
import { REAL, UNIT_INTERVAL } from '../src/core/domain.js';
import { diff, expectationByMoments, substituteVariables, type Expr } from '../src/symbolic/index.js';
import { lazyProof } from '../src/verify/proof-runner.js';
import type { Proof, ProofStep } from '../src/verify/proof-types.js';

const THETA = ['theta0', 'theta1'];
const Z: Expr = '(x0*theta0+x1*theta1)';

function hessianOf(nll: Expr, vars: readonly string[]): Expr[][] {
  const g = vars.map((v) => diff(nll, v));
  return vars.map((_, i) => vars.map((v) => diff(g[i], v)));
}

function equalitySteps(name: string, H: Expr[][], F: Expr[][], domains: ProofStep['domains']): ProofStep[] {
  const steps: ProofStep[] = [];
  for (let i = 0; i < H.length; i++) {
    for (let j = i; j < H.length; j++) {
      steps.push({
        claim: `${name}: $\\partial^2(-\\log p)/\\partial\\theta_${i}\\partial\\theta_${j}$ at any label $y$ equals $F_{${i}${j}} = \\mathbb{E}_y[s_${i} s_${j}]$`,
        lhs: H[i][j],
        rhs: F[i][j],
        domains,
      });
    }
  }
  return steps;
}

export const glmCanonicalProof: Proof = lazyProof(
  {
    id: 'equivalence/glm-canonical',
    title: 'Canonical-link GLMs: the Fisher equals the Hessian at every theta',
    statement:
      'For a generalized linear model whose linear predictor $z = x^\\top\\theta$ is the natural parameter of the response distribution (canonical link), ' +
      "$-\\log p(y\\mid x,\\theta) = A(z) - y\\,z + c(y)$, so $\\nabla^2_\\theta(-\\log p) = A''(z)\\,x x^\\top$ does not depend on $y$ and equals the Fisher " +
      '$\\mathbb{E}_y[s s^\\top]$ exactly, at every $\\theta$ and for every observed label, not only in expectation. ' +
      'Steps: logistic regression, Poisson regression and softmax regression (three classes), the label left free in the Hessian.',
    references: [
      'P. McCullagh and J. A. Nelder, Generalized Linear Models, 2nd ed., Chapman & Hall 1989, Sec. 2.5',
      'J. Martens, New insights and perspectives on the natural gradient method, JMLR 21(146), 2020, Sec. 9.2',
    ],
    property: 'equivalence/glm/canonical-hessian',
  },
  () => {
    const base = { x0: REAL, x1: REAL, theta0: REAL, theta1: REAL };
    const x = ['x0', 'x1'];
    // logistic: -log p = log(1 + e^z) - y z, p(y=1) = sigma(z)
    const sig = `1/(1+exp(-${Z}))`;
    const logisticNll = `log(1+exp(${Z}))-y*${Z}`;
    const logisticScore = (y: string): Expr[] => x.map((xi) => `(${y}-${sig})*${xi}`);
    const sc1 = logisticScore('1');
    const sc0 = logisticScore('0');
    const logisticF = x.map((_, i) => x.map((__, j) => `(${sig})*(${sc1[i]})*(${sc1[j]})+(1-${sig})*(${sc0[i]})*(${sc0[j]})`));
    // Poisson: -log p = e^z - y z + log(y!), E[y] = e^z, E[y^2] = e^z + e^(2z)
    const poissonNll = `exp(${Z})-y*${Z}`;
    const poissonScore = x.map((xi) => diff(`-(${poissonNll})`, `theta${xi.slice(1)}`));
    const poissonF = x.map((_, i) =>
      x.map((__, j) => expectationByMoments(`(${poissonScore[i]})*(${poissonScore[j]})`, ['y'], { 'y^1': `exp(${Z})`, 'y^2': `exp(${Z})+exp(2*${Z})` })),
    );
    // softmax regression, classes 0, 1 and the reference 2, logits theta_k x
    const sum = '(1+exp(theta0*x)+exp(theta1*x))';
    const softmaxNll = `-(y0*theta0*x+y1*theta1*x)+log${sum}`;
    const softScore = THETA.map((t) => diff(`-(${softmaxNll})`, t));
    const classes: [string, string, Expr][] = [
      ['1', '0', `exp(theta0*x)/${sum}`],
      ['0', '1', `exp(theta1*x)/${sum}`],
      ['0', '0', `1/${sum}`],
    ];
    const softF = THETA.map((_, i) =>
      THETA.map((__, j) =>
        classes
          .map(([a, b, p]) => `(${p})*(${substituteVariables(softScore[i], { y0: a, y1: b })})*(${substituteVariables(softScore[j], { y0: a, y1: b })})`)
          .join('+'),
      ),
    );
    return [
      ...equalitySteps('logistic regression', hessianOf(logisticNll, THETA), logisticF, { ...base, y: UNIT_INTERVAL }),
      ...equalitySteps('Poisson regression', hessianOf(poissonNll, THETA), poissonF, { ...base, y: REAL }),
      ...equalitySteps('softmax regression', hessianOf(softmaxNll, THETA), softF, {
        x: REAL,
        theta0: REAL,
        theta1: REAL,
        y0: UNIT_INTERVAL,
        y1: UNIT_INTERVAL,
      }),
    ];
  },
);
