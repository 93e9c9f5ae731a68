/**
 * Invariance of the natural gradient under reparameterization: with
 * theta = theta(phi), J = d theta / d phi and any loss L,
 *   J F_phi⁻¹ ∇_phi L = F_theta⁻¹ ∇_theta L,
 * because ∇_phi L = Jᵀ ∇_theta L (chain rule) and F_phi = Jᵀ F_theta J (pullback).
 * Checked for every ordered pair of parameterizations in the catalogue with
 * the gradient g = ∇_theta L left free (symbols g0, g1), and with both Fishers
 * the literature's closed forms (so the pullback is not assumed).
 *
 * References: Amari, "Natural gradient works efficiently in learning", Neural
 * Computation 10 (1998), Sec. 3; Martens, "New insights and perspectives on
 * the natural gradient method", JMLR 21 (2020), Sec. 12.
 */
import { REAL } from '../src/core/domain.js';
import type { Expr } from '../src/symbolic/index.js';
import { columnOf, inverseExpr, mulExpr, substituteMatrix, transposeExpr } from './expr-matrix.js';
import { instanceLabel, parameterizationPairs, pullbackParts } from './pullback.js';
import { lazyProof } from '../src/verify/proof-runner.js';
import type { Proof, ProofStep } from '../src/verify/proof-types.js';

export const NG_INVARIANCE_REFERENCES = [
  'S. Amari, Natural gradient works efficiently in learning, Neural Computation 10(2), 1998, Sec. 3',
  'J. Martens, New insights and perspectives on the natural gradient method, JMLR 21(146), 2020, Sec. 12',
];

export const naturalGradientInvariance: Proof = lazyProof(
  {
    id: 'invariance/natural-gradient',
    title: 'Invariance of the natural gradient under reparameterization',
    statement:
      'Let $\\theta = \\theta(\\phi)$ be a smooth bijection with Jacobian $J = \\partial\\theta/\\partial\\phi$ and $L$ a loss. ' +
      'Then the natural-gradient direction computed in $\\phi$ and mapped to $\\theta$ equals the one computed in $\\theta$: ' +
      '$J F_\\phi^{-1} \\nabla_\\phi L = F_\\theta^{-1} \\nabla_\\theta L$. ' +
      'Since $\\nabla_\\phi L = J^\\top \\nabla_\\theta L$, each step below checks, with $g = \\nabla_\\theta L$ free, ' +
      '$(J F_\\phi^{-1} J^\\top g)_k = (F_\\theta^{-1} g)_k$ for one ordered pair of parameterizations of the catalogue, ' +
      'both Fishers being the literature closed forms.',
    references: NG_INVARIANCE_REFERENCES,
    property: 'invariance/natural-gradient/catalogue',
  },
  () => {
    const steps: ProofStep[] = [];
    for (const { inst, from, to } of parameterizationPairs()) {
      const n = from.symbols.length;
      if (n > 2) continue;
      const parts = pullbackParts(inst, from, to);
      const g = Array.from({ length: n }, (_, k) => `g${k}`);
      const gCol = columnOf(g);
      const lhs = mulExpr(parts.J, mulExpr(inverseExpr(to.literatureFisher as Expr[][]), mulExpr(transposeExpr(parts.J), gCol)));
      const rhs = mulExpr(inverseExpr(substituteMatrix(from.literatureFisher as Expr[][], parts.map)), gCol);
      const domains = { ...inst.fixed, ...to.domains, ...Object.fromEntries(g.map((s) => [s, REAL])) };
      for (let k = 0; k < n; k++) {
        steps.push({
          claim: `${instanceLabel(inst)}, $\\theta$ = ${from.name}, $\\phi$ = ${to.name}: component ${k} of $J F_\\phi^{-1} J^\\top g = F_\\theta^{-1} g$`,
          lhs: lhs[k][0],
          rhs: rhs[k][0],
          domains,
        });
      }
    }
    return steps;
  },
);
