/**
 * The numeric evaluation of the catalogue: Fisher matrices, parameter maps,
 * Jacobians and damped natural-gradient solves at a point, from each
 * parameterization's accurate forms (NumericForms in types.ts). Results stay
 * wide (m 2^e) until they are reported; rounding them to float64 is the one
 * place where an overflow becomes an error naming the result field.
 */
import { resultNotANumber, resultOverflow } from '../core/finite-result.js';
import { ldexp, Wide, WideMatrix, wideMatmul } from '../core/wide.js';
import { Matrix } from '../linalg/matrix.js';
import { dampedSolve, type SymmetricSolveResult } from '../linalg/solve.js';
import type { FamilyInstance, ParameterizationInstance } from './types.js';
import { baseParameterization } from './instance.js';

type Fixed = Readonly<Record<string, number>>;

const baseOf = (inst: FamilyInstance): ParameterizationInstance => baseParameterization(inst);

/** The Fisher matrix at theta, wide. */
export function fisherWide(p: ParameterizationInstance, theta: Float64Array, fixed: Fixed): WideMatrix {
  return p.numeric.fisher(p.numeric.point(theta, fixed), fixed);
}

/** The Fisher matrix of a family at a point given as numbers (no validation); entries that overflow are ±Infinity. */
export function familyFisherMatrix(_inst: FamilyInstance, p: ParameterizationInstance, theta: Float64Array, fixed: Fixed): Matrix {
  const F = fisherWide(p, theta, fixed);
  return new Matrix(F.rows, F.cols, F.toFloat64());
}

const toFloats = (ws: readonly Wide[]): Float64Array => Float64Array.from(ws, (w) => w.toNumber());

export function toBase(inst: FamilyInstance, p: ParameterizationInstance, theta: Float64Array, fixed: Fixed): Float64Array {
  return toFloats(baseOf(inst).numeric.coordinates(p.numeric.point(theta, fixed), fixed));
}

export function fromBase(inst: FamilyInstance, p: ParameterizationInstance, base: Float64Array, fixed: Fixed): Float64Array {
  return toFloats(p.numeric.coordinates(baseOf(inst).numeric.point(base, fixed), fixed));
}

/** d base / d theta at theta. */
export function jacobianToBase(_inst: FamilyInstance, p: ParameterizationInstance, theta: Float64Array, fixed: Fixed): Matrix {
  const J = p.numeric.jacobianToBase(p.numeric.point(theta, fixed), fixed);
  return new Matrix(J.rows, J.cols, J.toFloat64());
}

/** d theta / d base at base. */
export function jacobianFromBase(inst: FamilyInstance, p: ParameterizationInstance, base: Float64Array, fixed: Fixed): Matrix {
  const J = p.numeric.jacobianFromBase(baseOf(inst).numeric.point(base, fixed), fixed);
  return new Matrix(J.rows, J.cols, J.toFloat64());
}

/** A wide number rounded for a result, or the error naming the field (with the value's size) when it overflows. */
function roundEntry(w: Wide, path: string, field: string): number {
  const x = w.toNumber();
  if (Number.isFinite(x)) return x;
  throw Number.isNaN(x) ? resultNotANumber(path, field) : resultOverflow(path, field, w.isFinite() ? w.toString() : undefined);
}

/** A wide matrix rounded for the result field `field` (`matrix`, `jacobian`). */
export function roundMatrix(M: WideMatrix, path: string, field: string): Matrix {
  const out = new Matrix(M.rows, M.cols, M.toFloat64());
  for (let k = 0; k < out.data.length; k++) {
    if (!Number.isFinite(out.data[k])) roundEntry(M.get(Math.floor(k / M.cols), k % M.cols), path, `${field}[${Math.floor(k / M.cols)}][${k % M.cols}]`);
  }
  return out;
}

/** Wide coordinates rounded for a result, each named by `field(i)`. */
export function roundVector(ws: readonly Wide[], path: string, field: (i: number) => string): Float64Array {
  return Float64Array.from(ws, (w, i) => roundEntry(w, path, field(i)));
}

export interface Reparameterized {
  /** the `to` coordinates, wide */
  params: Wide[];
  /** d from / d to */
  jacobian: WideMatrix;
  /** the Fisher in `to` */
  fisher: WideMatrix;
}

/**
 * From `p` to `q` at theta: the point is built once from the exact input and
 * both parameterizations read it, so the `to` coordinates, the Jacobian
 * (d from/d base)(d base/d to) and the Fisher in `to` (its own closed form,
 * equal to Jᵀ F_from J) are each formed without re-deriving one from the
 * rounded other.
 */
export function reparameterizeWide(p: ParameterizationInstance, q: ParameterizationInstance, theta: Float64Array, fixed: Fixed): Reparameterized {
  const point = p.numeric.point(theta, fixed);
  if (p === q) {
    return { params: Array.from(theta, (v) => Wide.of(v)), jacobian: WideMatrix.identityOf(theta.length), fisher: p.numeric.fisher(point, fixed) };
  }
  return {
    params: q.numeric.coordinates(point, fixed),
    jacobian: wideMatmul(p.numeric.jacobianFromBase(point, fixed), q.numeric.jacobianToBase(point, fixed)),
    fisher: q.numeric.fisher(point, fixed),
  };
}

/**
 * (F + lambda I)^-1 g for a wide F, with the oracle's singular rule: F and
 * lambda are scaled together by one power of two so that the larger of them
 * is near 1 (the eigenvalue ratios that decide "singular" do not change),
 * solved in float64, and the direction scaled back, so a Fisher below the
 * float range (a Bernoulli at eta = 800 has F = 3.7e-348) still gives the
 * direction g/F when that is representable. Each direction entry that
 * overflows is an error naming `direction[i]`.
 */
export function scaledDampedSolve(F: WideMatrix, damping: number, gradient: ArrayLike<number>, path: string): SymmetricSolveResult {
  const { data, exponent } = F.scaled();
  const k = damping > 0 ? Math.max(exponent, Wide.of(damping).e) : exponent;
  if (k !== exponent) for (let i = 0; i < data.length; i++) data[i] = ldexp(data[i], exponent - k);
  // the gradient too, so that neither it nor the solution overflows before the final scaling
  let j = -Infinity;
  for (let i = 0; i < gradient.length; i++) if (gradient[i] !== 0) j = Math.max(j, Wide.of(gradient[i]).e);
  if (j === -Infinity) j = 0;
  const g = Float64Array.from(gradient, (v) => ldexp(v, -j));
  const { x, singular } = dampedSolve(new Matrix(F.rows, F.cols, data), ldexp(damping, -k), g);
  const direction = Float64Array.from(x, (v, i) => roundEntry(Wide.make(v, j - k), path, `direction[${i}]`));
  return { x: direction, singular };
}
