/**
 * The numeric entry points of the distribution catalogue, used by the oracle
 * and the CLI. Inputs are raw JSON values; every violation throws a
 * NatgradError naming the JSON path below `path`.
 */
export type { FisherAt, JsonParamValue, ReparameterizedAt } from './results.js';
export { checkParameterization, familyNames, parameterizationNames, familyPointSize, fisherAt, reparameterizeAt } from './json-points.js';
