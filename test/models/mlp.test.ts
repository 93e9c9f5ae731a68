import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import type { Vec } from '../../src/core/vec.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { ACTIVATIONS, type Activation } from '../../src/models/activations.js';
import { LIKELIHOODS, type Likelihood, likelihoodModel } from '../../src/models/likelihoods.js';
import { thrownError as thrown } from '../natgrad-error.js';
import {
  flattenWeights,
  forward,
  hessianVectorProduct,
  initWeights,
  jvp,
  lossAndGradient,
  meanLoss,
  outputJacobian,
  paramCount,
  paramNames,
  perExampleGradients,
  sampleTargets,
  unflattenWeights,
  validateData,
  validateMlpSpec,
  validateWeights,
  vjp,
  type MlpSpec,
} from '../../src/models/mlp.js';
import { bonferroniZ, centralDerivativeVec, fdMismatches, randomDirection, randomProblem, shiftTheta, type Problem } from './fixtures.js';

const H = 1e-3;
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** Random problems over architectures, activations, likelihoods and bias patterns. */
const problemArb = fc
  .record({
    seed: fc.integer(),
    hidden: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 2 }),
    acts: fc.array(fc.constantFrom(...ACTIVATIONS), { minLength: 3, maxLength: 3 }),
    likelihood: fc.constantFrom(...LIKELIHOODS),
    d: fc.integer({ min: 1, max: 3 }),
    D: fc.integer({ min: 1, max: 3 }),
    bias: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
    N: fc.integer({ min: 1, max: 3 }),
  })
  .map(({ seed, hidden, acts, likelihood, d, D, bias, N }) => {
    const out = likelihood === 'bernoulli' ? 1 : D;
    const sizes = [d, ...hidden, out];
    const L = sizes.length - 1;
    return randomProblem(seed, {
      sizes,
      activations: acts.slice(0, L) as Activation[],
      likelihood: likelihood as Likelihood,
      bias: bias.slice(0, L),
      N,
    });
  });

/** The problem at theta + t v. */
const weightsAt = (p: Problem, v: Vec, t: number) => unflattenWeights(p.spec, shiftTheta(flattenWeights(p.weights), v, t));

/**
 * True when no relu unit changes sign between theta - h v and theta + h v (five
 * points checked): finite differences across a kink do not estimate the derivative.
 */
function smoothAlong(p: Problem, v: Vec): boolean {
  if (!p.spec.activations.includes('relu')) return true;
  const signs = (t: number) =>
    p.inputs
      .map((x) =>
        forward(p.spec, weightsAt(p, v, t), x)
          .preactivations.map((s) => Array.from(s, (z) => (z > 0 ? 1 : 0)).join(''))
          .join('|'),
      )
      .join('/');
  const at0 = signs(0);
  return [-H, -H / 2, H / 2, H].every((t) => signs(t) === at0);
}

