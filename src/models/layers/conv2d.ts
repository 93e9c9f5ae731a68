/**
 * `conv2d` {out, kernel, stride, padding, bias} on [C, H, W]:
 * nn.functional.conv2d (cross-correlation, zero padding), W of shape
 * [out, C, kh, kw], output [out, H', W'] with H' = floor((H + 2 ph - kh)/sh) + 1.
 *
 * Computed as im2col plus one GEMM: the patch of output location r = (i, j)
 * (row-major over H' x W') is ordered like nn.functional.unfold, channel,
 * then kernel row, then kernel column, so that s_{n,r} = W.reshape(out, -1)
 * a_{n,r} + b. K-FAC for convolutions (KFC) sees exactly these patches.
 *
 * Reference: R. Grosse and J. Martens, "A Kronecker-factored approximate
 * Fisher matrix for convolution layers", ICML 2016.
 */
import { NatgradError, childPath } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { Vec } from '../../core/vec.js';
import { requireIntegerInRange } from '../../core/validate.js';
import { type Shape, Tensor, formatShape } from '../tensor.js';
import { WEIGHT_AND_BIAS, affineBackward, affineForward, affineLayout, affineRBackward, affineTangent } from './affine.js';
import type { BackwardOptions, KfacBlockShape, Layer, RBackwardInput, RBackwardOutput } from './layer.js';
import { LayerShapes, fillUniform, requireLayerInput } from './layer.js';
import { integerPair, layerFields, optionalBoolean, requireRank } from './spec-fields.js';

export interface Conv2dSpec {
  type: 'conv2d';
  out: number;
  kernel: [number, number];
  /** default [1, 1] */
  stride?: [number, number];
  /** default [0, 0] */
  padding?: [number, number];
  /** default true */
  bias?: boolean;
}

export interface Conv2dGeometry {
  C: number;
  H: number;
  W: number;
  out: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
}

/** What the forward pass keeps for the backward pass and K-FAC. */
export interface Conv2dCache {
  /** N L x K, the patches of every example */
  patches: Float64Array;
  N: number;
}

/** The tangent the JVP carries through this layer. */
export interface Conv2dTangent {
  rPatches: Float64Array | null;
}

export class Conv2dLayer extends LayerShapes implements Layer {
  readonly type = 'conv2d' as const;
  readonly geometry: Readonly<Conv2dGeometry>;
  /** output height and width */
  readonly Ho: number;
  readonly Wo: number;
  /** L = Ho Wo positions, K = C kh kw entries per patch */
  readonly L: number;
  readonly K: number;
  private readonly block: KfacBlockShape;
  private index: Int32Array | null = null;

  constructor(g: Conv2dGeometry, bias: boolean, path = 'layer') {
    const { C, H, W, out, kh, kw, sh, sw, ph, pw } = g;
    if (kh > H + 2 * ph || kw > W + 2 * pw) {
      throw new NatgradError(
        childPath(path, 'kernel'),
        `kernel ${formatShape([kh, kw])} is larger than the padded input ${formatShape([H + 2 * ph, W + 2 * pw])} (input [${C}, ${H}, ${W}], padding ` +
          `[${ph}, ${pw}])`,
      );
    }
    const Ho = Math.floor((H + 2 * ph - kh) / sh) + 1;
    const Wo = Math.floor((W + 2 * pw - kw) / sw) + 1;
    const layout = affineLayout(WEIGHT_AND_BIAS, [out, C, kh, kw], C * kh * kw, Ho * Wo, 0, bias);
    super([C, H, W], [out, Ho, Wo], [layout]);
    this.geometry = Object.freeze({ ...g });
    this.Ho = Ho;
    this.Wo = Wo;
    this.L = Ho * Wo;
    this.K = C * kh * kw;
    this.block = layout.block;
  }

  static fromSpec(raw: unknown, inputShape: Shape, path: string): Conv2dLayer {
    const f = layerFields(raw, ['out', 'kernel', 'stride', 'padding', 'bias'], path, 'conv2d');
    requireRank(inputShape, [3], path, 'conv2d', 'a [C, H, W] image');
    const out = requireIntegerInRange(f.out, childPath(path, 'out'), 1);
    const [kh, kw] = integerPair(f.kernel, childPath(path, 'kernel'), 1);
    const [sh, sw] = integerPair(f.stride, childPath(path, 'stride'), 1, [1, 1]);
    const [ph, pw] = integerPair(f.padding, childPath(path, 'padding'), 0, [0, 0]);
    const [C, H, W] = inputShape;
    return new Conv2dLayer({ C, H, W, out, kh, kw, sh, sw, ph, pw }, optionalBoolean(f.bias, childPath(path, 'bias'), true), path);
  }

