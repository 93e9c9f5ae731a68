/**
 * The layers against direct implementations written plainly here, in the
 * definitions of the PyTorch functions they follow: nested-loop
 * cross-correlation (nn.functional.conv2d), nn.functional.unfold's patch
 * order, per-example multi-head attention (nn.MultiheadAttention), mean
 * pooling, flatten and a linear layer applied per position. Sensitivity runs
 * show each comparison catches the classic mistakes: a transposed weight, the
 * 1/sqrt(head_dim) scale dropped, patches ordered kernel position first, the
 * causal mask missing.
 */
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import type { Vec } from '../../src/core/vec.js';
import { AttentionLayer, Conv2dLayer, type Conv2dGeometry } from '../../src/models/layers/index.js';
import { Sequential, type SequentialSpec } from '../../src/models/sequential.js';
import type { Tensor } from '../../src/models/tensor.js';
import { norm, randomProblem, randomTensor, randomVec } from './sequential-fixtures.js';

const EPS = 2 ** -52;

/**
 * Both sides compute the same sums of k terms in different orders, each within
 * γ_k Σ|terms| of the exact value (γ_k = k ε / (1 - k ε)); their difference is
 * at most 2 γ_k Σ|terms|. `scale` is Σ|terms| per output entry.
 */
function withinSummationError(a: ArrayLike<number>, b: ArrayLike<number>, scale: ArrayLike<number>, k: number): number[] {
  const gamma = (k * EPS) / (1 - k * EPS);
  const bad: number[] = [];
  for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i] - b[i]) <= 2 * gamma * scale[i])) bad.push(i);
  return bad;
}

/** y[n,o,i,j] = b[o] + sum_{c,ki,kj} W[o,c,ki,kj] x[n,c,i sh - ph + ki, j sw - pw + kj], zero outside the input; with Σ|terms|. */
function directConv(
  g: Conv2dGeometry,
  W: ArrayLike<number>,
  b: ArrayLike<number> | null,
  x: Tensor,
): { y: Float64Array; scale: Float64Array; Ho: number; Wo: number } {
  const { C, H, W: Wd, out, kh, kw, sh, sw, ph, pw } = g;
  const Ho = Math.floor((H + 2 * ph - kh) / sh) + 1;
  const Wo = Math.floor((Wd + 2 * pw - kw) / sw) + 1;
  const N = x.batch;
  const y = new Float64Array(N * out * Ho * Wo);
  const scale = new Float64Array(y.length);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < out; o++) {
      for (let i = 0; i < Ho; i++) {
        for (let j = 0; j < Wo; j++) {
          let s = b === null ? 0 : b[o];
          let a = Math.abs(s);
          for (let c = 0; c < C; c++) {
            for (let ki = 0; ki < kh; ki++) {
              for (let kj = 0; kj < kw; kj++) {
                const r = i * sh - ph + ki;
                const q = j * sw - pw + kj;
                if (r < 0 || r >= H || q < 0 || q >= Wd) continue;
                const t = W[((o * C + c) * kh + ki) * kw + kj] * x.data[((n * C + c) * H + r) * Wd + q];
                s += t;
                a += Math.abs(t);
              }
            }
          }
          const idx = ((n * out + o) * Ho + i) * Wo + j;
          y[idx] = s;
          scale[idx] = a;
        }
      }
    }
  }
  return { y, scale, Ho, Wo };
}

/** dx of the same convolution for output gradient dy, accumulated term by term; with Σ|terms|. */
function directConvInputGradient(g: Conv2dGeometry, W: ArrayLike<number>, dy: Tensor): { dx: Float64Array; scale: Float64Array } {
  const { C, H, W: Wd, out, kh, kw, sh, sw, ph, pw } = g;
  const Ho = dy.shape[2];
  const Wo = dy.shape[3];
  const N = dy.batch;
  const dx = new Float64Array(N * C * H * Wd);
  const scale = new Float64Array(dx.length);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < out; o++) {
      for (let i = 0; i < Ho; i++) {
        for (let j = 0; j < Wo; j++) {
          const d = dy.data[((n * out + o) * Ho + i) * Wo + j];
          for (let c = 0; c < C; c++) {
            for (let ki = 0; ki < kh; ki++) {
              for (let kj = 0; kj < kw; kj++) {
                const r = i * sh - ph + ki;
                const q = j * sw - pw + kj;
                if (r < 0 || r >= H || q < 0 || q >= Wd) continue;
                const t = d * W[((o * C + c) * kh + ki) * kw + kj];
                const idx = ((n * C + c) * H + r) * Wd + q;
                dx[idx] += t;
                scale[idx] += Math.abs(t);
              }
            }
          }
        }
      }
    }
  }
  return { dx, scale };
}

