/**
 * Every optimizer by name, with documented default options, so a command line
 * can say `--optimizer kfac` and a test table can run them all. Options given
 * by the caller override the defaults key by key.
 */
import { type OptionKind, requireOneOf, requirePath, requireTypedOptions } from '../core/validate.js';
import { ADAGRAD_OPTION_KINDS, adagrad } from './adagrad.js';
import { ADAHESSIAN_OPTION_KINDS, adahessian } from './adahessian.js';
import { ADAM_OPTION_KINDS, adam } from './adam.js';
import { EKFAC_OPTION_KINDS, ekfac } from './ekfac.js';
import { type OptionKinds, renamedOption } from './common.js';
import type { ModelBatch } from './extra.js';
import { GAUSS_NEWTON_OPTION_KINDS, gaussNewton, LEVENBERG_MARQUARDT_OPTION_KINDS, levenbergMarquardt } from './gauss-newton.js';
import { HESSIAN_FREE_OPTION_KINDS, hessianFree } from './hessian-free.js';
import { KFAC_OPTION_KINDS, kfac } from './kfac.js';
import { MOMENTUM_OPTION_KINDS, momentum } from './momentum.js';
import { NATURAL_GRADIENT_OPTION_KINDS, naturalGradient } from './natural-gradient.js';
import { NEWTON_OPTION_KINDS, newton } from './newton.js';
import { RMSPROP_OPTION_KINDS, rmsprop } from './rmsprop.js';
import { SGD_OPTION_KINDS, sgd } from './sgd.js';
import { SHAMPOO_OPTION_KINDS, shampoo } from './shampoo.js';
import type { Transform } from './transform.js';

/** The options of a registry optimizer, by name (each optimizer's option type says which it takes). */
export type OptimizerOptions = Record<string, unknown>;

/** One optimizer of the registry. */
export interface OptimizerEntry {
  /** The registry name (`kfac`, `adam`, ...). */
  name: string;
  /** One line: what the optimizer is, with its reference. */
  summary: string;
  /** The options used when the caller gives none. */
  defaults: Readonly<OptimizerOptions>;
  /** Every option the optimizer takes; any other key is refused with a did-you-mean. */
  optionKeys: readonly string[];
  /** Whether the transform needs a ModelBatch in extra (curvature-based). */
  needsModel: boolean;
  /** The optimizer with its defaults overridden key by key by `options`. */
  create(options?: OptimizerOptions): Transform<unknown, ModelBatch>;
}

/** The kind of a default value (an lr may also be a schedule). */
function kindOfDefault(key: string, value: unknown): OptionKind {
  if (key === 'lr') return 'schedule';
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return typeof value as OptionKind;
  return 'object';
}

// The factories validate their own options; the casts only bridge the untyped CLI record.
const entry = (
  name: string,
  summary: string,
  defaults: OptimizerOptions,
  needsModel: boolean,
  make: (o: any) => Transform<any, any>,
  factoryKinds: OptionKinds = {},
): OptimizerEntry => {
  // The factory's own option kinds, and for a factory that declares none the kinds of its defaults.
  const kinds: Record<string, OptionKind> = {};
  for (const [k, v] of Object.entries(defaults)) kinds[k] = kindOfDefault(k, v);
  Object.assign(kinds, factoryKinds);
  Object.freeze(kinds);
  return {
    name,
    summary,
    defaults: Object.freeze({ ...defaults }),
    optionKeys: Object.freeze(Object.keys(kinds)),
    needsModel,
    create(options = {}) {
      const given = requireTypedOptions(options, kinds, '', `the ${name} options`, renamedOption(kinds));
      return make({ ...defaults, ...given }) as Transform<unknown, ModelBatch>;
    },
  };
};

