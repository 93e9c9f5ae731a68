/**
 * The batched layers' derivatives, for every layer type, on random networks
 * built from fast-check arbitraries (shapes, parameters, inputs and
 * directions, so a failure shrinks): the layer under test (linear shared over
 * positions, conv2d with stride and padding, each activation, flatten, mean,
 * attention with and without the causal mask) in a small network with a
 * linear head and a likelihood (one prediction per example, or one per
 * position).
 *
 * 1. The gradient of the loss, with respect to the parameters and to the
 *    input, agrees with central differences of the loss along random
 *    directions. Step h = 1e-4: the truncation error of a central difference
 *    is O(h²) and its round-off O(ε |L| / h); they balance near ε^(1/3) ≈ 6e-6,
 *    and at 1e-4 both are below 1e-7 of the values here. The bound is derived
 *    per case (src/numeric/finite-differences.ts, centralDifference): the
 *    difference of the h and h/2 quotients (three times the truncation error
 *    of the h/2 one) plus 64 ε m / h, m the larger of |L| and c Σ |f| over the
 *    network outputs f the loss is computed from (log-sum-exp minus a logit
 *    cancels, and rounds at the size of the logits, not of the small loss).
 * 2. JVP and VJP are adjoint: <u, J v> = <Jᵀ u, v> for parameter directions v
 *    and input directions dx, to rounding: both sides are sums of at most a
 *    few hundred products through at most three layers taken in different
 *    orders, each rounding at O(terms ε) of the norm products; the allowance
 *    is 2^-40 ≈ 4500 ε of |u| |J v| + |Jᵀ u| |v|. A wrong adjoint is O(1) off.
 *
 * A relu case whose pre-activations change sign within the difference stencil
 * is discarded (a central difference across a kink estimates no derivative).
 *
 * References: B. A. Pearlmutter, Fast exact multiplication by the Hessian,
 * Neural Computation 6(1), 1994; A. Griewank and A. Walther, Evaluating
 * Derivatives, 2nd ed., SIAM 2008, Sec. 3 (forward and reverse mode as
 * transposes).
 */
import fc from 'fast-check';
import type { Vec } from '../src/core/vec.js';
import { ACTIVATIONS, type Activation } from '../src/models/activations.js';
import type { LayerSpec } from '../src/models/layers/index.js';
import type { Likelihood } from '../src/models/likelihoods.js';
import { Sequential, type SequentialSpec } from '../src/models/sequential.js';
import { Tensor } from '../src/models/tensor.js';
import { centralDifference } from '../src/numeric/finite-differences.js';
import type { Check } from '../src/verify/types.js';
import { type CaseResult, norm, runProperty } from './run-property.js';
import { type SeqData, type SeqProblem, seqDataArb, seqProblem } from './sequential-problems.js';
import { sized, vector } from './arbitraries/matrices.js';

const GRIEWANK = 'A. Griewank and A. Walther, Evaluating Derivatives, 2nd ed., SIAM 2008, Sec. 3';
const H = 1e-4;
const ROUNDING = 2 ** -40;

type Kind = 'linear' | 'conv2d' | 'activation' | 'flatten' | 'mean' | 'attention';
const KINDS: readonly Kind[] = ['linear', 'conv2d', 'activation', 'flatten', 'mean', 'attention'];

interface LayerCase {
  kind: Kind;
  T: number;
  D: number;
  out: number;
  bias: boolean;
  C: number;
  Hi: number;
  Wi: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  fn: Activation;
  heads: number;
  headDim: number;
  causal: boolean;
  image: boolean;
  perPosition: boolean;
  likelihood: Likelihood;
  K: number;
  N: number;
  data: SeqData;
  /** the directions: v over the parameters, dx over the inputs, u over the outputs */
  v: number[];
  dx: number[];
  u: number[];
}

const int = (min: number, max: number) => fc.integer({ min, max });

type LayerShape = Omit<LayerCase, 'data' | 'v' | 'dx' | 'u'>;

const layerCaseArb = (kinds: readonly Kind[] = KINDS): fc.Arbitrary<LayerCase> =>
  sized(
    fc.record({
      kind: fc.constantFrom(...kinds),
      T: int(1, 4),
      D: int(1, 3),
      out: int(1, 3),
      bias: fc.boolean(),
      C: int(1, 2),
      Hi: int(2, 5),
      Wi: int(2, 5),
      kh: int(1, 3),
      kw: int(1, 3),
      sh: int(1, 2),
      sw: int(1, 2),
      ph: int(0, 1),
      pw: int(0, 1),
      fn: fc.constantFrom(...ACTIVATIONS),
      heads: int(1, 2),
      headDim: int(1, 2),
      causal: fc.boolean(),
      image: fc.boolean(),
      perPosition: fc.boolean(),
      likelihood: fc.constantFrom<Likelihood>('gaussian', 'bernoulli', 'categorical'),
      K: int(2, 3),
      N: int(1, 3),
    }),
    (c) => {
      const model = new Sequential(layerCaseSpec(c));
      const size = (shape: readonly number[]): number => c.N * shape.reduce((a, b) => a * b, 1);
      return fc.record({
        data: seqDataArb(model.spec, c.N),
        v: vector(model.paramCount),
        dx: vector(size(model.inputShape)),
        u: vector(size(model.outputShape)),
      });
    },
  );

