/**
 * Reproduces the Sequential-model measurements of docs/experiments.md (a CNN
 * on the 8x8 digits, an attention model on sequence reversal, full-batch vs
 * mini-batch K-FAC) and writes the SVG plots next to this file.
 *
 * Run: npx tsx docs/experiments/sequential/run-experiments.ts [cnn|attention|batch|tables]...
 * (all four by default; `tables` prints the Markdown tables from results.json)
 *
 * Every run is seeded (data split, initial weights, batch order, Monte Carlo
 * draws). Each optimizer is run at every setting of its grid (GRIDS below);
 * the table reports the best setting (fewest iterations to the target
 * training loss, ties and misses by the final loss) and results.json keeps
 * every run. Time is CPU time of the process and counts the optimizer's
 * work only: the evaluations of the full training loss and the test accuracy
 * (every `evalEvery` steps) run on a paused clock.
 */
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../../../src/core/rng.js';
import type { Vec } from '../../../src/core/vec.js';
import { loadDigits } from '../../../src/data/datasets.js';
import { lossPlotSvg } from '../../../src/experiments/svg-plot.js';
import type { ExampleTarget } from '../../../src/models/output-loss.js';
import { Sequential, type SequentialSpec } from '../../../src/models/sequential.js';
import { Tensor } from '../../../src/models/tensor.js';
import { createOptimizer, type OptimizerOptions } from '../../../src/optim/registry.js';
import { scaleByKfac } from '../../../src/optim/kfac.js';
import { sequentialProblem, train, type TrainRecord } from '../../../src/optim/train.js';

const here = dirname(fileURLToPath(import.meta.url));
const resultsPath = join(here, 'results.json');
const results: Record<string, unknown> = existsSync(resultsPath) ? JSON.parse(readFileSync(resultsPath, 'utf8')) : {};
const which = new Set(process.argv.slice(2).length ? process.argv.slice(2) : ['cnn', 'attention', 'batch', 'tables']);

interface Task {
  model: Sequential;
  train: { x: Tensor; targets: ExampleTarget[] };
  test: { x: Tensor; targets: ExampleTarget[] };
}

interface RunConfig {
  label: string;
  optimizer: string;
  options: OptimizerOptions;
  batchSize?: number;
  maxIterations: number;
  evalEvery: number;
  targetLoss: number;
  targetAccuracy: number;
  seed: number;
}

interface RunSummary {
  label: string;
  optimizer: string;
  options: OptimizerOptions;
  batchSize: number | null;
  /** First evaluation with the full training loss <= target. */
  toLoss: { iteration: number; seconds: number; testAccuracy: number } | null;
  /** First evaluation with test accuracy >= target. */
  toAccuracy: { iteration: number; seconds: number } | null;
  iterations: number;
  seconds: number;
  msPerStep: number;
  finalLoss: number;
  finalTestAccuracy: number;
  stopReason: string;
  /** Full training loss at each evaluation (iteration, optimizer seconds). */
  curve: [number, number, number][];
}

/**
 * The clock of every timing: this process's CPU time (user + system, worker
 * threads included), which other processes on a shared machine inflate far
 * less than wall time.
 */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Share of correct argmax predictions, over examples (one label each) or over positions (a label per position). */
function accuracy(model: Sequential, theta: Vec, x: Tensor, targets: readonly ExampleTarget[]): number {
  const out = model.predict(theta, x);
  const K = out.shape[out.shape.length - 1];
  const labels = targets.flatMap((t) => (Array.isArray(t) ? (t as number[]) : [t as number]));
  let correct = 0;
  labels.forEach((label, m) => {
    let best = 0;
    for (let k = 1; k < K; k++) if (out.data[m * K + k] > out.data[m * K + best]) best = k;
    if (best === label) correct++;
  });
  return correct / labels.length;
}