/**
 * nn.functional.unfold of one example, [C kh kw, L]: row (c kh + ki) kw + kj,
 * column i Wo + j. `kernelFirst` orders rows (ki kw + kj) C + c instead (the
 * mistake the [patch-order] diagnosis names).
 */
function directUnfold(g: Conv2dGeometry, x: Tensor, n: number, kernelFirst = false): Float64Array {
  const { C, H, W: Wd, kh, kw, sh, sw, ph, pw } = g;
  const Ho = Math.floor((H + 2 * ph - kh) / sh) + 1;
  const Wo = Math.floor((Wd + 2 * pw - kw) / sw) + 1;
  const L = Ho * Wo;
  const K = C * kh * kw;
  const u = new Float64Array(K * L);
  for (let c = 0; c < C; c++) {
    for (let ki = 0; ki < kh; ki++) {
      for (let kj = 0; kj < kw; kj++) {
        const row = kernelFirst ? (ki * kw + kj) * C + c : (c * kh + ki) * kw + kj;
        for (let i = 0; i < Ho; i++) {
          for (let j = 0; j < Wo; j++) {
            const r = i * sh - ph + ki;
            const q = j * sw - pw + kj;
            u[row * L + i * Wo + j] = r < 0 || r >= H || q < 0 || q >= Wd ? 0 : x.data[((n * C + c) * H + r) * Wd + q];
          }
        }
      }
    }
  }
  return u;
}

const GEOMETRIES: [string, Conv2dGeometry, boolean][] = [
  ['3x3, stride 1, no padding', { C: 2, H: 6, W: 6, out: 3, kh: 3, kw: 3, sh: 1, sw: 1, ph: 0, pw: 0 }, true],
  ['rectangular kernel, stride (2, 1), padding (1, 2)', { C: 3, H: 7, W: 5, out: 2, kh: 2, kw: 3, sh: 2, sw: 1, ph: 1, pw: 2 }, true],
  ['stride 3 that does not divide, no bias', { C: 1, H: 8, W: 7, out: 4, kh: 3, kw: 2, sh: 3, sw: 3, ph: 1, pw: 0 }, false],
  ['kernel as large as the padded input', { C: 2, H: 3, W: 2, out: 2, kh: 5, kw: 2, sh: 1, sw: 1, ph: 1, pw: 0 }, true],
];

describe.each(GEOMETRIES)('conv2d, %s', (_name, g, bias) => {
  const rng = new Rng(`conv ${_name}`);
  const layer = new Conv2dLayer(g, bias);
  const theta = randomVec(rng, layer.paramCount);
  const x = randomTensor(rng, [3, g.C, g.H, g.W]);
  const W = theta.subarray(0, g.out * layer.K);
  const b = bias ? theta.subarray(g.out * layer.K) : null;
  const K = g.C * g.kh * g.kw + 1;

  test('forward equals the nested-loop cross-correlation', () => {
    const { y, scale, Ho, Wo } = directConv(g, W, b, x);
    const out = layer.forward(theta, x).output;
    expect(out.shape).toEqual([3, g.out, Ho, Wo]);
    expect(withinSummationError(out.data, y, scale, K)).toEqual([]);
  });

  test('the input gradient equals the nested-loop adjoint', () => {
    const { cache, output } = layer.forward(theta, x);
    const dy = randomTensor(rng, output.shape);
    const dx = layer.backward(theta, cache, dy, { rowsPerExample: 1, grad: null, collect: null, inputGradient: true }) as Tensor;
    const ref = directConvInputGradient(g, W, dy);
    expect(withinSummationError(dx.data, ref.dx, ref.scale, g.out * g.kh * g.kw)).toEqual([]);
  });

  test("patches are in nn.functional.unfold's order (channel, kernel row, kernel column)", () => {
    const P = layer.im2col(x.data, x.batch);
    for (let n = 0; n < x.batch; n++) {
      const u = directUnfold(g, x, n);
      for (let l = 0; l < layer.L; l++) for (let k = 0; k < layer.K; k++) expect(P[(n * layer.L + l) * layer.K + k]).toBe(u[k * layer.L + l]);
    }
  });
});

