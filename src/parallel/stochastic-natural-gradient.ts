/**
 * Stochastic natural gradient for mini-batches: the Fisher is a running
 * (exponential moving) average of mini-batch Fishers, and the gradient is
 * optionally variance-reduced by SVRG (Johnson and Zhang, NIPS 2013):
 *   g = ∇f_B(θ) - ∇f_B(θ̃) + ∇f(θ̃),
 * unbiased for E_B ∇f_B = ∇f, with variance → 0 as θ → θ̃ (θ̃ a snapshot
 * refreshed once per epoch with the full gradient ∇f(θ̃)).
 * The step is -lr (F̄ + λI)⁻¹ g through the engine's chain.
 */
import { NatgradError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { Vec } from '../core/vec.js';
import { fisherMatrix } from '../curvature/dense-curvature.js';
import { emaMatrix } from '../curvature/stability.js';
import type { Matrix } from '../linalg/matrix.js';
import { dampedSolve } from '../linalg/solve.js';
import type { Target } from '../models/likelihoods.js';
import { type MlpSpec, lossAndGradient, meanLoss, unflattenWeights } from '../models/mlp.js';
import { scaleByLearningRate } from '../optim/common.js';
import { train } from '../optim/train.js';
import { chain, type Transform } from '../optim/transform.js';

export interface SupervisedProblem {
  spec: MlpSpec;
  inputs: readonly Vec[];
  targets: readonly Target[];
}

/** A snapshot θ̃ with its full-data gradient. */
export interface SvrgSnapshot {
  theta: Vec;
  fullGradient: Vec;
}

const batchOf = <T>(xs: readonly T[], idx: readonly number[]): T[] => idx.map((i) => xs[i]);

/** Mean gradient of -log p over the examples `idx`. */
export function batchGradient(p: SupervisedProblem, theta: Vec, idx: readonly number[]): Vec {
  return lossAndGradient(p.spec, unflattenWeights(p.spec, theta), batchOf(p.inputs, idx), batchOf(p.targets, idx)).gradient;
}

/** The full-data snapshot of SVRG. */
export function svrgSnapshot(p: SupervisedProblem, theta: Vec): SvrgSnapshot {
  return { theta: Float64Array.from(theta), fullGradient: lossAndGradient(p.spec, unflattenWeights(p.spec, theta), p.inputs, p.targets).gradient };
}

/** ∇f_B(θ) - ∇f_B(θ̃) + ∇f(θ̃), or ∇f_B(θ) without a snapshot. */
export function svrgGradient(p: SupervisedProblem, theta: Vec, idx: readonly number[], snapshot: SvrgSnapshot | null): Vec {
  const g = batchGradient(p, theta, idx);
  if (!snapshot) return g;
  const gs = batchGradient(p, snapshot.theta, idx);
  return g.map((v, i) => v - gs[i] + snapshot.fullGradient[i]);
}

export interface EmaFisherState {
  fisher: Matrix | null;
}

/** (F̄ + λI)⁻¹ g with F̄ ← decay F̄ + (1 - decay) F_batch; extra = the mini-batch Fisher. */
export function scaleByEmaFisherInverse(o: { decay: number; damping: number }): Transform<EmaFisherState, Matrix> {
  if (!(o.damping >= 0)) throw new NatgradError('damping', `must be >= 0, got ${o.damping}`);
  return {
    init: () => ({ fisher: null }),
    update(g, s, _params, batchFisher) {
      const fisher = emaMatrix(s.fisher, batchFisher, o.decay);
      return [dampedSolve(fisher, o.damping, g).x, { fisher }] as const;
    },
  };
}

/** Draws `size` distinct indices of {0..n-1} (partial Fisher-Yates). */
export function drawBatch(n: number, size: number, rng: Rng): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < size; i++) {
    const j = i + rng.integer(n - i);
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, size);
}

export interface StochasticNaturalGradientOptions {
  seed?: number;
  batchSize: number;
  lr: number;
  damping?: number;
  /** EMA decay of the Fisher [0.95] */
  decay?: number;
  svrg: boolean;
  epochs: number;
}

/** Runs the stochastic natural gradient; returns the full-data loss and the parameters at the start of every epoch (index 0 = start). */
export function runStochasticNaturalGradient(p: SupervisedProblem, theta0: Vec, o: StochasticNaturalGradientOptions): { losses: number[]; epochParams: Vec[] } {
  const rng = new Rng(o.seed ?? 1);
  const N = p.inputs.length;
  const perEpoch = Math.max(1, Math.floor(N / o.batchSize));
  const losses: number[] = [];
  const epochParams: Vec[] = [];
  let snapshot: SvrgSnapshot | null = null;
  let idx: number[] = [];
  const transform = chain(scaleByEmaFisherInverse({ decay: o.decay ?? 0.95, damping: o.damping ?? 1e-4 }), scaleByLearningRate(o.lr));
  const result = train(transform, theta0, {
    maxIterations: o.epochs * perEpoch,
    objective(theta, it) {
      if (it % perEpoch === 0) {
        losses.push(meanLoss(p.spec, unflattenWeights(p.spec, theta), p.inputs, p.targets));
        epochParams.push(Float64Array.from(theta));
        if (o.svrg) snapshot = svrgSnapshot(p, theta);
      }
      idx = drawBatch(N, o.batchSize, rng);
      const gradient = svrgGradient(p, theta, idx, snapshot);
      return { loss: 0, gradient };
    },
    extra: (theta) => fisherMatrix(p.spec, unflattenWeights(p.spec, theta), batchOf(p.inputs, idx)),
  });
  losses.push(meanLoss(p.spec, unflattenWeights(p.spec, result.params), p.inputs, p.targets));
  epochParams.push(Float64Array.from(result.params));
  return { losses, epochParams };
}

/**
 * tr Cov of the direction (F + λI)⁻¹ g over `draws` random mini-batches at θ,
 * with or without an SVRG snapshot: the variance a step would carry.
 */
export function directionVariance(
  p: SupervisedProblem,
  theta: Vec,
  fisher: Matrix,
  o: { batchSize: number; draws: number; damping: number; snapshot: SvrgSnapshot | null; seed?: number },
): number {
  const rng = new Rng(o.seed ?? 1);
  const dirs: Vec[] = [];
  for (let k = 0; k < o.draws; k++) {
    const g = svrgGradient(p, theta, drawBatch(p.inputs.length, o.batchSize, rng), o.snapshot);
    dirs.push(dampedSolve(fisher, o.damping, g).x);
  }
  const mean = new Float64Array(theta.length);
  for (const d of dirs) for (let i = 0; i < d.length; i++) mean[i] += d[i] / dirs.length;
  let v = 0;
  for (const d of dirs) for (let i = 0; i < d.length; i++) v += (d[i] - mean[i]) ** 2;
  return v / (dirs.length - 1);
}
