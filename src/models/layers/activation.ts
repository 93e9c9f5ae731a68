/**
 * `activation` {fn}: an elementwise function on any shape, one of the five of
 * src/models/activations.ts (with its first and second derivatives, which the
 * backward pass and the R-operator use).
 */
import { childPath } from '../../core/errors.js';
import type { Vec } from '../../core/vec.js';
import { requireOneOf } from '../../core/validate.js';
import { ACTIVATIONS, type Activation, activate, activationDerivativeAt, activationSecondDerivativeAt } from '../activations.js';
import { type Shape, Tensor } from '../tensor.js';
import { type BackwardOptions, type Layer, ParameterFreeLayer, requireLayerInput, type RBackwardInput, type RBackwardOutput } from './layer.js';
import { layerFields } from './spec-fields.js';

export interface ActivationSpec {
  type: 'activation';
  fn: Activation;
}

/** What the forward pass keeps for the backward pass and K-FAC. */
export interface ActivationCache {
  /** the input s (the pre-activation), N x size */
  input: Float64Array;
  /** the output phi(s) (the layer's output tensor's data, not a copy), from which tanh and the sigmoid take their derivatives */
  output: Float64Array;
  N: number;
  /** phi'(s) and phi''(s), computed on first use: every backward, tangent and R-operator sweep at this point shares them */
  d1?: Float64Array;
  d2?: Float64Array;
}

/** phi' (`d1`) or phi'' (`d2`) at every input, computed on first use and kept in the cache. */
function derivatives(cache: ActivationCache, order: 'd1' | 'd2', fn: Activation): Float64Array {
  const kept = cache[order];
  if (kept !== undefined) return kept;
  const derivative = order === 'd1' ? activationDerivativeAt : activationSecondDerivativeAt;
  const s = cache.input;
  const y = cache.output;
  const d = new Float64Array(s.length);
  for (let i = 0; i < s.length; i++) d[i] = derivative(fn, s[i], y[i]);
  cache[order] = d;
  return d;
}

export class ActivationLayer extends ParameterFreeLayer implements Layer {
  readonly type = 'activation' as const;
  readonly fn: Activation;

  constructor(inputShape: Shape, fn: Activation) {
    super(inputShape, inputShape);
    this.fn = fn;
  }

  static fromSpec(raw: unknown, inputShape: Shape, path: string): ActivationLayer {
    const f = layerFields(raw, ['fn'], path, 'activation');
    return new ActivationLayer(inputShape, requireOneOf(f.fn, ACTIVATIONS, childPath(path, 'fn')));
  }

  forward(_theta: Vec, x: Tensor): { output: Tensor; cache: ActivationCache } {
    requireLayerInput(this, x);
    const s = x.data;
    const y = new Float64Array(s.length);
    const fn = this.fn;
    for (let i = 0; i < s.length; i++) y[i] = activate(fn, s[i]);
    return { output: new Tensor(x.shape, y), cache: { input: s, output: y, N: x.batch } };
  }

  backward(_theta: Vec, cache: unknown, dy: Tensor, options: BackwardOptions): Tensor | null {
    if (!options.inputGradient) return null;
    const { input: s, N } = cache as ActivationCache;
    const size = s.length / Math.max(N, 1);
    const S = options.rowsPerExample;
    const g = dy.data;
    const dx = new Float64Array(g.length);
    const d1 = derivatives(cache as ActivationCache, 'd1', this.fn);
    const M = dy.batch;
    for (let m = 0; m < M; m++) {
      const xs = Math.floor(m / S) * size;
      const o = m * size;
      for (let i = 0; i < size; i++) dx[o + i] = d1[xs + i] * g[o + i];
    }
    return new Tensor(dy.shape, dx);
  }

  jvp(_theta: Vec, _v: Vec | null, cache: unknown, dx: Tensor | null): { output: Tensor; tangent: Float64Array | null } {
    const { input: s, N } = cache as ActivationCache;
    const r = new Float64Array(s.length);
    if (dx !== null) {
      const d1 = derivatives(cache as ActivationCache, 'd1', this.fn);
      const t = dx.data;
      for (let i = 0; i < s.length; i++) r[i] = d1[i] * t[i];
    }
    return { output: new Tensor([N, ...this.outputShape], r), tangent: dx?.data ?? null };
  }

  /** dx = phi'(s) dy; R(dx) = phi'(s) R(dy) + phi''(s) R(s) dy. */
  rBackward({ cache, tangent, dy, rdy, inputGradient }: RBackwardInput): RBackwardOutput | null {
    if (!inputGradient) return null;
    const { input: s } = cache as ActivationCache;
    const rs = tangent as Float64Array | null;
    const g = dy.data;
    const rg = rdy.data;
    const dx = new Float64Array(s.length);
    const rdx = new Float64Array(s.length);
    const d1 = derivatives(cache as ActivationCache, 'd1', this.fn);
    const d2 = rs === null ? null : derivatives(cache as ActivationCache, 'd2', this.fn);
    for (let i = 0; i < s.length; i++) {
      dx[i] = d1[i] * g[i];
      rdx[i] = d1[i] * rg[i] + (d2 === null ? 0 : d2[i] * (rs as Float64Array)[i] * g[i]);
    }
    return { dx: new Tensor(dy.shape, dx), rdx: new Tensor(dy.shape, rdx) };
  }
}
