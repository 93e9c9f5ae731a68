/**
 * The size estimates of a `sequential` model's results, from the built
 * network's shapes and the number of examples, before any weight or example
 * is read. They extend the MLP estimates of limits.ts with what weight
 * sharing adds: a weight matrix used at R positions per example, the
 * activations every layer keeps, and the per-row backward passes.
 */
import { AttentionLayer } from '../models/layers/index.js';
import { shapeSize } from '../models/tensor.js';
import type { Sequential } from '../models/sequential.js';
import { type DenseCurvature, EIGEN_COST, type Sized, type WorkEstimate, denseModelEstimate, shape } from './limits.js';

/** Output-gradient rows per example that a curvature back-propagates (its output factor's columns). */
function rowsPerExample(model: Sequential, kind: 'fisher' | 'empirical-fisher' | 'ggn' | 'hessian'): number {
  if (kind === 'empirical-fisher') return 1;
  return model.loss.positions * (model.likelihood === 'bernoulli' ? 1 : model.loss.K);
}

/** Multiply-adds of one example's forward pass (a backward pass costs about twice as much). */
function forwardCost(model: Sequential): number {
  let ops = 0;
  for (const layer of model.layers) {
    for (const b of layer.kfacBlocks) ops += b.positions * b.out * b.fanIn;
    if (layer.type === 'attention') ops += 2 * layer.inputShape[0] * shapeSize(layer.inputShape);
    ops += shapeSize(layer.outputShape);
  }
  return ops;
}

/** Entries of all layers' outputs for one example, and attention's T x T weights per head (what the forward pass keeps). */
const activationSize = (model: Sequential): number =>
  model.layers.reduce((s, l) => s + shapeSize(l.outputShape) + (l instanceof AttentionLayer ? l.heads * l.T * l.T : 0), shapeSize(model.inputShape));

/** The largest layer output of one example (what one back-propagated row holds at a time). */
const widestOutput = (model: Sequential): number => model.layers.reduce((m, l) => Math.max(m, shapeSize(l.outputShape)), shapeSize(model.inputShape));

/**
 * A dense curvature (P x P) of a sequential model: the MLP estimate on the
 * parameter count and the output's rows, plus the forward activations and the
 * rows back-propagated through every layer.
 */
export function sequentialDenseEstimate(kind: 'fisher' | 'natural-gradient', curvature: DenseCurvature, model: Sequential, N: number): WorkEstimate {
  const O = shapeSize(model.outputShape);
  const S = rowsPerExample(model, curvature);
  const base = denseModelEstimate(kind, curvature, { sizes: [shapeSize(model.inputShape), O], bias: [true], N, R: S, P: model.paramCount });
  const rows = curvature === 'hessian' ? N * model.paramCount : N * S;
  const backward = 3 * rows * forwardCost(model);
  let largest: Sized = base.largest;
  const acts = N * activationSize(model);
  if (acts > largest.size) largest = { size: acts, what: `the activations of ${N} examples through every layer` };
  const held = N * S * widestOutput(model);
  if (held > largest.size) largest = { size: held, what: `the ${shape(N * S, widestOutput(model))} back-propagated rows of the widest layer` };
  return {
    result: base.result,
    largest,
    operations: { size: base.operations.size + backward, what: `${base.operations.what}, and back-propagating ${rows} rows through the network` },
  };
}

/**
 * K-FAC of a sequential model: per weight matrix A (cols²), G (out²), the
 * gradient and the update; the inputs at every position (N R x fanIn, the
 * patches of a convolution) and the output gradients of every back-propagated
 * row at every position; the eigendecompositions of every factor.
 */
export function sequentialKfacEstimate(fisher: 'fisher' | 'empirical-fisher', model: Sequential, N: number): WorkEstimate {
  const S = rowsPerExample(model, fisher);
  let resultSize = 1;
  let largest: Sized = { size: N * activationSize(model), what: `the activations of ${N} examples through every layer` };
  const consider = (size: number, what: () => string): void => {
    if (size > largest.size) largest = { size, what: what() };
  };
  let ops = 3 * N * S * forwardCost(model);
  let eig = 0;
  let blocks = 0;
  model.layers.forEach((layer, l) => {
    for (const b of layer.kfacBlocks) {
      blocks++;
      const cols = b.fanIn + (b.biasOffset === null ? 0 : 1);
      const R = b.positions;
      resultSize += cols * cols + b.out * b.out + 2 * b.out * cols;
      consider(cols * cols, () => `A of layer ${l + 1} (${b.name}), ${shape(cols, cols)}`);
      consider(N * R * b.fanIn, () => `the inputs of layer ${l + 1} (${b.name}) at ${R} positions, ${shape(N * R, b.fanIn)}`);
      consider(N * S * R * b.out, () => `the output gradients of layer ${l + 1} (${b.name}), ${shape(N * S * R, b.out)}`);
      ops += N * R * cols * cols + N * S * R * b.out * b.out + b.out * cols * (b.out + cols);
      eig += EIGEN_COST * (b.out ** 3 + cols ** 3);
    }
  });
  consider(N * S * widestOutput(model), () => `the ${shape(N * S, widestOutput(model))} back-propagated rows of the widest layer`);
  return {
    result: { size: resultSize, what: `the K-FAC factors, gradients and updates of ${blocks} weight matri${blocks === 1 ? 'x' : 'ces'}` },
    largest,
    operations: {
      size: ops + eig,
      what: `the factors over ${N * S} back-propagated rows, and the eigendecompositions of every A and G, ${eig.toExponential(2)}`,
    },
  };
}

/**
 * EKFAC of a sequential model: K-FAC's factors and eigenbases, the corrected
 * eigenvalues from the rotated per-row gradients, and each weight matrix's
 * dense block (out·cols)², formed as (U_G ⊗ U_A) diag (U_G ⊗ U_A)ᵀ.
 */
export function sequentialEkfacEstimate(fisher: 'fisher' | 'empirical-fisher', model: Sequential, N: number): WorkEstimate {
  const k = sequentialKfacEstimate(fisher, model, N);
  const S = rowsPerExample(model, fisher);
  let blocks = 1;
  let largest = k.largest;
  let ops = k.operations.size;
  model.layers.forEach((layer, l) => {
    for (const b of layer.kfacBlocks) {
      const n = b.out * (b.fanIn + (b.biasOffset === null ? 0 : 1));
      blocks += n * n + 2 * n;
      if (n * n > largest.size) largest = { size: n * n, what: `the EKFAC block of layer ${l + 1} (${b.name}), ${shape(n, n)}` };
      ops += 2 * n * n * n + N * S * b.positions * n;
    }
  });
  return {
    result: { size: blocks, what: 'the EKFAC blocks, gradients and updates' },
    largest,
    operations: { size: ops, what: `K-FAC's factors, the corrected eigenvalues and the dense blocks, ${ops.toExponential(2)}` },
  };
}
