/**
 * `attention` {heads, causal} on [T, D]: multi-head self-attention exactly as
 * nn.MultiheadAttention(D, heads, bias=True, batch_first=True) called with
 * query = key = value = x (and, when causal, the mask hiding later positions):
 *
 *   [Q K V] = x in_proj_weightᵀ + in_proj_bias        (rows of q, then k, then v)
 *   head h (columns h dh .. (h+1) dh, dh = D / heads):
 *     P_h = softmax(Q_h K_hᵀ / sqrt(dh))  (row i sees columns j <= i when causal)
 *     Z_h = P_h V_h
 *   y = [Z_1 ... Z_heads] out_proj_weightᵀ + out_proj_bias
 *
 * The two projections are affine maps shared over the T positions, so K-FAC
 * sees two weight matrices: in_proj (3D x D, inputs the tokens) and out_proj
 * (D x D, inputs the concatenated head outputs Z). The R-operator carries the
 * second-order terms of the softmax and of the products Q Kᵀ and P V.
 */
import { NatgradError, childPath } from '../../core/errors.js';
import type { Rng } from '../../core/rng.js';
import type { Vec } from '../../core/vec.js';
import { requireIntegerInRange } from '../../core/validate.js';
import { type Shape, Tensor, matmulStrided } from '../tensor.js';
import { type AffineNames, affineBackward, affineForward, affineLayout, affineRBackward, affineTangent } from './affine.js';
import type { BackwardOptions, KfacBlockShape, Layer, RBackwardInput, RBackwardOutput } from './layer.js';
import { LayerShapes, fillUniform, requireLayerInput } from './layer.js';
import { layerFields, optionalBoolean, requireRank } from './spec-fields.js';

export interface AttentionSpec {
  type: 'attention';
  heads: number;
  /** default false */
  causal?: boolean;
}

/** What the forward pass keeps for the backward pass and K-FAC. */
export interface AttentionCache {
  N: number;
  /** the tokens, N T x D */
  input: Float64Array;
  /** [Q K V], N T x 3D */
  qkv: Float64Array;
  /** the attention weights, N x heads x T x T */
  weights: Float64Array;
  /** the concatenated head outputs, N T x D */
  heads: Float64Array;
}

/** The tangent the JVP carries through this layer. */
export interface AttentionTangent {
  rInput: Float64Array | null;
  rQkv: Float64Array;
  rWeights: Float64Array;
  rHeads: Float64Array;
}

/** nn.MultiheadAttention's names: `in_proj_weight`, `in_proj_bias`, block `in_proj`. */
const projectionNames = (block: string): AffineNames => ({ weight: `${block}_weight`, bias: `${block}_bias`, block });

export class AttentionLayer extends LayerShapes implements Layer {
  readonly type = 'attention' as const;
  readonly T: number;
  readonly D: number;
  readonly heads: number;
  readonly headDim: number;
  readonly causal: boolean;
  /** 1/sqrt(head_dim) */
  readonly scaling: number;
  private readonly inProj: KfacBlockShape;
  private readonly outProj: KfacBlockShape;

  constructor(inputShape: Shape, heads: number, causal: boolean, path = 'layer') {
    const [T, D] = inputShape;
    if (D % heads !== 0) {
      throw new NatgradError(childPath(path, 'heads'), `must divide the model width D = ${D} (the last axis of the input [${T}, ${D}]), got ${heads}`);
    }
    const inProj = affineLayout(projectionNames('in_proj'), [3 * D, D], D, T, 0, true);
    const outProj = affineLayout(projectionNames('out_proj'), [D, D], D, T, inProj.size, true);
    super(inputShape, inputShape, [inProj, outProj]);
    this.T = T;
    this.D = D;
    this.heads = heads;
    this.headDim = D / heads;
    this.causal = causal;
    this.scaling = 1 / Math.sqrt(this.headDim);
    this.inProj = inProj.block;
    this.outProj = outProj.block;
  }

