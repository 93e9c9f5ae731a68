/**
 * Identities of the oracle's version-2 kinds, on random MLPs, likelihoods and
 * reductions, each with a sensitivity run (a deliberately wrong input that the
 * same comparison must catch). The networks' weights, inputs and targets
 * are fast-check arbitraries, so a failure shrinks to a small network with
 * simple numbers; fast-check prints it with the seed and path of the failing
 * case, and the seed is fixed so the suite is reproducible.
 *
 * * the diagonal equals the dense matrix's diagonal;
 * * per-example gradients sum to the gradient of the reduced loss;
 * * EKFAC equals K-FAC for one example, and is never farther from the exact
 *   Fisher block than K-FAC (George et al. 2018: its eigenvalues are the
 *   diagonal of Qᵀ F Q, the Frobenius-closest in K-FAC's eigenbasis);
 * * the Monte Carlo standard error matches simulation.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Rng } from '../src/core/rng.js';
import { kron } from '../src/linalg/ops.js';
import { Matrix } from '../src/linalg/matrix.js';
import { runCheck } from '../src/oracle/check.js';
import { runOracle } from '../src/oracle/oracle.js';
import { zForFalseAlarm } from '../src/numeric/statistics.js';
import { matrix, vector } from './arbitraries/matrices.js';

const SEED = 20261207;
const EPS = 2 ** -52;
const LIKELIHOODS = ['categorical', 'bernoulli', 'gaussian', 'mse'] as const;
const REDUCTIONS = ['mean', 'sum', 'mean-elements'] as const;

interface Shape {
  sizes: number[];
  likelihood: (typeof LIKELIHOODS)[number];
  reduction: (typeof REDUCTIONS)[number];
  N: number;
}

/** A problem's data, drawn per entry: weights (out x in) and biases per layer, inputs, and targets. */
interface Problem extends Shape {
  weights: { W: number[][]; b: number[] }[];
  inputs: number[][];
  targets: (number | number[])[];
}

const targetArb = (s: Shape): fc.Arbitrary<number | number[]> => {
  const D = s.sizes[s.sizes.length - 1];
  if (s.likelihood === 'categorical') return fc.integer({ min: 0, max: D - 1 });
  if (s.likelihood === 'bernoulli') return fc.integer({ min: 0, max: 1 });
  return vector(D);
};

/** The data of a problem of shape `s`. */
const dataArb = (s: Shape): fc.Arbitrary<Problem> =>
  fc
    .record({
      weights: fc.tuple(...s.sizes.slice(1).map((out, l) => fc.record({ W: matrix(out, s.sizes[l]), b: vector(out, -1, 1) }))),
      inputs: matrix(s.N, s.sizes[0]),
      targets: fc.array(targetArb(s), { minLength: s.N, maxLength: s.N }),
    })
    .map((d) => ({ ...s, ...d }));

const problemArb: fc.Arbitrary<Problem> = fc
  .record({
    hidden: fc.integer({ min: 1, max: 4 }),
    inp: fc.integer({ min: 1, max: 3 }),
    out: fc.integer({ min: 1, max: 3 }),
    likelihood: fc.constantFrom(...LIKELIHOODS),
    reduction: fc.constantFrom(...REDUCTIONS),
    N: fc.integer({ min: 1, max: 5 }),
  })
  .map(
    ({ hidden, inp, out, likelihood, reduction, N }): Shape => ({
      sizes: [inp, hidden, likelihood === 'bernoulli' ? 1 : likelihood === 'categorical' ? Math.max(2, out) : out],
      likelihood,
      reduction,
      N,
    }),
  )
  .chain(dataArb);

/** One problem of a fixed shape, its data drawn from `seed` (the fixed instances of the sensitivity runs). */
const problemOf = (s: Shape, seed: number): Problem => fc.sample(dataArb(s), { seed, numRuns: 1 })[0];

/** A model spec of `kind` for a problem. */
function specOf(p: Problem, kind: string, extra: Record<string, unknown> = {}): any {
  return {
    kind,
    model: { type: 'mlp', sizes: p.sizes, activations: ['tanh', 'identity'], likelihood: p.likelihood },
    weights: p.weights,
    inputs: p.inputs,
    targets: p.targets,
    reduction: p.reduction,
    ...extra,
  };
}

