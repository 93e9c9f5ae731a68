/**
 * The oracle's results for `sequential` models, in the contract's shapes:
 * every model kind (fisher and diagonal with their Monte Carlo forms,
 * natural-gradient, kfac with expand or reduce, joint or separate bias,
 * ekfac, per-example-gradients), with one K-FAC entry per weight matrix.
 * The same library calls as for an mlp spec (model-results.ts), on the
 * batched network with the spec's likelihood and reduction.
 */
import type { DiagonalResult, EkfacResult, FisherResult, KfacResult, NaturalGradientResult, PerExampleGradientsResult } from './compute.js';
import {
  curvatureResult,
  diagonalResult,
  ekfacResult,
  kfacResult,
  monteCarloCurvature,
  naturalGradientResult,
  perExampleResult,
  sequentialNetwork,
} from './model-results.js';
import type { SequentialParsedSpec } from './sequential-spec.js';

type SequentialResult = FisherResult | NaturalGradientResult | KfacResult | DiagonalResult | PerExampleGradientsResult | EkfacResult;

/** The result of a validated sequential spec. */
export function computeSequential(spec: SequentialParsedSpec): SequentialResult {
  const net = sequentialNetwork(spec.network);
  switch (spec.kind) {
    case 'fisher': {
      if (spec.samples !== null) {
        const c = monteCarloCurvature(net, spec.samples);
        return {
          kind: 'fisher',
          paramNames: c.paramNames,
          matrix: c.matrix.toArray(),
          standardError: c.standardError.toArray(),
          loss: c.loss,
          gradient: Array.from(c.gradient),
        };
      }
      const c = curvatureResult(net, spec.curvature);
      return { kind: 'fisher', paramNames: c.paramNames, matrix: c.matrix.toArray(), loss: c.loss, gradient: Array.from(c.gradient) };
    }
    case 'diagonal':
      return { kind: 'diagonal', ...diagonalResult(net, spec.curvature, spec.samples) };
    case 'natural-gradient':
      return { kind: 'natural-gradient', ...naturalGradientResult(net, spec.curvature, spec.damping, spec.gradient) };
    case 'kfac':
      return { kind: 'kfac', ...kfacResult(net, spec) };
    case 'per-example-gradients':
      return { kind: 'per-example-gradients', ...perExampleResult(net) };
    case 'ekfac':
      return { kind: 'ekfac', ...ekfacResult(net, spec.fisher, spec.damping, spec.approximation) };
  }
}
