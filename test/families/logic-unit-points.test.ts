/**
 * The unit cube of a family with more than one fixed value: the base
 * coordinates first, then one coordinate per fixed value, each fixed value
 * read from its own. No family in the catalogue has two fixed values, so a
 * stand-in is built from the Student t with a second one (an integer).
 */
import { describe, expect, test } from 'vitest';
import { POSITIVE, POSITIVE_INTEGER, REAL } from '../../src/core/domain.js';
import { studentT } from '../../src/families/catalogue/student-t.js';
import type { FamilyDefinition } from '../../src/families/types.js';
import { unitCube, valueFromUnit } from '../../src/families/unit-points.js';

const twoFixed: FamilyDefinition = {
  ...studentT,
  fixed: { nu: POSITIVE, k: POSITIVE_INTEGER },
  instance: (dim) => ({ ...studentT.instance(dim), fixed: { nu: POSITIVE, k: POSITIVE_INTEGER } }),
};

describe('the unit cube with two fixed values', () => {
  test('four coordinates: mu, sigma, then nu and k, each fixed value from its own coordinate', () => {
    const cube = unitCube(twoFixed);
    expect(cube.units).toBe(4);
    const u = [0.1, 0.2, 0.3, 0.7];
    const pt = cube.point(u);
    expect(pt.base).toEqual(Float64Array.of(valueFromUnit(REAL, 0.1), valueFromUnit(POSITIVE, 0.2)));
    // nu has its own map (the range the numeric checks suit), k the general one of its domain
    const nuMap = studentT.valuesFromUnit?.nu ?? ((v: number) => valueFromUnit(POSITIVE, v));
    expect(pt.fixed).toEqual({ nu: nuMap(0.3), k: valueFromUnit(POSITIVE_INTEGER, 0.7) });
  });
});
