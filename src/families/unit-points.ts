/**
 * A family's valid points as the image of the unit cube: the family states its
 * constraints once (positivity, a simplex, integer ranges, positive
 * definiteness), as a pure map, and random points for property tests,
 * identity checks and default points are all drawn through it. Uniform
 * coordinates in, valid points out: nothing is filtered.
 */
import type { Domain } from '../core/domain.js';
import { baseParameterization } from './instance.js';
import type { FamilyDefinition } from './types.js';

/** log of the positives' range [0.3, 1/0.3) */
const LOG_POSITIVE_RANGE = Math.log(1 / 0.3);

/**
 * A value of the domain from u in [0, 1), away from the edges where
 * quadrature and sampling lose accuracy (a beta density with a shape of 0.02
 * defeats the quadrature's error bound: its mass lies beyond the last node,
 * e^-690 from the end): reals in [-2, 2), positives log-uniform in
 * [0.3, 1/0.3), intervals their middle 90%, positive integers 1 to 20.
 * At u = 1/2: 0, exactly 1, the midpoint, 11.
 */
export function valueFromUnit(domain: Domain, u: number): number {
  switch (domain.kind) {
    case 'real':
      return -2 + 4 * u;
    case 'positive':
      return Math.exp(LOG_POSITIVE_RANGE * (2 * u - 1));
    case 'negative':
      return -Math.exp(LOG_POSITIVE_RANGE * (2 * u - 1));
    case 'interval': {
      const w = domain.hi - domain.lo;
      return domain.lo + w * (0.05 + 0.9 * u);
    }
    case 'positive-integer':
      return 1 + Math.floor(20 * u);
  }
}

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
  const domains: Readonly<Record<string, Domain>> = { ...base.domains, ...inst.fixed };
  const mapOf = (name: string): ((u: number) => number) => def.valuesFromUnit?.[name] ?? ((u) => valueFromUnit(domains[name], u));
  const baseMaps = base.symbols.map(mapOf);
  const fixedMaps = fixedNames.map(mapOf);
  return {
    units: baseUnits + fixedNames.length,
    point(u) {
      const b = def.baseFromUnit ? def.baseFromUnit.map(u.slice(0, baseUnits), size) : Float64Array.from(baseMaps, (map, i) => map(u[i]));
      return { base: b, fixed: Object.fromEntries(fixedNames.map((n, k) => [n, fixedMaps[k](u[baseUnits + k])])) };
    },
  };
}

/** The point at the centre of the cube (every coordinate 1/2): the middle of each domain, or of the family's joint constraints. */
export function centrePoint(def: FamilyDefinition, dim?: number): UnitPoint {
  const cube = unitCube(def, dim);
  return cube.point(new Array<number>(cube.units).fill(0.5));
}
