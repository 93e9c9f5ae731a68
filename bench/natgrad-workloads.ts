/**
 * The natgrad side of the benchmark: every workload timed in this process,
 * printed as JSON on stdout, with the kernel and thread count it ran on
 * (NATGRAD_THREADS, set by bench/run.ts; the worker pool is started before
 * any timing). `--only kfac-memory` runs just the K-FAC workload so that the
 * process's peak resident memory is its own; `--only kfac-gemm` the K-FAC
 * workloads and the GEMMs.
 */
import { Rng } from '../src/core/rng.js';
import { fisherMatrix } from '../src/curvature/dense-curvature.js';
import { type KfacPreconditioner, kfacBlockPreconditioners, kfacFactors, kfacPreconditioners } from '../src/curvature/kfac.js';
import { parsePoint } from '../src/families/json-points.js';
import { monteCarloFisherAnalytic } from '../src/families/analytic-monte-carlo.js';
import { familyMonteCarloFisher } from '../src/families/estimators.js';
import { Cholesky } from '../src/linalg/cholesky.js';
import { gemmBackend, gemmRuntime } from '../src/linalg/kernels/gemm.js';
import { linalgThreads, linalgWorkerError, linalgWorkerJobCount, startLinalgPool } from '../src/linalg/parallel/pool.js';
import { eigSymmetric } from '../src/linalg/eigen-symmetric.js';
import { Matrix } from '../src/linalg/matrix.js';
import { matmul } from '../src/linalg/ops.js';
import type { LayerWeights } from '../src/models/mlp.js';
import { Sequential } from '../src/models/sequential.js';
import { Tensor } from '../src/models/tensor.js';
import { type Timing, CNN_KFAC, KFAC, DENSE_FISHER, MC, SIZES, timeIt } from './workloads.js';
import { mlpProblem } from './mlp-problem.js';
import { wasmFmaPeak } from './wasm-peak.js';

const rng = new Rng(20260601);

function randomMatrix(r: number, c: number): Matrix {
  return new Matrix(
    r,
    c,
    Float64Array.from({ length: r * c }, () => rng.normal()),
  );
}

function spd(n: number): Matrix {
  const X = randomMatrix(n, n);
  const A = matmul(
    X,
    new Matrix(
      n,
      n,
      X.data.slice().map((_, i) => X.data[(i % n) * n + Math.floor(i / n)]),
    ),
  );
  for (let i = 0; i < n; i++) A.data[i * n + i] += n;
  return A;
}

/**
 * One K-FAC step: one batched forward/backward giving the loss, gradient and
 * factors (empirical Fisher), damped inverses by Cholesky when `refresh`
 * (factored Tikhonov damping, sqrt(λ) on each factor), preconditioning, update.
 */
function kfacStepper(p: ReturnType<typeof mlpProblem>, lambda: number, lr: number) {
  let pre: KfacPreconditioner[] = [];
  const weights: LayerWeights[] = p.weights.map((w) => ({ W: w.W.clone(), b: w.b.slice() }));
  const profile = { factors: 0, inverses: 0, precondition: 0, update: 0 };
  const step = (refresh: boolean) => {
    let t = performance.now();
    const { layers } = kfacFactors(p.spec, weights, p.inputs, p.targets, 'empirical-fisher');
    profile.factors += performance.now() - t;
    t = performance.now();
    if (refresh) pre = kfacPreconditioners(layers, lambda, 'factored');
    profile.inverses += performance.now() - t;
    t = performance.now();
    const updates = layers.map((f, l) => pre[l].apply(f.gradient));
    profile.precondition += performance.now() - t;
    t = performance.now();
    updates.forEach((U, l) => {
      const { W, b } = weights[l];
      const k = U.cols;
      for (let i = 0; i < W.rows; i++) {
        for (let j = 0; j < W.cols; j++) W.data[i * W.cols + j] -= lr * U.data[i * k + j];
        b[i] -= lr * U.data[i * k + W.cols];
      }
    });
    profile.update += performance.now() - t;
  };
  return { step, profile, methods: () => pre.map((q) => q.method) };
}

function kfacWorkloads(out: Record<string, Timing | unknown>): void {
  const p = mlpProblem(KFAC.sizes, KFAC.batch, rng);
  const full = kfacStepper(p, KFAC.lambda, KFAC.lr);
  out['kfac-full'] = timeIt(() => full.step(true), KFAC.runs);
  const total = Object.values(full.profile).reduce((a, b) => a + b, 0);
  out['kfac-profile'] = Object.fromEntries(Object.entries(full.profile).map(([k, v]) => [k, v / total]));
  out['kfac-methods'] = full.methods();
  const amort = kfacStepper(p, KFAC.lambda, KFAC.lr);
  const block = timeIt(() => {
    for (let s = 0; s < KFAC.every; s++) amort.step(s === 0);
  }, KFAC.runs);
  out['kfac-amortized'] = { ...block, median: block.median / KFAC.every, runs: block.runs.map((r) => r / KFAC.every) };
}

/**
 * The CNN K-FAC step (CNN_KFAC): one forward pass and one batched backward
 * pass giving the loss, the gradient and the KFC factors of the three weight
 * matrices, Cholesky inverses of the damped factors, preconditioning, update.
 */
