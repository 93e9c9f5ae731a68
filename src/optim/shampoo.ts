/**
 * Shampoo: one preconditioner per tensor dimension. A weight matrix W_l
 * (m x n) keeps L = Σ G Gᵀ and R = Σ Gᵀ G and steps along
 * (ε I + L)^(-1/4) G (ε I + R)^(-1/4); a bias vector (order 1) keeps
 * H = Σ g gᵀ and steps along (ε I + H)^(-1/2) g. The exponent is -1/(2k) for
 * an order-k tensor (-1/k is a known mistake, torch-optimizer#502). Roots are
 * recomputed every `preconditionEvery` steps.
 *
 * Options [defaults]: lr [0.1], eps ε [1e-4] (> 0), emaDecay [none: plain
 * sums as in the paper; β in [0, 1) for running averages], preconditionEvery [1].
 * Needs the model in extra (for the tensor shapes): an MLP spec, or a
 * Sequential model, whose tensors of order >= 2 are matrices shape[0] x the
 * rest (see {@link sequentialTensors}). Example: `shampoo({ lr: 0.3 })`.
 * Reference: V. Gupta, T. Koren and Y. Singer, "Shampoo: preconditioned
 * stochastic tensor optimization", ICML 2018, Algorithms 1 and 2.
 */
import { NatgradError } from '../core/errors.js';
import { requireDecay, requireIntegerInRange, requirePositive } from '../core/validate.js';
import type { Vec } from '../core/vec.js';
import { Matrix } from '../linalg/matrix.js';
import { symmetricPower } from '../linalg/matrix-function.js';
import { addScaledIdentity, matmul, matmulNT, matmulTN, matvec, outer } from '../linalg/ops.js';
import { layerCount, layerHasBias, layerOffsets, type MlpSpec, paramCount } from '../models/mlp.js';
import { Sequential } from '../models/sequential.js';
import { assertFiniteUpdate, optimizerOptions, optionKinds, type Schedule, scaleByLearningRate } from './common.js';
import type { MlpBatch, ModelBatch, SequentialBatch } from './extra.js';
import { chain, type Transform } from './transform.js';

/** A tensor of the parameter vector: a matrix (order 2) or a vector (order 1). */
export interface ShampooTensor {
  offset: number;
  shape: [number, number] | [number];
}

/** Per layer W (out x in) then b (out), as tensors of the flat parameter vector. */
export function mlpTensors(spec: MlpSpec): ShampooTensor[] {
  const offsets = layerOffsets(spec);
  const out: ShampooTensor[] = [];
  for (let l = 0; l < layerCount(spec); l++) {
    const m = spec.sizes[l + 1];
    const n = spec.sizes[l];
    out.push({ offset: offsets[l], shape: [m, n] });
    if (layerHasBias(spec, l)) out.push({ offset: offsets[l] + m * n, shape: [m] });
  }
  return out;
}

/**
 * Per layer of a Sequential model, each parameter tensor in parameter-vector
 * order: a vector stays a vector; a tensor of order >= 2 is the matrix
 * shape[0] x (the rest), the weight matrix K-FAC also factors (a conv kernel
 * [out, in, kh, kw] is out x in·kh·kw; attention's in_proj_weight is 3E x E).
 */
export function sequentialTensors(model: Sequential): ShampooTensor[] {
  const out: ShampooTensor[] = [];
  model.layers.forEach((layer, l) => {
    for (const p of layer.params) {
      const offset = model.offsets[l] + p.offset;
      const size = p.shape.reduce((a, b) => a * b, 1);
      out.push({ offset, shape: p.shape.length === 1 ? [size] : [p.shape[0], size / p.shape[0]] });
    }
  });
  return out;
}

/** Statistics (one per dimension) and their current inverse roots, per tensor. */
export interface ShampooState {
  count: number;
  statistics: Matrix[][] | null;
  roots: Matrix[][] | null;
}

/** The options of {@link scaleByShampoo}. */
export interface ScaleByShampooOptions {
  /** ε I added to each statistic before its root [1e-4]. */
  eps?: number;
  /** Running-average decay of the statistics [none: plain sums, as in the paper]. */
  emaDecay?: number;
  /** Steps between recomputations of the roots [1]. */
  preconditionEvery?: number;
}

/** The tensors of the model in extra (an MLP spec or a Sequential model): Shampoo needs only their shapes. */
function requireTensors(extra: unknown, params: Vec): ShampooTensor[] {
  const model = (extra as Partial<SequentialBatch> | undefined)?.model;
  if (model instanceof Sequential) {
    if (model.paramCount !== params.length)
      throw new NatgradError('extra.model', `the model has ${model.paramCount} parameters but params has ${params.length}`);
    return sequentialTensors(model);
  }
  const spec = (extra as Partial<MlpBatch> | undefined)?.spec;
  if (!spec)
    throw new NatgradError('extra', 'shampoo needs the model in extra (for the tensor shapes): { spec } for an MLP or { model } for a Sequential model');
  if (paramCount(spec) !== params.length) throw new NatgradError('extra.spec', `the model has ${paramCount(spec)} parameters but params has ${params.length}`);
  return mlpTensors(spec);
}

