/**
 * Each family's map from the unit cube gives valid points everywhere (every
 * base coordinate in its domain, the joint constraints met, every
 * parameterization reachable), and the centre of the cube is the middle of
 * the domains; a map that breaks a family's constraint is caught.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { domainViolation } from '../../src/core/domain.js';
import { fromBase } from '../../src/families/json-points.js';
import { FAMILIES } from '../../src/families/catalogue/index.js';
import { categorical } from '../../src/families/catalogue/categorical.js';
import { multivariateNormal } from '../../src/families/catalogue/multivariate-normal.js';
import { baseParameterization } from '../../src/families/instance.js';
import type { FamilyDefinition } from '../../src/families/types.js';
import { centrePoint, unitCube, type UnitPoint } from '../../src/families/unit-points.js';
import { unitCoordinates } from '../../properties/arbitraries/families.js';

/** Why the point is not a valid base point of the family, or null. */
function invalidity(def: FamilyDefinition, dim: number | undefined, pt: UnitPoint): string | null {
  const inst = def.instance(dim);
  const base = baseParameterization(inst);
  for (const [i, s] of base.symbols.entries()) {
    const v = domainViolation(base.domains[s], pt.base[i]);
    if (v) return `${s} ${v}`;
  }
  for (const [n, dom] of Object.entries(inst.fixed)) {
    const v = domainViolation(dom, pt.fixed[n]);
    if (v) return `${n} ${v}`;
  }
  const joint = base.jointViolation?.(pt.base);
  if (joint) return `${joint.param} ${joint.reason}`;
  for (const p of inst.parameterizations) {
    const theta = fromBase(inst, p, pt.base, pt.fixed);
    if (!theta.every(Number.isFinite)) return `${p.name} is not finite: ${theta}`;
  }
  return null;
}

const cases = FAMILIES.flatMap((def) =>
  (def.verifyDimensions ? [2, 3, 5] : [undefined]).map((dim) => [`${def.name}${dim ? ` ${dim}` : ''}`, def, dim] as const),
);

describe('points from the unit cube', () => {
  test.each(cases)('%s: every point of the cube is valid', (_label, def, dim) => {
    const cube = unitCube(def, dim);
    fc.assert(
      fc.property(unitCoordinates(cube.units), (u) => invalidity(def, dim, cube.point(u)) === null),
      { seed: 1717, numRuns: 200 },
    );
  });

  test('the corners of the cube are valid too', () => {
    for (const [, def, dim] of cases) {
      const cube = unitCube(def, dim);
      for (const corner of [0, 1 - 2 ** -53])
        expect(invalidity(def, dim, cube.point(new Array(cube.units).fill(corner))), `${def.name} ${dim} at ${corner}`).toBeNull();
    }
  });

  test('the centre: the middle of each domain, 1/K for the categorical, mu = 0 and Sigma = 0.7 I + 0.3 J for the multivariate normal', () => {
    expect(Array.from(centrePoint(FAMILIES.find((d) => d.name === 'normal')!).base)).toEqual([0, 1]);
    expect(Array.from(centrePoint(categorical, 4).base)).toEqual([0.25, 0.25, 0.25]);
    expect(Array.from(centrePoint(multivariateNormal, 2).base)).toEqual([0, 0, 1, 0.3, 1]);
  });

  test('a map that leaves the simplex (shares of only K - 1 weights for the categorical) or the positive definite cone (Sigma = L Lᵀ - 0.1 I) is caught', () => {
    // normalised by the first K - 1 weights only: the last class gets nothing
    const allShares: FamilyDefinition = {
      ...categorical,
      baseFromUnit: {
        units: (K) => K,
        map: (u, K) => {
          const w = u.slice(0, K - 1).map((v) => 0.5 + v);
          const total = w.reduce((a, b) => a + b, 0);
          return Float64Array.from(w, (v) => v / total);
        },
      },
    };
    const cube = unitCube(allShares, 3);
    expect(
      fc.check(
        fc.property(unitCoordinates(cube.units), (u) => invalidity(allShares, 3, cube.point(u)) === null),
        { seed: 1717, numRuns: 200 },
      ).failed,
    ).toBe(true);
    const indefinite: FamilyDefinition = {
      ...multivariateNormal,
      baseFromUnit: {
        units: (d) => d + d * d,
        map: (u, d) => {
          const out = u.slice(0, d);
          for (let i = 0; i < d; i++)
            for (let j = i; j < d; j++) {
              let s = i === j ? -0.1 : 0;
              for (let k = 0; k < d; k++) s += (2 * u[d + i * d + k] - 1) * (2 * u[d + j * d + k] - 1);
              out.push(s);
            }
          return Float64Array.from(out);
        },
      },
    };
    const mvn = unitCube(indefinite, 2);
    expect(
      fc.check(
        fc.property(unitCoordinates(mvn.units), (u) => invalidity(indefinite, 2, mvn.point(u)) === null),
        { seed: 1717, numRuns: 200 },
      ).failed,
    ).toBe(true);
  });
});