/** One optimizer setting through train(), stopping once both targets are met (or at the iteration budget). */
function run(task: Task, theta0: Vec, c: RunConfig): RunSummary {
  const { model } = task;
  const { objective, extra } = sequentialProblem(model, task.train.x, task.train.targets, { seed: c.seed, ...(c.batchSize ? { batchSize: c.batchSize } : {}) });
  let paused = 0;
  const clock = () => cpuMs() - paused;
  const curve: [number, number, number][] = [];
  let toLoss: RunSummary['toLoss'] = null;
  let toAccuracy: RunSummary['toAccuracy'] = null;
  let last = { loss: NaN, acc: NaN };
  const evaluate = (record: TrainRecord, params: Vec): boolean => {
    const t0 = cpuMs();
    const loss = model.lossValue(params, task.train.x, task.train.targets);
    const acc = accuracy(model, params, task.test.x, task.test.targets);
    last = { loss, acc };
    curve.push([record.iteration, loss, record.timeMs / 1000]);
    if (toLoss === null && loss <= c.targetLoss) toLoss = { iteration: record.iteration, seconds: record.timeMs / 1000, testAccuracy: acc };
    if (toAccuracy === null && acc >= c.targetAccuracy) toAccuracy = { iteration: record.iteration, seconds: record.timeMs / 1000 };
    paused += cpuMs() - t0;
    return toLoss !== null && toAccuracy !== null;
  };
  const r = train(createOptimizer(c.optimizer, c.options), theta0, {
    objective,
    extra,
    clock,
    maxIterations: c.maxIterations,
    onNonFinite: 'stop',
    onIteration: (record, params) => (record.iteration % c.evalEvery === 0 || record.iteration === c.maxIterations ? evaluate(record, params) : false),
  });
  if (curve.length === 0 || curve[curve.length - 1][0] !== r.iterations) {
    if (r.stopReason !== 'non-finite') evaluate(r.history[r.history.length - 1], r.params);
  }
  const s: RunSummary = {
    label: c.label,
    optimizer: c.optimizer,
    options: c.options,
    batchSize: c.batchSize ?? null,
    toLoss,
    toAccuracy,
    iterations: r.iterations,
    seconds: r.timeMs / 1000,
    msPerStep: r.iterations > 0 ? r.timeMs / r.iterations : NaN,
    finalLoss: r.stopReason === 'non-finite' ? NaN : last.loss,
    finalTestAccuracy: r.stopReason === 'non-finite' ? NaN : last.acc,
    stopReason: r.stopReason,
    curve,
  };
  const hit = (x: { iteration: number; seconds: number } | null) => (x ? `${x.iteration} it / ${x.seconds.toFixed(1)} s` : 'not reached');
  console.log(`${c.label.padEnd(44)} loss<=${c.targetLoss}: ${hit(toLoss).padEnd(18)} acc>=${c.targetAccuracy}: ${hit(toAccuracy).padEnd(18)} final ${s.finalLoss.toPrecision(3)} acc ${(100 * s.finalTestAccuracy).toFixed(1)}% ${s.msPerStep.toFixed(0)} ms/step (${r.stopReason})`);
  return s;
}

/** The best run of a grid: fewest iterations to the loss target, then the lowest final loss. */
function best(runs: RunSummary[]): RunSummary {
  const key = (r: RunSummary) => [r.toLoss ? r.toLoss.iteration : Infinity, Number.isFinite(r.finalLoss) ? r.finalLoss : Infinity];
  return [...runs].sort((a, b) => key(a)[0] - key(b)[0] || key(a)[1] - key(b)[1])[0];
}

const asHistory = (r: RunSummary): TrainRecord[] => r.curve.map(([iteration, loss, s]) => ({ iteration, loss, gradientNorm: NaN, timeMs: 1000 * s }));

function save(name: string, svg: string): void {
  writeFileSync(join(here, name), svg);
}

function writeResults(): void {
  writeFileSync(resultsPath, `${JSON.stringify(results, null, 1)}\n`);
}

/** The 8x8 digits as [N, 1, 8, 8] images with pixels in [0, 1], the split of src/data/datasets.ts (80/20, seed 0). */
function digitsTask(spec: Omit<SequentialSpec, 'input'>): Task {
  const d = loadDigits({ features: 'unit-interval' });
  const images = (rows: Vec[]) => {
    const x = Tensor.zeros(rows.length, [1, 8, 8]);
    rows.forEach((v, n) => x.data.set(v, n * 64));
    return x;
  };
  return {
    model: new Sequential({ input: [1, 8, 8], ...spec }),
    train: { x: images(d.trainInputs), targets: d.trainLabels },
    test: { x: images(d.testInputs), targets: d.testLabels },
  };
}

