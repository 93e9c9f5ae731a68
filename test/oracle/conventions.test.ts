/**
 * Contract version 2, "the conventions of other libraries": reduction, the mse
 * likelihood, separate-bias K-FAC, the new kinds, Monte Carlo results, their
 * statistical check, convention and pair diagnoses, and --precision float32.
 * Expected values come from independent computations in the test (a forward
 * pass and finite differences, explicit inverses), not from the oracle.
 */
import { describe, expect, test } from 'vitest';
import { Matrix } from '../../src/linalg/matrix.js';
import { solveMatrix } from '../../src/linalg/solve.js';
import { predict } from '../../src/models/mlp.js';
import { badInputLine, check, checkJson, classifier, clone, oracle, oracleOk } from './fixtures.js';

const N = classifier.inputs.length;

/** A^-1 by LU (an independent route from the oracle's Cholesky and eigen solves). */
const inverse = (A: Matrix): Matrix => solveMatrix(A, Matrix.identity(A.rows));

/** A regression network with D = 2 outputs, 4 examples. */
const regression = {
  kind: 'fisher',
  model: { type: 'mlp', sizes: [3, 4, 2], activations: ['tanh', 'identity'], likelihood: 'mse' },
  weights: clone(classifier.weights).map((w: any, l: number) => (l === 1 ? { W: w.W.slice(0, 2), b: w.b.slice(0, 2) } : w)),
  inputs: classifier.inputs.slice(0, 4),
  targets: [
    [0.5, -0.2],
    [1.0, 0.3],
    [-0.4, 0.8],
    [0.1, 0.1],
  ],
  curvature: 'hessian',
};
const D = 2;

const times = (M: any, c: number): any => (Array.isArray(M) ? M.map((x) => times(x, c)) : M * c);
const diag = (M: number[][]) => M.map((row, i) => row[i]);

/** The loss of a spec computed from scratch: PyTorch's reduction of nn.MSELoss / CrossEntropyLoss. */
function torchLoss(spec: any, theta: Float64Array | null = null): number {
  const model = {
    sizes: spec.model.sizes,
    activations: spec.model.activations,
    likelihood: spec.model.likelihood === 'mse' ? 'gaussian' : spec.model.likelihood,
  } as any;
  let weights = spec.weights.map((w: any) => ({ W: Matrix.from(w.W), b: Float64Array.from(w.b) }));
  if (theta) {
    let k = 0;
    weights = weights.map((w: any) => ({
      W: new Matrix(w.W.rows, w.W.cols, theta.slice(k, (k += w.W.rows * w.W.cols))),
      b: theta.slice(k, (k += w.b.length)),
    }));
  }
  let total = 0;
  spec.inputs.forEach((x: number[], n: number) => {
    const f = predict(model, weights, Float64Array.from(x));
    if (spec.model.likelihood === 'mse') total += f.reduce((s: number, fi: number, i: number) => s + (spec.targets[n][i] - fi) ** 2, 0);
    else {
      const m = Math.max(...f);
      total += m + Math.log(f.reduce((s: number, v: number) => s + Math.exp(v - m), 0)) - f[spec.targets[n]];
    }
  });
  const n = spec.inputs.length;
  const red = spec.reduction ?? 'mean';
  if (red === 'sum') return total;
  if (red === 'mean-elements' && spec.model.likelihood === 'mse') return total / (n * spec.model.sizes[spec.model.sizes.length - 1]);
  return total / n;
}

const flat = (spec: any) => Float64Array.from(spec.weights.flatMap((w: any) => [...w.W.flat(), ...w.b]));

/** Central differences of the loss; step h = 1e-5 gives O(h²) = 1e-10 truncation, rounding ~1e-16/h = 1e-11. */
function fdGradient(spec: any): number[] {
  const t = flat(spec);
  const h = 1e-5;
  return Array.from(t, (_, i) => {
    const p = t.slice();
    const m = t.slice();
    p[i] += h;
    m[i] -= h;
    return (torchLoss(spec, p) - torchLoss(spec, m)) / (2 * h);
  });
}

