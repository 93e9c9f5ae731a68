/**
 * Exponential families log p = <eta, T(x)> - A(eta) + log h(x): in the natural
 * parameters the Fisher is ∇²A(eta), which is also the Hessian of the negative
 * log-likelihood (data-free); in the expectation parameters m = ∇A(eta) the
 * Fisher is (∇²A)⁻¹ evaluated at eta(m). One proof per family of the
 * catalogue that has both a natural and an expectation parameterization.
 *
 * References: Amari, Information Geometry and Its Applications (2016), Sec. 2.2;
 * Brown, Fundamentals of Statistical Exponential Families (1986), Ch. 2.
 */
import { FAMILIES } from '../src/families/catalogue/index.js';
import type { FamilyInstance, ParameterizationInstance } from '../src/families/types.js';
import { diff, substituteVariables, toLatex, type Expr } from '../src/symbolic/index.js';
import { inverseExpr, substituteMatrix } from './expr-matrix.js';
import { instanceLabel, mapBetween } from './pullback.js';
import { lazyProof } from '../src/verify/proof-runner.js';
import type { Proof, ProofStep } from '../src/verify/proof-types.js';

/** The parameterization whose symbols are E[T], per family (checked in the proof: its map must equal ∇A). */
export const EXPECTATION_PARAMETERIZATION: Readonly<Record<string, string>> = {
  normal: 'expectation',
  bernoulli: 'mean',
  poisson: 'rate',
  categorical: 'mean',
};

const hessianOf = (f: Expr, vars: readonly string[]): Expr[][] => {
  const g = vars.map((v) => diff(f, v));
  return vars.map((_, i) => vars.map((v) => diff(g[i], v)));
};

function proofFor(inst: FamilyInstance, natural: ParameterizationInstance, expectation: ParameterizationInstance): Proof {
  const ef = inst.expFamily!;
  const label = instanceLabel(inst);
  return lazyProof(
    {
      id: `equivalence/exponential-family/${label}`,
      title: `Exponential family (${label}): F = ∇²A in natural and (∇²A)⁻¹ in expectation parameters`,
      statement:
        `For the ${label} family, $\\log p = \\langle\\eta, T(x)\\rangle - A(\\eta) + \\log h(x)$ with $T = (${ef.statistics.map(toLatex).join(', ')})$ and ` +
        `$A = ${toLatex(ef.logPartition)}$. In the natural parameters $F(\\eta) = \\nabla^2 A(\\eta) = \\nabla^2_\\eta(-\\log p)$ for every $x$; ` +
        `in the expectation parameters $m = \\nabla A(\\eta)$ (here: ${expectation.name}), $F(m) = (\\nabla^2 A(\\eta(m)))^{-1}$.`,
      references: [
        'S. Amari, Information Geometry and Its Applications, Springer 2016, Sec. 2.2',
        'L. D. Brown, Fundamentals of Statistical Exponential Families, IMS 1986, Ch. 2',
      ],
      property: 'equivalence/exponential-family/hessian-of-A',
    },
    () => {
      const rename: Record<string, Expr> = {};
      ef.etaSymbols.forEach((s, k) => {
        rename[s] = natural.symbols[k];
      });
      const A = substituteVariables(ef.logPartition, rename);
      const HA = hessianOf(A, natural.symbols);
      const nllNatural = `-(${substituteVariables(inst.logDensity, natural.toBase as Record<string, Expr>)})`;
      const Hnll = hessianOf(nllNatural, natural.symbols);
      const dataDomains = Object.fromEntries(inst.dataVars.map((v) => [v, { kind: 'interval', lo: 0, hi: 1 } as const]));
      const natDomains = { ...inst.fixed, ...natural.domains };
      const etaOfM = mapBetween(natural, expectation);
      const HAatM = substituteMatrix(HA, etaOfM);
      const invHA = inverseExpr(HAatM);
      const gradA = natural.symbols.map((s) => diff(A, s));
      const mOfEta = mapBetween(expectation, natural);
      const n = natural.symbols.length;
      const steps: ProofStep[] = [];
      natural.symbols.forEach((_s, k) => {
        steps.push({
          claim: `$E[T_${k}] = \\partial A/\\partial\\eta_${k}$ is the expectation parameter ${expectation.paramNames[k]}`,
          lhs: gradA[k],
          rhs: mOfEta[expectation.symbols[k]],
          domains: natDomains,
        });
      });
      for (let i = 0; i < n; i++) {
        for (let j = i; j < n; j++) {
          steps.push({
            claim: `natural parameters: $F_{${i}${j}} = \\partial^2 A/\\partial\\eta_${i}\\partial\\eta_${j}$`,
            lhs: natural.literatureFisher[i][j],
            rhs: HA[i][j],
            domains: natDomains,
          });
          steps.push({
            claim: `natural parameters: $\\partial^2(-\\log p)/\\partial\\eta_${i}\\partial\\eta_${j} = \\partial^2 A/\\partial\\eta_${i}\\partial\\eta_${j}$ for every $x$`,
            lhs: Hnll[i][j],
            rhs: HA[i][j],
            domains: { ...natDomains, ...dataDomains },
          });
          steps.push({
            claim: `expectation parameters: $F_{${i}${j}} = ((\\nabla^2 A)^{-1})_{${i}${j}}$ at $\\eta(m)$`,
            lhs: expectation.literatureFisher[i][j],
            rhs: invHA[i][j],
            domains: { ...inst.fixed, ...expectation.domains },
          });
        }
      }
      return steps;
    },
  );
}

/** One proof per family instance with natural and expectation parameterizations (inverses of at most 2x2). */
export function exponentialFamilyProofs(): Proof[] {
  const out: Proof[] = [];
  for (const def of FAMILIES) {
    const expName = EXPECTATION_PARAMETERIZATION[def.name];
    if (!expName) continue;
    for (const d of def.verifyDimensions ?? [undefined]) {
      const inst = def.instance(d);
      const natural = inst.parameterizations.find((p) => p.name === 'natural');
      const expectation = inst.parameterizations.find((p) => p.name === expName);
      if (!natural || !expectation || !inst.expFamily || natural.symbols.length > 2) continue;
      out.push(proofFor(inst, natural, expectation));
    }
  }
  return out;
}
