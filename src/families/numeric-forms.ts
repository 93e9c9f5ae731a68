/**
 * Small pieces shared by the families' accurate numeric forms (see
 * NumericForms in types.ts): building wide matrices, the forms of a base
 * parameterization, of a natural one and of a family with one
 * parameterization, and the logistic function split into both tails.
 */
import { Wide, WideMatrix } from '../core/wide.js';
import { trigamma } from '../symbolic/special.js';
import type { NumericForms } from './types.js';

export const W = (x: number): Wide => Wide.of(x);

/** A wide matrix from rows of wide numbers (small matrices). */
export const wideRows = (rows: readonly (readonly Wide[])[]): WideMatrix => WideMatrix.from(rows);

/** diag(d) */
export function wideDiagonal(d: readonly Wide[]): WideMatrix {
  return WideMatrix.from(d.map((v, i) => d.map((_, j) => (i === j ? v : Wide.ZERO))));
}

/** The numeric forms of a base parameterization: its Jacobians to and from itself are the identity, which `parameterization` supplies. */
export type BaseForms<P = unknown> = Omit<NumericForms<P>, 'jacobianToBase' | 'jacobianFromBase'>;

/**
 * The forms of the natural parameterization of a family whose base is its
 * mean parameterization (the expectations of the statistics): d mean / d eta
 * is the covariance of the statistics, which is the Fisher in eta, and
 * d eta / d mean is its inverse, the Fisher in the mean.
 */
export function naturalOfMean<P>(mean: Pick<NumericForms<P>, 'fisher'>, natural: BaseForms<P>): NumericForms<P> {
  return { ...natural, jacobianToBase: natural.fisher, jacobianFromBase: mean.fisher };
}

/**
 * The forms of a family with a single parameterization: the point is the
 * coordinates themselves, the maps are the identity, and only the Fisher is
 * the family's own.
 */
export function singleParameterization(fisher: (theta: Float64Array, fixed: Readonly<Record<string, number>>) => WideMatrix): NumericForms<Float64Array> {
  return {
    point: (theta) => theta.slice(),
    coordinates: (theta) => Array.from(theta, (v) => Wide.of(v)),
    fisher,
    jacobianToBase: (theta) => WideMatrix.identityOf(theta.length),
    jacobianFromBase: (theta) => WideMatrix.identityOf(theta.length),
  };
}

/**
 * sigma(eta) = 1/(1 + e^-eta) and its complement 1 - sigma(eta) = sigma(-eta),
 * each from t = e^-|eta| <= 1: the larger is 1/(1 + t), the smaller t/(1 + t).
 * Neither is formed as 1 minus the other, so the small tail keeps its relative
 * accuracy (1 - sigma(40) = 4.2e-18, not 0) and e^eta never overflows.
 */
export function logisticPair(eta: number): { p: Wide; q: Wide } {
  const t = Wide.exp(-Math.abs(eta));
  const onePlusT = Wide.of(1 + t.toNumber());
  const large = Wide.ONE.div(onePlusT);
  const small = t.div(onePlusT);
  return eta >= 0 ? { p: large, q: small } : { p: small, q: large };
}

/**
 * log(p / (1 - p)) from p alone: near p = 1/2 (where the result is near 0) as
 * log1p((2p - 1)/(1 - p)), whose numerator is exact, so the result keeps its
 * relative accuracy; elsewhere |logit| > log 3 and the quotient's rounding
 * costs no more than an ulp.
 */
export function logit(p: number): number {
  if (p >= 0.25 && p <= 0.75) return Math.log1p((2 * p - 1) / (1 - p));
  return Wide.of(p)
    .div(Wide.of(1 - p))
    .log();
}

/**
 * trigamma(x) as a wide number: below 1e-8 as 1/x^2 + trigamma(1 + x)
 * (the recurrence), so that its size is known where it overflows float64.
 */
export function trigammaWide(x: number): Wide {
  if (x > 0 && x < 1e-8)
    return Wide.of(x)
      .square()
      .inv()
      .add(Wide.of(trigamma(1 + x)));
  return Wide.of(trigamma(x));
}