function cnnKfacWorkload(out: Record<string, unknown>): void {
  const S = CNN_KFAC.image;
  const model = new Sequential({
    input: [1, S, S],
    layers: [
      { type: 'conv2d', out: 16, kernel: [3, 3] },
      { type: 'activation', fn: 'relu' },
      { type: 'conv2d', out: 32, kernel: [3, 3], stride: [2, 2] },
      { type: 'activation', fn: 'relu' },
      { type: 'mean' },
      { type: 'linear', out: 10 },
    ],
    likelihood: 'categorical',
  });
  const theta = model.initParams(rng.split());
  const x = Tensor.zeros(CNN_KFAC.batch, [1, S, S]);
  for (let i = 0; i < x.data.length; i++) x.data[i] = rng.normal();
  const targets = Array.from({ length: CNN_KFAC.batch }, () => rng.integer(10));
  const profile = { factors: 0, inverses: 0, precondition: 0 };
  let methods: string[] = [];
  const step = () => {
    let t = performance.now();
    const set = kfacFactors(model, theta, { x, targets }, { fisher: 'empirical-fisher' });
    profile.factors += performance.now() - t;
    t = performance.now();
    const pre = kfacBlockPreconditioners(set.blocks, CNN_KFAC.lambda, 'factored');
    profile.inverses += performance.now() - t;
    t = performance.now();
    const u = new Float64Array(theta.length);
    for (const p of pre) p.applyTo(set.gradient as Float64Array, u);
    for (let i = 0; i < theta.length; i++) theta[i] -= CNN_KFAC.lr * u[i];
    profile.precondition += performance.now() - t;
    methods = pre.map((p) => p.method);
  };
  out['cnn-kfac'] = timeIt(step, CNN_KFAC.runs);
  const total = Object.values(profile).reduce((a, b) => a + b, 0);
  out['cnn-kfac-profile'] = Object.fromEntries(Object.entries(profile).map(([k, v]) => [k, v / total]));
  out['cnn-kfac-methods'] = methods;
}

/** The GEMM of two random n x n matrices at each size. */
function gemmWorkloads(out: Record<string, unknown>, sizes: readonly number[] = SIZES): void {
  for (const n of sizes) {
    const a = randomMatrix(n, n);
    const b = randomMatrix(n, n);
    out[`gemm-${n}`] = timeIt(() => matmul(a, b), 7);
  }
}

/** Runs every kernel once at each size so that V8 has compiled the WebAssembly and JavaScript hot paths with its optimizing tiers before any timing. */
function warmUp(): void {
  for (const n of [64, 200]) {
    const s = spd(n);
    for (let r = 0; r < 3; r++) {
      matmul(s, s);
      new Cholesky(s).inverse();
      eigSymmetric(s);
    }
  }
}

/** Writes the results with this process's whole CPU time (all threads), from which bench/run.ts tells the other processes' share. */
function emit(out: Record<string, unknown>): void {
  const u = process.cpuUsage();
  out['process-cpu-s'] = (u.user + u.system) / 1e6;
  process.stdout.write(JSON.stringify(out));
}

async function main(): Promise<void> {
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : 'all';
  const out: Record<string, unknown> = {};
  const rt = gemmRuntime();
  if (rt) await startLinalgPool(rt);
  warmUp();
  if (only !== 'cnn-kfac' && only !== 'kfac-memory') out['wasm-fma-peak'] = wasmFmaPeak();
  if (only === 'cnn-kfac') {
    cnnKfacWorkload(out);
    out.kernel = { gemm: gemmBackend(), threads: linalgThreads(), workerJobs: linalgWorkerJobCount(), workerError: linalgWorkerError() };
    emit(out);
    return;
  }
  if (only === 'kfac-gemm') {
    // the K-FAC steps and the GEMMs alone (bench/run.ts --only kfac-gemm), with the cores the process used while timing
    const wall = performance.now();
    const cpu = process.cpuUsage();
    kfacWorkloads(out);
    gemmWorkloads(out);
    const used = process.cpuUsage(cpu);
    out['cores-used'] = (used.user + used.system) / 1000 / (performance.now() - wall);
    out.kernel = { gemm: gemmBackend(), threads: linalgThreads(), workerJobs: linalgWorkerJobCount(), workerError: linalgWorkerError() };
    emit(out);
    return;
  }
  if (only === 'kfac-memory') {
    kfacWorkloads(out);
    out['peak-rss-mib'] = process.resourceUsage().maxRSS / 1024;
    emit(out);
    return;
  }
  const wall = performance.now();
  const cpu = process.cpuUsage();
  kfacWorkloads(out);
  cnnKfacWorkload(out);
  const fp = mlpProblem(DENSE_FISHER.sizes, DENSE_FISHER.batch, rng);
  out['dense-fisher'] = timeIt(() => fisherMatrix(fp.spec, fp.weights, fp.inputs), DENSE_FISHER.runs);
  for (const n of SIZES) {
    gemmWorkloads(out, [n]);
    const s = spd(n);
    out[`cholesky-inverse-${n}`] = timeIt(() => new Cholesky(s).inverse(), 7);
    out[`eigh-${n}`] = timeIt(() => eigSymmetric(s), 5);
  }
  const pt = parsePoint('normal', 'mean-std', { mu: 0.3, sigma: 1.7 }, {}, 'bench');
  const mc = timeIt(() => monteCarloFisherAnalytic(pt, MC.samples, 7), 5);
  out['mc-fisher'] = { ...mc, samplesPerSecond: MC.samples / (mc.median / 1000) };
  const mcn = timeIt(() => familyMonteCarloFisher(pt, MC.samples, 7, { negHessian: false }), 3);
  out['mc-fisher-numeric'] = { ...mcn, samplesPerSecond: MC.samples / (mcn.median / 1000) };
  const used = process.cpuUsage(cpu);
  out['cores-used'] = (used.user + used.system) / 1000 / (performance.now() - wall);
  out.kernel = { gemm: gemmBackend(), threads: linalgThreads(), workerJobs: linalgWorkerJobCount(), workerError: linalgWorkerError() };
  emit(out);
}

await main();
