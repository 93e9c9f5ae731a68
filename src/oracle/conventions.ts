/**
 * Loss conventions of other libraries (contract version 2): how the loss is
 * reduced over the examples (`reduction`) and PyTorch's `nn.MSELoss` as a
 * likelihood (`mse`). Both are the library's own (models/output-loss.ts,
 * models/likelihoods.ts): a spec's model carries them and every quantity is
 * computed for the loss so stated. What stays here is how a convention is
 * named and the factor between two of them, taken from the library.
 */
import { mlpModel } from '../models/mlp.js';
import { REDUCTIONS as LIBRARY_REDUCTIONS, type Reduction as LibraryReduction } from '../models/output-loss.js';

export const REDUCTIONS = LIBRARY_REDUCTIONS;
export type Reduction = LibraryReduction;

/** A spec's loss convention; the default is version 1's. */
export interface LossConvention {
  reduction: Reduction;
  /** the likelihood is `mse` (PyTorch's nn.MSELoss) */
  mse: boolean;
}

export const VERSION_1_CONVENTION: LossConvention = { reduction: 'mean', mse: false };

/**
 * The factor of a convention's reduction for N examples with D outputs,
 * relative to the mean: N over the library's divisor of the reduction (1
 * for `mean`, N for `sum`, 1/D for `mean-elements` of mse).
 */
export function reductionScale(c: LossConvention, N: number, D: number): number {
  const spec = { sizes: [1, D], activations: ['identity' as const], likelihood: c.mse ? ('mse' as const) : ('gaussian' as const), reduction: c.reduction };
  return N / mlpModel(spec).loss.divisor(N);
}

/** `reduction "sum"`, `likelihood "mse"`: how a convention is written in a spec. */
export function conventionText(c: LossConvention): string {
  const parts = [`reduction "${c.reduction}"`];
  if (c.mse) parts.push('likelihood "mse"');
  return parts.join(' with ');
}