  static fromSpec(raw: unknown, inputShape: Shape, path: string): AttentionLayer {
    const f = layerFields(raw, ['heads', 'causal'], path, 'attention');
    requireRank(inputShape, [2], path, 'attention', 'a [T, D] sequence');
    const heads = requireIntegerInRange(f.heads, childPath(path, 'heads'), 1);
    return new AttentionLayer(inputShape, heads, optionalBoolean(f.causal, childPath(path, 'causal'), false), path);
  }

  /** Offsets of Q_h, K_h, V_h of example n in an N T x 3D array. */
  private qkvOffsets(n: number, h: number): [number, number, number] {
    const q = n * this.T * 3 * this.D + h * this.headDim;
    return [q, q + this.D, q + 2 * this.D];
  }

  forward(theta: Vec, x: Tensor): { output: Tensor; cache: AttentionCache } {
    requireLayerInput(this, x);
    const { T, D, heads: H, headDim: dh, scaling: c } = this;
    const N = x.batch;
    const qkv = affineForward(this.inProj, theta, x.data, N * T);
    const weights = new Float64Array(N * H * T * T);
    const Z = new Float64Array(N * T * D);
    for (let n = 0; n < N; n++) {
      for (let h = 0; h < H; h++) {
        const [q, k, v] = this.qkvOffsets(n, h);
        const p = (n * H + h) * T * T;
        matmulStrided(false, true, T, T, dh, c, qkv, q, 3 * D, qkv, k, 3 * D, 0, weights, p, T);
        this.softmaxRows(weights, p);
        matmulStrided(false, false, T, dh, T, 1, weights, p, T, qkv, v, 3 * D, 0, Z, n * T * D + h * dh, D);
      }
    }
    const y = affineForward(this.outProj, theta, Z, N * T);
    return { output: new Tensor([N, T, D], y), cache: { N, input: x.data, qkv, weights, heads: Z } };
  }

  /** Row-wise softmax of the T x T scores at offset p, in place; masked entries (j > i when causal) become 0. */
  private softmaxRows(A: Float64Array, p: number): void {
    const T = this.T;
    for (let i = 0; i < T; i++) {
      const r = p + i * T;
      const last = this.causal ? i : T - 1;
      let m = -Infinity;
      for (let j = 0; j <= last; j++) if (A[r + j] > m) m = A[r + j];
      let z = 0;
      for (let j = 0; j <= last; j++) {
        const e = Math.exp(A[r + j] - m);
        A[r + j] = e;
        z += e;
      }
      for (let j = 0; j <= last; j++) A[r + j] /= z;
      for (let j = last + 1; j < T; j++) A[r + j] = 0;
    }
  }

  /**
   * dS = P ⊙ (dP - rowsum(dP ⊙ P)) in place of dP (T x T at offset 0), the
   * backward pass of the row softmax; returns nothing.
   */
  private softmaxBackward(P: Float64Array, p: number, dP: Float64Array): void {
    const T = this.T;
    for (let i = 0; i < T; i++) {
      let s = 0;
      for (let j = 0; j < T; j++) s += dP[i * T + j] * P[p + i * T + j];
      for (let j = 0; j < T; j++) dP[i * T + j] = P[p + i * T + j] * (dP[i * T + j] - s);
    }
  }

  backward(theta: Vec, cache: unknown, dy: Tensor, options: BackwardOptions): Tensor | null {
    const c = cache as AttentionCache;
    const { T, D, heads: H, headDim: dh, scaling } = this;
    const M = dy.batch;
    const S = options.rowsPerExample;
    options.collect?.(1, dy.data);
    const dZ = affineBackward(this.outProj, theta, c.heads, dy.data, M, S, options.grad, true) as Float64Array;
    const dQkv = new Float64Array(M * T * 3 * D);
    const dP = new Float64Array(T * T);
    for (let m = 0; m < M; m++) {
      const n = Math.floor(m / S);
      for (let h = 0; h < H; h++) {
        const [q, k, v] = this.qkvOffsets(n, h);
        const [dq, dk, dv] = this.qkvOffsets(m, h);
        const p = (n * H + h) * T * T;
        const z = m * T * D + h * dh;
        matmulStrided(false, true, T, T, dh, 1, dZ, z, D, c.qkv, v, 3 * D, 0, dP, 0, T);
        matmulStrided(true, false, T, dh, T, 1, c.weights, p, T, dZ, z, D, 0, dQkv, dv, 3 * D);
        this.softmaxBackward(c.weights, p, dP);
        matmulStrided(false, false, T, dh, T, scaling, dP, 0, T, c.qkv, k, 3 * D, 0, dQkv, dq, 3 * D);
        matmulStrided(true, false, T, dh, T, scaling, dP, 0, T, c.qkv, q, 3 * D, 0, dQkv, dk, 3 * D);
      }
    }
    options.collect?.(0, dQkv);
    const dx = affineBackward(this.inProj, theta, c.input, dQkv, M, S, options.grad, options.inputGradient);
    return dx === null ? null : new Tensor([M, T, D], dx);
  }

