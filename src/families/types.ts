/**
 * What a distribution family is made of. A family is defined once, as
 * expressions (for the symbolic routes and the docs) plus a fast numeric
 * log-density and sampler (for the numeric estimators); a test holds the two
 * log-densities equal.
 */
import type { Domain } from '../core/domain.js';
import type { Rng } from '../core/rng.js';
import type { Wide, WideMatrix } from '../core/wide.js';
import type { Expr } from '../symbolic/index.js';
import type { JsonParamValue } from './results.js';

/** How a parameter appears in JSON: a number, an array, or a symmetric matrix (upper triangle, row by row). */
export interface ParamLayoutEntry {
  readonly name: string;
  readonly shape: 'scalar' | 'vector' | 'symmetric-matrix';
}

export type Sample = number | Float64Array;

export type Support =
  | { readonly kind: 'real' }
  | { readonly kind: 'positive' }
  | { readonly kind: 'unit' }
  /** 0, 1, 2, ... up to `max` (inclusive) when finite */
  | { readonly kind: 'count'; readonly max?: (fixed: Readonly<Record<string, number>>) => number }
  /** one-hot vectors of length dim - 1 (the last class is the reference) */
  | { readonly kind: 'categories'; readonly classes: number }
  | { readonly kind: 'simplex'; readonly dim: number }
  | { readonly kind: 'real-vector'; readonly dim: number };

export interface ParameterizationInstance {
  readonly name: string;
  /** symbol names in contract order (vector parameters expanded) */
  readonly symbols: readonly string[];
  /** the contract's display names, in the same order: `mu`, `p[0]`, `Sigma[0][1]` */
  readonly paramNames: readonly string[];
  readonly domains: Readonly<Record<string, Domain>>;
  /** the base parameterization's symbols as expressions in this one's */
  readonly toBase: Readonly<Record<string, Expr>>;
  /** this parameterization's symbols as expressions in the base symbols */
  readonly fromBase: Readonly<Record<string, Expr>>;
  /** the closed form from the literature, entries in this parameterization's symbols */
  readonly literatureFisher: readonly (readonly Expr[])[];
  readonly literatureSource: string;
  /**
   * log p written directly in this parameterization, when substituting into
   * the base form gives an expression the backend handles badly; the
   * derivation proves the two equal as a step of its own.
   */
  readonly logDensity?: Expr;
  /** true when the symbols are the exponential family's natural parameters, in order */
  readonly naturalCoordinates?: boolean;
  /** constraints that involve several parameters (sum of probabilities, positive definiteness): the reason, or null */
  readonly jointViolation?: (theta: Float64Array) => { param: string; reason: string } | null;
  /**
   * the float64 forms of the Fisher and the maps, accurate across the whole domain
   * @internal
   */
  readonly numeric: NumericForms;
}

/**
 * A parameterization's numbers, accurate to float64 across the whole domain,
 * up to its edges. The symbolic entries above are the literature's forms and
 * the proofs' subject; evaluated as written they cancel (p - p^2 at p near 1),
 * overflow midway (1/sigma^3 on the way to sigma^2) or lose the small tail
 * (e^eta/(1+e^eta)^2 at eta = 400). These forms compute the same quantities
 * stably, in wide numbers (m 2^e) so that no intermediate leaves the range.
 *
 * All parameterizations of a family share one point type: `point` builds it
 * from this parameterization's coordinates (taken as exact), keeping every
 * quantity another parameterization needs at full accuracy (a Bernoulli
 * point holds p, 1 - p and eta, each formed without cancellation), and the
 * other members read it. Methods, so that a family's own point type checks.
 */
export interface NumericForms<P = unknown> {
  point(theta: Float64Array, fixed: Readonly<Record<string, number>>): P;
  /** this parameterization's coordinates at the point */
  coordinates(point: P, fixed: Readonly<Record<string, number>>): Wide[];
  /** the Fisher matrix in this parameterization */
  fisher(point: P, fixed: Readonly<Record<string, number>>): WideMatrix;
  /** d base / d theta */
  jacobianToBase(point: P, fixed: Readonly<Record<string, number>>): WideMatrix;
  /** d theta / d base */
  jacobianFromBase(point: P, fixed: Readonly<Record<string, number>>): WideMatrix;
}

