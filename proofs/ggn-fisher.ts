/**
 * Gauss-Newton = Fisher. For a model with output f = f(theta, x) and a
 * likelihood p(y | f), the Fisher is Jᵀ F_f J and the generalized Gauss-Newton
 * is Jᵀ H_f J with H_f = ∇²_f(-log p(y | f)), J = df/dtheta. When f is the
 * natural parameter of an exponential family (Gaussian mean, Bernoulli and
 * categorical logits, Poisson log-rate), H_f = ∇²A(f) does not depend on y and
 * equals F_f, so GGN = Fisher. For a Gaussian with variance sigma^2 this is
 * Gauss-Newton: JᵀJ/sigma^2. The steps check H_f (label free) = F_f (from its
 * definition E_y[∇_f log p ∇_f log pᵀ]).
 *
 * References: Schraudolph, "Fast curvature matrix-vector products for
 * second-order gradient descent", Neural Computation 14 (2002); Martens (2020),
 * Sec. 9.2; Pascanu & Bengio, "Revisiting natural gradient for deep networks" (2014).
 */
import { POSITIVE, REAL, UNIT_INTERVAL } from '../src/core/domain.js';
import { diff, expectationByMoments, substituteVariables, type Expr } from '../src/symbolic/index.js';
import { lazyProof } from '../src/verify/proof-runner.js';
import type { Proof, ProofStep } from '../src/verify/proof-types.js';

function outputSteps(name: string, nll: Expr, outputs: readonly string[], fisher: Expr[][], domains: ProofStep['domains']): ProofStep[] {
  const g = outputs.map((f) => diff(nll, f));
  const steps: ProofStep[] = [];
  outputs.forEach((_fi, i) =>
    outputs.forEach((fj, j) => {
      if (j < i) return;
      steps.push({
        claim: `${name}: $\\partial^2(-\\log p)/\\partial f_${i}\\partial f_${j}$ (any label) $= (F_f)_{${i}${j}}$`,
        lhs: diff(g[i], fj),
        rhs: fisher[i][j],
        domains,
      });
    }),
  );
  return steps;
}

export const ggnFisherProof: Proof = lazyProof(
  {
    id: 'equivalence/ggn-fisher',
    title: 'The generalized Gauss-Newton equals the Fisher for exponential-family outputs',
    statement:
      'With $f = f(\\theta, x)$ and $J = \\partial f/\\partial\\theta$: $F = \\mathbb{E}_x[J^\\top F_f J]$ and $G = \\mathbb{E}_x[J^\\top H_f J]$, $H_f = \\nabla_f^2(-\\log p(y\\mid f))$. ' +
      'If $f$ is the natural parameter of an exponential family, $H_f = \\nabla^2 A(f) = F_f$ for every $y$, hence $G = F$; ' +
      'for a Gaussian likelihood with variance $\\sigma^2$, $G = \\mathbb{E}[J^\\top J]/\\sigma^2$ is the Gauss-Newton matrix. ' +
      'Steps: $H_f = F_f$ for the Gaussian mean, the Bernoulli logit, the Poisson log-rate and the categorical logits (three classes).',
    references: [
      'N. N. Schraudolph, Fast curvature matrix-vector products for second-order gradient descent, Neural Computation 14(7), 2002',
      'J. Martens, New insights and perspectives on the natural gradient method, JMLR 21(146), 2020, Sec. 9.2',
      'R. Pascanu and Y. Bengio, Revisiting natural gradient for deep networks, ICLR 2014',
    ],
    property: 'equivalence/ggn-fisher/mlp',
  },
  () => {
    const gaussNll = '(y-f)^2/(2*sigma^2)+log(sigma)';
    const gaussScore = diff(`-(${gaussNll})`, 'f');
    const gaussF = [[expectationByMoments(`(${gaussScore})^2`, ['y'], { 'y^1': 'f', 'y^2': 'f^2+sigma^2' })]];
    const bernNll = 'log(1+exp(f))-y*f';
    const q = '1/(1+exp(-f))';
    const bs = (y: string): Expr => substituteVariables(diff(`-(${bernNll})`, 'f'), { y });
    const bernF = [[`(${q})*(${bs('1')})^2+(1-${q})*(${bs('0')})^2`]];
    const poisNll = 'exp(f)-y*f';
    const poisScore = diff(`-(${poisNll})`, 'f');
    const poisF = [[expectationByMoments(`(${poisScore})^2`, ['y'], { 'y^1': 'exp(f)', 'y^2': 'exp(f)+exp(2*f)' })]];
    const sum = '(1+exp(f0)+exp(f1))';
    const catNll = `-(y0*f0+y1*f1)+log${sum}`;
    const outs = ['f0', 'f1'];
    const catScore = outs.map((f) => diff(`-(${catNll})`, f));
    const classes: [string, string, Expr][] = [
      ['1', '0', `exp(f0)/${sum}`],
      ['0', '1', `exp(f1)/${sum}`],
      ['0', '0', `1/${sum}`],
    ];
    const catF = outs.map((_, i) =>
      outs.map((__, j) =>
        classes
          .map(([a, b, p]) => `(${p})*(${substituteVariables(catScore[i], { y0: a, y1: b })})*(${substituteVariables(catScore[j], { y0: a, y1: b })})`)
          .join('+'),
      ),
    );
    return [
      ...outputSteps('Gaussian mean, variance $\\sigma^2$', gaussNll, ['f'], gaussF, { f: REAL, y: REAL, sigma: POSITIVE }),
      ...outputSteps('Bernoulli logit', bernNll, ['f'], bernF, { f: REAL, y: UNIT_INTERVAL }),
      ...outputSteps('Poisson log-rate', poisNll, ['f'], poisF, { f: REAL, y: REAL }),
      ...outputSteps('categorical logits', catNll, outs, catF, { f0: REAL, f1: REAL, y0: UNIT_INTERVAL, y1: UNIT_INTERVAL }),
    ];
  },
);
