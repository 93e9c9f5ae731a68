/**
 * The pullback law of the Fisher information, for every ordered pair of
 * parameterizations of every family in the catalogue: with theta = theta(phi)
 * and J = d theta / d phi,  F_phi(phi) = Jᵀ F_theta(theta(phi)) J.
 * Both Fishers are the catalogue's literature closed forms and the maps are
 * the catalogue's toBase/fromBase expressions, so each step is an independent
 * consistency check of two published formulas and one map.
 *
 * References: Lehmann & Casella, Theory of Point Estimation (1998), Sec. 2.7
 * (information under reparameterization); Amari, Information Geometry and Its
 * Applications (2016), Sec. 1.5 (the Fisher metric is a tensor).
 */
import { FAMILIES } from '../src/families/catalogue/index.js';
import type { FamilyInstance, ParameterizationInstance } from '../src/families/types.js';
import { substituteVariables, symbolTex, type Expr } from '../src/symbolic/index.js';
import { jacobianExpr, simplifySafely, mulExpr, substituteMatrix, transposeExpr } from './expr-matrix.js';
import { lazyProof } from '../src/verify/proof-runner.js';
import type { Proof, ProofStep } from '../src/verify/proof-types.js';

export const PULLBACK_REFERENCES = [
  'E. L. Lehmann and G. Casella, Theory of Point Estimation, 2nd ed., Springer 1998, Sec. 2.7',
  'S. Amari, Information Geometry and Its Applications, Springer 2016, Sec. 1.5',
];

/** The instances the pullback proofs cover: every family at each of its verify dimensions. */
export function pullbackInstances(): FamilyInstance[] {
  return FAMILIES.flatMap((def) => (def.verifyDimensions ?? [undefined]).map((d) => def.instance(d)));
}

export const instanceLabel = (inst: FamilyInstance): string => (inst.dim === undefined ? inst.family : `${inst.family}-${inst.dim}`);

/** theta(phi): the `from` symbols as expressions in the `to` symbols, through the base parameterization. */
export function mapBetween(from: ParameterizationInstance, to: ParameterizationInstance): Record<string, Expr> {
  const out: Record<string, Expr> = {};
  for (const s of from.symbols) out[s] = simplifySafely(substituteVariables(from.fromBase[s], to.toBase as Record<string, Expr>));
  return out;
}

export interface PullbackParts {
  /** theta(phi) */
  map: Record<string, Expr>;
  /** J = d theta / d phi */
  J: Expr[][];
  /** F_theta at theta(phi) */
  fisherFrom: Expr[][];
  /** Jᵀ F_theta J, unsimplified */
  pulledBack: Expr[][];
}

const partsCache = new Map<string, PullbackParts>();

/** The pieces of the pullback for one ordered pair, derived once per process. */
export function pullbackParts(inst: FamilyInstance, from: ParameterizationInstance, to: ParameterizationInstance): PullbackParts {
  const key = `${instanceLabel(inst)}|${from.name}|${to.name}`;
  let parts = partsCache.get(key);
  if (!parts) {
    parts = derivePullbackParts(from, to);
    partsCache.set(key, parts);
  }
  return parts;
}

function derivePullbackParts(from: ParameterizationInstance, to: ParameterizationInstance): PullbackParts {
  const map = mapBetween(from, to);
  const J = jacobianExpr(
    from.symbols.map((s) => map[s]),
    to.symbols,
  );
  const fisherFrom = substituteMatrix(from.literatureFisher as Expr[][], map);
  const pulledBack = mulExpr(transposeExpr(J), mulExpr(fisherFrom, J));
  return { map, J, fisherFrom, pulledBack };
}

function pullbackProof(inst: FamilyInstance, from: ParameterizationInstance, to: ParameterizationInstance): Proof {
  const label = instanceLabel(inst);
  const id = `pullback/${label}/${from.name}->${to.name}`;
  const domains = { ...inst.fixed, ...to.domains };
  const vecTex = (symbols: readonly string[]): string => `(${symbols.map(symbolTex).join(', ')})`;
  return lazyProof(
    {
      id,
      title: `Pullback of the Fisher: ${label}, ${from.name} to ${to.name}`,
      statement:
        `For the ${label} family, let $\\theta = ${vecTex(from.symbols)}$ (${from.name}) and $\\phi = ${vecTex(to.symbols)}$ (${to.name}), ` +
        `$\\theta = \\theta(\\phi)$, $J = \\partial\\theta/\\partial\\phi$. Then $F_\\phi(\\phi) = J^\\top F_\\theta(\\theta(\\phi))\\, J$, ` +
        `with $F_\\theta$ and $F_\\phi$ the closed forms of the literature (${from.literatureSource}; ${to.literatureSource}).`,
      references: PULLBACK_REFERENCES,
      property: 'invariance/natural-gradient/catalogue',
    },
    () => {
      const parts = pullbackParts(inst, from, to);
      const n = to.symbols.length;
      const steps: ProofStep[] = [];
      for (let i = 0; i < n; i++) {
        for (let j = i; j < n; j++) {
          steps.push({
            claim: `$(F_\\phi)_{${i}${j}} = (J^\\top F_\\theta J)_{${i}${j}}$, with $F_\\theta$ at $\\theta(\\phi)$`,
            lhs: to.literatureFisher[i][j],
            rhs: parts.pulledBack[i][j],
            domains,
          });
        }
      }
      return steps;
    },
    () => {
      const parts = pullbackParts(inst, from, to);
      return [
        ...from.symbols.map((s) => ({ lhs: symbolTex(s), rhs: { expr: parts.map[s] } })),
        { lhs: 'J = \\partial\\theta/\\partial\\phi', rhs: { matrix: parts.J } },
        { lhs: 'F_\\theta(\\theta(\\phi))', rhs: { matrix: parts.fisherFrom, symmetric: true } },
      ];
    },
  );
}

/** Every ordered pair of distinct parameterizations of every covered instance. */
export function parameterizationPairs(): { inst: FamilyInstance; from: ParameterizationInstance; to: ParameterizationInstance }[] {
  return pullbackInstances().flatMap((inst) =>
    inst.parameterizations.flatMap((from) => inst.parameterizations.filter((to) => to !== from).map((to) => ({ inst, from, to }))),
  );
}

/** One proof per ordered pair of distinct parameterizations of each family instance (a family with one parameterization has none). */
export function pullbackProofs(): Proof[] {
  return parameterizationPairs().map(({ inst, from, to }) => pullbackProof(inst, from, to));
}
