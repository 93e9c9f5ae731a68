/**
 * The oracle's results for `sequential` models, in the contract's shapes:
 * fisher (every curvature, with paramNames, loss and gradient),
 * natural-gradient, and kfac (expand or reduce) with one entry per weight
 * matrix. Everything is computed by curvature/ on the batched network.
 */
import { kfacResult } from '../curvature/kfac.js';
import { curvatureMatrix } from '../curvature/model-curvature.js';
import type { Matrix } from '../linalg/matrix.js';
import { dampedSolve } from '../linalg/solve.js';
import type { FisherResult, KfacResult, NaturalGradientResult } from './compute.js';
import type { SequentialParsedSpec } from './sequential-spec.js';

/** The result of a validated sequential spec. */
export function computeSequential(spec: SequentialParsedSpec): FisherResult | NaturalGradientResult | KfacResult {
  const { model, theta, batch } = spec.network;
  switch (spec.kind) {
    case 'fisher': {
      const { loss, gradient } = model.lossAndGradient(theta, batch.x, batch.targets);
      const matrix = curvatureMatrix(model, theta, batch, spec.curvature);
      return { kind: 'fisher', paramNames: model.paramNames(), matrix: matrix.toArray(), loss, gradient: Array.from(gradient) };
    }
    case 'natural-gradient': {
      const F = curvatureMatrix(model, theta, batch, spec.curvature);
      const g = spec.gradient ?? model.lossAndGradient(theta, batch.x, batch.targets).gradient;
      const { x, singular } = dampedSolve(F, spec.damping, g);
      return { kind: 'natural-gradient', direction: Array.from(x), matrix: F.toArray(), singular };
    }
    case 'kfac': {
      // an exact (not Monte Carlo) Fisher: every block has its update
      const k = kfacResult(model, theta, batch, { fisher: spec.fisher, approximation: spec.approximation, bias: 'joint', damping: spec.damping, dampingScheme: spec.scheme });
      return {
        kind: 'kfac',
        loss: k.loss,
        layers: k.blocks.map((b) => ({ A: b.A.toArray(), G: b.G.toArray(), gradient: b.gradient.toArray(), update: (b.update as Matrix).toArray() })),
      };
    }
  }
}