export interface ExponentialFamilyStructure {
  /** sufficient statistics T_k(x) */
  readonly statistics: readonly Expr[];
  /** natural parameters eta_k as expressions in the base symbols (and fixed symbols) */
  readonly natural: readonly Expr[];
  /** the symbols the log-partition is written in, one per statistic */
  readonly etaSymbols: readonly string[];
  /** A(eta) */
  readonly logPartition: Expr;
  /** the valid set of the natural parameters, for identity tests in eta */
  readonly etaDomains: Readonly<Record<string, Domain>>;
}

export interface FamilyInstance {
  readonly family: string;
  /** K for categorical and dirichlet, d for the multivariate normal; undefined for scalar families */
  readonly dim?: number;
  readonly dataVars: readonly string[];
  /** log p(x) in the data variables, the base symbols and the fixed symbols */
  readonly logDensity: Expr;
  readonly support: Support;
  readonly base: string;
  readonly fixed: Readonly<Record<string, Domain>>;
  readonly parameterizations: readonly ParameterizationInstance[];
  readonly expFamily?: ExponentialFamilyStructure;
  /** why there is no exponential-family route, when there is none */
  readonly notExponentialFamily?: string;
  /** where log p is not twice differentiable in a parameter, so -E[Hessian] is not the Fisher */
  readonly hessianRouteFails?: string;
  /** kinks of the density in x (quadrature splits there) */
  readonly breakpoints?: (base: Float64Array) => number[];
  logpdf(x: Sample, base: Float64Array, fixed: Readonly<Record<string, number>>): number;
  /**
   * ∂ log p(x) / ∂ base_k into out[k], written by hand where differentiating
   * `logDensity` would give a giant expression (the multivariate normal's,
   * which spells Sigma⁻¹ out entry by entry); otherwise the analytic score is
   * generated from `logDensity` (analytic-score.ts). Either is tested against
   * finite differences of `logpdf`.
   */
  score?(x: Sample, base: Float64Array, fixed: Readonly<Record<string, number>>, out: Float64Array): void;
  /**
   * log p on (0, 1) from the exact distances to both ends, for densities that
   * blow up at 1 (beta with b < 1): 1 - x cannot be formed from x near 1.
   */
  logpdfUnit?(fromLeft: number, toRight: number, base: Float64Array, fixed: Readonly<Record<string, number>>): number;
  sample(rng: Rng, base: Float64Array, fixed: Readonly<Record<string, number>>): Sample;
}

export interface FamilyDefinition {
  readonly name: string;
  /** parameterizations in contract order, with their JSON layout */
  readonly layouts: Readonly<Record<string, readonly ParamLayoutEntry[]>>;
  /** fixed values (in the spec's `fixed` object) and their domains */
  readonly fixed: Readonly<Record<string, Domain>>;
  /** the dimension implied by a JSON params object of a parameterization (vector families only) */
  readonly dimensionFromParams?: (parameterization: string, params: Record<string, unknown>) => number;
  /** dimensions used by `verify` and the docs */
  readonly verifyDimensions?: readonly number[];
  /** the letter the dimension goes by in labels (`K` classes or components, `d` coordinates); vector families only */
  readonly dimensionSymbol?: 'K' | 'd';
  /** valid points, each in the JSON layout of the first parameterization: the test vectors are computed at these */
  readonly examples: readonly ExamplePoint[];
  /**
   * Valid base points from points of the unit cube, for families whose base
   * coordinates constrain each other (a simplex, a positive definite
   * matrix). Without it each base coordinate is mapped into its own domain
   * by `valueFromUnit`. See unit-points.ts.
   */
  readonly baseFromUnit?: BaseFromUnit;
  /** a base parameter's or fixed value's map from [0, 1), where its domain's general range (`valueFromUnit`) does not suit the numeric checks */
  readonly valuesFromUnit?: Readonly<Record<string, (u: number) => number>>;
  /** the family at a dimension (ignored by scalar families) */
  instance(dim?: number): FamilyInstance;
}

/** A valid point of a family in the JSON layout of its first parameterization, with its fixed values. */
export interface ExamplePoint {
  readonly params: Readonly<Record<string, JsonParamValue>>;
  readonly fixed?: Readonly<Record<string, number>>;
}

/**
 * A map from the unit cube onto valid base points: every u in [0, 1)^units
 * gives a point inside the family's constraints, and the centre (every
 * coordinate 1/2) a well-conditioned default point.
 */
export interface BaseFromUnit {
  /** how many coordinates a base point of dimension `dim` takes */
  units(dim: number): number;
  map(u: readonly number[], dim: number): Float64Array;
}