  jvp(theta: Vec, v: Vec | null, cache: unknown, dx: Tensor | null): { output: Tensor; tangent: AttentionTangent } {
    const c = cache as AttentionCache;
    const { T, D, heads: H, headDim: dh, scaling } = this;
    const N = c.N;
    const rInput = dx?.data ?? null;
    const rQkv = affineTangent(this.inProj, theta, v, c.input, rInput, N * T);
    const rWeights = new Float64Array(N * H * T * T);
    const rZ = new Float64Array(N * T * D);
    for (let n = 0; n < N; n++) {
      for (let h = 0; h < H; h++) {
        const [q, k, vv] = this.qkvOffsets(n, h);
        const p = (n * H + h) * T * T;
        const z = n * T * D + h * dh;
        // R(S) = c (R(Q) Kᵀ + Q R(K)ᵀ); R(P) = P ⊙ (R(S) - rowsum(P ⊙ R(S)))
        matmulStrided(false, true, T, T, dh, scaling, rQkv, q, 3 * D, c.qkv, k, 3 * D, 0, rWeights, p, T);
        matmulStrided(false, true, T, T, dh, scaling, c.qkv, q, 3 * D, rQkv, k, 3 * D, 1, rWeights, p, T);
        for (let i = 0; i < T; i++) {
          const r = p + i * T;
          let s = 0;
          for (let j = 0; j < T; j++) s += c.weights[r + j] * rWeights[r + j];
          for (let j = 0; j < T; j++) rWeights[r + j] = c.weights[r + j] * (rWeights[r + j] - s);
        }
        // R(Z) = R(P) V + P R(V)
        matmulStrided(false, false, T, dh, T, 1, rWeights, p, T, c.qkv, vv, 3 * D, 0, rZ, z, D);
        matmulStrided(false, false, T, dh, T, 1, c.weights, p, T, rQkv, vv, 3 * D, 1, rZ, z, D);
      }
    }
    const rY = affineTangent(this.outProj, theta, v, c.heads, rZ, N * T);
    return { output: new Tensor([N, T, D], rY), tangent: { rInput, rQkv, rWeights, rHeads: rZ } };
  }

