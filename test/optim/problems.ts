/**
 * The common test problems every optimizer runs over, each seeded: an
 * ill-conditioned linear regression, logistic regression on a small
 * non-separable synthetic set, and a small MLP classifier.
 */
import { Rng } from '../../src/core/rng.js';
import type { Vec } from '../../src/core/vec.js';
import type { Target } from '../../src/models/likelihoods.js';
import { flattenWeights, initWeights, type MlpSpec } from '../../src/models/mlp.js';

export interface TestProblem {
  name: string;
  spec: MlpSpec;
  inputs: Vec[];
  targets: Target[];
  params0: Vec;
}

/** y = w·x + b + noise with feature scales 10, 3, 1, 0.3: condition number of the Hessian about 10³. */
export function illConditionedRegression(seed = 11, N = 40): TestProblem {
  const rng = new Rng(seed);
  const scales = [10, 3, 1, 0.3];
  const w = [0.5, -1, 2, 1.5];
  const inputs: Vec[] = [];
  const targets: Target[] = [];
  for (let n = 0; n < N; n++) {
    const x = Float64Array.from(scales, (s) => s * rng.normal());
    let y = 0.7;
    for (let i = 0; i < 4; i++) y += w[i] * x[i];
    inputs.push(x);
    targets.push(Float64Array.of(y + 0.3 * rng.normal()));
  }
  const spec: MlpSpec = { sizes: [4, 1], activations: ['identity'], likelihood: 'gaussian' };
  return { name: 'ill-conditioned linear regression', spec, inputs, targets, params0: new Float64Array(5) };
}

/** Two Gaussian classes in 3-d with overlapping means (not separable, so the optimum is finite). */
export function logisticRegression(seed = 12, N = 60): TestProblem {
  const rng = new Rng(seed);
  const inputs: Vec[] = [];
  const targets: Target[] = [];
  for (let n = 0; n < N; n++) {
    const y = n % 2;
    const mean = y === 1 ? [0.8, -0.4, 0.3] : [-0.5, 0.3, -0.2];
    inputs.push(Float64Array.from(mean, (m) => m + rng.normal()));
    targets.push(y);
  }
  const spec: MlpSpec = { sizes: [3, 1], activations: ['identity'], likelihood: 'bernoulli' };
  return { name: 'logistic regression', spec, inputs, targets, params0: new Float64Array(4) };
}

/** Three classes on rings in the plane, a 2-6-3 tanh network. */
export function mlpClassifier(seed = 13, N = 36): TestProblem {
  const rng = new Rng(seed);
  const inputs: Vec[] = [];
  const targets: Target[] = [];
  for (let n = 0; n < N; n++) {
    const c = n % 3;
    const angle = 2 * Math.PI * rng.uniform();
    const r = 0.5 + c * 0.8 + 0.15 * rng.normal();
    inputs.push(Float64Array.of(r * Math.cos(angle), r * Math.sin(angle)));
    targets.push(c);
  }
  const spec: MlpSpec = { sizes: [2, 6, 3], activations: ['tanh', 'identity'], likelihood: 'categorical' };
  return { name: 'MLP classifier', spec, inputs, targets, params0: flattenWeights(initWeights(spec, new Rng(seed + 1))) };
}