describe('reduction and mse: loss and gradient as PyTorch defines them', () => {
  for (const reduction of ['mean', 'sum', 'mean-elements'] as const) {
    for (const base of [regression, classifier]) {
      test(`${base.model.likelihood}, reduction ${reduction}`, async () => {
        const spec = { ...clone(base), reduction, curvature: 'ggn' };
        const r = await oracleOk(spec);
        expect(r.loss).toBeCloseTo(torchLoss(spec), 12);
        const g = fdGradient(spec);
        r.gradient.forEach((x: number, i: number) => expect(Math.abs(x - g[i])).toBeLessThan(1e-8));
      });
    }
  }

  test('mse curvatures: Hessian, GGN and Fisher are 2× the gaussian ones, the empirical Fisher 4×, divided by D for mean-elements', async () => {
    const gauss = { ...clone(regression), model: { ...regression.model, likelihood: 'gaussian' } };
    for (const [curvature, m] of [
      ['hessian', 2],
      ['ggn', 2],
      ['fisher', 2],
      ['empirical-fisher', 4],
    ] as const) {
      const g = await oracleOk({ ...gauss, curvature });
      for (const [reduction, s] of [
        ['mean', 1],
        ['sum', 4],
        ['mean-elements', 1 / D],
      ] as const) {
        const r = await oracleOk({ ...clone(regression), curvature, reduction });
        const want = times(g.matrix, m * s);
        r.matrix.forEach((row: number[], i: number) =>
          row.forEach((x, j) => expect(Math.abs(x - want[i][j])).toBeLessThanOrEqual(1e-13 * (1 + Math.abs(want[i][j])))),
        );
      }
    }
  });

  test('the mse Fisher equals its GGN (a gaussian with covariance I/2)', async () => {
    const f = await oracleOk({ ...clone(regression), curvature: 'fisher' });
    const g = await oracleOk({ ...clone(regression), curvature: 'ggn' });
    close(f.matrix, g.matrix, 1e-12);
  });

  test('reduction may stand in the model, not in both places; unknown values are refused with the allowed ones', async () => {
    const a = await oracleOk({ ...clone(classifier), reduction: 'sum' });
    const b = await oracleOk({ ...clone(classifier), model: { ...classifier.model, reduction: 'sum' } });
    expect(b).toEqual(a);
    expect(badInputLine(await oracle({ ...clone(classifier), reduction: 'sum', model: { ...classifier.model, reduction: 'sum' } }))).toMatch(
      /^natgrad: spec\.model\.reduction: is given twice/,
    );
    expect(badInputLine(await oracle({ ...clone(classifier), reduction: 'summ' }))).toBe(
      'natgrad: spec.reduction: must be one of mean, sum, mean-elements, got "summ"; did you mean "sum"?',
    );
    expect(badInputLine(await oracle({ ...clone(classifier), reductoin: 'sum' }))).toMatch(
      /^natgrad: spec\.reductoin: is not a field .*did you mean "reduction"\?$/,
    );
  });

  test('a natural gradient damps the reduced curvature: (N F + λI)^-1 N g for sum', async () => {
    const mean = await oracleOk({ ...clone(classifier), kind: 'natural-gradient', damping: 0.1 });
    const sum = await oracleOk({ ...clone(classifier), kind: 'natural-gradient', damping: 0.1, reduction: 'sum' });
    const F = Matrix.from(times(mean.matrix, N));
    for (let i = 0; i < F.rows; i++) F.data[i * F.cols + i] += 0.1;
    const g = (await oracleOk({ ...clone(classifier), reduction: 'sum' })).gradient;
    const Finv = inverse(F);
    const want = Array.from({ length: F.rows }, (_, i) => g.reduce((s: number, gj: number, j: number) => s + Finv.data[i * F.cols + j] * gj, 0));
    sum.direction.forEach((x: number, i: number) => expect(Math.abs(x - want[i])).toBeLessThan(1e-9 * (1 + Math.abs(want[i]))));
  });
});

const kfac = (extra: object = {}) => {
  const { curvature: _c, kind: _k, ...rest } = clone(classifier);
  return { ...rest, kind: 'kfac', fisher: 'fisher', damping: 0.1, dampingScheme: 'factored', ...extra };
};

/** (M + c I)^-1 as rows. */
const dampedInverse = (M: number[][], c: number) => {
  const A = Matrix.from(M);
  for (let i = 0; i < A.rows; i++) A.data[i * A.cols + i] += c;
  return inverse(A).toArray();
};
const mm = (A: number[][], B: number[][]) => A.map((r) => B[0].map((_, j) => r.reduce((s, x, k) => s + x * B[k][j], 0)));
const mv = (A: number[][], v: number[]) => A.map((r) => r.reduce((s, x, k) => s + x * v[k], 0));
const close = (a: any, b: any, tol = 1e-10) => {
  const fa = [a].flat(3) as number[];
  const fb = [b].flat(3) as number[];
  expect(fa.length).toBe(fb.length);
  fa.forEach((x, i) => expect(Math.abs(x - fb[i]), `entry ${i}`).toBeLessThanOrEqual(tol * (1 + Math.abs(fb[i]))));
};