const CNN: Omit<SequentialSpec, 'input'> = {
  layers: [
    { type: 'conv2d', out: 8, kernel: [3, 3], padding: [1, 1] },
    { type: 'activation', fn: 'tanh' },
    { type: 'conv2d', out: 16, kernel: [3, 3], stride: [2, 2], padding: [1, 1] },
    { type: 'activation', fn: 'tanh' },
    { type: 'flatten' },
    { type: 'linear', out: 10 },
  ],
  likelihood: 'categorical',
};

/** K-FAC and EKFAC with a sampled Fisher (one draw of y per example, as in Martens and Grosse 2015), their step control on. */
const KFAC_MC = { fisher: 'monte-carlo' } as const;

/** The settings tried per optimizer. */
const CNN_GRID: { optimizer: string; name: string; options: OptimizerOptions[] }[] = [
  { optimizer: 'kfac', name: 'K-FAC (KFC)', options: [{ ...KFAC_MC, damping: 1e-3 }, { ...KFAC_MC, damping: 1e-2 }] },
  { optimizer: 'ekfac', name: 'EKFAC', options: [{ ...KFAC_MC, damping: 1e-3 }, { ...KFAC_MC, damping: 1e-2 }] },
  { optimizer: 'shampoo', name: 'Shampoo', options: [{ lr: 0.03 }, { lr: 0.1 }, { lr: 0.3 }, { lr: 1 }, { lr: 3 }] },
  { optimizer: 'adam', name: 'Adam', options: [{ lr: 0.003 }, { lr: 0.01 }, { lr: 0.03 }, { lr: 0.1 }] },
  { optimizer: 'momentum', name: 'SGD with momentum', options: [{ lr: 0.1, decay: 0.9 }, { lr: 0.3, decay: 0.9 }, { lr: 1, decay: 0.9 }] },
];

/** The options that differ within a grid (every K-FAC run uses the Monte Carlo Fisher; the approximation is in the name). */
const describeOptions = (o: OptimizerOptions) => Object.entries(o).filter(([k]) => k !== 'fisher' && k !== 'approximation').map(([k, v]) => `${k} ${v}`).join(', ');

if (which.has('cnn')) {
  const task = digitsTask(CNN);
  const theta0 = task.model.initParams(new Rng(0));
  console.log(`CNN: ${task.model.paramCount} parameters, ${task.train.x.batch} training / ${task.test.x.batch} test images`);
  const common = { batchSize: 128, maxIterations: 400, evalEvery: 5, targetLoss: 0.1, targetAccuracy: 0.95, seed: 1 };
  const all: RunSummary[] = [];
  const chosen: RunSummary[] = [];
  for (const g of CNN_GRID) {
    const runs = g.options.map((options) => run(task, theta0, { ...common, label: `${g.name}, ${describeOptions(options)}`, optimizer: g.optimizer, options }));
    all.push(...runs);
    chosen.push({ ...best(runs), label: g.name });
  }
  results.cnn = { setup: { ...common, parameters: task.model.paramCount, spec: CNN }, chosen: chosen.map((r) => r.label + ': ' + describeOptions(r.options)), runs: all };
  writeResults();
  save('cnn-digits.svg', lossPlotSvg({ title: 'CNN on the 8x8 digits, mini-batches of 128 (best setting of each optimizer)', series: chosen.map((r) => ({ name: r.label, history: asHistory(r) })), targetLoss: common.targetLoss, yLabel: 'full training loss (mean NLL)', timeLabel: 'CPU time (s)' }));
}

/**
 * Sequence reversal, a classic synthetic task: a sequence of T symbols from
 * an alphabet of V, each position given as a one-hot symbol and a one-hot
 * position; the target at position t is the symbol at position T-1-t. Only
 * attention carries information between positions.
 */
