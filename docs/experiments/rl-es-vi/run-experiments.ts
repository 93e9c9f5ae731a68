/**
 * Reproduces the measurements of docs/experiments-rl-es-vi.md and writes the
 * SVG plots next to this file. Run: npx tsx docs/experiments/rl-es-vi/run-experiments.ts [rl|cartpole|es|vi|svrg]...
 * Every run is seeded; the JSON summary is printed and written to results.json.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../../../src/core/rng.js';
import { Matrix } from '../../../src/linalg/matrix.js';
import { fisherMatrix } from '../../../src/curvature/dense-curvature.js';
import { type MlpSpec, flattenWeights, initWeights, sampleTargets, unflattenWeights } from '../../../src/models/mlp.js';
import { chainMdp, gridworldMdp } from '../../../src/rl/mdp.js';
import { runTabularPolicyOptimization } from '../../../src/rl/policy-gradient.js';
import { runCartPoleTrpo } from '../../../src/rl/cartpole-trpo.js';
import { TEST_FUNCTIONS } from '../../../src/es/test-functions.js';
import { xnes } from '../../../src/es/xnes.js';
import { snes } from '../../../src/es/snes.js';
import { onePlusOneEs } from '../../../src/es/one-plus-one-es.js';
import { logisticRegressionLikelihood } from '../../../src/vi/models.js';
import { ngvi, plainGradientVi } from '../../../src/vi/ngvi.js';
import { directionVariance, runStochasticNaturalGradient, svrgSnapshot } from '../../../src/parallel/stochastic-natural-gradient.js';
import { linePlot } from './svg-plot.js';

const here = dirname(fileURLToPath(import.meta.url));
const resultsPath = join(here, 'results.json');
const results: Record<string, unknown> = {};
const save = (name: string, svg: string): void => writeFileSync(join(here, name), svg);
const which = new Set(process.argv.slice(2).length ? process.argv.slice(2) : ['rl', 'cartpole', 'es', 'vi', 'svrg']);

if (which.has('rl')) {
  const mdps = [chainMdp(20, { gamma: 0.95, small: 0.1, rho0: 'uniform' }), gridworldMdp(8, 8, { gamma: 0.95 })];
  const table: unknown[] = [];
  for (const m of mdps) {
    const curves: { name: string; points: [number, number][] }[] = [];
    for (const lr of [0.1, 1, 10]) {
      for (const method of ['pg', 'npg'] as const) {
        const r = runTabularPolicyOptimization(m, method, { lr, maxIterations: 20_000 });
        table.push({ mdp: m.name, gamma: m.gamma, method, lr, iterationsTo99: r.iterationsToTarget, optimal: r.optimal, final: r.values[r.values.length - 1] });
        if (lr !== 10) curves.push({ name: `${method.toUpperCase()} η=${lr}`, points: r.values.map((v, i) => [i + 1, Math.max(1 - v / r.optimal, 1e-16)] as [number, number]) });
      }
    }
    save(`tabular-${m.name}.svg`, linePlot({ title: `${m.name} (γ=${m.gamma}): exact PG vs NPG`, xLabel: 'iteration + 1', yLabel: '1 - J/J*', logX: true, logY: true, series: curves }));
  }
  results.tabular = table;
  console.log(JSON.stringify(table, null, 1));
}

if (which.has('cartpole')) {
  const seeds = [1, 2];
  const runs = seeds.map((seed) => {
    const t0 = Date.now();
    const r = runCartPoleTrpo({ seed, iterations: 50, batchSteps: 2000, delta: 0.01, hidden: 16 });
    return { seed, ms: Date.now() - t0, curve: r.map((x) => x.averageReturn100), accepted: r.filter((x) => x.accepted).length, maxKl: Math.max(...r.map((x) => x.kl)) };
  });
  results.cartpole = runs;
  save('cartpole-trpo.svg', linePlot({
    title: 'TRPO on CartPole-v1 (δ = 0.01, 2000 steps/iteration)', xLabel: 'iteration', yLabel: 'mean return, last 100 episodes',
    series: runs.map((r) => ({ name: `seed ${r.seed}`, points: r.curve.map((v, i) => [i + 1, v] as [number, number]) })),
  }));
  console.log(JSON.stringify(runs.map((r) => ({ ...r, curve: r.curve.filter((_, i) => i % 5 === 4 || i === r.curve.length - 1).map((v) => +v.toFixed(1)) }))));
}

if (which.has('es')) {
  const d = 10;
  const seeds = [1, 2, 3, 4, 5];
  const algs = { xNES: xnes, SNES: snes, '(1+1)-ES': onePlusOneEs } as const;
  const table: unknown[] = [];
  const traces: { name: string; points: [number, number][] }[] = [];
  for (const [fname, f] of Object.entries(TEST_FUNCTIONS)) {
    for (const [aname, alg] of Object.entries(algs)) {
      const evals: (number | null)[] = [];
      for (const seed of seeds) {
        const r = alg(f, d, { seed, mean: new Float64Array(d).fill(fname === 'rosenbrock' ? 0 : 1), sigma: 1, maxEvaluations: aname === '(1+1)-ES' ? 1_000_000 : 300_000 });
        evals.push(r.evaluationsToTarget);
        if (seed === 1 && fname === 'rosenbrock') traces.push({ name: aname, points: r.trace.map(([e, b]) => [e, Math.max(b, 1e-12)] as [number, number]) });
      }
      const ok = evals.filter((e): e is number => e !== null).sort((a, b) => a - b);
      table.push({ function: fname, algorithm: aname, solved: `${ok.length}/${seeds.length}`, median: ok.length ? ok[Math.floor((ok.length - 1) / 2)] : null, min: ok[0] ?? null, max: ok[ok.length - 1] ?? null });
    }
  }
  results.es = table;
  save('es-rosenbrock.svg', linePlot({ title: 'Rosenbrock, d = 10, seed 1', xLabel: 'evaluations', yLabel: 'best fitness', logY: true, logX: true, series: traces }));
  console.log(JSON.stringify(table, null, 1));
}

if (which.has('vi')) {
  const rng = new Rng(2024);
  const d = 8;
  const n = 400;
  // correlated, badly scaled features make the Euclidean geometry of (μ, L) poor
  const scales = Float64Array.from({ length: d }, (_, i) => 10 ** (i / (d - 1) - 0.5) * 1.5);
  const wTrue = Float64Array.from({ length: d }, () => rng.normal());
  const X = Array.from({ length: n }, () => {
    const z = Float64Array.from({ length: d }, () => rng.normal());
    const common = rng.normal();
    return z.map((v, i) => scales[i] * (0.6 * v + 0.8 * common));
  });
  const y = X.map((x) => (rng.uniform() < 1 / (1 + Math.exp(-x.reduce((t, v, i) => t + v * wTrue[i], 0))) ? 1 : -1));
  const lik = logisticRegressionLikelihood(X, y);
  const prior = { mu: new Float64Array(d), Sigma: Matrix.identity(d) };
  const q0 = { mu: new Float64Array(d), Sigma: Matrix.identity(d) };
  const iterations = 200;
  const runs: { name: string; elbo: number[] }[] = [];
  for (const rho of [0.1, 0.5, 1]) runs.push({ name: `NGVI ρ=${rho}`, elbo: ngvi(lik, prior, q0, { rho, iterations }).elbo });
  const plain: { lr: number; elbo: number[] }[] = [];
  for (const lr of [3e-5, 1e-4, 3e-4, 1e-3, 3e-3]) {
    try {
      plain.push({ lr, elbo: plainGradientVi(lik, prior, q0, { lr, iterations }).elbo });
    } catch {
      plain.push({ lr, elbo: [-Infinity] });
    }
  }
  const finite = plain.filter((p) => p.elbo.length === iterations + 1 && Number.isFinite(p.elbo[iterations]));
  const bestPlain = finite.sort((a, b) => b.elbo[iterations] - a.elbo[iterations])[0];
  const star = Math.max(...runs.map((r) => Math.max(...r.elbo)), ...finite.map((p) => Math.max(...p.elbo)));
  const itersTo = (e: number[], tol: number): number | null => {
    const k = e.findIndex((v) => star - v <= tol);
    return k < 0 ? null : k;
  };
  const summary = [
    ...runs.map((r) => ({ method: r.name, final: r.elbo[iterations], gapAt10: star - r.elbo[10], itersToGap1e_3: itersTo(r.elbo, 1e-3) })),
    ...plain.map((p) => ({ method: `plain GD lr=${p.lr}`, final: p.elbo[p.elbo.length - 1], gapAt10: p.elbo.length > 10 ? star - p.elbo[10] : null, itersToGap1e_3: itersTo(p.elbo, 1e-3), diverged: !(p.elbo.length === iterations + 1 && Number.isFinite(p.elbo[iterations])) })),
  ];
  results.vi = { elboStar: star, summary };
  save('vi-logistic-elbo.svg', linePlot({
    title: `Bayesian logistic regression (d=${d}, n=${n}): ELBO gap`, xLabel: 'iteration', yLabel: 'ELBO* - ELBO', logY: true,
    series: [...runs, { name: `plain GD lr=${bestPlain.lr}`, elbo: bestPlain.elbo }].map((r) => ({ name: r.name, points: r.elbo.map((v, i) => [i, Math.max(star - v, 1e-10)] as [number, number]) })),
  }));
  console.log(JSON.stringify(results.vi, null, 1));
}

if (which.has('svrg')) {
  // Seeded study: seed s fixes the teacher, the data, θ₀, the batch order and the variance draws;
  // both arms of a seed share all of them (SVRG draws no extra random numbers), so the comparison is paired.
  const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const spec: MlpSpec = { sizes: [5, 8, 3], activations: ['tanh', 'identity'], likelihood: 'categorical' };
  const common = { batchSize: 16, lr: 0.1, damping: 1e-2, decay: 0.95, epochs: 20 };
  const draws = 100;
  const t0 = Date.now();
  const perSeed = seeds.map((seed) => {
    const rng = new Rng(seed);
    const teacher = initWeights(spec, rng);
    for (const l of teacher) for (let i = 0; i < l.W.data.length; i++) l.W.data[i] *= 3;
    const inputs = Array.from({ length: 512 }, () => Float64Array.from({ length: 5 }, () => rng.normal()));
    const p = { spec, inputs, targets: sampleTargets(spec, teacher, inputs, rng) };
    const theta0 = flattenWeights(initWeights(spec, rng));
    const withSvrg = runStochasticNaturalGradient(p, theta0, { ...common, seed, svrg: true });
    const without = runStochasticNaturalGradient(p, theta0, { ...common, seed, svrg: false });
    const o = { batchSize: common.batchSize, draws, damping: common.damping, seed: 1000 + seed };
    const fisherAt = (theta: Float64Array): Matrix => fisherMatrix(spec, unflattenWeights(spec, theta), inputs);
    // at θ_e of the SVRG run with snapshot θ_{e-1} (the end of an epoch, where SVRG is worst) vs the plain direction at the same θ;
    // and the plain direction along the plain run's own trajectory
    const epochs = Array.from({ length: common.epochs }, (_, k) => k + 1);
    const varSvrg: number[] = [];
    const varPlainSameTheta: number[] = [];
    const varPlainOwn: number[] = [];
    for (const e of epochs) {
      const theta = withSvrg.epochParams[e];
      const F = fisherAt(theta);
      varSvrg.push(directionVariance(p, theta, F, { ...o, snapshot: svrgSnapshot(p, withSvrg.epochParams[e - 1]) }));
      varPlainSameTheta.push(directionVariance(p, theta, F, { ...o, snapshot: null }));
      varPlainOwn.push(directionVariance(p, without.epochParams[e], fisherAt(without.epochParams[e]), { ...o, snapshot: null }));
    }
    // losses[e] = loss at the start of epoch e; train() also evaluates after the last step, so entries past `epochs` repeat the final loss
    const upTo = (xs: number[]): number[] => xs.slice(0, common.epochs + 1);
    return { seed, lossWithSvrg: upTo(withSvrg.losses), lossWithout: upTo(without.losses), varSvrg, varPlainSameTheta, varPlainOwn };
  });
  // linear-interpolation quantile (type 7)
  const quantile = (xs: number[], q: number): number => {
    const s = [...xs].sort((a, b) => a - b);
    const h = (s.length - 1) * q;
    const lo = Math.floor(h);
    return s[lo] + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]) - s[lo]);
  };
  const summarise = (rows: number[][]): { median: number; q25: number; q75: number }[] =>
    rows[0].map((_, j) => {
      const col = rows.map((r) => r[j]);
      return { median: quantile(col, 0.5), q25: quantile(col, 0.25), q75: quantile(col, 0.75) };
    });
  const loss = { withSvrg: summarise(perSeed.map((r) => r.lossWithSvrg)), without: summarise(perSeed.map((r) => r.lossWithout)) };
  const variance = {
    epochs: Array.from({ length: common.epochs }, (_, k) => k + 1),
    svrg: summarise(perSeed.map((r) => r.varSvrg)),
    plainSameTheta: summarise(perSeed.map((r) => r.varPlainSameTheta)),
    plainOwnTrajectory: summarise(perSeed.map((r) => r.varPlainOwn)),
    ratioSvrgOverPlainSameTheta: summarise(perSeed.map((r) => r.varSvrg.map((v, j) => v / r.varPlainSameTheta[j]))),
  };
  const diff = perSeed.map((r) => r.lossWithSvrg[common.epochs] - r.lossWithout[common.epochs]);
  // mean over the last 5 epochs: less sensitive to where the plain run's fluctuation happens to end
  const tailMean = (xs: number[]): number => xs.slice(-5).reduce((a, b) => a + b, 0) / 5;
  const tailDiff = perSeed.map((r) => tailMean(r.lossWithSvrg) - tailMean(r.lossWithout));
  const paired = {
    finalDiffSvrgMinusWithout: diff,
    fractionSvrgLower: diff.filter((d) => d < 0).length / diff.length,
    medianDiff: quantile(diff, 0.5),
    q25Diff: quantile(diff, 0.25),
    q75Diff: quantile(diff, 0.75),
    last5MeanDiff: tailDiff,
    fractionSvrgLowerLast5: tailDiff.filter((d) => d < 0).length / tailDiff.length,
    medianLast5Diff: quantile(tailDiff, 0.5),
  };
  const seconds = (Date.now() - t0) / 1000;
  results.svrg = { seeds, options: { ...common, varianceDraws: draws }, loss, variance, paired, perSeed };
  const bandPlot = (o: { title: string; yLabel: string; logY?: boolean; x0: number; arms: { name: string; q: { median: number; q25: number; q75: number }[] }[] }): string => {
    const x = (j: number): number => o.x0 + j;
    const svg = linePlot({
      title: o.title, xLabel: 'epoch', yLabel: o.yLabel, logY: o.logY,
      series: [
        ...o.arms.map((a) => ({ name: `${a.name}, IQR`, points: [...a.q.map((s, j) => [x(j), s.q75] as [number, number]), ...a.q.map((s, j) => [x(j), s.q25] as [number, number]).reverse()] })),
        ...o.arms.map((a) => ({ name: `${a.name}, median`, points: a.q.map((s, j) => [x(j), s.median] as [number, number]) })),
      ],
    });
    // linePlot draws lines only: the band outlines (the first arms.length series) become translucent filled polygons
    // in their arm's colour, and each median takes the colour of its band
    const colours = ['#1f77b4', '#d62728', '#2ca02c'];
    let k = 0;
    let legend = 0;
    return svg
      .replace(/<polyline fill="none" stroke="#[0-9a-f]{6}" stroke-width="1.8"/g, () => {
        const i = k++;
        const c = colours[i % o.arms.length];
        return i < o.arms.length ? `<polyline fill="${c}" fill-opacity="0.18" stroke="none"` : `<polyline fill="none" stroke="${c}" stroke-width="1.8"`;
      })
      .replace(/stroke="#[0-9a-f]{6}" stroke-width="2"\/>/g, () => {
        const i = legend++;
        const c = colours[i % o.arms.length];
        return i < o.arms.length ? `stroke="${c}" stroke-opacity="0.3" stroke-width="8"/>` : `stroke="${c}" stroke-width="2"/>`;
      });
  };
  save('svrg-natural-gradient.svg', bandPlot({
    title: `Stochastic NG, EMA Fisher, batch 16: ${seeds.length} seeds`, yLabel: 'full-data loss', x0: 0,
    arms: [{ name: 'with SVRG', q: loss.withSvrg }, { name: 'without', q: loss.without }],
  }));
  save('svrg-direction-variance.svg', bandPlot({
    title: `tr Cov of the NG direction: ${seeds.length} seeds`, yLabel: 'tr Cov[(F + λI)⁻¹ g]', logY: true, x0: 1,
    arms: [{ name: 'with SVRG', q: variance.svrg }, { name: 'plain, same θ', q: variance.plainSameTheta }, { name: 'plain, own run', q: variance.plainOwnTrajectory }],
  }));
  const r3 = (v: number): number => +v.toPrecision(3);
  console.log(JSON.stringify({
    seconds,
    loss: Object.fromEntries(Object.entries(loss).map(([k, q]) => [k, q.map((s) => [r3(s.median), r3(s.q25), r3(s.q75)])])),
    variance: Object.fromEntries(Object.entries(variance).filter(([k]) => k !== 'epochs').map(([k, q]) => [k, (q as { median: number; q25: number; q75: number }[]).map((s) => [r3(s.median), r3(s.q25), r3(s.q75)])])),
    paired: { ...paired, finalDiffSvrgMinusWithout: diff.map(r3), last5MeanDiff: tailDiff.map(r3) },
  }));
}

// merge with whatever another run wrote meanwhile
const latest: Record<string, unknown> = existsSync(resultsPath) ? JSON.parse(readFileSync(resultsPath, 'utf8')) : {};
writeFileSync(resultsPath, JSON.stringify({ ...latest, ...results }, null, 1));
