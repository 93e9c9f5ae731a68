/**
 * Invariance of the natural-gradient flow: the flow dphi/dt = -F_phi⁻¹ ∇_phi L,
 * mapped through theta = theta(phi), is the flow dtheta/dt = -F_theta⁻¹ ∇_theta L,
 * because d theta/dt = J dphi/dt and the natural gradient is invariant. The
 * steps check the velocity identity for a concrete loss, the Kullback-Leibler
 * divergence KL(N(0, 1) || N(mu, sigma^2)) = log sigma + (1 + mu^2)/(2 sigma^2) - 1/2,
 * differentiated by the computer algebra in each parameterization (so the
 * chain rule is performed, not assumed). A forward-Euler discretisation
 * with step h agrees to O(h) over a fixed time; the property
 * `invariance/flow/step-size` measures that slope.
 *
 * References: Amari (1998), Sec. 3; Ollivier, Arnold, Auger & Hansen,
 * "Information-geometric optimization algorithms", JMLR 18 (2017), Sec. 1.2
 * (the IGO flow is parameterization-invariant, its Euler steps only to first order).
 */
import { normal } from '../src/families/catalogue/normal.js';
import { diff, substituteVariables, type Expr } from '../src/symbolic/index.js';
import { inverseExpr, mulExpr, substituteMatrix } from './expr-matrix.js';
import { pullbackParts } from './pullback.js';
import { lazyProof } from '../src/verify/proof-runner.js';
import type { Proof, ProofStep } from '../src/verify/proof-types.js';
import { parameterizationOf } from '../src/families/instance.js';

export const KL_LOSS_MEAN_STD: Expr = 'log(sigma)+(1+mu^2)/(2*sigma^2)-1/2';

export const flowInvariance: Proof = lazyProof(
  {
    id: 'invariance/flow',
    title: 'Invariance of the natural-gradient flow',
    statement:
      'Let $\\theta(t)$ solve $\\dot\\theta = -F_\\theta^{-1}\\nabla_\\theta L$ and $\\phi(t)$ solve $\\dot\\phi = -F_\\phi^{-1}\\nabla_\\phi L$ ' +
      'with $\\theta(0) = \\theta(\\phi(0))$. Then $\\theta(\\phi(t)) = \\theta(t)$ for all $t$: the velocity of the mapped curve, ' +
      '$J\\dot\\phi = -J F_\\phi^{-1}\\nabla_\\phi L$, equals $-F_\\theta^{-1}\\nabla_\\theta L$ at every point, so both curves solve the same ' +
      'ODE with the same start. Steps: the velocity identity for the normal family, $\\theta = (\\mu, \\sigma)$, ' +
      '$L = \\mathrm{KL}(N(0,1)\\,\\|\\,N(\\mu,\\sigma^2)) = \\log\\sigma + (1+\\mu^2)/(2\\sigma^2) - 1/2$, in each other parameterization $\\phi$, ' +
      'with $\\nabla_\\phi L$ obtained by differentiating $L(\\theta(\\phi))$. Euler steps of size $h$ agree only up to $O(h)$ over a fixed time.',
    references: [
      'S. Amari, Natural gradient works efficiently in learning, Neural Computation 10(2), 1998, Sec. 3',
      'Y. Ollivier, L. Arnold, A. Auger and N. Hansen, Information-geometric optimization algorithms: a unifying picture via invariance principles, JMLR 18(18), 2017, Sec. 1.2',
    ],
    property: 'invariance/flow/step-size',
  },
  () => {
    const inst = normal.instance();
    const theta = parameterizationOf(inst, 'mean-std');
    const steps: ProofStep[] = [];
    for (const phi of inst.parameterizations) {
      if (phi === theta) continue;
      const parts = pullbackParts(inst, theta, phi);
      const lossPhi = substituteVariables(KL_LOSS_MEAN_STD, parts.map);
      const gradPhi = phi.symbols.map((s) => [diff(lossPhi, s)]);
      const gradTheta = theta.symbols.map((s) => [substituteVariables(diff(KL_LOSS_MEAN_STD, s), parts.map)]);
      const velocityMapped = mulExpr(parts.J, mulExpr(inverseExpr(phi.literatureFisher as Expr[][]), gradPhi));
      const velocityTheta = mulExpr(inverseExpr(substituteMatrix(theta.literatureFisher as Expr[][], parts.map)), gradTheta);
      theta.symbols.forEach((s, k) => {
        steps.push({
          claim: `$\\phi$ = ${phi.name}: the $${s === 'mu' ? '\\mu' : '\\sigma'}$-component of $J F_\\phi^{-1}\\nabla_\\phi L$ equals that of $F_\\theta^{-1}\\nabla_\\theta L$`,
          lhs: velocityMapped[k][0],
          rhs: velocityTheta[k][0],
          domains: phi.domains,
        });
      });
    }
    return steps;
  },
);
