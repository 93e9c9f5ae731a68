/**
 * The distribution catalogue: each family's parameterizations, its Fisher
 * matrix derived three ways and proved equal, and numeric evaluation of the
 * Fisher and of reparameterizations at a point. This entry loads the
 * computer-algebra system (a few seconds); the rest of the library does not.
 *
 * @example
 * ```ts
 * import { fisherAt } from 'natgrad/families';
 * const { paramNames, matrix } = fisherAt('normal', 'mean-std', { mu: 0.3, sigma: 1.7 }, {}, 'spec');
 * console.log(paramNames, matrix.toArray()); // [ 'mu', 'sigma' ] [[1/σ², 0], [0, 2/σ²]]
 * ```
 *
 * @module natgrad/families
 */
export type { FisherAt, JsonParamValue, ReparameterizedAt } from './api.js';
export { familyNames, fisherAt, parameterizationNames, reparameterizeAt } from './json-points.js';
export { FAMILIES } from './catalogue/index.js';
export type {
  BaseFromUnit,
  ExamplePoint,
  FamilyDefinition,
  FamilyInstance,
  ParameterizationInstance,
  ParamLayoutEntry,
  ExponentialFamilyStructure,
  Sample,
  Support,
} from './types.js';
export type { Domain } from '../core/domain.js';
export { derivationOf } from './derivation-cache.js';
export type { EntryProof, FisherDerivation, RouteComparison, Route, RouteName } from './derive.js';
export type { CheckMethod, DerivationStep, Equation, EquationValue, StepCheck } from './steps.js';
