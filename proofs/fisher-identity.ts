/**
 * The Fisher identity -E[∇² log p] = E[s sᵀ] (s = ∇ log p the score), which
 * holds when differentiation and integration can be exchanged (twice
 * differentiable densities with a parameter-free support). Both sides are
 * computed symbolically from the log-density, the expectation taken by
 * substituting the moments of x (raw moments from the literature, typed in
 * here independently of the catalogue's log-partition). Where the regularity
 * fails (Laplace location), the family derivation shows the difference.
 *
 * References: Lehmann & Casella (1998), Sec. 2.5, Lemma 5.3; Cramér,
 * Mathematical Methods of Statistics (1946), Sec. 32.3.
 */
import { POSITIVE, REAL, UNIT_INTERVAL, type Domain } from '../src/core/domain.js';
import { diff, expectationByMoments, type Expr } from '../src/symbolic/index.js';
import { lazyProof } from '../src/verify/proof-runner.js';
import type { Proof, ProofStep } from '../src/verify/proof-types.js';

interface Case {
  name: string;
  logp: Expr;
  params: string[];
  domains: Record<string, Domain>;
  moments: Record<string, Expr>;
}

const CASES: Case[] = [
  {
    name: 'normal $(\\mu, \\sigma)$',
    logp: '-log(sigma)-1/2*log(2*pi)-(x-mu)^2/(2*sigma^2)',
    params: ['mu', 'sigma'],
    domains: { mu: REAL, sigma: POSITIVE },
    moments: { 'x^1': 'mu', 'x^2': 'mu^2+sigma^2', 'x^3': 'mu^3+3*mu*sigma^2', 'x^4': 'mu^4+6*mu^2*sigma^2+3*sigma^4' },
  },
  {
    name: 'Poisson $\\lambda$',
    logp: 'x*log(lambda)-lambda',
    params: ['lambda'],
    domains: { lambda: POSITIVE },
    moments: { 'x^1': 'lambda', 'x^2': 'lambda+lambda^2' },
  },
  {
    name: 'Bernoulli $p$',
    logp: 'x*log(p)+(1-x)*log(1-p)',
    params: ['p'],
    domains: { p: UNIT_INTERVAL },
    moments: { 'x^1': 'p', 'x^2': 'p' },
  },
  {
    name: 'exponential $\\lambda$',
    logp: 'log(lambda)-lambda*x',
    params: ['lambda'],
    domains: { lambda: POSITIVE },
    moments: { 'x^1': '1/lambda', 'x^2': '2/lambda^2' },
  },
];

export const fisherIdentityProof: Proof = lazyProof(
  {
    id: 'equivalence/fisher-identity',
    title: 'The Fisher identity: -E[∇² log p] = E[s sᵀ]',
    statement:
      'If $p_\\theta$ is twice differentiable in $\\theta$ and $\\int \\nabla p_\\theta = \\nabla\\int p_\\theta$ (twice), then $\\mathbb{E}[s] = 0$ and ' +
      '$-\\mathbb{E}[\\nabla^2\\log p_\\theta(x)] = \\mathbb{E}[s s^\\top]$, $s = \\nabla_\\theta\\log p_\\theta(x)$. ' +
      'Steps: both sides from the log-density, with the raw moments of $x$ substituted, for the normal, Poisson, Bernoulli and exponential families.',
    references: [
      'E. L. Lehmann and G. Casella, Theory of Point Estimation, 2nd ed., Springer 1998, Sec. 2.5, Lemma 5.3',
      'H. Cramér, Mathematical Methods of Statistics, Princeton 1946, Sec. 32.3',
    ],
    property: 'equivalence/fisher-identity/exact-expectation',
  },
  () => {
    const steps: ProofStep[] = [];
    for (const c of CASES) {
      const s = c.params.map((v) => diff(c.logp, v));
      c.params.forEach((_vi, i) => {
        steps.push({ claim: `${c.name}: $\\mathbb{E}[s_${i}] = 0$`, lhs: expectationByMoments(s[i], ['x'], c.moments), rhs: '0', domains: c.domains });
      });
      c.params.forEach((_vi, i) =>
        c.params.forEach((vj, j) => {
          if (j < i) return;
          const negHess = expectationByMoments(`-(${diff(s[i], vj)})`, ['x'], c.moments);
          const outer = expectationByMoments(`(${s[i]})*(${s[j]})`, ['x'], c.moments);
          steps.push({
            claim: `${c.name}: $-\\mathbb{E}[\\partial^2\\log p/\\partial\\theta_${i}\\partial\\theta_${j}] = \\mathbb{E}[s_${i} s_${j}]$`,
            lhs: negHess,
            rhs: outer,
            domains: c.domains,
          });
        }),
      );
    }
    return steps;
  },
);