  /**
   * Entry q = l K + k of one example's patches reads input entry
   * patchIndex[q] of [C, H, W], or -1 where the kernel meets the padding.
   * Built once: im2col and col2im are then one flat loop over it.
   */
  private get patchIndex(): Int32Array {
    if (this.index !== null) return this.index;
    const { H, W, C, kh, kw, sh, sw, ph, pw } = this.geometry;
    const index = new Int32Array(this.L * this.K);
    let q = 0;
    for (let oi = 0; oi < this.Ho; oi++) {
      for (let oj = 0; oj < this.Wo; oj++) {
        for (let c = 0; c < C; c++) {
          for (let ki = 0; ki < kh; ki++) {
            const i = oi * sh - ph + ki;
            for (let kj = 0; kj < kw; kj++) {
              const j = oj * sw - pw + kj;
              index[q++] = i >= 0 && i < H && j >= 0 && j < W ? (c * H + i) * W + j : -1;
            }
          }
        }
      }
    }
    this.index = index;
    return index;
  }

  /** The patches of a batch [N, C, H, W], N L x K (zeros where the kernel meets the padding). */
  im2col(x: Float64Array, N: number): Float64Array {
    const index = this.patchIndex;
    const size = this.inputShape[0] * this.inputShape[1] * this.inputShape[2];
    const LK = index.length;
    const P = new Float64Array(N * LK);
    for (let n = 0; n < N; n++) {
      const xn = n * size;
      const pn = n * LK;
      for (let q = 0; q < LK; q++) {
        const i = index[q];
        if (i >= 0) P[pn + q] = x[xn + i];
      }
    }
    return P;
  }

  /** The adjoint of im2col: patch gradients M L x K summed back onto [M, C, H, W]. */
  col2im(dP: Float64Array, M: number): Float64Array {
    const index = this.patchIndex;
    const size = this.inputShape[0] * this.inputShape[1] * this.inputShape[2];
    const LK = index.length;
    const dx = new Float64Array(M * size);
    for (let m = 0; m < M; m++) {
      const xm = m * size;
      const pm = m * LK;
      for (let q = 0; q < LK; q++) {
        const i = index[q];
        if (i >= 0) dx[xm + i] += dP[pm + q];
      }
    }
    return dx;
  }

  /** [M, out, L] (NCHW) from M L x out (position-major), or back with `toChannels` false. */
  private transposeBlocks(src: Float64Array, M: number, toChannels: boolean): Float64Array {
    const out = this.geometry.out;
    const L = this.L;
    const dst = new Float64Array(src.length);
    for (let m = 0; m < M; m++) {
      const base = m * L * out;
      for (let l = 0; l < L; l++) {
        for (let o = 0; o < out; o++) {
          if (toChannels) dst[base + o * L + l] = src[base + l * out + o];
          else dst[base + l * out + o] = src[base + o * L + l];
        }
      }
    }
    return dst;
  }

  forward(theta: Vec, x: Tensor): { output: Tensor; cache: Conv2dCache } {
    requireLayerInput(this, x);
    const N = x.batch;
    const patches = this.im2col(x.data, N);
    const S = affineForward(this.block, theta, patches, N * this.L);
    return { output: new Tensor([N, ...this.outputShape], this.transposeBlocks(S, N, true)), cache: { patches, N } };
  }

  backward(theta: Vec, cache: unknown, dy: Tensor, options: BackwardOptions): Tensor | null {
    const c = cache as Conv2dCache;
    const M = dy.batch;
    const dS = this.transposeBlocks(dy.data, M, false);
    options.collect?.(0, dS);
    const dP = affineBackward(this.block, theta, c.patches, dS, M, options.rowsPerExample, options.grad, options.inputGradient);
    return dP === null ? null : new Tensor([M, ...this.inputShape], this.col2im(dP, M));
  }

  jvp(theta: Vec, v: Vec | null, cache: unknown, dx: Tensor | null): { output: Tensor; tangent: Conv2dTangent } {
    const c = cache as Conv2dCache;
    const rPatches = dx === null ? null : this.im2col(dx.data, c.N);
    const rS = affineTangent(this.block, theta, v, c.patches, rPatches, c.N * this.L);
    return { output: new Tensor([c.N, ...this.outputShape], this.transposeBlocks(rS, c.N, true)), tangent: { rPatches } };
  }

  rBackward({ theta, v, cache, tangent, dy, rdy, hv, inputGradient }: RBackwardInput): RBackwardOutput | null {
    const c = cache as Conv2dCache;
    const t = tangent as Conv2dTangent;
    const N = c.N;
    const dS = this.transposeBlocks(dy.data, N, false);
    const rdS = this.transposeBlocks(rdy.data, N, false);
    const r = affineRBackward(this.block, theta, v, c.patches, t.rPatches, dS, rdS, N * this.L, hv, inputGradient);
    if (r === null) return null;
    const shape = [N, ...this.inputShape];
    return { dx: new Tensor(shape, this.col2im(r.dA, N)), rdx: new Tensor(shape, this.col2im(r.rdA, N)) };
  }

  kfacInputs(cache: unknown): Float64Array[] {
    return [(cache as Conv2dCache).patches];
  }

  /** nn.Conv2d's default: W and b uniform on (-1/sqrt(C kh kw), 1/sqrt(C kh kw)). */
  init(rng: Rng, theta: Vec): void {
    fillUniform(rng, theta.subarray(0, this.paramCount), 1 / Math.sqrt(this.K));
  }
}
