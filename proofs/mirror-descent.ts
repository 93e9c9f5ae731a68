/**
 * Mirror descent on the expectation parameters m with the Bregman divergence
 * of the conjugate A*, m_{t+1} = argmin_m <∇_m L(m_t), m> + (1/alpha) B_{A*}(m, m_t),
 * solves ∇A*(m_{t+1}) = ∇A*(m_t) - alpha ∇_m L(m_t). Since ∇A* = (∇A)⁻¹ maps m to
 * eta, this is eta_{t+1} = eta_t - alpha ∇_m L; and the natural-gradient step on
 * eta is eta_t - alpha F_eta⁻¹ ∇_eta L with ∇_eta L = (dm/deta)ᵀ ∇_m L =
 * ∇²A ∇_m L = F_eta ∇_m L. So the two are the same step, every step.
 * Steps: ∇A*(m) = eta(m) (A*(m) = <eta(m), m> - A(eta(m))), and
 * F_eta g = (dm/deta)ᵀ g for a free g = ∇_m L, per family.
 *
 * Reference: G. Raskutti and S. Mukherjee, "The information geometry of
 * mirror descent", IEEE Trans. Information Theory 61(3), 2015, Thm. 1.
 */
import { REAL } from '../src/core/domain.js';
import { FAMILIES } from '../src/families/catalogue/index.js';
import { diff, substituteVariables, type Expr } from '../src/symbolic/index.js';
import { EXPECTATION_PARAMETERIZATION } from './exponential-family.js';
import { columnOf, mulExpr, transposeExpr } from './expr-matrix.js';
import { instanceLabel, mapBetween } from './pullback.js';
import { lazyProof } from '../src/verify/proof-runner.js';
import type { Proof, ProofStep } from '../src/verify/proof-types.js';

export const mirrorDescentProof: Proof = lazyProof(
  {
    id: 'equivalence/mirror-descent',
    title: 'Mirror descent on expectation parameters = natural gradient on natural parameters',
    statement:
      'For an exponential family with log-partition $A$ and conjugate $A^*(m) = \\sup_\\eta \\langle\\eta, m\\rangle - A(\\eta)$, mirror descent on $m$ with the Bregman divergence $B_{A^*}$, ' +
      '$\\nabla A^*(m_{t+1}) = \\nabla A^*(m_t) - \\alpha\\nabla_m L(m_t)$, and the natural-gradient step on $\\eta$, $\\eta_{t+1} = \\eta_t - \\alpha F_\\eta^{-1}\\nabla_\\eta L$, ' +
      'produce the same iterates ($m_t = \\nabla A(\\eta_t)$ for all $t$). Steps: $\\nabla A^*(m) = \\eta(m)$, and $F_\\eta\\, g = (\\partial m/\\partial\\eta)^\\top g$ for free $g = \\nabla_m L$, so $F_\\eta^{-1}\\nabla_\\eta L = \\nabla_m L$.',
    references: ['G. Raskutti and S. Mukherjee, The information geometry of mirror descent, IEEE Transactions on Information Theory 61(3), 2015, Thm. 1'],
    property: 'equivalence/mirror-descent/step-for-step',
  },
  () => {
    const steps: ProofStep[] = [];
    for (const def of FAMILIES) {
      const expName = EXPECTATION_PARAMETERIZATION[def.name];
      if (!expName) continue;
      const inst = def.instance(def.verifyDimensions?.[0]);
      const natural = inst.parameterizations.find((p) => p.name === 'natural');
      const expectation = inst.parameterizations.find((p) => p.name === expName);
      if (!natural || !expectation || !inst.expFamily) continue;
      const label = instanceLabel(inst);
      const ef = inst.expFamily;
      const rename: Record<string, Expr> = {};
      ef.etaSymbols.forEach((s, k) => {
        rename[s] = natural.symbols[k];
      });
      const A = substituteVariables(ef.logPartition, rename);
      const etaOfM = mapBetween(natural, expectation);
      const conjugate = `${natural.symbols.map((s, k) => `(${etaOfM[s]})*${expectation.symbols[k]}`).join('+')}-(${substituteVariables(A, etaOfM)})`;
      expectation.symbols.forEach((m, k) => {
        steps.push({
          claim: `${label}: $\\partial A^*/\\partial m_${k} = \\eta_${k}(m)$`,
          lhs: diff(conjugate, m),
          rhs: etaOfM[natural.symbols[k]],
          domains: { ...inst.fixed, ...expectation.domains },
        });
      });
      const mOfEta = mapBetween(expectation, natural);
      const dm = expectation.symbols.map((m) => natural.symbols.map((e) => diff(mOfEta[m], e)));
      const g = expectation.symbols.map((_, k) => `g${k}`);
      const lhs = mulExpr(natural.literatureFisher as Expr[][], columnOf(g));
      const rhs = mulExpr(transposeExpr(dm), columnOf(g));
      const domains = { ...inst.fixed, ...natural.domains, ...Object.fromEntries(g.map((s) => [s, REAL])) };
      natural.symbols.forEach((_, k) => {
        steps.push({
          claim: `${label}: $(F_\\eta\\, g)_${k} = ((\\partial m/\\partial\\eta)^\\top g)_${k}$, i.e. $F_\\eta^{-1}\\nabla_\\eta L = \\nabla_m L$`,
          lhs: lhs[k][0],
          rhs: rhs[k][0],
          domains,
        });
      });
    }
    return steps;
  },
);
