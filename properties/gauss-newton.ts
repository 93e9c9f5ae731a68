/**
 * Equivalences 4 and 6 (first half) of issue 3 on random networks:
 *  - GGN = Fisher for multilayer perceptrons whose output is the natural
 *    parameter of the likelihood (Gaussian mean, Bernoulli logit, categorical
 *    logits): the GGN built from the output Hessian of -log p at the observed
 *    labels equals the Fisher built from the output Fisher's square root;
 *  - the Fisher identity for a conditional model: E_y[∇²(-log p(y|x))] over
 *    y ~ p(.|x), summed exactly over the outcomes, equals E_y[g gᵀ] (the Fisher).
 * Sensitivity: the full Hessian (with the residual term) is not the GGN for a
 * nonlinear network; weighting the outcomes uniformly breaks the identity.
 * References: Schraudolph (2002); Martens (2020), Sec. 9.2; Lehmann & Casella (1998), Sec. 2.5.
 */
import fc from 'fast-check';
import { fisherMatrix, ggnMatrix, hessianMatrix } from '../src/curvature/dense-curvature.js';
import { Matrix } from '../src/linalg/matrix.js';
import { add, maxAbsDiff, maxAbs, scale } from '../src/linalg/ops.js';
import { likelihoodModel, type Likelihood, type Target } from '../src/models/likelihoods.js';
import { forward, type LayerWeights, type MlpSpec } from '../src/models/mlp.js';
import type { Check } from '../src/verify/types.js';
import { matrix, sized, vector } from './arbitraries/matrices.js';
import { EPS, runProperty, type CaseResult } from './run-property.js';

const SCHRAUDOLPH = 'N. N. Schraudolph, Fast curvature matrix-vector products for second-order gradient descent, Neural Computation 14(7), 2002';
const MARTENS = 'J. Martens, New insights and perspectives on the natural gradient method, JMLR 21(146), 2020, Sec. 9.2';

/**
 * A network and its data: weights and inputs drawn per entry, and the
 * observed labels (a real output, a bit, or a class) drawn as data too: the
 * claims hold at any labels.
 */
interface Net {
  likelihood: Likelihood;
  hidden: number;
  inputs: number;
  examples: number;
  W1: number[][];
  b1: number[];
  W2: number[][];
  b2: number[];
  xs: number[][];
  labels: number[][];
}

const outputs = (likelihood: Likelihood): number => (likelihood === 'categorical' ? 3 : 1);

const labelArb = (likelihood: Likelihood): fc.Arbitrary<number[]> =>
  likelihood === 'gaussian'
    ? vector(1)
    : likelihood === 'bernoulli'
      ? fc.integer({ min: 0, max: 1 }).map((y) => [y])
      : fc.integer({ min: 0, max: 2 }).map((y) => [y]);

const netArb = (likelihoods: readonly Likelihood[]): fc.Arbitrary<Net> =>
  sized(
    fc.record({
      likelihood: fc.constantFrom(...likelihoods),
      hidden: fc.integer({ min: 2, max: 4 }),
      inputs: fc.integer({ min: 1, max: 3 }),
      examples: fc.integer({ min: 1, max: 4 }),
    }),
    ({ likelihood, hidden, inputs, examples }) =>
      fc.record({
        W1: matrix(hidden, inputs, -1, 1),
        b1: vector(hidden, -1, 1),
        W2: matrix(outputs(likelihood), hidden, -1, 1),
        b2: vector(outputs(likelihood), -1, 1),
        xs: matrix(examples, inputs),
        labels: fc.array(labelArb(likelihood), { minLength: examples, maxLength: examples }),
      }),
  );

function build(n: Net) {
  const spec: MlpSpec = { sizes: [n.inputs, n.hidden, outputs(n.likelihood)], activations: ['tanh', 'identity'], likelihood: n.likelihood };
  const weights: LayerWeights[] = [
    { W: Matrix.from(n.W1), b: Float64Array.from(n.b1) },
    { W: Matrix.from(n.W2), b: Float64Array.from(n.b2) },
  ];
  const xs = n.xs.map((x) => Float64Array.from(x));
  const ys: Target[] = n.labels.map((y) => (n.likelihood === 'gaussian' ? Float64Array.from(y) : y[0]));
  return { spec, weights, xs, ys };
}

