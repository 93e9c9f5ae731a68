/**
 * The family points the edge-accuracy property and its report run at: every
 * family of the catalogue, a vector family at the dimensions below (the
 * thorough run adds K = 4 and d = 3).
 */
import { FAMILIES } from '../src/families/catalogue/index.js';

/** the dimensions of each vector family: quick run, and what the thorough run adds */
export const EDGE_VECTOR_DIMENSIONS: Readonly<Record<string, { quick: number[]; thorough: number[] }>> = {
  categorical: { quick: [2, 3], thorough: [4] },
  dirichlet: { quick: [2, 3], thorough: [] },
  'multivariate-normal': { quick: [1, 2], thorough: [3] },
};

/** [family, dimensions] in catalogue order; a scalar family has the one dimension `undefined`. */
export function edgeFamilyDimensions(thorough: boolean): [string, (number | undefined)[]][] {
  return FAMILIES.map((def) => {
    if (!def.verifyDimensions) return [def.name, [undefined]];
    const dims = EDGE_VECTOR_DIMENSIONS[def.name];
    if (!dims) throw new Error(`properties/edge-families.ts: no edge dimensions for the vector family ${def.name}`);
    return [def.name, thorough ? [...dims.quick, ...dims.thorough] : dims.quick];
  });
}
