/**
 * Random valid points of each family, valid by construction (never by
 * filtering): a point of the unit cube mapped by the family's own map onto
 * its base points (unit-points.ts), then into the parameterization under
 * test. Shrinking moves the cube coordinates, so a counterexample stays valid.
 */
import fc from 'fast-check';
import { fromBase } from '../../src/families/json-points.js';
import type { FamilyDefinition, FamilyInstance, ParameterizationInstance } from '../../src/families/types.js';
import { parameterizationOf } from '../../src/families/instance.js';
import { unitCube } from '../../src/families/unit-points.js';

export interface FamilyPoint {
  inst: FamilyInstance;
  p: ParameterizationInstance;
  base: Float64Array;
  theta: Float64Array;
  fixed: Record<string, number>;
}

/** the largest double below 1 */
const BELOW_ONE = 1 - 2 ** -53;

/**
 * n coordinates of the unit cube [0, 1)^n, drawn as offsets from its centre:
 * fast-check starts from and shrinks towards 0, which is then the middle of
 * each domain rather than a corner of the cube.
 */
export const unitCoordinates = (n: number): fc.Arbitrary<number[]> =>
  fc.array(
    fc.double({ min: -0.5, max: 0.5, maxExcluded: true, noNaN: true }).map((v) => Math.min(v + 0.5, BELOW_ONE)),
    { minLength: n, maxLength: n },
  );

export function familyPoint(def: FamilyDefinition, parameterization: string, dim?: number): fc.Arbitrary<FamilyPoint> {
  const inst = def.instance(dim);
  const p = parameterizationOf(inst, parameterization);
  const cube = unitCube(def, dim);
  return unitCoordinates(cube.units).map((u) => {
    const { base, fixed } = cube.point(u);
    return describedPoint({ inst, p, base, fixed, theta: fromBase(inst, p, base, fixed) });
  });
}

/**
 * A point as a counterexample prints it: the family, the parameterization and the numbers, not the
 * instance's closures and symbolic forms (whose full stringification took a quarter of a second
 * of a Monte Carlo check's sensitivity run, to be cut at 2000 characters).
 */
function describedPoint(pt: FamilyPoint): FamilyPoint {
  return Object.assign(pt, {
    [fc.toStringMethod]: () =>
      `${pt.inst.family}${pt.inst.dim === undefined ? '' : ` d=${pt.inst.dim}`} (${pt.p.name}) at ${fc.stringify({ theta: [...pt.theta], base: [...pt.base], fixed: pt.fixed })}`,
  });
}

/**
 * The points of a family at corners of its unit cube (each coordinate 0 or just below 1: the edges of every
 * domain the arbitraries reach, which fast-check draws often): all 2^n corners up to `limit` coordinates,
 * above it the two extreme corners and the two alternating ones.
 */
export function familyCorners(def: FamilyDefinition, parameterization: string, dim?: number, limit = 3): FamilyPoint[] {
  const inst = def.instance(dim);
  const p = parameterizationOf(inst, parameterization);
  const cube = unitCube(def, dim);
  const n = cube.units;
  const patterns: boolean[][] =
    n <= limit
      ? Array.from({ length: 2 ** n }, (_, k) => Array.from({ length: n }, (_, i) => ((k >> i) & 1) === 1))
      : [0, 1, 2, 3].map((k) => Array.from({ length: n }, (_, i) => (k < 2 ? k === 1 : (i + k) % 2 === 0)));
  return patterns.map((high) => {
    const { base, fixed } = cube.point(high.map((h) => (h ? BELOW_ONE : 0)));
    return { inst, p, base, fixed, theta: fromBase(inst, p, base, fixed) };
  });
}