describe('parameter layout (PyTorch parameters_to_vector order)', () => {
  const spec: MlpSpec = { sizes: [3, 4, 2], activations: ['tanh', 'identity'], likelihood: 'categorical' };

  test('names: W1 row-major, then b1, then W2, b2', () => {
    const names = paramNames(spec);
    expect(names.length).toBe(paramCount(spec));
    expect(names.length).toBe(3 * 4 + 4 + 4 * 2 + 2);
    expect(names.slice(0, 4)).toEqual(['W1[0][0]', 'W1[0][1]', 'W1[0][2]', 'W1[1][0]']);
    expect(names.slice(12, 17)).toEqual(['b1[0]', 'b1[1]', 'b1[2]', 'b1[3]', 'W2[0][0]']);
    expect(names.slice(-3)).toEqual(['W2[1][3]', 'b2[0]', 'b2[1]']);
  });

  test('flatten puts W[i][j] at offset + i*in + j and b after W; unflatten inverts it', () => {
    const w = initWeights(spec, new Rng(1));
    const theta = flattenWeights(w);
    expect(theta[1 * 3 + 2]).toBe(w[0].W.get(1, 2));
    expect(theta[12 + 3]).toBe(w[0].b[3]);
    expect(theta[16 + 1 * 4 + 0]).toBe(w[1].W.get(1, 0));
    const back = unflattenWeights(spec, theta);
    expect(flattenWeights(back)).toEqual(theta);
  });

  test('layers without bias have no b parameters', () => {
    const noBias: MlpSpec = { ...spec, bias: [false, true] };
    expect(paramCount(noBias)).toBe(12 + 8 + 2);
    expect(paramNames(noBias).filter((n) => n.startsWith('b1'))).toEqual([]);
    const w = initWeights(noBias, new Rng(2));
    expect(w[0].b.length).toBe(0);
    expect(flattenWeights(unflattenWeights(noBias, flattenWeights(w)))).toEqual(flattenWeights(w));
  });

  test('initialisation is seeded and within the PyTorch bound 1/sqrt(in)', () => {
    const a = flattenWeights(initWeights(spec, new Rng(3)));
    const b = flattenWeights(initWeights(spec, new Rng(3)));
    expect(a).toEqual(b);
    const w = initWeights(spec, new Rng(3));
    expect(Math.max(...Array.from(w[0].W.data, Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(3));
    expect(Math.max(...Array.from(w[1].W.data, Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(4));
  });
});

describe('forward pass', () => {
  test('a hand-computed two-layer network', () => {
    const spec: MlpSpec = { sizes: [2, 2, 1], activations: ['relu', 'identity'], likelihood: 'gaussian' };
    const weights = [
      {
        W: Matrix.from([
          [1, -1],
          [2, 0.5],
        ]),
        b: Float64Array.of(0.5, -3),
      },
      { W: Matrix.from([[3, -2]]), b: Float64Array.of(0.25) },
    ];
    const t = forward(spec, weights, Float64Array.of(1, 2));
    // s1 = (1 - 2 + 0.5, 2 + 1 - 3) = (-0.5, 0); a1 = (0, 0); f = 0.25
    expect(Array.from(t.preactivations[0])).toEqual([-0.5, 0]);
    expect(Array.from(t.output)).toEqual([0.25]);
    const loss = meanLoss(spec, weights, [Float64Array.of(1, 2)], [Float64Array.of(1.25)]);
    expect(loss).toBeCloseTo(0.5 * Math.log(2 * Math.PI) + 0.5, 15);
  });
});

describe('derivatives against finite differences', () => {
  test('gradient of the mean loss, along random directions', () => {
    fc.assert(
      fc.property(problemArb, fc.integer(), (p, dseed) => {
        const v = randomDirection(new Rng(dseed), p.spec);
        fc.pre(smoothAlong(p, v));
        const { gradient } = lossAndGradient(p.spec, p.weights, p.inputs, p.targets);
        const fd = centralDerivativeVec((t) => [meanLoss(p.spec, weightsAt(p, v, t), p.inputs, p.targets)], H);
        return fdMismatches([dot(gradient, v)], fd).length === 0;
      }),
      { seed: 301, numRuns: 150 },
    );
  });

  test('gradient, entry by entry, for one fixed deep problem', () => {
    const p = randomProblem(302, { sizes: [3, 4, 3, 2], activations: ['tanh', 'softplus', 'sigmoid'], likelihood: 'categorical', N: 3 });
    const { gradient } = lossAndGradient(p.spec, p.weights, p.inputs, p.targets);
    const P = paramCount(p.spec);
    for (let i = 0; i < P; i++) {
      const e = new Float64Array(P);
      e[i] = 1;
      const fd = centralDerivativeVec((t) => [meanLoss(p.spec, weightsAt(p, e, t), p.inputs, p.targets)], H);
      expect(fdMismatches([gradient[i]], fd)).toEqual([]);
    }
  });

  test('JVP matches differences of the output; VJP is its adjoint; the Jacobian holds both', () => {
    fc.assert(
      fc.property(problemArb, fc.integer(), (p, dseed) => {
        const rng = new Rng(dseed);
        const v = randomDirection(rng, p.spec);
        fc.pre(smoothAlong(p, v));
        const x = p.inputs[0];
        const Jv = jvp(p.spec, p.weights, x, v);
        const fd = centralDerivativeVec((t) => forward(p.spec, weightsAt(p, v, t), x).output, H);
        if (fdMismatches(Jv, fd).length > 0) return false;
        const u = Float64Array.from({ length: Jv.length }, () => rng.normal());
        const JTu = vjp(p.spec, p.weights, x, u);
        // <u, J v> = <Jᵀ u, v>, up to the round-off of two length-P dot products
        const scale = Math.abs(dot(u, Jv)) + dot(JTu.map(Math.abs), v.map(Math.abs));
        if (Math.abs(dot(u, Jv) - dot(JTu, v)) > 64 * 2 ** -52 * scale) return false;
        const J = outputJacobian(p.spec, p.weights, x);
        for (let k = 0; k < J.rows; k++) {
          let t = 0;
          for (let i = 0; i < J.cols; i++) t += J.get(k, i) * v[i];
          if (Math.abs(t - Jv[k]) > 64 * 2 ** -52 * (Math.abs(Jv[k]) + 1)) return false;
        }
        return true;
      }),
      { seed: 303, numRuns: 150 },
    );
  });

  test('Hessian-vector products match differences of the gradient', () => {
    fc.assert(
      fc.property(problemArb, fc.integer(), (p, dseed) => {
        const v = randomDirection(new Rng(dseed), p.spec);
        fc.pre(smoothAlong(p, v));
        const Hv = hessianVectorProduct(p.spec, p.weights, p.inputs, p.targets, v);
        const fd = centralDerivativeVec((t) => lossAndGradient(p.spec, weightsAt(p, v, t), p.inputs, p.targets).gradient, H);
        return fdMismatches(Hv, fd).length === 0;
      }),
      { seed: 304, numRuns: 150 },
    );
  });

  test('the Hessian built from products is symmetric, uᵀ(Hv) = vᵀ(Hu)', () => {
    fc.assert(
      fc.property(problemArb, fc.integer(), (p, dseed) => {
        const rng = new Rng(dseed);
        const u = randomDirection(rng, p.spec);
        const v = randomDirection(rng, p.spec);
        const Hu = hessianVectorProduct(p.spec, p.weights, p.inputs, p.targets, u);
        const Hv = hessianVectorProduct(p.spec, p.weights, p.inputs, p.targets, v);
        const scale = dot(u.map(Math.abs), Hv.map(Math.abs)) + dot(v.map(Math.abs), Hu.map(Math.abs));
        return Math.abs(dot(u, Hv) - dot(v, Hu)) <= 256 * 2 ** -52 * scale;
      }),
      { seed: 305, numRuns: 150 },
    );
  });
});

describe('the derivative checks can fail', () => {
  const p = randomProblem(306, { sizes: [3, 4, 2], activations: ['tanh', 'identity'], likelihood: 'categorical', N: 2 });
  const v = randomDirection(new Rng(307), p.spec);

  test('a gradient with one entry off by 0.1% is caught', () => {
    const { gradient } = lossAndGradient(p.spec, p.weights, p.inputs, p.targets);
    const P = gradient.length;
    const wrong = gradient.slice();
    const i = gradient.findIndex((g) => Math.abs(g) > 0.05);
    wrong[i] *= 1.001;
    const e = new Float64Array(P);
    e[i] = 1;
    const fd = centralDerivativeVec((t) => [meanLoss(p.spec, weightsAt(p, e, t), p.inputs, p.targets)], H);
    expect(fdMismatches([wrong[i]], fd)).toEqual([0]);
  });

  test('the Gauss-Newton product (second-order terms dropped) fails the Hessian check', () => {
    // G v = (1/N) sum Jᵀ H_f J v: the Hessian without the terms from the network's curvature.
    const lik = likelihoodModel(p.spec.likelihood);
    const Gv = new Float64Array(v.length);
    p.inputs.forEach((x, n) => {
      const f = forward(p.spec, p.weights, x).output;
      const Hf = lik.hessian(f, p.targets[n]);
      const Jv = jvp(p.spec, p.weights, x, v);
      const HJv = Float64Array.from({ length: f.length }, (_, i) => dot(Hf.row(i), Jv));
      const g = vjp(p.spec, p.weights, x, HJv);
      for (let i = 0; i < v.length; i++) Gv[i] += g[i] / p.inputs.length;
    });
    const fd = centralDerivativeVec((t) => lossAndGradient(p.spec, weightsAt(p, v, t), p.inputs, p.targets).gradient, H);
    expect(fdMismatches(Gv, fd).length).toBeGreaterThan(0);
    expect(fdMismatches(hessianVectorProduct(p.spec, p.weights, p.inputs, p.targets, v), fd)).toEqual([]);
  });
});

describe('per-example gradients and sampling', () => {
  test('per-example gradients average to the loss gradient', () => {
    const p = randomProblem(308, { sizes: [2, 3, 3], activations: ['sigmoid', 'identity'], likelihood: 'categorical', N: 4 });
    const per = perExampleGradients(p.spec, p.weights, p.inputs, p.targets);
    const { gradient } = lossAndGradient(p.spec, p.weights, p.inputs, p.targets);
    for (let i = 0; i < gradient.length; i++) {
      expect(per.reduce((s, g) => s + g[i], 0) / per.length).toBeCloseTo(gradient[i], 14);
    }
  });

  test('sampled targets are valid, seeded, and follow the model (bernoulli frequency)', () => {
    const p = randomProblem(309, { sizes: [2, 1], activations: ['identity'], likelihood: 'bernoulli', N: 1 });
    const a = sampleTargets(p.spec, p.weights, p.inputs, new Rng(5));
    expect(sampleTargets(p.spec, p.weights, p.inputs, new Rng(5))).toEqual(a);
    const M = 20000;
    const rng = new Rng(310);
    const inputs = new Array(M).fill(p.inputs[0]);
    const ys = sampleTargets(p.spec, p.weights, inputs, rng);
    const q = 1 / (1 + Math.exp(-forward(p.spec, p.weights, p.inputs[0]).output[0]));
    const freq = ys.filter((y) => y === 1).length / M;
    expect(Math.abs(freq - q)).toBeLessThanOrEqual(bonferroniZ(1e-6, 1) * Math.sqrt((q * (1 - q)) / M) + 1 / M);
  });

  test('bonferroniZ reproduces known normal quantiles', () => {
    expect(bonferroniZ(0.05, 1)).toBeCloseTo(1.959964, 5);
    expect(bonferroniZ(1e-6, 10)).toBeCloseTo(5.3267, 3);
  });
});

describe('validation names the JSON path and the expected shape', () => {
  const spec: MlpSpec = { sizes: [3, 4, 2], activations: ['tanh', 'identity'], likelihood: 'categorical' };
  const w = initWeights(spec, new Rng(11));

  test('spec fields', () => {
    expect(thrown(() => validateMlpSpec({ ...spec, sizes: [3] })).path).toBe('spec.model.sizes');
    expect(thrown(() => validateMlpSpec({ ...spec, sizes: [3, 0, 2] })).path).toBe('spec.model.sizes[1]');
    expect(thrown(() => validateMlpSpec({ ...spec, activations: ['tanh'] })).path).toBe('spec.model.activations');
    expect(thrown(() => validateMlpSpec({ ...spec, activations: ['tanh', 'elu' as Activation] })).path).toBe('spec.model.activations[1]');
    expect(thrown(() => validateMlpSpec({ ...spec, likelihood: 'poisson' as Likelihood })).reason).toMatch(/categorical, bernoulli, gaussian/);
    expect(thrown(() => validateMlpSpec({ ...spec, likelihood: 'bernoulli' })).path).toBe('spec.model.sizes[2]');
    expect(() => validateMlpSpec(spec)).not.toThrow();
  });

  test('weights shapes', () => {
    const bad = [w[0], { W: Matrix.zeros(2, 3), b: w[1].b }];
    const e = thrown(() => validateWeights(spec, bad));
    expect(e.path).toBe('spec.weights[1].W');
    expect(e.reason).toMatch(/2 x 4/);
    expect(thrown(() => validateWeights(spec, [w[0], { W: w[1].W, b: new Float64Array(3) }])).path).toBe('spec.weights[1].b');
    expect(thrown(() => validateWeights(spec, [w[0]])).path).toBe('spec.weights');
    const nan = w[0].W.clone();
    nan.data[2] = NaN;
    expect(thrown(() => validateWeights(spec, [{ W: nan, b: w[0].b }, w[1]])).path).toBe('spec.weights[0].W');
    expect(thrown(() => validateWeights({ ...spec, bias: [false, true] }, w)).reason).toMatch(/no bias/);
    expect(() => validateWeights(spec, w)).not.toThrow();
  });

  test('inputs and targets', () => {
    const x = [Float64Array.of(1, 2, 3), Float64Array.of(0, 0, 0)];
    expect(thrown(() => validateData(spec, x, [0])).path).toBe('spec.targets');
    expect(thrown(() => validateData(spec, [x[0], Float64Array.of(1)], [0, 1])).path).toBe('spec.inputs[1]');
    expect(thrown(() => validateData(spec, x, [0, 2])).path).toBe('spec.targets[1]');
    expect(thrown(() => validateData(spec, [], [])).path).toBe('spec.inputs');
    expect(() => validateData(spec, x, [0, 1])).not.toThrow();
  });
});