function reversalTask(N: number, T: number, V: number, rng: Rng): { x: Tensor; targets: number[][] } {
  const x = Tensor.zeros(N, [T, V + T]);
  const targets: number[][] = [];
  for (let n = 0; n < N; n++) {
    const s = Array.from({ length: T }, () => rng.integer(V));
    s.forEach((v, t) => {
      x.data[(n * T + t) * (V + T) + v] = 1;
      x.data[(n * T + t) * (V + T) + V + t] = 1;
    });
    targets.push(s.map((_, t) => s[T - 1 - t]));
  }
  return { x, targets };
}

if (which.has('attention')) {
  const T = 10;
  const V = 8;
  const spec: SequentialSpec = {
    input: [T, V + T],
    layers: [{ type: 'linear', out: 24 }, { type: 'attention', heads: 2 }, { type: 'activation', fn: 'tanh' }, { type: 'linear', out: V }],
    likelihood: 'categorical',
  };
  const rng = new Rng('reversal');
  const task: Task = { model: new Sequential(spec), train: reversalTask(2048, T, V, rng), test: reversalTask(512, T, V, rng) };
  const theta0 = task.model.initParams(new Rng(0));
  console.log(`attention: ${task.model.paramCount} parameters`);
  const common = { batchSize: 128, maxIterations: 600, evalEvery: 2, targetLoss: 0.05 * T, targetAccuracy: 0.99, seed: 1 };
  const grid: { optimizer: string; name: string; options: OptimizerOptions[] }[] = [
    { optimizer: 'kfac', name: 'K-FAC expand', options: [{ ...KFAC_MC, approximation: 'expand', damping: 1e-3 }, { ...KFAC_MC, approximation: 'expand', damping: 1e-2 }] },
    { optimizer: 'kfac', name: 'K-FAC reduce', options: [{ ...KFAC_MC, approximation: 'reduce', damping: 1e-3 }, { ...KFAC_MC, approximation: 'reduce', damping: 1e-2 }] },
    { optimizer: 'adam', name: 'Adam', options: [{ lr: 0.003 }, { lr: 0.01 }, { lr: 0.03 }, { lr: 0.1 }] },
  ];
  const all: RunSummary[] = [];
  const chosen: RunSummary[] = [];
  for (const g of grid) {
    const runs = g.options.map((options) => run(task, theta0, { ...common, label: `${g.name}, ${describeOptions(options)}`, optimizer: g.optimizer, options }));
    all.push(...runs);
    chosen.push({ ...best(runs), label: g.name });
  }
  // The cost of each K-FAC form alone: the K-FAC direction (Monte Carlo factors,
  // running averages, damped inverses, preconditioning) at the initial weights on
  // the first 20 batches, in CPU time of this process (less inflated by other
  // processes than wall time on a shared machine).
  const stepTimes: Record<string, number> = {};
  const { objective, extra } = sequentialProblem(task.model, task.train.x, task.train.targets, { seed: 1, batchSize: common.batchSize });
  const cpu = cpuMs;
  for (const approximation of ['expand', 'reduce', 'expand', 'reduce'] as const) {
    const t = scaleByKfac({ fisher: 'monte-carlo', approximation, damping: 1e-2 });
    let state = t.init(theta0);
    let ms = 0;
    for (let it = 0; it < 20; it++) {
      const g = objective(theta0, it).gradient;
      const batch = extra(theta0, it);
      const t0 = cpu();
      [, state] = t.update(g, state, theta0, batch);
      ms += cpu() - t0;
    }
    stepTimes[approximation] = ms / 20; // the second (warm) measurement of each form is kept
  }
  let gradientMs = 0;
  for (let it = 0; it < 20; it++) {
    const t0 = cpu();
    objective(theta0, it);
    gradientMs += cpu() - t0;
  }
  stepTimes['loss and gradient'] = gradientMs / 20;
  console.log('K-FAC direction, CPU ms per step:', stepTimes);
  const adamStep = chosen.find((r) => r.optimizer === 'adam')!.msPerStep;
  results.attention = { setup: { ...common, T, V, train: 2048, test: 512, parameters: task.model.paramCount, spec }, chosen: chosen.map((r) => r.label + ': ' + describeOptions(r.options)), kfacDirectionCpuMs: stepTimes, adamStepMs: adamStep, runs: all };
  writeResults();
  save('attention-reversal.svg', lossPlotSvg({ title: `Attention on sequence reversal (T = ${T}, ${V} symbols), mini-batches of 128`, series: chosen.map((r) => ({ name: r.label, history: asHistory(r) })), targetLoss: common.targetLoss, yLabel: 'full training loss (mean NLL, summed over positions)', timeLabel: 'CPU time (s)' }));
}

