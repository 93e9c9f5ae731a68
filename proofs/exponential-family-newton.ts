/**
 * Exponential families and Newton's method, as a derivation a learner can
 * follow: for log p = <eta, T(x)> - A(eta) + log h(x),
 *  - the score is T(x) - ∇A(eta), and -∇² log p = ∇²A(eta) for every x, so
 *    the Fisher in natural coordinates is F = ∇²A;
 *  - the mean negative log-likelihood of data with mean statistic t̄ is
 *    L(eta) = A(eta) - <eta, t̄> + const, whose Hessian is ∇²A = F: the
 *    natural-gradient step eta - F⁻¹∇L is exactly the Newton step;
 *  - in the expectation coordinates m = ∇A(eta), F = (∇²A)⁻¹, and one
 *    natural-gradient step of size 1 from any m lands on the maximum-likelihood
 *    estimate m = t̄.
 * Each step is an identity between expressions derived by the computer
 * algebra from the catalogue's log-densities, for the Poisson, the Bernoulli
 * and the normal, with two data points x_a, x_b left free.
 *
 * References: Amari, Information Geometry and Its Applications (2016),
 * Sec. 2.2; Martens, "New insights and perspectives on the natural gradient
 * method", JMLR 21 (2020), Sec. 9; Wainwright & Jordan, Graphical Models,
 * Exponential Families, and Variational Inference (2008), Prop. 3.1.
 */
import { REAL, UNIT_INTERVAL, POSITIVE, type Domain } from '../src/core/domain.js';
import { FAMILIES } from '../src/families/catalogue/index.js';
import type { FamilyInstance, ParameterizationInstance } from '../src/families/types.js';
import { diff, substituteVariables, symbolTex, toLatex, type Expr } from '../src/symbolic/index.js';
import { EXPECTATION_PARAMETERIZATION } from './exponential-family.js';
import { inverseExpr, mulExpr, substituteMatrix } from './expr-matrix.js';
import { mapBetween } from './pullback.js';
import { lazyProof } from '../src/verify/proof-runner.js';
import type { Proof, ProofStep } from '../src/verify/proof-types.js';
import { parameterizationOf } from '../src/families/instance.js';

/** The families the page works through. */
const ILLUSTRATIONS = ['poisson', 'bernoulli', 'normal'] as const;

const DATA_DOMAIN: Record<string, Domain> = { poisson: POSITIVE, bernoulli: UNIT_INTERVAL, normal: REAL };
const NAMES: Record<string, string> = { poisson: 'Poisson', bernoulli: 'Bernoulli', normal: 'normal' };

