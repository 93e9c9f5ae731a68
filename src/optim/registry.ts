/**
 * Every optimizer by name, with documented default options, so a command line
 * can say `--optimizer kfac` and a test table can run them all. Options given
 * by the caller override the defaults key by key.
 */
import { NatgradError } from '../core/errors.js';
import { adagrad } from './adagrad.js';
import { adahessian } from './adahessian.js';
import { adam } from './adam.js';
import { ekfac } from './ekfac.js';
import type { ModelBatch } from './extra.js';
import { gaussNewton, levenbergMarquardt } from './gauss-newton.js';
import { hessianFree } from './hessian-free.js';
import { kfac } from './kfac.js';
import { momentum } from './momentum.js';
import { naturalGradient } from './natural-gradient.js';
import { newton } from './newton.js';
import { rmsprop } from './rmsprop.js';
import { sgd } from './sgd.js';
import { shampoo } from './shampoo.js';
import type { Transform } from './transform.js';

export type OptimizerOptions = Record<string, unknown>;

export interface OptimizerEntry {
  name: string;
  summary: string;
  /** The options used when the caller gives none. */
  defaults: Readonly<OptimizerOptions>;
  /** Whether the transform needs a ModelBatch in extra (curvature-based). */
  needsModel: boolean;
  create(options?: OptimizerOptions): Transform<unknown, ModelBatch>;
}

// The factories validate their own options; the casts only bridge the untyped CLI record.
/* eslint-disable @typescript-eslint/no-explicit-any */
const entry = (
  name: string,
  summary: string,
  defaults: OptimizerOptions,
  needsModel: boolean,
  make: (o: any) => Transform<any, any>,
): OptimizerEntry => ({
  name,
  summary,
  defaults: Object.freeze({ ...defaults }),
  needsModel,
  create: (options = {}) => make({ ...defaults, ...options }) as Transform<unknown, ModelBatch>,
});

export const OPTIMIZERS: readonly OptimizerEntry[] = [
  entry('sgd', 'gradient descent, θ -= lr g', { lr: 0.1 }, false, sgd),
  entry('momentum', 'heavy-ball momentum', { lr: 0.05, decay: 0.9 }, false, momentum),
  entry('nesterov', 'Nesterov momentum', { lr: 0.05, decay: 0.9, nesterov: true }, false, momentum),
  entry('adam', 'Adam (Kingma and Ba 2015)', { lr: 0.01, b1: 0.9, b2: 0.999, eps: 1e-8 }, false, adam),
  entry('adagrad', 'AdaGrad (Duchi et al. 2011)', { lr: 0.1, initialAccumulator: 0.1, eps: 1e-7 }, false, adagrad),
  entry('rmsprop', 'RMSProp (Tieleman and Hinton 2012)', { lr: 0.01, decay: 0.9, eps: 1e-8 }, false, rmsprop),
  entry('adahessian', 'AdaHessian: Adam with a Hutchinson Hessian diagonal (Yao et al. 2021)', { lr: 0.1, b1: 0.9, b2: 0.999, eps: 1e-4, hessianPower: 1, probes: 1 }, true, adahessian),
  entry('newton', 'damped Newton with the exact Hessian', { lr: 1, damping: 1e-6, negativeCurvature: 'absolute' }, true, newton),
  entry('gauss-newton', 'Gauss-Newton with fixed damping', { lr: 1, damping: 1e-4 }, true, gaussNewton),
  entry('levenberg-marquardt', 'Gauss-Newton with adaptive damping (reduction ratio)', { damping: 1e-3, boost: 1.5 }, true, levenbergMarquardt),
  entry('natural-gradient', 'natural gradient, exact Fisher, direct solve', { lr: 1, fisher: 'exact', solver: 'direct', damping: 1e-4 }, true, naturalGradient),
  entry('natural-gradient-empirical', 'natural gradient with the empirical Fisher (not the Fisher)', { lr: 1, fisher: 'empirical', solver: 'direct', damping: 1e-3 }, true, naturalGradient),
  entry('natural-gradient-mc', 'natural gradient with a Monte Carlo Fisher', { lr: 1, fisher: 'monte-carlo', samples: 4, solver: 'direct', damping: 1e-3 }, true, naturalGradient),
  entry('natural-gradient-trust-region', 'natural gradient with steps bounded by Δᵀ F Δ <= δ²', { lr: 1, fisher: 'exact', solver: 'direct', damping: 1e-4, trustRegion: 1 }, true, naturalGradient),
  // Martens (2010) rules (Levenberg-Marquardt ×3/2 and ×2/3, CG warm start 0.95, relative progress ε = 5e-4); λ₀ = 1e-3 for a mean loss, measured on the test problems
  entry('hessian-free', 'Hessian-free (Martens 2010): truncated CG on Gauss-Newton products, adaptive damping, line search', { curvature: 'ggn', damping: 1e-3, boost: 1.5, cg: { maxIterations: 50, progressTolerance: 5e-4, warmStartDecay: 0.95 } }, true, hessianFree),
  entry('natural-gradient-low-rank', 'natural gradient, Fisher factor inverted by Woodbury', { lr: 1, fisher: 'exact', solver: 'low-rank', damping: 1e-3 }, true, naturalGradient),
  entry('natural-gradient-block-diagonal', 'natural gradient with per-layer Fisher blocks', { lr: 1, fisher: 'exact', solver: 'block-diagonal', damping: 1e-3 }, true, naturalGradient),
  // Step control of Martens and Grosse (2015, sections 6.4-6.5, 7) on by default; κ = 1 measured (docs/experiments.md)
  entry('kfac', 'K-FAC (Martens and Grosse 2015): adaptive damping, quadratic-model step (α, μ), KL clip', { lr: 1, damping: 1e-3, dampingScheme: 'pi-factored', fisher: 'fisher', emaDecay: 0.95, inverseEvery: 1, adaptiveDamping: true, rescale: 'alpha-mu', klClip: 1 }, true, kfac),
  entry('ekfac', 'EKFAC (George et al. 2018) with the K-FAC step control', { lr: 1, damping: 1e-3, fisher: 'fisher', emaDecay: 0.95, basisEvery: 1, adaptiveDamping: true, rescale: 'alpha-mu', klClip: 1 }, true, ekfac),
  entry('shampoo', 'Shampoo (Gupta et al. 2018)', { lr: 0.1, epsilon: 1e-4, preconditionEvery: 1 }, true, shampoo),
];

export const OPTIMIZER_NAMES: readonly string[] = OPTIMIZERS.map((e) => e.name);

/** The registry entry of a name, or a NatgradError listing the names. */
export function optimizerEntry(name: string, path = 'optimizer'): OptimizerEntry {
  const e = OPTIMIZERS.find((x) => x.name === name);
  if (!e) throw new NatgradError(path, `must be one of ${OPTIMIZER_NAMES.join(', ')}, got ${JSON.stringify(name)}`);
  return e;
}

/** The optimizer of a name with its defaults overridden by `options`. */
export function createOptimizer(name: string, options: OptimizerOptions = {}): Transform<unknown, ModelBatch> {
  return optimizerEntry(name).create(options);
}