describe('K-FAC bias: separate', () => {
  for (const scheme of ['factored', 'pi-factored', 'exact'] as const) {
    test(`${scheme}: A without the 1, the weight update as version 1 on the weight, the bias its own block`, async () => {
      const joint = await oracleOk(kfac({ dampingScheme: scheme }));
      const sep = await oracleOk(kfac({ dampingScheme: scheme, bias: 'separate' }));
      sep.layers.forEach((l: any, i: number) => {
        const J = joint.layers[i];
        const k = J.A.length - 1;
        close(
          l.A,
          J.A.slice(0, k).map((r: number[]) => r.slice(0, k)),
          0,
        );
        close(l.G, J.G, 0);
        close(
          l.gradient,
          J.gradient.map((r: number[]) => r.slice(0, k)),
          0,
        );
        close(
          l.biasGradient,
          J.gradient.map((r: number[]) => r[k]),
          0,
        );
        const lambda = 0.1;
        if (scheme === 'factored') {
          close(l.update, mm(mm(dampedInverse(l.G, Math.sqrt(lambda)), l.gradient), dampedInverse(l.A, Math.sqrt(lambda))));
        }
        const bd = scheme === 'exact' ? lambda : Math.sqrt(lambda);
        close(l.biasUpdate, mv(dampedInverse(l.G, bd), l.biasGradient));
      });
      if (scheme === 'exact') {
        // a sensitivity run: the joint update differs from the separate one
        expect(Math.abs(sep.layers[0].update[0][0] - joint.layers[0].update[0][0])).toBeGreaterThan(1e-6);
      }
    });
  }

  test('bias is refused on other values and on an ekfac spec', async () => {
    expect(badInputLine(await oracle(kfac({ bias: 'split' })))).toBe('natgrad: spec.bias: must be one of joint, separate, got "split"');
    const { dampingScheme: _d, ...e } = kfac({ kind: 'ekfac' }) as any;
    expect(badInputLine(await oracle({ ...e, bias: 'separate' }))).toMatch(/^natgrad: spec\.bias: is not a field of an ekfac spec/);
  });
});

describe('Monte Carlo specs', () => {
  test('fisher: the exact expectation and a standard error that scales as 1/sqrt(M)', async () => {
    const exact = await oracleOk(clone(classifier));
    const m1 = await oracleOk({ ...clone(classifier), curvature: 'monte-carlo-fisher', samples: 1 });
    const m4 = await oracleOk({ ...clone(classifier), curvature: 'monte-carlo-fisher', samples: 4 });
    close(m1.matrix, exact.matrix, 1e-12);
    close(m4.standardError, times(m1.standardError, 0.5), 1e-13);
    expect(Object.keys(m1).sort()).toEqual(['gradient', 'kind', 'loss', 'matrix', 'paramNames', 'standardError']);
  });

  test('kfac: G with standardError.G in each layer, no update; diagonal: standardError beside diagonal', async () => {
    const r = await oracleOk(kfac({ fisher: 'monte-carlo', samples: 3 }));
    expect(Object.keys(r.layers[0]).sort()).toEqual(['A', 'G', 'gradient', 'standardError']);
    const exact = await oracleOk(kfac());
    close(r.layers[1].G, exact.layers[1].G, 1e-12);
    const d = await oracleOk({ ...clone(classifier), kind: 'diagonal', curvature: 'monte-carlo-fisher', samples: 2 });
    const full = await oracleOk({ ...clone(classifier), curvature: 'monte-carlo-fisher', samples: 2 });
    close(d.standardError, diag(full.standardError), 0);
  });

  test('samples is required with the Monte Carlo estimator and refused without it', async () => {
    expect(badInputLine(await oracle({ ...clone(classifier), curvature: 'monte-carlo-fisher' }))).toMatch(
      /^natgrad: spec\.samples: is required with curvature "monte-carlo-fisher"/,
    );
    expect(badInputLine(await oracle({ ...clone(classifier), samples: 3 }))).toMatch(
      /^natgrad: spec\.samples: is only allowed with curvature "monte-carlo-fisher"/,
    );
    expect(badInputLine(await oracle({ ...clone(classifier), curvature: 'monte-carlo-fisher', samples: 0.5 }))).toMatch(
      /^natgrad: spec\.samples: must be an integer from 1/,
    );
  });

  test('check: a candidate within z standard errors passes; the expectation scaled by 1 + 8 SE/|e| fails; --false-alarm moves z', async () => {
    const spec = { ...clone(classifier), curvature: 'monte-carlo-fisher', samples: 10 };
    const r = await oracleOk(spec);
    const within = r.matrix.map((row: number[], i: number) => row.map((x, j) => x + 3 * r.standardError[i][j] * (i === j ? 1 : -1)));
    expect((await check(spec, { matrix: within })).code).toBe(0);
    const beyond = r.matrix.map((row: number[], i: number) => row.map((x, j) => (i === 0 && j === 0 ? x + 8 * r.standardError[0][0] : x)));
    expect((await check(spec, { matrix: beyond })).code).toBe(1);
    // z at 1e-6 over the random entries is about 6.4; at 0.5 about 3.8, so 4.5 SE passes only the first
    const mid = r.matrix.map((row: number[], i: number) => row.map((x, j) => (i === 0 && j === 0 ? x + 4.5 * r.standardError[0][0] : x)));
    expect((await check(spec, { matrix: mid })).code).toBe(0);
    expect((await check(spec, { matrix: mid }, ['--false-alarm', '0.5'])).code).toBe(1);
    expect(badInputLine(await check(spec, { matrix: mid }, ['--false-alarm', '0']))).toMatch(/^natgrad: --false-alarm: /);
  });
});

