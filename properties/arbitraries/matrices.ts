/**
 * The data of a property's problem instance as fast-check arbitraries:
 * entries on a grid of 1/1000 (no subnormals; each shrinks toward 0 or the
 * bound nearest it), vectors and matrices of given sizes, and instances whose
 * data are sized by drawn shapes. A failing property then shrinks its sizes
 * first and its values next, to a small counterexample with simple numbers.
 * Randomness that belongs to an estimator (Monte Carlo draws, labels sampled
 * from the model) stays a seed, drawn as part of the instance and printed
 * with it.
 */
import fc from 'fast-check';
import { real } from '../run-property.js';

/**
 * An entry of a data matrix or parameter vector, in [lo, hi] (default
 * [-2, 2]), uniform on the grid: without fast-check's bias toward small
 * values and the bounds, which draws many equal entries, the degenerate
 * instances (equal positions, equal scales, a weight of exactly 0) that a
 * generic draw never gives and that a claim's conditions exclude.
 */
export const entry = (lo = -2, hi = 2): fc.Arbitrary<number> => fc.noBias(real(lo, hi));

/** n entries in [lo, hi]. */
export const vector = (n: number, lo = -2, hi = 2): fc.Arbitrary<number[]> => fc.array(entry(lo, hi), { minLength: n, maxLength: n });

/** A rows x cols matrix (rows of entries) in [lo, hi]. */
export const matrix = (rows: number, cols: number, lo = -2, hi = 2): fc.Arbitrary<number[][]> =>
  fc.array(vector(cols, lo, hi), { minLength: rows, maxLength: rows });

/** An entry whose magnitude is in [lo, hi] (0 < lo), of either sign: shrinks toward +lo. */
export const signedMagnitude = (lo: number, hi: number): fc.Arbitrary<number> =>
  fc.tuple(entry(lo, hi), fc.boolean()).map(([m, negative]) => (negative ? -m : m));

/** Whether some of the `rows` rows (of `cols` entries, row-major from `offset`) differs from the first. */
export function rowsDiffer(x: readonly number[], rows: number, cols: number, offset = 0): boolean {
  for (let r = 1; r < rows; r++) for (let c = 0; c < cols; c++) if (x[offset + r * cols + c] !== x[offset + c]) return true;
  return false;
}

/** The seed of an estimator's own randomness (Monte Carlo draws, sampled labels). */
export const randomnessSeed: fc.Arbitrary<number> = fc.integer({ min: 0, max: 2 ** 31 - 1 });

/**
 * An instance whose data depend on its drawn shape: `data(shape)` sized by
 * it, the two merged into one record. The shape shrinks first (the data
 * drawn again at the smaller size), then the data.
 */
export function sized<S extends object, D extends object>(shape: fc.Arbitrary<S>, data: (s: S) => fc.Arbitrary<D>): fc.Arbitrary<S & D> {
  return shape.chain((s) => data(s).map((d) => ({ ...s, ...d })));
}
