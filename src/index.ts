/** natgrad's public library API. */
export { NatgradError } from './core/errors.js';
export { Rng } from './core/rng.js';
export type { Vec } from './core/vec.js';
export { Matrix } from './linalg/matrix.js';
export type { LinearOperator } from './linalg/linear-operator.js';
export { familyNames, parameterizationNames, fisherAt, reparameterizeAt, fisherMatrix, parsePoint } from './families/catalogue.js';
export { FAMILIES } from './families/catalogue/index.js';
export { deriveFisher, type FisherDerivation } from './families/derive.js';
export { derivationOf } from './families/derivations.js';
export { deterministicFisher, monteCarloFisher } from './families/estimators.js';
export * as symbolic from './symbolic/index.js';
export * as numeric from './numeric/index.js';
export { modelCurvature } from './curvature/dense-curvature.js';
export { kfacLayers, kfacOperator } from './curvature/kfac.js';
export { shampooPreconditioners } from './curvature/shampoo.js';
export { chain, type Transform } from './optim/transform.js';
export { main } from './cli/main.js';
