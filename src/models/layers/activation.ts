/**
 * `activation` {fn}: an elementwise function on any shape, one of the five of
 * src/models/activations.ts (with its first and second derivatives, which the
 * backward pass and the R-operator use).
 */
import { childPath } from '../../core/errors.js';
import type { Vec } from '../../core/vec.js';
import { requireOneOf } from '../../core/validate.js';
import { ACTIVATIONS, type Activation, activate, activationDerivative, activationSecondDerivative } from '../activations.js';
import { type Shape, Tensor } from '../tensor.js';
import { type BackwardOptions, type Layer, requireLayerInput } from './layer.js';
import { layerFields } from './spec-fields.js';

export interface ActivationSpec {
  type: 'activation';
  fn: Activation;
}

/** What the forward pass keeps for the backward pass and K-FAC. */
export interface ActivationCache {
  /** the input s (the pre-activation), N x size */
  input: Float64Array;
  N: number;
  /** phi'(s) and phi''(s), computed on first use: every backward, tangent and R-operator sweep at this point shares them */
  d1?: Float64Array;
  d2?: Float64Array;
}

function firstDerivatives(cache: ActivationCache, fn: Activation): Float64Array {
  if (cache.d1 === undefined) {
    const s = cache.input;
    cache.d1 = new Float64Array(s.length);
    for (let i = 0; i < s.length; i++) cache.d1[i] = activationDerivative(fn, s[i]);
  }
  return cache.d1;
}

function secondDerivatives(cache: ActivationCache, fn: Activation): Float64Array {
  if (cache.d2 === undefined) {
    const s = cache.input;
    cache.d2 = new Float64Array(s.length);
    for (let i = 0; i < s.length; i++) cache.d2[i] = activationSecondDerivative(fn, s[i]);
  }
  return cache.d2;
}

export class ActivationLayer implements Layer {
  readonly type = 'activation' as const;
  readonly inputShape: Shape;
  readonly outputShape: Shape;
  readonly params = [];
  readonly paramCount = 0;
  readonly kfacBlocks = [];
  readonly fn: Activation;

  constructor(inputShape: Shape, fn: Activation) {
    this.inputShape = inputShape;
    this.outputShape = inputShape;
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
    return { output: new Tensor(x.shape, y), cache: { input: s, N: x.batch } };
  }

  backward(_theta: Vec, cache: unknown, dy: Tensor, options: BackwardOptions): Tensor | null {
    if (!options.inputGradient) return null;
    const { input: s, N } = cache as ActivationCache;
    const size = s.length / Math.max(N, 1);
    const S = options.rowsPerExample;
    const g = dy.data;
    const dx = new Float64Array(g.length);
    const d1 = firstDerivatives(cache as ActivationCache, this.fn);
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
      const d1 = firstDerivatives(cache as ActivationCache, this.fn);
      const t = dx.data;
      for (let i = 0; i < s.length; i++) r[i] = d1[i] * t[i];
    }
    return { output: new Tensor([N, ...this.outputShape], r), tangent: dx?.data ?? null };
  }

  /** dx = phi'(s) dy; R(dx) = phi'(s) R(dy) + phi''(s) R(s) dy. */
  rBackward(_theta: Vec, _v: Vec, cache: unknown, tangent: unknown, dy: Tensor, rdy: Tensor, _hv: Vec, inputGradient: boolean): { dx: Tensor; rdx: Tensor } | null {
    if (!inputGradient) return null;
    const { input: s } = cache as ActivationCache;
    const rs = tangent as Float64Array | null;
    const g = dy.data;
    const rg = rdy.data;
    const dx = new Float64Array(s.length);
    const rdx = new Float64Array(s.length);
    const d1 = firstDerivatives(cache as ActivationCache, this.fn);
    const d2 = rs === null ? null : secondDerivatives(cache as ActivationCache, this.fn);
    for (let i = 0; i < s.length; i++) {
      dx[i] = d1[i] * g[i];
      rdx[i] = d1[i] * rg[i] + (d2 === null ? 0 : d2[i] * (rs as Float64Array)[i] * g[i]);
    }
    return { dx: new Tensor(dy.shape, dx), rdx: new Tensor(dy.shape, rdx) };
  }

  kfacInputs(): Float64Array[] {
    return [];
  }

  init(): void {}
}