// Each row lists its factory's option kinds.
/** Every optimizer of the registry with its defaults, in table order. */
export const OPTIMIZERS: readonly OptimizerEntry[] = [
  entry('sgd', 'gradient descent, θ -= lr g', { lr: 0.1 }, false, sgd, SGD_OPTION_KINDS),
  entry('momentum', 'heavy-ball momentum', { lr: 0.05, decay: 0.9 }, false, momentum, MOMENTUM_OPTION_KINDS),
  entry('nesterov', 'Nesterov momentum', { lr: 0.05, decay: 0.9, nesterov: true }, false, momentum, MOMENTUM_OPTION_KINDS),
  entry('adam', 'Adam (Kingma and Ba 2015)', { lr: 0.01, b1: 0.9, b2: 0.999, eps: 1e-8 }, false, adam, ADAM_OPTION_KINDS),
  entry('adagrad', 'AdaGrad (Duchi et al. 2011)', { lr: 0.1, initialAccumulator: 0.1, eps: 1e-7 }, false, adagrad, ADAGRAD_OPTION_KINDS),
  entry('rmsprop', 'RMSProp (Tieleman and Hinton 2012)', { lr: 0.01, decay: 0.9, eps: 1e-8 }, false, rmsprop, RMSPROP_OPTION_KINDS),
  entry(
    'adahessian',
    'AdaHessian: Adam with a Hutchinson Hessian diagonal (Yao et al. 2021)',
    { lr: 0.1, b1: 0.9, b2: 0.999, eps: 1e-4, hessianPower: 1, probes: 1 },
    true,
    adahessian,
    ADAHESSIAN_OPTION_KINDS,
  ),
  entry('newton', 'damped Newton with the exact Hessian', { lr: 1, damping: 1e-6, negativeCurvature: 'absolute' }, true, newton, NEWTON_OPTION_KINDS),
  entry('gauss-newton', 'Gauss-Newton with fixed damping', { lr: 1, damping: 1e-4 }, true, gaussNewton, GAUSS_NEWTON_OPTION_KINDS),
  entry(
    'levenberg-marquardt',
    'Gauss-Newton with adaptive damping (reduction ratio)',
    { damping: 1e-3, boost: 1.5 },
    true,
    levenbergMarquardt,
    LEVENBERG_MARQUARDT_OPTION_KINDS,
  ),
  entry(
    'natural-gradient',
    'natural gradient, exact Fisher, direct solve',
    { lr: 1, fisher: 'exact', solver: 'direct', damping: 1e-4 },
    true,
    naturalGradient,
    NATURAL_GRADIENT_OPTION_KINDS,
  ),
  entry(
    'natural-gradient-empirical',
    'natural gradient with the empirical Fisher (not the Fisher)',
    { lr: 1, fisher: 'empirical', solver: 'direct', damping: 1e-3 },
    true,
    naturalGradient,
    NATURAL_GRADIENT_OPTION_KINDS,
  ),
  entry(
    'natural-gradient-mc',
    'natural gradient with a Monte Carlo Fisher',
    { lr: 1, fisher: 'monte-carlo', samples: 4, solver: 'direct', damping: 1e-3 },
    true,
    naturalGradient,
    NATURAL_GRADIENT_OPTION_KINDS,
  ),
  entry(
    'natural-gradient-trust-region',
    'natural gradient with steps bounded by Δᵀ F Δ <= δ²',
    { lr: 1, fisher: 'exact', solver: 'direct', damping: 1e-4, trustRegion: 1 },
    true,
    naturalGradient,
    NATURAL_GRADIENT_OPTION_KINDS,
  ),
  // Martens (2010) rules (Levenberg-Marquardt ×3/2 and ×2/3, CG warm start 0.95, relative progress ε = 5e-4);
  // λ₀ = 1e-3 for a mean loss, measured on the test problems
  entry(
    'hessian-free',
    'Hessian-free (Martens 2010): truncated CG on Gauss-Newton products, adaptive damping, line search',
    { curvature: 'ggn', damping: 1e-3, boost: 1.5, cg: { maxIterations: 50, progressTolerance: 5e-4, warmStartDecay: 0.95 } },
    true,
    hessianFree,
    HESSIAN_FREE_OPTION_KINDS,
  ),
  entry(
    'natural-gradient-low-rank',
    'natural gradient, Fisher factor inverted by Woodbury',
    { lr: 1, fisher: 'exact', solver: 'low-rank', damping: 1e-3 },
    true,
    naturalGradient,
    NATURAL_GRADIENT_OPTION_KINDS,
  ),
  entry(
    'natural-gradient-block-diagonal',
    'natural gradient with per-layer Fisher blocks',
    { lr: 1, fisher: 'exact', solver: 'block-diagonal', damping: 1e-3 },
    true,
    naturalGradient,
    NATURAL_GRADIENT_OPTION_KINDS,
  ),
  // Step control of Martens and Grosse (2015, sections 6.4-6.5, 7) on by default; κ = 1 measured (docs/experiments.md)
  entry(
    'kfac',
    'K-FAC (Martens and Grosse 2015): adaptive damping, quadratic-model step (α, μ), KL clip',
    {
      lr: 1,
      damping: 1e-3,
      dampingScheme: 'pi-factored',
      fisher: 'fisher',
      emaDecay: 0.95,
      inverseEvery: 1,
      approximation: 'expand',
      adaptiveDamping: true,
      rescale: 'alpha-mu',
      klClip: 1,
    },
    true,
    kfac,
    KFAC_OPTION_KINDS,
  ),
  entry(
    'ekfac',
    'EKFAC (George et al. 2018) with the K-FAC step control',
    { lr: 1, damping: 1e-3, fisher: 'fisher', emaDecay: 0.95, basisEvery: 1, approximation: 'expand', adaptiveDamping: true, rescale: 'alpha-mu', klClip: 1 },
    true,
    ekfac,
    EKFAC_OPTION_KINDS,
  ),
  entry('shampoo', 'Shampoo (Gupta et al. 2018)', { lr: 0.1, eps: 1e-4, preconditionEvery: 1 }, true, shampoo, SHAMPOO_OPTION_KINDS),
];