/** The layer under test, its input shape, and a head to a likelihood. */
export function layerCaseSpec(c: LayerShape): SequentialSpec {
  let input: number[];
  let layers: LayerSpec[];
  switch (c.kind) {
    case 'linear':
      input = [c.T, c.D];
      layers = [{ type: 'linear', out: c.out, bias: c.bias }];
      break;
    case 'conv2d':
      input = [c.C, c.Hi, c.Wi];
      layers = [
        {
          type: 'conv2d',
          out: c.out,
          kernel: [Math.min(c.kh, c.Hi + 2 * c.ph), Math.min(c.kw, c.Wi + 2 * c.pw)],
          stride: [c.sh, c.sw],
          padding: [c.ph, c.pw],
          bias: c.bias,
        },
      ];
      break;
    // a linear layer first, so that the parameter gradient passes through the activation's backward
    case 'activation':
      input = [c.T, c.D];
      layers = [
        { type: 'linear', out: c.out, bias: c.bias },
        { type: 'activation', fn: c.fn },
      ];
      break;
    case 'flatten':
      input = c.image ? [c.C, c.Hi, c.Wi] : [c.T, c.D];
      layers = [{ type: 'flatten' }];
      break;
    case 'mean':
      input = c.image ? [c.C, c.Hi, c.Wi] : [c.T, c.D];
      layers = [{ type: 'mean' }];
      break;
    case 'attention':
      input = [c.T, c.heads * c.headDim];
      layers = [{ type: 'attention', heads: c.heads, causal: c.causal }];
      break;
  }
  const rank = outputRank(c);
  const K = c.likelihood === 'bernoulli' ? 1 : c.K;
  if (rank === 3 || (rank === 2 && !c.perPosition)) layers.push({ type: 'flatten' });
  layers.push({ type: 'linear', out: K });
  return { input, layers, likelihood: c.likelihood };
}

function outputRank(c: LayerShape): number {
  if (c.kind === 'flatten' || c.kind === 'mean') return 1;
  if (c.kind === 'conv2d') return 3;
  return 2;
}

