/**
 * The Fisher of the bivariate normal in (mu, Sigma), Sigma's upper triangle
 * as parameters, derived from the log-density: the Hessian route
 * -E[∇² log p] (with E[x] and E[x xᵀ] from the log-partition) and the
 * exponential-family route J_etaᵀ ∇²A J_eta, each proved equal entry by entry
 * to the general formula F_{mu mu} = Sigma⁻¹, F_{mu Sigma} = 0,
 * F_{(ij),(kl)} = ½ tr(Sigma⁻¹ E_ij Sigma⁻¹ E_kl). The formula for d up to 5 is
 * checked numerically by the property `mvn/fisher/general-d`.
 *
 * References: Mardia, Kent & Bibby, Multivariate Analysis (1979), Sec. 4.2;
 * Porat & Friedlander, "Computation of the exact information matrix of
 * Gaussian time series with stationary random components", IEEE Trans. ASSP 34 (1986).
 */
import { multivariateNormal } from '../src/families/catalogue/multivariate-normal.js';
import { exponentialFamilyRoute, hessianRoute } from '../src/families/derive.js';
import { symbolTex } from '../src/symbolic/index.js';
import { lazyProof } from '../src/verify/proof-runner.js';
import type { Proof, ProofStep } from '../src/verify/proof-types.js';

export const mvnFisherProof: Proof = lazyProof(
  {
    id: 'mvn/fisher-d2',
    title: 'Multivariate normal (d = 2): the Fisher in (mu, Sigma) from the log-density',
    statement:
      'For $x \\sim N(\\mu, \\Sigma)$ in $d = 2$ with parameters $(\\mu_0, \\mu_1, \\Sigma_{00}, \\Sigma_{01}, \\Sigma_{11})$, the Fisher obtained as $-\\mathbb{E}[\\nabla^2\\log p]$ ' +
      'and as $J_\\eta^\\top\\nabla^2 A\\, J_\\eta$ both equal the general formula $F_{\\mu\\mu} = \\Sigma^{-1}$, $F_{\\mu\\Sigma} = 0$, ' +
      '$F_{(ij),(kl)} = \\tfrac12\\operatorname{tr}(\\Sigma^{-1}E_{ij}\\Sigma^{-1}E_{kl})$, $E_{ij}$ the symmetric basis matrix of parameter $\\Sigma_{ij}$.',
    references: [
      'K. V. Mardia, J. T. Kent and J. M. Bibby, Multivariate Analysis, Academic Press 1979, Sec. 4.2',
      'B. Porat and B. Friedlander, Computation of the exact information matrix of Gaussian time series with stationary random components, IEEE Trans. ASSP 34(1), 1986',
    ],
    property: 'mvn/fisher/general-d',
  },
  () => {
    const inst = multivariateNormal.instance(2);
    const p = inst.parameterizations[0];
    const lit = p.literatureFisher;
    const steps: ProofStep[] = [];
    const routes = [
      { name: 'Hessian route $-\\mathbb{E}[\\nabla^2\\log p]$', m: hessianRoute(inst, p).matrix! },
      { name: 'exponential-family route $J_\\eta^\\top\\nabla^2 A J_\\eta$', m: exponentialFamilyRoute(inst, p).matrix! },
    ];
    for (const r of routes) {
      for (let i = 0; i < lit.length; i++) {
        for (let j = i; j < lit.length; j++) {
          steps.push({
            claim: `${r.name}: entry $(${symbolTex(p.symbols[i])}, ${symbolTex(p.symbols[j])})$ equals the general formula`,
            lhs: r.m[i][j],
            rhs: lit[i][j],
            domains: p.domains,
          });
        }
      }
    }
    return steps;
  },
);