const run = async (spec: unknown): Promise<any> => runOracle(spec);

const RUNS = { seed: SEED, numRuns: 25 };

describe('diagonal', () => {
  test('equals the diagonal of the dense matrix, for every curvature; 1% off is caught by check', async () => {
    await fc.assert(
      fc.asyncProperty(problemArb, fc.constantFrom('fisher', 'empirical-fisher', 'ggn', 'hessian'), async (p, curvature) => {
        const d = await run(specOf(p, 'diagonal', { curvature }));
        const m = await run(specOf(p, 'fisher', { curvature }));
        d.diagonal.forEach((x: number, i: number) => expect(x).toBe(m.matrix[i][i]));
        const off = d.diagonal.map((x: number, i: number) => (i === 0 ? x * 1.01 + 1e-6 : x));
        expect((await runCheck(specOf(p, 'diagonal', { curvature }), { diagonal: off })).ok).toBe(false);
      }),
      RUNS,
    );
  });
});

describe('per-example gradients', () => {
  test('sum to the gradient of the reduced loss; the rows of the unreduced loss (a missing reduction factor) do not', async () => {
    await fc.assert(
      fc.asyncProperty(problemArb, async (p) => {
        const pe = await run(specOf(p, 'per-example-gradients'));
        const g = (await run(specOf(p, 'fisher', { curvature: 'empirical-fisher' }))).gradient;
        const P = g.length;
        const sums = Array.from({ length: P }, (_, j) => pe.gradients.reduce((s: number, row: number[]) => s + row[j], 0));
        // a sum of N terms: error at most N eps sum|terms| (Higham's γ_N), here with margin 4
        sums.forEach((s, j) => {
          const mag = pe.gradients.reduce((a: number, row: number[]) => a + Math.abs(row[j]), 0);
          expect(Math.abs(s - g[j]), `parameter ${j}`).toBeLessThanOrEqual(4 * p.N * EPS * mag + 1e-300);
        });
        if (p.N > 1) {
          const wrong = pe.gradients.map((row: number[]) => row.map((x) => x * p.N));
          expect((await runCheck(specOf(p, 'per-example-gradients'), { gradients: wrong })).ok).toBe(false);
        }
      }),
      RUNS,
    );
  });
});

/** The exact Fisher's block of layer l in K-FAC's layout (row-major [W b], bias last column). */
function fisherBlock(F: number[][], sizes: number[], l: number): number[][] {
  let off = 0;
  for (let i = 0; i < l; i++) off += sizes[i + 1] * (sizes[i] + 1);
  const inp = sizes[l];
  const out = sizes[l + 1];
  const k = inp + 1;
  const idx = (r: number): number => {
    const i = Math.floor(r / k);
    const j = r % k;
    return j < inp ? off + i * inp + j : off + out * inp + i;
  };
  return Array.from({ length: out * k }, (_, r) => Array.from({ length: out * k }, (_, c) => F[idx(r)][idx(c)]));
}

const frob = (A: number[][], B: number[][]): number => Math.sqrt(A.reduce((s, row, i) => s + row.reduce((t, x, j) => t + (x - B[i][j]) ** 2, 0), 0));