if (which.has('batch')) {
  const task = digitsTask(CNN);
  const theta0 = task.model.initParams(new Rng(0));
  const N = task.train.x.batch;
  const common = { maxIterations: 400, targetLoss: 0.1, targetAccuracy: 0.95, seed: 1, optimizer: 'kfac', options: { ...KFAC_MC, damping: 1e-3 } };
  const runs = [
    run(task, theta0, { ...common, label: `full batch (${N})`, evalEvery: 1 }),
    run(task, theta0, { ...common, label: 'mini-batches of 512', batchSize: 512, evalEvery: 2 }),
    run(task, theta0, { ...common, label: 'mini-batches of 128', batchSize: 128, evalEvery: 5 }),
    run(task, theta0, { ...common, label: 'mini-batches of 32', batchSize: 32, evalEvery: 10 }),
  ];
  results.batch = { setup: { ...common, train: N }, runs };
  writeResults();
  save('cnn-batch-size.svg', lossPlotSvg({ title: 'K-FAC on the CNN: full batch vs mini-batches (running-average factors, ε = 0.95)', series: runs.map((r) => ({ name: r.label, history: asHistory(r) })), targetLoss: common.targetLoss, yLabel: 'full training loss (mean NLL)', timeLabel: 'CPU time (s)' }));
}

/** `tables`: the Markdown tables of docs/experiments.md from results.json. */
if (which.has('tables')) {
  const s = (x: number) => x.toFixed(1);
  const hit = (x: { iteration: number; seconds: number } | null) => (x ? `${x.iteration} | ${s(x.seconds)}` : 'not reached | -');
  const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '-');
  const table = (key: 'cnn' | 'attention', extra: (r: RunSummary) => string = () => '') => {
    const block = results[key] as { runs: RunSummary[] } | undefined;
    if (!block) return;
    console.log(`\n${key}:\n`);
    console.log('| optimizer, setting | iterations to loss target | time (s) | test accuracy there | iterations to accuracy target | time (s) | final loss | final test accuracy | ms/step |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of block.runs) {
      console.log(`| ${r.label.replace(/, (fisher|approximation) [a-z-]+/g, '')} | ${hit(r.toLoss)} | ${r.toLoss ? pct(r.toLoss.testAccuracy) : '-'} | ${hit(r.toAccuracy)} | ${Number.isFinite(r.finalLoss) ? r.finalLoss.toPrecision(3) : 'diverged'} | ${pct(r.finalTestAccuracy)} | ${r.msPerStep.toFixed(0)}${extra(r)} |`);
    }
  };
  table('cnn');
  table('attention');
  const batch = results.batch as { setup: { train: number }; runs: RunSummary[] } | undefined;
  if (batch) {
    console.log('\nbatch:\n');
    console.log('| K-FAC on | iterations to loss target | epochs | time (s) | iterations to accuracy target | time (s) | final loss | final test accuracy | ms/step |');
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const r of batch.runs) {
      const B = r.batchSize ?? batch.setup.train;
      const epochs = r.toLoss ? ((r.toLoss.iteration * B) / batch.setup.train).toFixed(1) : '-';
      console.log(`| ${r.label} | ${r.toLoss ? r.toLoss.iteration : 'not reached'} | ${epochs} | ${r.toLoss ? s(r.toLoss.seconds) : '-'} | ${hit(r.toAccuracy)} | ${r.finalLoss.toPrecision(3)} | ${pct(r.finalTestAccuracy)} | ${r.msPerStep.toFixed(0)} |`);
    }
  }
}