/** The Shampoo direction per tensor: L^(-1/4) G R^(-1/4) for matrices, H^(-1/2) g for vectors. */
export function scaleByShampoo(o: ScaleByShampooOptions = {}): Transform<ShampooState, ModelBatch> {
  // the options are checked by name here too: a former name (epsilon) must not be ignored silently
  o = optimizerOptions<ScaleByShampooOptions>(o, SCALE_BY_SHAMPOO_OPTION_KINDS, 'scaleByShampoo');
  const eps = requirePositive(o.eps ?? 1e-4, 'eps', 'the roots of a singular statistic do not exist');
  if (o.emaDecay !== undefined) requireDecay(o.emaDecay, 'emaDecay');
  const every = requireIntegerInRange(o.preconditionEvery ?? 1, 'preconditionEvery', 1);
  const accumulate = (prev: Matrix | undefined, next: Matrix): Matrix => {
    // Plain sums (the paper) or running averages, started at the first statistic.
    if (!prev) return next;
    const keep = o.emaDecay === undefined ? 1 : o.emaDecay;
    const add = o.emaDecay === undefined ? 1 : 1 - o.emaDecay;
    const out = new Matrix(next.rows, next.cols);
    for (let i = 0; i < out.data.length; i++) out.data[i] = keep * prev.data[i] + add * next.data[i];
    return out;
  };
  return {
    init: () => ({ count: 0, statistics: null, roots: null }),
    update(g, s, params, extra) {
      const tensors = requireTensors(extra, params);
      const statistics = tensors.map((t, k) => {
        const prev = s.statistics?.[k];
        if (t.shape.length === 2) {
          const G = new Matrix(t.shape[0], t.shape[1], g.slice(t.offset, t.offset + t.shape[0] * t.shape[1]));
          return [accumulate(prev?.[0], matmulNT(G, G)), accumulate(prev?.[1], matmulTN(G, G))];
        }
        const v = g.slice(t.offset, t.offset + t.shape[0]);
        return [accumulate(prev?.[0], outer(v, v))];
      });
      const refresh = s.roots === null || s.count % every === 0;
      const roots = refresh
        ? statistics.map((stats) => stats.map((S) => symmetricPower(addScaledIdentity(S, eps), -1 / (2 * stats.length), { floor: eps }, 'shampoo statistic')))
        : (s.roots as Matrix[][]);
      const out = new Float64Array(g.length);
      tensors.forEach((t, k) => {
        if (t.shape.length === 2) {
          const G = new Matrix(t.shape[0], t.shape[1], g.slice(t.offset, t.offset + t.shape[0] * t.shape[1]));
          out.set(matmul(matmul(roots[k][0], G), roots[k][1]).data, t.offset);
        } else {
          out.set(matvec(roots[k][0], g.slice(t.offset, t.offset + t.shape[0])), t.offset);
        }
      });
      return [assertFiniteUpdate(out, 'shampoo'), { count: s.count + 1, statistics, roots }] as const;
    },
  };
}

/** The options of {@link shampoo}. */
export interface ShampooOptions extends ScaleByShampooOptions {
  /** The learning rate, or a schedule of the step [0.1]. */
  lr?: Schedule;
}

/** The options (and the kind of each value) of {@link scaleByShampoo}. */
export const SCALE_BY_SHAMPOO_OPTION_KINDS = optionKinds<ScaleByShampooOptions>({ eps: 'number', emaDecay: 'number', preconditionEvery: 'number' });

/** The options (and the kind of each value) of {@link shampoo}. */
export const SHAMPOO_OPTION_KINDS = optionKinds<ShampooOptions>({ lr: 'schedule', eps: 'number', emaDecay: 'number', preconditionEvery: 'number' });

/**
 * Shampoo = chain(scaleByShampoo, scaleByLearningRate). Needs the model (MLP
 * spec or Sequential) in `extra` (a ModelBatch) for the tensor shapes.
 *
 * @example
 * ```ts
 * const opt = shampoo({ lr: 0.1, eps: 1e-4 });
 * ```
 */
export function shampoo(o: ShampooOptions = {}): Transform<unknown[], ModelBatch> {
  const { lr, ...options } = optimizerOptions<ShampooOptions>(o, SHAMPOO_OPTION_KINDS, 'shampoo');
  return chain<ModelBatch>(scaleByShampoo(options), scaleByLearningRate(lr ?? 0.1));
}