describe('EKFAC', () => {
  test('equals K-FAC for one example (block G ⊗ A, update the exact-scheme K-FAC update); not for two', async () => {
    await fc.assert(
      fc.asyncProperty(problemArb, fc.constantFrom('fisher', 'empirical-fisher'), async (p0, fisher) => {
        const p = { ...p0, N: 1, inputs: p0.inputs.slice(0, 1), targets: p0.targets.slice(0, 1) };
        const e = await run(specOf(p, 'ekfac', { fisher, damping: 0.01 }));
        const k = await run(specOf(p, 'kfac', { fisher, damping: 0.01, dampingScheme: 'exact' }));
        e.layers.forEach((l: any, i: number) => {
          const GA = kron(Matrix.from(k.layers[i].G), Matrix.from(k.layers[i].A)).toArray();
          const scale = Math.max(1e-300, ...GA.flat().map(Math.abs));
          l.matrix.forEach((row: number[], r: number) => row.forEach((x, c) => expect(Math.abs(x - GA[r][c])).toBeLessThanOrEqual(1e-10 * scale)));
          const us = Math.max(1e-300, ...k.layers[i].update.flat().map(Math.abs));
          l.update.forEach((row: number[], r: number) => row.forEach((x, c) => expect(Math.abs(x - k.layers[i].update[r][c])).toBeLessThanOrEqual(1e-8 * us)));
        });
      }),
      RUNS,
    );
    // sensitivity: with two examples EKFAC and K-FAC differ (the same comparison fails)
    const p = problemOf({ sizes: [2, 3, 2], likelihood: 'categorical', reduction: 'mean', N: 2 }, 7);
    const e = await run(specOf(p, 'ekfac', { fisher: 'fisher', damping: 0.01 }));
    const k = await run(specOf(p, 'kfac', { fisher: 'fisher', damping: 0.01, dampingScheme: 'exact' }));
    const GA = kron(Matrix.from(k.layers[0].G), Matrix.from(k.layers[0].A)).toArray();
    expect(frob(e.layers[0].matrix, GA)).toBeGreaterThan(1e-6 * Math.max(...GA.flat().map(Math.abs)));
  });

  test('is never farther from the exact Fisher block than K-FAC (Frobenius); an EKFAC with the wrong second moments (empirical) is caught as farther', async () => {
    await fc.assert(
      fc.asyncProperty(problemArb, async (p0) => {
        const p = { ...p0, likelihood: p0.likelihood === 'mse' ? 'gaussian' : p0.likelihood, reduction: 'mean' as const };
        const F = (await run(specOf(p, 'fisher', { curvature: 'fisher' }))).matrix;
        const e = await run(specOf(p, 'ekfac', { fisher: 'fisher', damping: 0 }));
        const k = await run(specOf(p, 'kfac', { fisher: 'fisher', damping: 0.01, dampingScheme: 'exact' }));
        e.layers.forEach((l: any, i: number) => {
          const B = fisherBlock(F, p.sizes, i);
          const GA = kron(Matrix.from(k.layers[i].G), Matrix.from(k.layers[i].A)).toArray();
          const scale = Math.max(1e-300, ...B.flat().map(Math.abs));
          expect(frob(l.matrix, B)).toBeLessThanOrEqual(frob(GA, B) + 1e-10 * scale * B.length);
        });
      }),
      RUNS,
    );
    // sensitivity: the empirical EKFAC (second moments at the targets) compared with the true Fisher block breaks the inequality
    const p = problemOf({ sizes: [2, 3, 3], likelihood: 'categorical', reduction: 'mean', N: 4 }, 3);
    const F = (await run(specOf(p, 'fisher', { curvature: 'fisher' }))).matrix;
    const wrong = await run(specOf(p, 'ekfac', { fisher: 'empirical-fisher', damping: 0 }));
    const k = await run(specOf(p, 'kfac', { fisher: 'fisher', damping: 0.01, dampingScheme: 'exact' }));
    const B = fisherBlock(F, p.sizes, 1);
    const GA = kron(Matrix.from(k.layers[1].G), Matrix.from(k.layers[1].A)).toArray();
    expect(frob(wrong.layers[1].matrix, B)).toBeGreaterThan(frob(GA, B));
  });
});