function describe(p: SeqProblem, c: LayerCase): string {
  const layers = p.model.spec.layers.map((l) => {
    const { type, ...rest } = l as unknown as Record<string, unknown>;
    const args = Object.entries(rest).map(([k, v]) => `${k} ${Array.isArray(v) ? v.join('x') : String(v)}`);
    return args.length ? `${type}(${args.join(', ')})` : String(type);
  });
  return `[${p.model.inputShape.join(',')}] ${layers.join(' > ')} > ${c.likelihood}, N = ${c.N}`;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

const along = (a: ArrayLike<number>, d: ArrayLike<number>, t: number): Float64Array => Float64Array.from(a, (v, i) => v + t * d[i]);

/** True when no relu input changes sign at the stencil's points (theta + t v, x + t dx). */
function smoothAlong(p: SeqProblem, v: Vec, dx: Tensor): boolean {
  const relu = p.model.layers.flatMap((l, k) => (l.type === 'activation' && (l as unknown as { fn: string }).fn === 'relu' ? [k] : []));
  if (relu.length === 0) return true;
  const signs = (t: number): string => {
    const tr = p.model.forward(along(p.theta, v, t), new Tensor(p.batch.x.shape, along(p.batch.x.data, dx.data, t)));
    return relu.map((k) => Array.from(k === 0 ? tr.input.data : tr.outputs[k - 1].data, (s) => (s > 0 ? '1' : '0')).join('')).join('|');
  };
  const at0 = signs(0);
  return [-H, -H / 2, H / 2, H].every((t) => signs(t) === at0);
}

/** `scale` multiplies the analytic gradients (1.01: the sensitivity). */
function gradientCase(c: LayerCase, scale: number): CaseResult {
  const p = seqProblem(layerCaseSpec(c), c.N, c.data);
  const { model, theta, batch } = p;
  const v = Float64Array.from(c.v);
  const dx = new Tensor(batch.x.shape, Float64Array.from(c.dx));
  fc.pre(smoothAlong(p, v, dx));
  const trace = model.forward(theta, batch.x);
  const dOut = model.loss.lossAndGradient(trace.output, batch.targets).gradient;
  const cN = model.scale(batch.x.batch);
  for (let i = 0; i < dOut.data.length; i++) dOut.data[i] *= cN;
  const { gradient, inputGradient } = model.vjp(theta, trace, dOut, { inputGradient: true });
  const analytic = [scale * dot(gradient, v), scale * dot((inputGradient as Tensor).data, dx.data)];
  // the loss is computed from the outputs (log-sum-exp minus a logit cancels): it rounds at their size, not its own
  let magnitude = 0;
  for (const f of trace.output.data) magnitude += cN * Math.abs(f);
  const fdTheta = centralDifference((t) => [model.lossValue(along(theta, v, t), batch.x, batch.targets)], H, { magnitude });
  const fdX = centralDifference((t) => [model.lossValue(theta, new Tensor(batch.x.shape, along(batch.x.data, dx.data, t)), batch.targets)], H, { magnitude });
  const r = [Math.abs(analytic[0] - fdTheta.value[0]) / fdTheta.bound[0], Math.abs(analytic[1] - fdX.value[0]) / fdX.bound[0]];
  return {
    ratio: Math.max(...r),
    what: `${describe(p, c)}: ∇_θL·v = ${analytic[0].toPrecision(8)} vs difference ${fdTheta.value[0].toPrecision(8)} (bound ${fdTheta.bound[0].toExponential(1)}), ∇_xL·dx = ${analytic[1].toPrecision(8)} vs ${fdX.value[0].toPrecision(8)} (bound ${fdX.bound[0].toExponential(1)})`,
  };
}

/** `thetaOffset` evaluates the VJP at parameters scaled by that factor (1.01: the adjoint of another point's Jacobian, the sensitivity). */
function adjointCase(c: LayerCase, thetaOffset: number): CaseResult {
  const p = seqProblem(layerCaseSpec(c), c.N, c.data);
  const { model, theta, batch } = p;
  const v = Float64Array.from(c.v);
  const dx = new Tensor(batch.x.shape, Float64Array.from(c.dx));
  const u = new Tensor([batch.x.batch, ...model.outputShape], Float64Array.from(c.u));
  const trace = model.forward(theta, batch.x);
  const Jv = model.jvp(theta, trace, v, null);
  const Jx = model.jvp(theta, trace, null, dx);
  const thetaT = thetaOffset === 1 ? theta : theta.map((t) => t * thetaOffset);
  const { gradient: JTu, inputGradient } = model.vjp(thetaT, thetaOffset === 1 ? trace : model.forward(thetaT, batch.x), u, { inputGradient: true });
  const JxTu = (inputGradient as Tensor).data;
  const gapTheta = Math.abs(dot(u.data, Jv.data) - dot(JTu, v));
  const gapX = Math.abs(dot(u.data, Jx.data) - dot(JxTu, dx.data));
  const tolTheta = ROUNDING * (norm(u.data) * norm(Jv.data) + norm(JTu) * norm(v));
  const tolX = ROUNDING * (norm(u.data) * norm(Jx.data) + norm(JxTu) * norm(dx.data));
  return {
    // a dead relu can make both sides exactly 0: no error, and no scale to measure one against
    ratio: Math.max(gapTheta === 0 ? 0 : gapTheta / tolTheta, gapX === 0 ? 0 : gapX / tolX),
    what: `${describe(p, c)}: |<u, J v> - <Jᵀu, v>| = ${gapTheta.toExponential(2)} (allowed ${tolTheta.toExponential(2)}), inputs ${gapX.toExponential(2)} (allowed ${tolX.toExponential(2)})`,
  };
}

/** One check per layer type, so a failure names the layer and each check stays small. */
export const checks: Check[] = KINDS.flatMap((kind): Check[] => [
  {
    id: `sequential/${kind}/gradient-finite-differences`,
    theorem: `The batched ${kind} layer in a network: the loss gradient with respect to parameters and inputs agrees with central differences of the loss along random directions, within the difference's derived O(h²) truncation and float64 round-off bound`,
    reference: `${GRIEWANK}; W. H. Press et al., Numerical Recipes, 3rd ed., Sec. 5.7`,
    kind: 'property',
    run: (ctx) => runProperty(ctx, layerCaseArb([kind]), (c) => gradientCase(c, 1), 'finite-differences', Math.min(ctx.runs, 20)),
    sensitivity: {
      description: 'the analytic gradients off by 1%',
      run: (ctx) => runProperty(ctx, layerCaseArb([kind]), (c) => gradientCase(c, 1.01), 'finite-differences', Math.min(ctx.runs, 20)),
    },
  },
  {
    id: `sequential/${kind}/jvp-vjp-adjoint`,
    theorem: `The batched ${kind} layer in a network: JVP and VJP are adjoint, <u, J v> = <Jᵀ u, v> for parameter and input directions, to rounding`,
    reference: `${GRIEWANK}; B. A. Pearlmutter, Fast exact multiplication by the Hessian, Neural Computation 6(1), 1994`,
    kind: 'property',
    run: (ctx) => runProperty(ctx, layerCaseArb([kind]), (c) => adjointCase(c, 1), 'numeric-identity', Math.min(ctx.runs, 20)),
    sensitivity: {
      description: 'the VJP taken at parameters off by 1% (the adjoint of another Jacobian)',
      run: (ctx) => runProperty(ctx, layerCaseArb([kind]), (c) => adjointCase(c, 1.01), 'numeric-identity', Math.min(ctx.runs, 20)),
    },
  },
]);
