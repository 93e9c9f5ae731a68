/**
 * Random valid points of each family, valid by construction (never by
 * filtering): a point of the unit cube mapped by the family's own map onto
 * its base points (unit-points.ts), then into the parameterization under
 * test. Shrinking moves the cube coordinates, so a counterexample stays valid.
 */
import fc from 'fast-check';
import { fromBase } from '../../src/families/catalogue.js';
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

/** n coordinates of the unit cube [0, 1)^n. */
export const unitCoordinates = (n: number): fc.Arbitrary<number[]> =>
  fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: n, maxLength: n });

export function familyPoint(def: FamilyDefinition, parameterization: string, dim?: number): fc.Arbitrary<FamilyPoint> {
  const inst = def.instance(dim);
  const p = parameterizationOf(inst, parameterization);
  const cube = unitCube(def, dim);
  return unitCoordinates(cube.units).map((u) => {
    const { base, fixed } = cube.point(u);
    return { inst, p, base, fixed, theta: fromBase(inst, p, base, fixed) };
  });
}