describe('Monte Carlo standard error', () => {
  /**
   * Simulates the M-sample estimator R times (labels drawn from the model) and
   * compares, per entry, the sample variance of the estimates with
   * standardError²: the sample variance has its own standard error, estimated
   * from the draws' fourth moments, and every entry must lie within z of it
   * (z two-sided at a false-alarm rate of 1e-6 over the entries).
   */
  async function simulate(likelihood: 'categorical' | 'mse', seErrorFactor: number): Promise<boolean> {
    const { res, draws } = await simulation(likelihood);
    const R = draws.length;
    const P = res.diagonal.length;
    const z = zForFalseAlarm(1e-6, P);
    let ok = true;
    for (let j = 0; j < P; j++) {
      const xs = draws.map((d) => d[j]);
      const mean = xs.reduce((a, b) => a + b, 0) / R;
      const dev2 = xs.map((x) => (x - mean) ** 2);
      const s2 = dev2.reduce((a, b) => a + b, 0) / (R - 1);
      const se2 = (res.standardError[j] * seErrorFactor) ** 2;
      const m4 = dev2.reduce((a, b) => a + b * b, 0) / R;
      const seOfS2 = Math.sqrt(Math.max(m4 - s2 * s2, 0) / R);
      if (se2 === 0 && s2 === 0) continue;
      if (!(Math.abs(s2 - se2) <= z * seOfS2 + 1e-12 * se2)) ok = false;
    }
    return ok;
  }

  /** The oracle's answer and R simulated estimates, once per likelihood: the check and its sensitivity run compare the same draws. */
  const simulations = new Map<string, Promise<{ res: any; draws: number[][] }>>();
  function simulation(likelihood: 'categorical' | 'mse'): Promise<{ res: any; draws: number[][] }> {
    let s = simulations.get(likelihood);
    if (!s) {
      s = simulateDraws(likelihood);
      simulations.set(likelihood, s);
    }
    return s;
  }

  async function simulateDraws(likelihood: 'categorical' | 'mse'): Promise<{ res: any; draws: number[][] }> {
    const p = problemOf({ sizes: [2, 2, likelihood === 'mse' ? 2 : 3], likelihood, reduction: 'sum', N: 3 }, 11);
    const M = 2;
    const spec = specOf(p, 'diagonal', { curvature: 'monte-carlo-fisher', samples: M });
    const res = await run(spec);
    const rng = new Rng(SEED);
    const R = 3000;
    const P = res.diagonal.length;
    const draws: number[][] = [];
    // outputs of the network per example, for drawing labels
    const probe = specOf(p, 'per-example-gradients');
    for (let r = 0; r < R; r++) {
      const est = new Float64Array(P);
      for (let m = 0; m < M; m++) {
        const targets = await sampleLabels(probe, likelihood, rng);
        const g = (await run({ ...probe, targets })).gradients as number[][];
        // the estimator's terms are c_red g_n² per example and draw, with g_n the gradient of the unreduced term: for sum, the rows themselves
        for (const row of g) row.forEach((x, j) => (est[j] += (x * x) / M));
      }
      draws.push(Array.from(est));
    }
    return { res, draws };
  }

  /** Labels y ~ p(.|x) for the spec's inputs: the class from the softmax, or y = f + N(0, I/2) for nn.MSELoss. */
  async function sampleLabels(spec: any, likelihood: 'categorical' | 'mse', rng: Rng): Promise<unknown[]> {
    const { predict } = await import('../src/models/mlp.js');
    const model = { sizes: spec.model.sizes, activations: spec.model.activations, likelihood: likelihood === 'mse' ? 'gaussian' : 'categorical' } as any;
    const weights = spec.weights.map((w: any) => ({ W: Matrix.from(w.W), b: Float64Array.from(w.b) }));
    return spec.inputs.map((x: number[]) => {
      const f = predict(model, weights, Float64Array.from(x));
      if (likelihood === 'mse') return Array.from(f, (fi) => fi + Math.SQRT1_2 * rng.normal());
      const m = Math.max(...f);
      const e = Array.from(f, (v) => Math.exp(v - m));
      const z = e.reduce((a, b) => a + b, 0);
      let u = rng.uniform() * z;
      for (let k = 0; k < e.length; k++) if ((u -= e[k]) < 0) return k;
      return e.length - 1;
    });
  }

  test('categorical: matches simulation; 1.5× the standard error does not', async () => {
    expect(await simulate('categorical', 1)).toBe(true);
    expect(await simulate('categorical', 1.5)).toBe(false);
  });

  test('mse (labels y ~ N(f, I/2)): matches simulation; 1.5× the standard error does not', async () => {
    expect(await simulate('mse', 1)).toBe(true);
    expect(await simulate('mse', 1.5)).toBe(false);
  });
});