describe('conv2d sensitivity: the comparisons catch the classic mistakes', () => {
  const g: Conv2dGeometry = { C: 2, H: 5, W: 5, out: 3, kh: 2, kw: 3, sh: 1, sw: 2, ph: 1, pw: 1 };
  const rng = new Rng(1201);
  const layer = new Conv2dLayer(g, true);
  const theta = randomVec(rng, layer.paramCount);
  const x = randomTensor(rng, [2, g.C, g.H, g.W]);
  const W = theta.subarray(0, g.out * layer.K);
  const b = theta.subarray(g.out * layer.K);
  const ref = directConv(g, W, b, x);
  const K = layer.K + 1;

  test('patches ordered kernel position first, channel last, are caught', () => {
    // y = W.reshape(out, -1) times the wrongly ordered patches
    const wrong = new Float64Array(ref.y.length);
    for (let n = 0; n < x.batch; n++) {
      const u = directUnfold(g, x, n, true);
      for (let o = 0; o < g.out; o++) {
        for (let l = 0; l < layer.L; l++) {
          let s = b[o];
          for (let k = 0; k < layer.K; k++) s += W[o * layer.K + k] * u[k * layer.L + l];
          wrong[(n * g.out + o) * layer.L + l] = s;
        }
      }
    }
    expect(withinSummationError(wrong, ref.y, ref.scale, K).length).toBeGreaterThan(0);
  });

  test('a kernel with its two spatial axes swapped is caught', () => {
    const g2: Conv2dGeometry = { ...g, kh: 3, kw: 3 };
    const l2 = new Conv2dLayer(g2, false);
    const t2 = randomVec(rng, l2.paramCount);
    const swapped = t2.slice();
    for (let o = 0; o < g2.out; o++)
      for (let c = 0; c < g2.C; c++)
        for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) swapped[((o * g2.C + c) * 3 + i) * 3 + j] = t2[((o * g2.C + c) * 3 + j) * 3 + i];
    const r = directConv(g2, t2, null, x);
    expect(withinSummationError(l2.forward(swapped, x).output.data, r.y, r.scale, l2.K).length).toBeGreaterThan(0);
    expect(withinSummationError(l2.forward(t2, x).output.data, r.y, r.scale, l2.K)).toEqual([]);
  });
});

/** nn.MultiheadAttention on one example [T, D], written out entry by entry. */
function directAttention(
  theta: ArrayLike<number>,
  x: ArrayLike<number>,
  T: number,
  D: number,
  heads: number,
  options: { causal: boolean; scaled?: boolean },
): Float64Array {
  const dh = D / heads;
  const inW = (r: number, d: number) => theta[r * D + d];
  const inB = (r: number) => theta[3 * D * D + r];
  const outW = (o: number, e: number) => theta[3 * D * D + 3 * D + o * D + e];
  const outB = (o: number) => theta[3 * D * D + 3 * D + D * D + o];
  const proj: number[][] = [];
  for (let t = 0; t < T; t++) {
    const row: number[] = [];
    for (let r = 0; r < 3 * D; r++) {
      let s = inB(r);
      for (let d = 0; d < D; d++) s += inW(r, d) * x[t * D + d];
      row.push(s);
    }
    proj.push(row);
  }
  const q = (t: number, c: number) => proj[t][c];
  const k = (t: number, c: number) => proj[t][D + c];
  const v = (t: number, c: number) => proj[t][2 * D + c];
  const z: number[][] = Array.from({ length: T }, () => new Array<number>(D).fill(0));
  const scaling = options.scaled === false ? 1 : 1 / Math.sqrt(dh);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < T; i++) {
      const scores: number[] = [];
      for (let j = 0; j < T; j++) {
        let s = 0;
        for (let e = 0; e < dh; e++) s += q(i, h * dh + e) * k(j, h * dh + e);
        scores.push(options.causal && j > i ? -Infinity : s * scaling);
      }
      const m = Math.max(...scores);
      const w = scores.map((s) => Math.exp(s - m));
      const total = w.reduce((a, c) => a + c, 0);
      for (let e = 0; e < dh; e++) {
        let s = 0;
        for (let j = 0; j < T; j++) s += (w[j] / total) * v(j, h * dh + e);
        z[i][h * dh + e] = s;
      }
    }
  }
  const y = new Float64Array(T * D);
  for (let t = 0; t < T; t++) {
    for (let o = 0; o < D; o++) {
      let s = outB(o);
      for (let e = 0; e < D; e++) s += outW(o, e) * z[t][e];
      y[t * D + o] = s;
    }
  }
  return y;
}

/**
 * The attention output is a composition of sums of at most max(D, T) terms
 * through a softmax whose relative condition number is O(max |score|); at these
 * sizes (D, T <= 6, scores O(1)) 2^-40 of the largest output (about 4500 ε) is
 * far above the rounding and far below any modelling mistake (sensitivity runs).
 */
const ATTENTION_TOL = 2 ** -40;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const maxAbs = (a: ArrayLike<number>): number => maxAbsDiff(a, new Float64Array(a.length));

