/**
 * The high-precision reference for the distribution catalogue: the
 * literature's closed forms (each parameterization's `literatureFisher`,
 * `toBase` and `fromBase` expressions, exactly as the proofs and the docs
 * show them) evaluated in decimal.js interval arithmetic, with Jacobians by
 * forward-mode differentiation of the maps; the reparameterized Fisher as the
 * literature Fisher of the `to` parameterization at the mapped point (equal to
 * Jᵀ F_from J, which the pullback proofs show symbolically); and the damped
 * natural-gradient solve with the contract's singular rule through a Jacobi
 * eigendecomposition.
 *
 * The closed forms cancel where the float64 forms are written not to
 * (p - p^2, m2 - m1^2, trigamma(a) - trigamma(a + b)), at times completely, so
 * every quantity is enclosed in an interval (interval.ts) at 50, 100, 200, ...
 * digits until each enclosure pins its value to 30 digits (or is exactly 0):
 * the midpoint is then right to far more digits than float64 has, whatever
 * cancelled on the way.
 */
import { Decimal } from 'decimal.js';
import type { FamilyInstance, ParameterizationInstance } from '../../src/families/types.js';
import type { DecimalClass } from './decimal-special.js';
import { evaluateAll, evaluateDual, evaluateInterval } from './decimal-expr.js';
import { Interval, intervalContext, type IntervalContext } from './interval.js';
import { baseParameterization } from '../../src/families/instance.js';

type Fixed = Readonly<Record<string, number>>;
export type DMatrix = Decimal[][];
export type IMatrix = Interval[][];

/** The exact value of a float64 as a decimal string (its shortest form is not it: 0.1 is 0.1000000000000000055...). */
export function exactDecimalString(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  const mant = biased === 0 ? frac : frac | (1n << 52n);
  const e = (biased === 0 ? 1 : biased) - 1075;
  // mant 2^e = mant 5^-e 10^e for e < 0
  const text = e >= 0 ? (mant << BigInt(e)).toString() : `${(mant * 5n ** BigInt(-e)).toString()}e${e}`;
  return x < 0 ? `-${text}` : text;
}

const classes = new Map<number, DecimalClass>();
/** A decimal class rounding to nearest at the given precision (for point computations). */
export function decimalClass(digits: number): DecimalClass {
  let D = classes.get(digits);
  if (!D) {
    D = Decimal.clone({ precision: digits, rounding: Decimal.ROUND_HALF_EVEN, minE: -9e15, maxE: 9e15 });
    classes.set(digits, D);
  }
  return D;
}

/** The enclosure of a float64's exact value. */
export const exactInterval = (c: IntervalContext, x: number): Interval => Interval.of(c, exactDecimalString(x));

/** The exact value of a float64 as a decimal of class D (rounded to its precision). */
export const exactDecimal = (D: DecimalClass, x: number): Decimal => new D(exactDecimalString(x));

function scopeOf(c: IntervalContext, symbols: readonly string[], values: readonly Interval[], fixed: Fixed): Record<string, Interval> {
  const scope: Record<string, Interval> = {};
  for (const [k, v] of Object.entries(fixed)) scope[k] = exactInterval(c, v);
  symbols.forEach((s, i) => {
    scope[s] = values[i];
  });
  return scope;
}

const baseOf = (inst: FamilyInstance): ParameterizationInstance => baseParameterization(inst);

/** The literature Fisher of `p` at theta. */
export function referenceFisher(c: IntervalContext, p: ParameterizationInstance, theta: readonly Interval[], fixed: Fixed): IMatrix {
  const scope = scopeOf(c, p.symbols, theta, fixed);
  const F = p.literatureFisher;
  const values = evaluateAll(c, F.flat(), scope).map((d) => d.v);
  return F.map((row, i) => row.map((_, j) => values[i * row.length + j]));
}

export interface ReferenceReparameterization {
  params: Interval[];
  jacobian: IMatrix;
  fisher: IMatrix;
}

/**
 * From `p` to `q` at theta: base = p.toBase(theta), phi = q.fromBase(base),
 * J = (d p / d base)(base) (d base / d q)(phi), fisher = F_q(phi).
 */
export function referenceReparameterize(
  c: IntervalContext,
  inst: FamilyInstance,
  p: ParameterizationInstance,
  q: ParameterizationInstance,
  theta: readonly Interval[],
  fixed: Fixed,
): ReferenceReparameterization {
  if (p === q) {
    return {
      params: [...theta],
      jacobian: theta.map((_, i) => theta.map((__, j) => Interval.of(c, i === j ? 1 : 0))),
      fisher: referenceFisher(c, p, theta, fixed),
    };
  }
  const b = baseOf(inst).symbols;
  const thetaScope = scopeOf(c, p.symbols, theta, fixed);
  const baseValues = b.map((s) => evaluateInterval(c, p.toBase[s], thetaScope));
  const baseScope = scopeOf(c, b, baseValues, fixed);
  const phi = q.symbols.map((s) => evaluateInterval(c, q.fromBase[s], baseScope));
  const phiScope = scopeOf(c, q.symbols, phi, fixed);
  // d p_i / d base_k at base, and d base_k / d q_j at phi
  const dpdb = p.symbols.map((s) => evaluateDual(c, p.fromBase[s], baseScope, b).d);
  const dbdq = b.map((s) => evaluateDual(c, q.toBase[s], phiScope, q.symbols).d);
  const J = dpdb.map((row) =>
    q.symbols.map((_, j) => {
      const terms = row.map((v, k) => (v.isExactZero() || dbdq[k][j].isExactZero() ? null : v.mul(dbdq[k][j]))).filter((t): t is Interval => t !== null);
      return terms.length ? terms.reduce((x, y) => x.add(y)) : Interval.of(c, 0);
    }),
  );
  return { params: phi, jacobian: J, fisher: referenceFisher(c, q, phi, fixed) };
}