function stepsFor(inst: FamilyInstance, natural: ParameterizationInstance, expectation: ParameterizationInstance): ProofStep[] {
  const ef = inst.expFamily!;
  const name = NAMES[inst.family];
  const eta = natural.symbols;
  const rename: Record<string, Expr> = {};
  ef.etaSymbols.forEach((s, k) => {
    rename[s] = eta[k];
  });
  const A = substituteVariables(ef.logPartition, rename);
  const gradA = eta.map((e) => diff(A, e));
  const HA = eta.map((_, i) => eta.map((e) => diff(gradA[i], e)));
  const x = inst.dataVars[0];
  const logp = natural.logDensity ?? substituteVariables(inst.logDensity, natural.toBase as Record<string, Expr>);
  const at = (v: string): Expr => substituteVariables(logp, { [x]: v });
  const T = (k: number, v: string): Expr => substituteVariables(ef.statistics[k], { [x]: v });
  const tbar = ef.statistics.map((_, k) => `(${T(k, 'x_a')}+${T(k, 'x_b')})/2`);
  const dataDomains = { [x]: DATA_DOMAIN[inst.family], x_a: DATA_DOMAIN[inst.family], x_b: DATA_DOMAIN[inst.family] };
  const natDomains = { ...inst.fixed, ...natural.domains, ...dataDomains };
  const expDomains = { ...inst.fixed, ...expectation.domains, ...dataDomains };
  const n = eta.length;
  const etaTex = (k: number): string => symbolTex(eta[k]);
  const steps: ProofStep[] = [];
  // 1. the score
  eta.forEach((e, k) => {
    steps.push({
      claim: `${name}: the score is the statistic minus its mean, $\\partial\\log p/\\partial ${etaTex(k)} = T_${k}(x) - \\partial A/\\partial ${etaTex(k)}$ with $T_${k}(x) = ${toLatex(ef.statistics[k])}$`,
      lhs: diff(logp, e),
      rhs: `${ef.statistics[k]}-(${gradA[k]})`,
      domains: natDomains,
    });
  });
  // 2. the Hessian does not depend on x
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      steps.push({
        claim: `${name}: $-\\partial^2\\log p/\\partial ${etaTex(i)}\\partial ${etaTex(j)} = \\partial^2 A/\\partial ${etaTex(i)}\\partial ${etaTex(j)}$ for every $x$; so it equals its expectation, and $F = \\nabla^2 A$`,
        lhs: `-(${diff(diff(logp, eta[i]), eta[j])})`,
        rhs: HA[i][j],
        domains: natDomains,
      });
    }
  // 3. the mean negative log-likelihood of two observations
  const L = `-((${at('x_a')})+(${at('x_b')}))/2`;
  const gradL = eta.map((e) => diff(L, e));
  eta.forEach((_, k) => {
    steps.push({
      claim: `${name}: the mean negative log-likelihood of $x_a, x_b$ has gradient $\\partial L/\\partial ${etaTex(k)} = \\partial A/\\partial ${etaTex(k)} - \\bar t_${k}$, $\\bar t_${k} = (T_${k}(x_a) + T_${k}(x_b))/2$`,
      lhs: gradL[k],
      rhs: `${gradA[k]}-(${tbar[k]})`,
      domains: natDomains,
    });
  });
  const HL = eta.map((_, i) => eta.map((e) => diff(gradL[i], e)));
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      steps.push({
        claim: `${name}: its Hessian is the Fisher information of the literature, $\\partial^2 L/\\partial ${etaTex(i)}\\partial ${etaTex(j)} = F_{${i}${j}}$, whatever the data`,
        lhs: HL[i][j],
        rhs: natural.literatureFisher[i][j],
        domains: natDomains,
      });
    }
  // 4. natural gradient = Newton
  const Finv = inverseExpr(natural.literatureFisher as Expr[][]);
  const Hinv = inverseExpr(HL);
  const g = gradL.map((v) => [v]);
  const ng = mulExpr(Finv, g).map((r, k) => `${eta[k]}-(${r[0]})`);
  const newton = mulExpr(Hinv, g).map((r, k) => `${eta[k]}-(${r[0]})`);
  eta.forEach((_, k) => {
    steps.push({
      claim: `${name}: component ${k} of the natural-gradient step $\\eta - F^{-1}\\nabla L$ equals that of the Newton step $\\eta - (\\nabla^2 L)^{-1}\\nabla L$`,
      lhs: ng[k],
      rhs: newton[k],
      domains: natDomains,
    });
  });
  // 5. expectation coordinates
  const etaOfM = mapBetween(natural, expectation);
  const invHA = inverseExpr(substituteMatrix(HA, etaOfM));
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      steps.push({
        claim: `${name}: in the expectation parameters $m = \\nabla A(\\eta)$ (${expectation.name}), $F_{${i}${j}} = ((\\nabla^2 A)^{-1})_{${i}${j}}$ at $\\eta(m)$`,
        lhs: expectation.literatureFisher[i][j],
        rhs: invHA[i][j],
        domains: { ...inst.fixed, ...expectation.domains },
      });
    }
  // 6. one natural-gradient step in m lands on the maximum-likelihood estimate
  const Lm = substituteVariables(L, etaOfM);
  const gradLm = expectation.symbols.map((m) => [diff(Lm, m)]);
  const step = mulExpr(inverseExpr(expectation.literatureFisher as Expr[][]), gradLm).map((r, k) => `${expectation.symbols[k]}-(${r[0]})`);
  expectation.symbols.forEach((_m, k) => {
    steps.push({
      claim: `${name}: from any $m$, one natural-gradient step of size 1 in the expectation parameters, $m - F_m^{-1}\\nabla_m L$, lands on the maximum-likelihood estimate: component ${k} is $\\bar t_${k}$`,
      lhs: step[k],
      rhs: tbar[k],
      domains: expDomains,
    });
  });
  return steps;
}

export const exponentialFamilyNewtonProof: Proof = lazyProof(
  {
    id: 'equivalence/exponential-family-newton',
    title: 'Exponential families: the Fisher is the Hessian of A, and the natural gradient is a Newton step',
    statement:
      'Let $\\log p(x\\mid\\eta) = \\langle\\eta, T(x)\\rangle - A(\\eta) + \\log h(x)$. (i) The score is $T(x) - \\nabla A(\\eta)$ and $-\\nabla^2_\\eta\\log p = \\nabla^2 A(\\eta)$ for every $x$, so in natural coordinates $F(\\eta) = \\nabla^2 A(\\eta)$. ' +
      '(ii) The mean negative log-likelihood of data with mean statistic $\\bar t$ is $L(\\eta) = A(\\eta) - \\langle\\eta, \\bar t\\rangle + \\text{const}$, with $\\nabla L = \\nabla A(\\eta) - \\bar t$ and $\\nabla^2 L = \\nabla^2 A(\\eta) = F(\\eta)$: the natural-gradient step $\\eta - F^{-1}\\nabla L$ is the Newton step, at every iterate, not only in expectation. ' +
      '(iii) In the expectation coordinates $m = \\nabla A(\\eta)$ the Fisher is $F(m) = (\\nabla^2 A(\\eta(m)))^{-1}$, and since $\\nabla_m L = F(m)(m - \\bar t)$, one natural-gradient step of size 1 from any $m$ reaches the maximum-likelihood estimate $m = \\bar t$. ' +
      "The steps derive each claim from the catalogue's log-densities for the Poisson, the Bernoulli and the normal, with two observations $x_a, x_b$ left free.",
    references: [
      'S. Amari, Information Geometry and Its Applications, Springer 2016, Sec. 2.2',
      'J. Martens, New insights and perspectives on the natural gradient method, JMLR 21(146), 2020, Sec. 9',
      'M. J. Wainwright and M. I. Jordan, Graphical Models, Exponential Families, and Variational Inference, Foundations and Trends in Machine Learning 1(1-2), 2008, Prop. 3.1',
    ],
    property: 'equivalence/exponential-family/hessian-of-A',
  },
  () =>
    ILLUSTRATIONS.flatMap((family) => {
      const def = FAMILIES.find((f) => f.name === family)!;
      const inst = def.instance();
      const natural = parameterizationOf(inst, 'natural');
      const expectation = parameterizationOf(inst, EXPECTATION_PARAMETERIZATION[family]);
      return stepsFor(inst, natural, expectation);
    }),
);