describe.each([
  ['one head', 3, 4, 1, false],
  ['two heads', 5, 4, 2, false],
  ['three heads, causal', 4, 6, 3, true],
  ['one position, causal', 1, 4, 2, true],
] as const)('attention, %s', (_name, T, D, heads, causal) => {
  const rng = new Rng(`attention ${_name}`);
  const layer = new AttentionLayer([T, D], heads, causal);
  const theta = randomVec(rng, layer.paramCount);
  const x = randomTensor(rng, [3, T, D]);

  test('equals nn.MultiheadAttention written out per example', () => {
    const y = layer.forward(theta, x).output;
    for (let n = 0; n < x.batch; n++) {
      const ref = directAttention(theta, x.example(n), T, D, heads, { causal });
      expect(maxAbsDiff(y.example(n), ref)).toBeLessThanOrEqual(ATTENTION_TOL * maxAbs(ref));
    }
  });

  test('parameters in PyTorch order: in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias', () => {
    expect(layer.params.map((p) => [p.name, p.shape, p.offset])).toEqual([
      ['in_proj_weight', [3 * D, D], 0],
      ['in_proj_bias', [3 * D], 3 * D * D],
      ['out_proj_weight', [D, D], 3 * D * D + 3 * D],
      ['out_proj_bias', [D], 4 * D * D + 3 * D],
    ]);
    expect(layer.paramCount).toBe(4 * D * D + 4 * D);
  });
});

describe('attention sensitivity: the comparison catches the classic mistakes', () => {
  const T = 4;
  const D = 4;
  const rng = new Rng(1301);
  const x = randomTensor(rng, [2, T, D]);
  const causal = new AttentionLayer([T, D], 2, true);
  const theta = randomVec(rng, causal.paramCount);
  const gap = (layer: AttentionLayer, t: Vec, options: { causal: boolean; scaled?: boolean }) => {
    const y = layer.forward(t, x).output;
    let worst = 0;
    for (let n = 0; n < x.batch; n++) {
      const ref = directAttention(theta, x.example(n), T, D, 2, options);
      worst = Math.max(worst, maxAbsDiff(y.example(n), ref) / maxAbs(ref));
    }
    return worst;
  };

  test('the reference itself agrees with the layer', () => {
    expect(gap(causal, theta, { causal: true })).toBeLessThanOrEqual(ATTENTION_TOL);
  });

  test('a dropped 1/sqrt(head_dim) scale is caught', () => {
    expect(gap(causal, theta, { causal: true, scaled: false })).toBeGreaterThan(ATTENTION_TOL);
  });

  test('a missing causal mask is caught', () => {
    expect(gap(causal, theta, { causal: false })).toBeGreaterThan(ATTENTION_TOL);
    expect(gap(new AttentionLayer([T, D], 2, false), theta, { causal: true })).toBeGreaterThan(ATTENTION_TOL);
  });

  test('a transposed out_proj_weight is caught', () => {
    const t = theta.slice();
    const off = 3 * D * D + 3 * D;
    for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) t[off + i * D + j] = theta[off + j * D + i];
    expect(gap(causal, t, { causal: true })).toBeGreaterThan(ATTENTION_TOL);
  });

  test('q, k and v rows taken in another order (k, q, v) are caught', () => {
    const t = theta.slice();
    for (let r = 0; r < D; r++) {
      for (let d = 0; d < D; d++) {
        t[r * D + d] = theta[(D + r) * D + d];
        t[(D + r) * D + d] = theta[r * D + d];
      }
      t[3 * D * D + r] = theta[3 * D * D + D + r];
      t[3 * D * D + D + r] = theta[3 * D * D + r];
    }
    expect(gap(causal, t, { causal: true })).toBeGreaterThan(ATTENTION_TOL);
  });
});

