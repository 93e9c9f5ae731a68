import { Rng } from '../core/rng.js';
import type { Vec } from '../core/vec.js';
import { illConditionedRegression, loadBreastCancer, loadDigits, threeBlobs } from '../data/datasets.js';
import type { Target } from '../models/likelihoods.js';
import { flattenWeights, initWeights, meanLoss, type MlpSpec, predict, unflattenWeights } from '../models/mlp.js';
import type { OptimizerOptions } from '../optim/registry.js';
import { requireOneOf } from '../core/validate.js';

/** A measure on the test split: higher is better for accuracy, lower for loss. */
export interface TestMetric {
  name: 'test accuracy' | 'test loss';
  value: number;
}

export interface ExperimentProblem {
  name: string;
  summary: string;
  spec: MlpSpec;
  trainInputs: Vec[];
  trainTargets: Target[];
  testInputs: Vec[];
  testTargets: Target[];
  params0: Vec;
  /** The default target training loss (iterations and time to reach it are the headline measures). */
  targetLoss: number;
  /** The default iteration budget. */
  iterations: number;
  /** Options per optimizer name that override the registry defaults on this problem. */
  optimizerOptions: Readonly<Record<string, OptimizerOptions>>;
  /** Subtracted from the loss in plots (a known minimum or constant) and the y label that says so. */
  plot: { offset: number; yLabel: string };
  /** The test metric of weights `params`. */
  evaluate(params: Vec): TestMetric;
}

export interface ProblemEntry {
  name: string;
  summary: string;
  build(seed: number): ExperimentProblem;
}

const LOG_2PI_HALF = 0.5 * Math.log(2 * Math.PI);

function accuracy(spec: MlpSpec, params: Vec, inputs: readonly Vec[], labels: readonly Target[]): number {
  const w = unflattenWeights(spec, params);
  let correct = 0;
  inputs.forEach((x, n) => {
    const f = predict(spec, w, x);
    let cls: number;
    if (spec.likelihood === 'bernoulli') cls = f[0] > 0 ? 1 : 0;
    else {
      cls = 0;
      for (let k = 1; k < f.length; k++) if (f[k] > f[cls]) cls = k;
    }
    if (cls === labels[n]) correct++;
  });
  return correct / inputs.length;
}

function initialParams(spec: MlpSpec, seed: number): Vec {
  return flattenWeights(initWeights(spec, new Rng(seed)));
}

/** A labelled train and test split. */
interface ClassifierData {
  trainInputs: Vec[];
  trainLabels: number[];
  testInputs: Vec[];
  testLabels: number[];
}

function classifier(
  name: string,
  summary: string,
  spec: MlpSpec,
  data: ClassifierData,
  seed: number,
  rest: Pick<ExperimentProblem, 'targetLoss' | 'iterations' | 'optimizerOptions'>,
  plot: ExperimentProblem['plot'] = { offset: 0, yLabel: 'training loss (mean NLL)' },
): ExperimentProblem {
  return {
    name,
    summary,
    spec,
    trainInputs: data.trainInputs,
    trainTargets: data.trainLabels,
    testInputs: data.testInputs,
    testTargets: data.testLabels,
    params0: initialParams(spec, seed),
    ...rest,
    plot,
    evaluate: (params) => ({ name: 'test accuracy', value: accuracy(spec, params, data.testInputs, data.testLabels) }),
  };
}

function testLoss(spec: MlpSpec, inputs: Vec[], targets: Target[]): (params: Vec) => TestMetric {
  return (params) => ({ name: 'test loss', value: meanLoss(spec, unflattenWeights(spec, params), inputs, targets) });
}

/** y = w·x + b with Gaussian noise; features rotated and scaled so the Hessian has condition number about 1e4. */
function linearRegression(seed: number): ExperimentProblem {
  const data = illConditionedRegression({ seed });
  const spec: MlpSpec = { sizes: [20, 1], activations: ['identity'], likelihood: 'gaussian' };
  const trainTargets = data.trainTargets.map((y) => Float64Array.of(y));
  const testTargets = data.testTargets.map((y) => Float64Array.of(y));
  const minimum = data.minimumHalfMse + LOG_2PI_HALF;
  return {
    name: 'linear-regression',
    summary:
      `ill-conditioned linear regression, 20 features, 400 rows, Hessian condition number ${data.conditionNumber.toExponential(2)}; target: ` +
      `within 1e-4 of the least-squares minimum ${minimum.toFixed(6)}`,
    spec,
    trainInputs: data.trainInputs,
    trainTargets,
    testInputs: data.testInputs,
    testTargets,
    params0: new Float64Array(21),
    targetLoss: minimum + 1e-4,
    iterations: 500,
    // The largest Hessian eigenvalue is about 1, so first-order steps above 2 diverge.
    optimizerOptions: { sgd: { lr: 1 }, momentum: { lr: 0.5, decay: 0.9 }, nesterov: { lr: 0.5, decay: 0.9 }, adam: { lr: 0.05 } },
    plot: { offset: minimum, yLabel: 'training loss - minimum' },
    evaluate: testLoss(spec, data.testInputs, testTargets),
  };
}