/** Round-off of P x P products of O(1) entries: 1e3 eps relative to the largest entry. */
const roundOff = (A: Matrix): number => 1e3 * EPS * Math.max(maxAbs(A), 1e-300);

/** `useHessian` compares the full Hessian of the loss with the Fisher instead of the GGN (the sensitivity). */
function ggnCase(n: Net, useHessian: boolean): CaseResult {
  const { spec, weights, xs, ys } = build(n);
  const F = fisherMatrix(spec, weights, xs);
  const G = useHessian ? hessianMatrix(spec, weights, xs, ys) : ggnMatrix(spec, weights, xs, ys);
  const d = maxAbsDiff(F, G);
  return {
    ratio: d / roundOff(F),
    what: `${n.likelihood} MLP ${spec.sizes.join('-')}, ${n.examples} examples: max |F - ${useHessian ? 'H' : 'GGN'}| = ${d.toExponential(2)} (max |F| = ${maxAbs(F).toExponential(2)})`,
  };
}

/** Σ_y w(y) ∇²(-log p(y|x)) against the Fisher at one input; w = p(y|x), or uniform for the sensitivity. */
function identityCase(n: Net, uniform: boolean): CaseResult {
  const { spec, weights, xs } = build(n);
  const lik = likelihoodModel(spec.likelihood);
  const x = xs[0];
  const support = lik.support(forward(spec, weights, x).output)!;
  let expectedHessian: Matrix | null = null;
  for (const { target, probability } of support) {
    const w = uniform ? 1 / support.length : probability;
    const H = scale(w, hessianMatrix(spec, weights, [x], [target]));
    expectedHessian = expectedHessian ? add(expectedHessian, H) : H;
  }
  const F = fisherMatrix(spec, weights, [x]);
  const d = maxAbsDiff(F, expectedHessian!);
  return {
    ratio: d / roundOff(F),
    what: `${n.likelihood} MLP ${spec.sizes.join('-')}: max |E_y[H] - F| = ${d.toExponential(2)} over ${support.length} outcomes${uniform ? ' weighted uniformly' : ''}`,
  };
}

export const checks: Check[] = [
  {
    id: 'equivalence/ggn-fisher/mlp',
    theorem: 'GGN = Fisher for networks whose outputs are natural parameters (Gaussian mean, Bernoulli and categorical logits)',
    reference: `${SCHRAUDOLPH}; ${MARTENS}`,
    kind: 'property',
    run: (ctx) => runProperty(ctx, netArb(['gaussian', 'bernoulli', 'categorical']), (n) => ggnCase(n, false), 'exact', Math.min(ctx.runs, 40)),
    sensitivity: {
      description: 'the full Hessian of the loss (with the residual term of the tanh layer) in place of the GGN',
      run: (ctx) => runProperty(ctx, netArb(['gaussian', 'bernoulli', 'categorical']), (n) => ggnCase(n, true), 'exact', Math.min(ctx.runs, 40)),
    },
  },
  {
    id: 'equivalence/fisher-identity/exact-expectation',
    theorem: 'Fisher identity for a conditional model: E_y[-∇² log p(y|x)] = E_y[g gᵀ], the expectation summed exactly over the outcomes',
    reference: 'E. L. Lehmann and G. Casella, Theory of Point Estimation, 2nd ed., 1998, Sec. 2.5',
    kind: 'property',
    run: (ctx) => runProperty(ctx, netArb(['bernoulli', 'categorical']), (n) => identityCase(n, false), 'exact', Math.min(ctx.runs, 40)),
    sensitivity: {
      description: 'the outcomes weighted uniformly instead of by p(y|x)',
      run: (ctx) => runProperty(ctx, netArb(['bernoulli', 'categorical']), (n) => identityCase(n, true), 'exact', Math.min(ctx.runs, 40)),
    },
  },
];
