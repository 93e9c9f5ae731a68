/**
 * A family's valid points as the image of the unit cube: the family states its
 * constraints once (positivity, a simplex, integer ranges, positive
 * definiteness), as a pure map, and random points for property tests,
 * identity checks and default points are all drawn through it. Uniform
 * coordinates in, valid points out: nothing is filtered.
 */
import { pointInDomain } from '../core/domain.js';
import { baseParameterization } from './instance.js';
import type { FamilyDefinition } from './types.js';

export interface UnitPoint {
  readonly base: Float64Array;
  readonly fixed: Record<string, number>;
}

/** The unit cube of a family at a dimension: `units` coordinates in [0, 1), base ones first, then one per fixed value. */
export interface UnitCube {
  readonly units: number;
  point(u: readonly number[]): UnitPoint;
}

export function unitCube(def: FamilyDefinition, dim?: number): UnitCube {
  const inst = def.instance(dim);
  const base = baseParameterization(inst);
  const size = inst.dim ?? base.symbols.length;
  const baseUnits = def.baseFromUnit ? def.baseFromUnit.units(size) : base.symbols.length;
  const fixedNames = Object.keys(inst.fixed);
  const fixedMaps = fixedNames.map((n) => def.fixedFromUnit?.[n] ?? ((u: number) => pointInDomain(inst.fixed[n], u)));
  return {
    units: baseUnits + fixedNames.length,
    point(u) {
      const b = def.baseFromUnit
        ? def.baseFromUnit.map(u.slice(0, baseUnits), size)
        : Float64Array.from(base.symbols, (s, i) => pointInDomain(base.domains[s], u[i]));
      return { base: b, fixed: Object.fromEntries(fixedNames.map((n, k) => [n, fixedMaps[k](u[baseUnits + k])])) };
    },
  };
}

/** The point at the centre of the cube (every coordinate 1/2): the middle of each domain, or of the family's joint constraints. */
export function centrePoint(def: FamilyDefinition, dim?: number): UnitPoint {
  const cube = unitCube(def, dim);
  return cube.point(new Array<number>(cube.units).fill(0.5));
}