/** Eigenvalues and eigenvectors (columns) of a symmetric matrix by cyclic Jacobi rotations, converged relative to each pair's diagonal. */
export function jacobiEigen(D: DecimalClass, A0: DMatrix): { values: Decimal[]; vectors: DMatrix } {
  const n = A0.length;
  const A = A0.map((r) => r.slice());
  const V: DMatrix = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => new D(i === j ? 1 : 0)));
  const tol = new D(10).pow(-(D.precision - 5));
  for (let sweep = 0; sweep < 100; sweep++) {
    let rotated = false;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p][q];
        if (apq.isZero()) continue;
        const scale = A[p][p].abs().times(A[q][q].abs()).sqrt();
        if (apq.abs().lte(tol.times(scale))) continue;
        rotated = true;
        const theta = A[q][q].minus(A[p][p]).div(apq.times(2));
        const t = new D(theta.isNeg() ? -1 : 1).div(theta.abs().plus(theta.times(theta).plus(1).sqrt()));
        const c = new D(1).div(t.times(t).plus(1).sqrt());
        const s = t.times(c);
        for (let k = 0; k < n; k++) {
          const akp = A[k][p];
          const akq = A[k][q];
          A[k][p] = c.times(akp).minus(s.times(akq));
          A[k][q] = s.times(akp).plus(c.times(akq));
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p][k];
          const aqk = A[q][k];
          A[p][k] = c.times(apk).minus(s.times(aqk));
          A[q][k] = s.times(apk).plus(c.times(aqk));
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k][p];
          const vkq = V[k][q];
          V[k][p] = c.times(vkp).minus(s.times(vkq));
          V[k][q] = s.times(vkp).plus(c.times(vkq));
        }
      }
    }
    if (!rotated) return { values: A.map((r, i) => r[i]), vectors: V };
  }
  throw new Error('Jacobi eigendecomposition did not converge');
}

export interface ReferenceSolve {
  direction: Decimal[];
  singular: boolean;
  /** |log10(|lambda_i| / cut)| for the eigenvalue nearest the singular cut: near 0 the rule is too close to call */
  margin: number;
  /** largest |lambda| over the smallest kept |lambda|, and over the gap to the dropped ones: the solve's condition number */
  condition: number;
  /**
   * ||g|| (lambda_max / gap) / (smallest kept |lambda|), 0 when nothing is dropped: how far an
   * error of one unit in F's eigenvectors, relative to ||F||, can move the direction by
   * turning part of g's dropped component into the kept subspace (Davis and Kahan 1970)
   */
  leak: number;
}

/** (F + damping I)^-1 g with the contract's rule: eigenvalues of magnitude <= 1e-12 x the largest are dropped. */
export function referenceDampedSolve(D: DecimalClass, F: DMatrix, damping: Decimal, g: readonly Decimal[]): ReferenceSolve {
  const n = F.length;
  const A = F.map((row, i) => row.map((v, j) => (i === j ? v.plus(damping) : v)));
  const { values, vectors } = jacobiEigen(D, A);
  const top = values.reduce((m, v) => Decimal.max(m, v.abs()), new D(0));
  const cut = top.times('1e-12');
  const x = Array.from({ length: n }, () => new D(0));
  let singular = false;
  let margin = Infinity;
  let smallestKept = top;
  let largestDropped = new D(0);
  values.forEach((lam, i) => {
    if (!top.isZero() && !lam.isZero()) margin = Math.min(margin, Math.abs(lam.abs().div(cut).log(10).toNumber()));
    if (lam.abs().lte(cut)) {
      singular = true;
      largestDropped = Decimal.max(largestDropped, lam.abs());
      return;
    }
    smallestKept = Decimal.min(smallestKept, lam.abs());
    const c = vectors.reduce((acc, row, k) => acc.plus(row[i].times(g[k])), new D(0)).div(lam);
    for (let k = 0; k < n; k++) x[k] = x[k].plus(vectors[k][i].times(c));
  });
  const gap = smallestKept.minus(largestDropped);
  const condition = top.isZero() ? 1 : top.div(Decimal.min(smallestKept, gap)).toNumber();
  const gNorm = g.reduce((acc, v) => acc.plus(v.times(v)), new D(0)).sqrt();
  const leak = singular && !gap.isZero() ? gNorm.times(top.div(gap)).div(smallestKept).toNumber() : 0;
  return { direction: x, singular, margin, condition, leak };
}

/** Every interval of a (nested) result. */
function intervals(v: unknown, out: Interval[]): Interval[] {
  if (v instanceof Interval) out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => intervals(x, out));
  else if (typeof v === 'object' && v !== null && !Decimal.isDecimal(v)) Object.values(v).forEach((x) => intervals(x, out));
  return out;
}

const TIGHT = new Decimal('1e-30');

/**
 * Runs `compute` at 50, 100, 200, ... digits until every interval in its
 * result pins its value to 30 digits (or is exactly 0), and returns that
 * result with the precision reached.
 */
export function atSufficientPrecision<T>(compute: (c: IntervalContext) => T, startDigits = 50, maxDigits = 3200): { value: T; digits: number } {
  for (let digits = startDigits; digits <= maxDigits; digits *= 2) {
    const value = compute(intervalContext(digits));
    if (intervals(value, []).every((x) => x.isTight(TIGHT))) return { value, digits };
  }
  throw new Error(`the reference did not settle by ${maxDigits} digits`);
}

/** Midpoints of an interval matrix. */
export const mids = (M: IMatrix): DMatrix => M.map((row) => row.map((x) => x.mid()));