describe('pooling, flatten and linear on positions, against direct loops', () => {
  const rng = new Rng(1401);

  test('mean over [C, H, W] is global average pooling per channel; over [T, D] the mean over tokens', () => {
    const img = new Sequential({ input: [2, 3, 4], layers: [{ type: 'mean' }, { type: 'linear', out: 1, bias: false }], likelihood: 'gaussian' });
    const x = randomTensor(rng, [2, 2, 3, 4]);
    const pooled = img.forward(Float64Array.of(1, 0), x).outputs[0];
    expect(pooled.shape).toEqual([2, 2]);
    for (let n = 0; n < 2; n++) {
      for (let c = 0; c < 2; c++) {
        let s = 0;
        for (let k = 0; k < 12; k++) s += x.data[(n * 2 + c) * 12 + k];
        expect(pooled.data[n * 2 + c]).toBeCloseTo(s / 12, 14);
      }
    }
    const seq = new Sequential({ input: [3, 2], layers: [{ type: 'mean' }], likelihood: 'gaussian' });
    const xs = randomTensor(rng, [2, 3, 2]);
    const m = seq.predict(new Float64Array(0), xs);
    for (let n = 0; n < 2; n++) {
      for (let d = 0; d < 2; d++) expect(m.data[n * 2 + d]).toBeCloseTo((xs.data[n * 6 + d] + xs.data[n * 6 + 2 + d] + xs.data[n * 6 + 4 + d]) / 3, 14);
    }
  });

  test('flatten is torch.flatten(x, 1): row-major, the data unchanged', () => {
    const model = new Sequential({ input: [2, 2, 3], layers: [{ type: 'flatten' }], likelihood: 'gaussian' });
    const x = randomTensor(rng, [2, 2, 2, 3]);
    const y = model.predict(new Float64Array(0), x);
    expect(y.shape).toEqual([2, 12]);
    expect(Array.from(y.data)).toEqual(Array.from(x.data));
  });

  test('linear on [T, D] applies the same W and b at every position', () => {
    const model = new Sequential({ input: [3, 2], layers: [{ type: 'linear', out: 2 }], likelihood: 'gaussian' });
    const theta = randomVec(rng, model.paramCount);
    const x = randomTensor(rng, [2, 3, 2]);
    const y = model.predict(theta, x);
    for (let n = 0; n < 2; n++) {
      for (let t = 0; t < 3; t++) {
        for (let o = 0; o < 2; o++) {
          const ref = theta[4 + o] + theta[o * 2] * x.data[(n * 3 + t) * 2] + theta[o * 2 + 1] * x.data[(n * 3 + t) * 2 + 1];
          expect(Math.abs(y.data[(n * 3 + t) * 2 + o] - ref)).toBeLessThanOrEqual(4 * EPS * (Math.abs(ref) + 4));
        }
      }
    }
  });
});

describe('with one position (a kernel as large as the input) conv2d is linear on the flattened input', () => {
  const conv: SequentialSpec = {
    input: [2, 3, 2],
    layers: [{ type: 'conv2d', out: 3, kernel: [3, 2] }, { type: 'flatten' }, { type: 'activation', fn: 'tanh' }, { type: 'linear', out: 2 }],
    likelihood: 'categorical',
  };
  const lin: SequentialSpec = {
    input: [2, 3, 2],
    layers: [{ type: 'flatten' }, { type: 'linear', out: 3 }, { type: 'activation', fn: 'tanh' }, { type: 'linear', out: 2 }],
    likelihood: 'categorical',
  };
  const p = randomProblem(1501, conv, 4);
  const m2 = new Sequential(lin);
  const close = (a: ArrayLike<number>, b: ArrayLike<number>) => expect(maxAbsDiff(a, b)).toBeLessThanOrEqual(2 ** -44 * (maxAbs(b) + 1));
  const v = randomVec(new Rng(1502), p.model.paramCount);

  test('same parameter count, loss, gradient and Hessian-vector product', () => {
    expect(m2.paramCount).toBe(p.model.paramCount);
    const a = p.model.lossAndGradient(p.theta, p.x, p.targets);
    const b = m2.lossAndGradient(p.theta, p.x, p.targets);
    close([a.loss], [b.loss]);
    close(a.gradient, b.gradient);
    close(p.model.hessianVectorProduct(p.theta, p.x, p.targets, v), m2.hessianVectorProduct(p.theta, p.x, p.targets, v));
  });

  test('same K-FAC statistics: one position, the patch is the flattened input', () => {
    const t1 = p.model.forward(p.theta, p.x);
    const t2 = m2.forward(p.theta, p.x);
    const g1 = p.model.loss.lossAndGradient(t1.output, p.targets).gradient;
    const s1 = p.model.collect(p.theta, t1, g1).statistics;
    const s2 = m2.collect(p.theta, t2, g1).statistics;
    expect(s1.map((s) => [s.block.positions, s.block.fanIn, s.block.out])).toEqual([
      [1, 12, 3],
      [1, 3, 2],
    ]);
    expect(s1.map((s) => [s.block.positions, s.block.fanIn, s.block.out])).toEqual(s2.map((s) => [s.block.positions, s.block.fanIn, s.block.out]));
    s1.forEach((s, i) => {
      close(s.inputs, s2[i].inputs);
      close(s.outputGradients, s2[i].outputGradients);
    });
    expect(norm(s1[0].inputs)).toBeGreaterThan(0);
  });
});