function autoencoderDigits(seed: number): ExperimentProblem {
  const data = loadDigits({ seed, features: 'unit-interval' });
  const spec: MlpSpec = { sizes: [64, 32, 8, 32, 64], activations: ['tanh', 'identity', 'tanh', 'identity'], likelihood: 'gaussian' };
  const trainTargets = data.trainInputs.map((x) => Float64Array.from(x));
  const testTargets = data.testInputs.map((x) => Float64Array.from(x));
  const constant = 64 * LOG_2PI_HALF;
  return {
    name: 'autoencoder-digits',
    summary:
      `autoencoder 64-32-8-32-64 (tanh, linear code) on the 8x8 digits, pixels / 16, Gaussian likelihood (4744 parameters); loss = half the ` +
      `squared reconstruction error + ${constant.toFixed(3)}`,
    spec,
    trainInputs: data.trainInputs,
    trainTargets,
    testInputs: data.testInputs,
    testTargets,
    params0: initialParams(spec, seed),
    targetLoss: constant + 1.5,
    iterations: 300,
    // The exact output Fisher of 64 Gaussian outputs costs 64 backward passes per example; one sampled target costs one (Martens and Grosse 2015, section 5).
    optimizerOptions: {
      sgd: { lr: 0.2 },
      momentum: { lr: 0.1, decay: 0.9 },
      adam: { lr: 0.01 },
      kfac: { fisher: 'monte-carlo' },
      ekfac: { fisher: 'monte-carlo' },
    },
    plot: { offset: constant, yLabel: 'half squared error per image' },
    evaluate: testLoss(spec, data.testInputs, testTargets),
  };
}

/** A classification problem: its data, model and the defaults a run starts from. */
interface ClassifierDefinition {
  name: string;
  /** one line for the list of problems */
  summary: string;
  /** the run's own summary, with the data split */
  detail: string;
  load(seed: number): ClassifierData;
  spec: MlpSpec;
  defaults: Pick<ExperimentProblem, 'targetLoss' | 'iterations' | 'optimizerOptions'>;
}

function classifierEntry(d: ClassifierDefinition): ProblemEntry {
  return { name: d.name, summary: d.summary, build: (seed) => classifier(d.name, d.detail, d.spec, d.load(seed), seed, d.defaults) };
}

export const PROBLEMS: readonly ProblemEntry[] = [
  { name: 'linear-regression', summary: 'ill-conditioned linear regression (synthetic, condition number about 1e4)', build: linearRegression },
  classifierEntry({
    name: 'logistic-breast-cancer',
    summary: 'logistic regression on Breast Cancer Wisconsin',
    detail: 'logistic regression on Breast Cancer Wisconsin (30 standardized features, 455 train / 114 test)',
    load: (seed) => loadBreastCancer({ seed }),
    spec: { sizes: [30, 1], activations: ['identity'], likelihood: 'bernoulli' },
    defaults: { targetLoss: 0.03, iterations: 200, optimizerOptions: { sgd: { lr: 1 }, momentum: { lr: 0.3, decay: 0.9 }, adam: { lr: 0.05 } } },
  }),
  classifierEntry({
    name: 'mlp-blobs',
    summary: 'MLP 2-16-16-3 on three overlapping Gaussian classes (synthetic)',
    detail: 'MLP 2-16-16-3 (tanh) on three overlapping Gaussian classes in the plane (355 parameters, 150 train / 150 test, synthetic, seeded)',
    load: (seed) => threeBlobs({ seed }),
    spec: { sizes: [2, 16, 16, 3], activations: ['tanh', 'tanh', 'identity'], likelihood: 'categorical' },
    defaults: { targetLoss: 0.05, iterations: 150, optimizerOptions: { sgd: { lr: 3 }, momentum: { lr: 3, decay: 0.9 }, adam: { lr: 0.3 } } },
  }),
  classifierEntry({
    name: 'softmax-digits',
    summary: 'softmax regression on the 8x8 digits',
    detail: 'softmax regression on the 8x8 digits (64 standardized pixels, 10 classes, 1438 train / 359 test)',
    load: (seed) => loadDigits({ seed }),
    spec: { sizes: [64, 10], activations: ['identity'], likelihood: 'categorical' },
    defaults: { targetLoss: 0.1, iterations: 300, optimizerOptions: { sgd: { lr: 1 }, momentum: { lr: 0.3, decay: 0.9 }, adam: { lr: 0.05 } } },
  }),
  classifierEntry({
    name: 'mlp-digits',
    summary: 'MLP 64-32-10 classifier on the 8x8 digits',
    detail: 'MLP 64-32-10 (tanh) classifier on the 8x8 digits (2410 parameters, 1438 train / 359 test)',
    load: (seed) => loadDigits({ seed }),
    spec: { sizes: [64, 32, 10], activations: ['tanh', 'identity'], likelihood: 'categorical' },
    defaults: { targetLoss: 0.01, iterations: 300, optimizerOptions: { sgd: { lr: 2 }, momentum: { lr: 0.3, decay: 0.9 }, adam: { lr: 0.03 } } },
  }),
  { name: 'autoencoder-digits', summary: 'autoencoder 64-32-8-32-64 on the 8x8 digits', build: autoencoderDigits },
];

export const PROBLEM_NAMES: readonly string[] = PROBLEMS.map((p) => p.name);

/** The problem of a name built with `seed`, or a NatgradError listing the names. */
export function buildProblem(name: string, seed = 0, path = '--problem'): ExperimentProblem {
  requireOneOf(name, PROBLEM_NAMES, path);
  const entry = PROBLEMS.find((p) => p.name === name)!;
  return entry.build(seed);
}