describe('diagnoses of conventions and of pairs', () => {
  test('[reduction] names the factor; the factor N keeps [batch-size]', async () => {
    const sum = await oracleOk({ ...clone(classifier), reduction: 'sum' });
    const { report } = await checkJson(clone(classifier), { matrix: sum.matrix });
    expect(report.mismatches[0].diagnosis).toMatch(
      new RegExp(`^scaled by ${N} = N \\[batch-size\\]: reduction "sum" where the spec says "mean": a factor N = ${N} \\[reduction\\]`),
    );
    const elems = await oracleOk({ ...clone(regression), reduction: 'mean-elements' });
    const r2 = await checkJson({ ...clone(regression), reduction: 'sum' }, { gradient: elems.gradient });
    expect(r2.report.mismatches[0].diagnosis).toContain(`a factor 1/(N·D) = 1/${4 * D} [reduction]`);
  });

  test('[mse]: PyTorch MSELoss against a gaussian spec, factor 2/D; the gaussian loss against an mse spec', async () => {
    const gauss = { ...clone(regression), model: { ...regression.model, likelihood: 'gaussian' }, curvature: 'ggn' };
    const torch = await oracleOk({ ...clone(regression), curvature: 'ggn', reduction: 'mean-elements' });
    const r = await checkJson(gauss, { gradient: times(torch.gradient, 3) }); // no convention: a plain factor
    expect(r.report.mismatches[0].diagnosis).not.toContain('[mse]');
    const e = await checkJson(
      { ...gauss, model: { ...gauss.model }, curvature: 'empirical-fisher' },
      { matrix: (await oracleOk({ ...clone(regression), curvature: 'empirical-fisher', reduction: 'mean-elements' })).matrix },
    );
    expect(e.report.mismatches[0].diagnosis).toMatch(/nn\.MSELoss with reduction='mean'.*\[mse\]/);
    const back = await checkJson(
      { ...clone(regression), curvature: 'ggn', reduction: 'sum' },
      { matrix: (await oracleOk({ ...gauss, reduction: 'sum' })).matrix },
    );
    expect(back.report.mismatches[0].diagnosis).toMatch(/the gaussian loss .* where the spec says mse.*\[mse\]/);
  });

  test('pairs: sum reduction with A and G swapped; MSELoss with the empirical Fisher', async () => {
    const sum = await oracleOk(kfac({ reduction: 'sum' }));
    const { report } = await checkJson(kfac(), { layers: [{ A: sum.layers[0].G }, {}] });
    expect(report.mismatches[0].diagnosis).toMatch(/\[reduction\].*together with.*\[swapped\]/);
    const gauss = { ...clone(regression), model: { ...regression.model, likelihood: 'gaussian' }, curvature: 'fisher' };
    const ef = await oracleOk({ ...clone(regression), curvature: 'empirical-fisher', reduction: 'sum' });
    const r = await checkJson({ ...gauss, reduction: 'sum' }, { matrix: ef.matrix });
    expect(r.report.mismatches[0].diagnosis).toMatch(/\[mse\].*together with.*\[empirical\]/);
  });

  test("kfac-pytorch's update: G from the mean loss's gradients (G/N²), damping unchanged", async () => {
    const spec = kfac({ dampingScheme: 'exact' });
    const r = await oracleOk(spec);
    const l = r.layers[1];
    const out = l.G.length;
    const k = l.A.length;
    // vec_row(U) = (G/N² ⊗ A + λ I)^-1 vec_row(gradient), solved densely here
    const K = Matrix.zeros(out * k, out * k);
    for (let a = 0; a < out; a++)
      for (let b = 0; b < k; b++)
        for (let c = 0; c < out; c++)
          for (let d = 0; d < k; d++) K.data[(a * k + b) * out * k + c * k + d] = (l.G[a][c] / (N * N)) * l.A[b][d] + (a === c && b === d ? 0.1 : 0);
    const u = mv(inverse(K).toArray(), l.gradient.flat());
    const upd = Array.from({ length: out }, (_, a) => u.slice(a * k, (a + 1) * k));
    const { report } = await checkJson(spec, { layers: [{}, { update: upd }] });
    expect(report.mismatches[0].diagnosis).toMatch(/G\/N².*\[batch-size\].*\[damping\]/);
  });
});