  rBackward({ theta, v, cache, tangent, dy, rdy, hv, inputGradient }: RBackwardInput): RBackwardOutput | null {
    const c = cache as AttentionCache;
    const t = tangent as AttentionTangent;
    const { T, D, heads: H, headDim: dh, scaling } = this;
    const N = c.N;
    const out = affineRBackward(this.outProj, theta, v, c.heads, t.rHeads, dy.data, rdy.data, N * T, hv, true) as { dA: Float64Array; rdA: Float64Array };
    const dZ = out.dA;
    const rdZ = out.rdA;
    const dQkv = new Float64Array(N * T * 3 * D);
    const rdQkv = new Float64Array(N * T * 3 * D);
    const dP = new Float64Array(T * T);
    const rdP = new Float64Array(T * T);
    const P = c.weights;
    const RP = t.rWeights;
    const Q = c.qkv;
    const RQ = t.rQkv;
    for (let n = 0; n < N; n++) {
      for (let h = 0; h < H; h++) {
        const [q, k, vv] = this.qkvOffsets(n, h);
        const p = (n * H + h) * T * T;
        const z = n * T * D + h * dh;
        // dP = dZ Vᵀ, R(dP) = R(dZ) Vᵀ + dZ R(V)ᵀ
        matmulStrided(false, true, T, T, dh, 1, dZ, z, D, Q, vv, 3 * D, 0, dP, 0, T);
        matmulStrided(false, true, T, T, dh, 1, rdZ, z, D, Q, vv, 3 * D, 0, rdP, 0, T);
        matmulStrided(false, true, T, T, dh, 1, dZ, z, D, RQ, vv, 3 * D, 1, rdP, 0, T);
        // dV = Pᵀ dZ, R(dV) = R(P)ᵀ dZ + Pᵀ R(dZ)
        matmulStrided(true, false, T, dh, T, 1, P, p, T, dZ, z, D, 0, dQkv, vv, 3 * D);
        matmulStrided(true, false, T, dh, T, 1, RP, p, T, dZ, z, D, 0, rdQkv, vv, 3 * D);
        matmulStrided(true, false, T, dh, T, 1, P, p, T, rdZ, z, D, 1, rdQkv, vv, 3 * D);
        // dS = P ⊙ (dP - σ), σ = rowsum(dP ⊙ P);
        // R(dS) = R(P) ⊙ (dP - σ) + P ⊙ (R(dP) - R(σ)), R(σ) = rowsum(R(dP) ⊙ P + dP ⊙ R(P))
        for (let i = 0; i < T; i++) {
          const r = p + i * T;
          let s = 0;
          let rs = 0;
          for (let j = 0; j < T; j++) {
            s += dP[i * T + j] * P[r + j];
            rs += rdP[i * T + j] * P[r + j] + dP[i * T + j] * RP[r + j];
          }
          for (let j = 0; j < T; j++) {
            const e = dP[i * T + j] - s;
            rdP[i * T + j] = RP[r + j] * e + P[r + j] * (rdP[i * T + j] - rs);
            dP[i * T + j] = P[r + j] * e;
          }
        }
        // dQ = c dS K, R(dQ) = c (R(dS) K + dS R(K)); dK = c dSᵀ Q, R(dK) = c (R(dS)ᵀ Q + dSᵀ R(Q))
        matmulStrided(false, false, T, dh, T, scaling, dP, 0, T, Q, k, 3 * D, 0, dQkv, q, 3 * D);
        matmulStrided(false, false, T, dh, T, scaling, rdP, 0, T, Q, k, 3 * D, 0, rdQkv, q, 3 * D);
        matmulStrided(false, false, T, dh, T, scaling, dP, 0, T, RQ, k, 3 * D, 1, rdQkv, q, 3 * D);
        matmulStrided(true, false, T, dh, T, scaling, dP, 0, T, Q, q, 3 * D, 0, dQkv, k, 3 * D);
        matmulStrided(true, false, T, dh, T, scaling, rdP, 0, T, Q, q, 3 * D, 0, rdQkv, k, 3 * D);
        matmulStrided(true, false, T, dh, T, scaling, dP, 0, T, RQ, q, 3 * D, 1, rdQkv, k, 3 * D);
      }
    }
    const inp = affineRBackward(this.inProj, theta, v, c.input, t.rInput, dQkv, rdQkv, N * T, hv, inputGradient);
    return inp === null ? null : { dx: new Tensor([N, T, D], inp.dA), rdx: new Tensor([N, T, D], inp.rdA) };
  }

  kfacInputs(cache: unknown): Float64Array[] {
    const c = cache as AttentionCache;
    return [c.input, c.heads];
  }

  /**
   * nn.MultiheadAttention's default: in_proj_weight Xavier-uniform (bound
   * sqrt(6 / (D + 3D))), out_proj_weight nn.Linear's (bound 1/sqrt(D)), both
   * biases 0.
   */
  init(rng: Rng, theta: Vec): void {
    const D = this.D;
    theta.fill(0, 0, this.paramCount);
    fillUniform(rng, theta.subarray(0, 3 * D * D), Math.sqrt(6 / (4 * D)));
    fillUniform(rng, theta.subarray(this.outProj.weightOffset, this.outProj.weightOffset + D * D), 1 / Math.sqrt(D));
  }
}