/** Every optimizer name of the registry, in table order. */
export const OPTIMIZER_NAMES: readonly string[] = OPTIMIZERS.map((e) => e.name);

/** The registry entry of a name, or a NatgradError listing the names (with a did-you-mean). */
export function optimizerEntry(name: string, path = 'optimizer'): OptimizerEntry {
  const n = requireOneOf(name, OPTIMIZER_NAMES, requirePath(path));
  return OPTIMIZERS.find((x) => x.name === n)!;
}

/** The optimizers that need no model: their transforms take no `extra`. */
export const MODEL_FREE_OPTIMIZER_NAMES = ['sgd', 'momentum', 'nesterov', 'adam', 'adagrad', 'rmsprop'] as const;

/** The name of an optimizer that needs no model (no ModelBatch in `extra`). */
export type ModelFreeOptimizerName = (typeof MODEL_FREE_OPTIMIZER_NAMES)[number];

/**
 * The optimizer of a name with its defaults overridden by `options`; an
 * option the optimizer does not take is a NatgradError naming it. The
 * curvature optimizers' transforms need a ModelBatch as `extra`, so `train`
 * requires one for them (a type error otherwise).
 *
 * @example
 * ```ts
 * const opt = createOptimizer('kfac', { damping: 1e-2 });
 * createOptimizer('kfac', { dampnig: 1 }); // NatgradError: dampnig: ... did you mean "damping"?
 * ```
 */
export function createOptimizer(name: ModelFreeOptimizerName, options?: OptimizerOptions): Transform<unknown, unknown>;
export function createOptimizer(name: string, options?: OptimizerOptions): Transform<unknown, ModelBatch>;
export function createOptimizer(name: string, options: OptimizerOptions = {}): Transform<unknown, ModelBatch> {
  return optimizerEntry(name).create(options);
}