describe('--precision float32', () => {
  const roundTo32 = (v: any): any => (Array.isArray(v) ? v.map(roundTo32) : Math.fround(v));

  /** The exact-scheme update solved densely (LU) from the given factors and gradient. */
  const exactUpdate = (G: number[][], A: number[][], grad: number[][], lambda: number) => {
    const out = G.length;
    const k = A.length;
    const K = Matrix.zeros(out * k, out * k);
    for (let a = 0; a < out; a++)
      for (let b = 0; b < k; b++)
        for (let c = 0; c < out; c++)
          for (let d = 0; d < k; d++) K.data[(a * k + b) * out * k + c * k + d] = G[a][c] * A[b][d] + (a === c && b === d ? lambda : 0);
    const u = mv(inverse(K).toArray(), grad.flat());
    return Array.from({ length: out }, (_, a) => u.slice(a * k, (a + 1) * k));
  };

  test('an update solved from factors carrying float32 rounding fails at float64 tolerances, is diagnosed [float32], and passes with --precision float32', async () => {
    const lambda = 1e-6;
    const spec = kfac({ dampingScheme: 'exact', damping: lambda });
    const r = await oracleOk(spec);
    // inputs perturbed by a relative 4u (u = 2^-24, alternating signs), as a float32 accumulation leaves them; the solve amplifies by κ
    let t = 0;
    const perturb = (M: number[][]) => M.map((row) => row.map((x) => Math.fround(x * (1 + 4 * 2 ** -24 * (t++ % 2 ? 1 : -1)))));
    const sym = (M: number[][]) => M.map((row, i) => row.map((_, j) => (i <= j ? M[i][j] : M[j][i])));
    const cand = {
      layers: r.layers.map((l: any) => ({
        A: roundTo32(l.A),
        G: roundTo32(l.G),
        update: exactUpdate(sym(perturb(l.G)), sym(perturb(l.A)), perturb(l.gradient), lambda),
      })),
    };
    const strict = await checkJson(spec, cand);
    expect(strict.code).toBe(1);
    for (const m of strict.report.mismatches) expect(m.diagnosis, m.field).toContain('[float32]');
    const loose = await check(spec, cand, ['--precision', 'float32']);
    expect(loose.code).toBe(0);
    expect(loose.out).toContain('float32 error bound');
  });

  test('a 1% error is not within float32 error (sensitivity)', async () => {
    const spec = kfac({ dampingScheme: 'exact' });
    const r = await oracleOk(spec);
    const r2 = await check(spec, { layers: [{ G: times(r.layers[0].G, 1.01) }, {}] }, ['--precision', 'float32']);
    expect(r2.code).toBe(1);
    const d = await checkJson(spec, { layers: [{ G: times(r.layers[0].G, 1.01) }, {}] });
    expect(d.report.mismatches[0].diagnosis).not.toContain('[float32]');
  });

  test('an unknown precision is bad input', async () => {
    expect(badInputLine(await check(clone(classifier), { loss: 1 }, ['--precision', 'float16']))).toMatch(
      /^natgrad: --precision: must be one of float64, float32/,
    );
  });
});
