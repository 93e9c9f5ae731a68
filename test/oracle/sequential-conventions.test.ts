/**
 * The conventions of other libraries for `sequential` specs (the contract's
 * loss conventions hold for model specs of every kind): `reduction`, the
 * `mse` likelihood, K-FAC `bias: separate`, the kinds `diagonal`,
 * `per-example-gradients` and `ekfac`, and the Monte Carlo results. An MLP
 * written as a sequential spec must give the mlp spec's numbers; per-position
 * outputs follow PyTorch's reduction='mean' (divided by N·T, and by K too
 * for mse); bad inputs are named.
 */
import { describe, expect, test } from 'vitest';
import { badInputLine, checkJson, clone, oracle, oracleOk } from './fixtures.js';

const grid = (rows: number, cols: number, f: (i: number, j: number) => number): number[][] =>
  Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => f(i, j)));

/** A 3-4-K tanh MLP on 4 examples, as an mlp spec problem. */
function mlpProblem(likelihood: 'categorical' | 'bernoulli' | 'gaussian' | 'mse', bias2 = true) {
  const K = likelihood === 'bernoulli' ? 1 : 2;
  const targets = [0, 1, 1, 0].map((c, n) => (likelihood === 'categorical' || likelihood === 'bernoulli' ? c : [Math.sin(n), Math.cos(n)]));
  const weights = [
    { W: grid(4, 3, (i, j) => 0.4 * Math.sin(3 * i + j + 1)), b: [0.1, -0.2, 0.05, 0.3] },
    bias2
      ? { W: grid(K, 4, (i, j) => 0.5 * Math.cos(i + 2 * j)), b: Array.from({ length: K }, (_, i) => 0.1 * i - 0.05) }
      : { W: grid(K, 4, (i, j) => 0.5 * Math.cos(i + 2 * j)) },
  ];
  return {
    model: { type: 'mlp', sizes: [3, 4, K], activations: ['tanh', 'identity'], likelihood, ...(bias2 ? {} : { bias: [true, false] }) },
    weights,
    inputs: grid(4, 3, (n, j) => Math.sin(2 * n + j) + 0.1 * n),
    targets,
  };
}

/** The same problem as a sequential spec: linear, activation, linear, activation. */
function asSequential(p: ReturnType<typeof mlpProblem>, bias2 = true) {
  const K = p.model.sizes[2];
  return {
    model: {
      type: 'sequential',
      input: [3],
      layers: [
        { type: 'linear', out: 4 },
        { type: 'activation', fn: 'tanh' },
        { type: 'linear', out: K, bias: bias2 },
        { type: 'activation', fn: 'identity' },
      ],
      likelihood: p.model.likelihood,
    },
    weights: [p.weights[0], {}, p.weights[1], {}],
    inputs: p.inputs,
    targets: p.targets,
  };
}

/** Every number of two results equal to rounding; paramNames (W1[0][0] vs L1.W[0][0]) aside. */
function sameNumbers(a: unknown, b: unknown, path = 'result'): void {
  if (typeof a === 'number') {
    expect(typeof b, path).toBe('number');
    expect(Math.abs(a - (b as number)), path).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(a)));
    return;
  }
  if (Array.isArray(a)) {
    expect(Array.isArray(b) && b.length === a.length, path).toBe(true);
    a.forEach((x, i) => sameNumbers(x, (b as unknown[])[i], `${path}[${i}]`));
    return;
  }
  if (a !== null && typeof a === 'object') {
    const keys = Object.keys(a)
      .filter((k) => k !== 'paramNames')
      .sort();
    expect(
      Object.keys(b as object)
        .filter((k) => k !== 'paramNames')
        .sort(),
      path,
    ).toEqual(keys);
    for (const k of keys) sameNumbers((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    return;
  }
  expect(b, path).toEqual(a);
}

const KINDS: [string, Record<string, unknown>][] = [
  ['fisher (ggn)', { kind: 'fisher', curvature: 'ggn' }],
  ['fisher (hessian)', { kind: 'fisher', curvature: 'hessian' }],
  ['fisher (Monte Carlo)', { kind: 'fisher', curvature: 'monte-carlo-fisher', samples: 3 }],
  ['natural-gradient', { kind: 'natural-gradient', curvature: 'empirical-fisher', damping: 0.1 }],
  ['diagonal (hessian)', { kind: 'diagonal', curvature: 'hessian' }],
  ['diagonal (Monte Carlo)', { kind: 'diagonal', curvature: 'monte-carlo-fisher', samples: 2 }],
  ['per-example-gradients', { kind: 'per-example-gradients' }],
  ['kfac (separate bias)', { kind: 'kfac', fisher: 'fisher', damping: 0.1, dampingScheme: 'exact', bias: 'separate' }],
  ['kfac (joint, pi-factored)', { kind: 'kfac', fisher: 'empirical-fisher', damping: 0.1, dampingScheme: 'pi-factored' }],
  ['kfac (Monte Carlo, separate)', { kind: 'kfac', fisher: 'monte-carlo', samples: 4, bias: 'separate' }],
  ['ekfac', { kind: 'ekfac', fisher: 'fisher', damping: 0.01 }],
];

describe('an MLP written as a sequential spec gives the mlp spec answers', () => {
  test.each([
    ['categorical', 'sum'],
    ['bernoulli', 'mean-elements'],
    ['gaussian', 'mean'],
    ['mse', 'mean-elements'],
    ['mse', 'sum'],
  ] as const)('%s, reduction %s, every kind', async (likelihood, reduction) => {
    const p = mlpProblem(likelihood);
    const s = asSequential(p);
    const specs = KINDS.flatMap(([, fields]) => [
      { ...clone(p), ...fields, reduction },
      { ...clone(s), ...fields, reduction },
    ]);
    const results = await oracleOk(specs);
    for (let k = 0; k < KINDS.length; k++) sameNumbers(results[2 * k], results[2 * k + 1], KINDS[k][0]);
  });

  test('a layer without bias: separate K-FAC gives that block no bias fields, as for an mlp', async () => {
    const p = mlpProblem('mse', false);
    const s = asSequential(p, false);
    const fields = { kind: 'kfac', fisher: 'fisher', damping: 0.1, dampingScheme: 'factored', bias: 'separate', reduction: 'sum' };
    const [a, b] = await oracleOk([
      { ...clone(p), ...fields },
      { ...clone(s), ...fields },
    ]);
    sameNumbers(a, b);
    expect(Object.keys(b.layers[1]).sort()).toEqual(['A', 'G', 'gradient', 'update']);
    expect(Object.keys(b.layers[0]).sort()).toEqual(['A', 'G', 'biasGradient', 'biasUpdate', 'gradient', 'update']);
  });

  test('reduction inside the model object is the same as at the top; the sum differs from the mean by N', async () => {
    const s = asSequential(mlpProblem('categorical'));
    const top = await oracleOk({ ...clone(s), kind: 'fisher', curvature: 'fisher', reduction: 'sum' });
    const inModel = await oracleOk({ ...clone(s), model: { ...clone(s.model), reduction: 'sum' }, kind: 'fisher', curvature: 'fisher' });
    const mean = await oracleOk({ ...clone(s), kind: 'fisher', curvature: 'fisher' });
    sameNumbers(top, inModel);
    expect(top.loss / mean.loss).toBeCloseTo(4, 12);
  });
});

/** Three examples of three positions with two features each, and their targets (a class per position, or two values). */
const positionData = (likelihood: string) => {
  const T = 3;
  return {
    inputs: [grid(T, 2, (t, j) => Math.sin(t + j)), grid(T, 2, (t, j) => Math.cos(2 * t - j)), grid(T, 2, (t, j) => 0.3 * t * j - 0.2)],
    targets:
      likelihood === 'categorical'
        ? [
            [0, 1, 1],
            [1, 0, 1],
            [1, 1, 0],
          ]
        : [grid(T, 2, (t, j) => 0.5 * t - j), grid(T, 2, (t, j) => Math.sin(t * j)), grid(T, 2, (t, j) => t - 0.5 * j)],
  };
};

describe('per-position outputs: mean sums over positions, mean-elements divides by N·T (and K for mse)', () => {
  const T = 3;
  const base = (likelihood: 'categorical' | 'mse') => ({
    model: {
      type: 'sequential',
      input: [T, 2],
      layers: [
        { type: 'linear', out: 3 },
        { type: 'activation', fn: 'tanh' },
        { type: 'linear', out: 2 },
      ],
      likelihood,
    },
    weights: [
      { W: grid(3, 2, (i, j) => 0.3 * Math.sin(i + 2 * j + 1)), b: [0.1, 0, -0.1] },
      {},
      { W: grid(2, 3, (i, j) => 0.4 * Math.cos(2 * i + j)), b: [0.05, -0.05] },
    ],
    ...positionData(likelihood),
  });

  test.each([
    ['categorical', 'sum', 3],
    ['categorical', 'mean-elements', 1 / T],
    ['mse', 'sum', 3],
    ['mse', 'mean-elements', 1 / (T * 2)],
  ] as const)('%s, %s: loss, gradient, every curvature, K-FAC G, EKFAC and per-example gradients scale by %d', async (likelihood, reduction, f) => {
    const b = base(likelihood);
    const kinds: Record<string, unknown>[] = [
      { kind: 'fisher', curvature: 'hessian' },
      { kind: 'fisher', curvature: 'fisher' },
      { kind: 'kfac', fisher: 'empirical-fisher', damping: 0, dampingScheme: 'factored', bias: 'separate' },
      { kind: 'ekfac', fisher: 'fisher', damping: 0 },
      { kind: 'per-example-gradients' },
    ];
    const mean = await oracleOk(kinds.map((k) => ({ ...clone(b), ...k })));
    const other = await oracleOk(kinds.map((k) => ({ ...clone(b), ...k, reduction })));
    const ratio = (x: number[][], y: number[][]) =>
      x
        .flat()
        .map((v, i) => v / y.flat()[i])
        .filter((r) => Number.isFinite(r));
    for (const r of [...ratio(other[0].matrix, mean[0].matrix), ...ratio(other[1].matrix, mean[1].matrix), ...ratio(other[4].gradients, mean[4].gradients)])
      expect(r).toBeCloseTo(f, 10);
    expect(other[0].loss / mean[0].loss).toBeCloseTo(f, 12);
    for (const r of ratio(other[2].layers[0].G, mean[2].layers[0].G)) expect(r).toBeCloseTo(f, 10);
    // A stays an average; the separate bias gradient carries the factor
    expect(other[2].layers[0].A).toEqual(mean[2].layers[0].A);
    expect(other[2].layers[0].biasGradient[0] / mean[2].layers[0].biasGradient[0]).toBeCloseTo(f, 10);
    for (const r of ratio(other[3].layers[1].matrix, mean[3].layers[1].matrix)) expect(r).toBeCloseTo(f, 8);
  });

  test('check diagnoses a sequential candidate computed with the sum where the spec says mean-elements', async () => {
    const spec = { ...clone(base('mse')), kind: 'fisher', curvature: 'ggn', reduction: 'mean-elements' };
    const sum = await oracleOk({ ...spec, reduction: 'sum' });
    const r = await checkJson(spec, { matrix: sum.matrix });
    expect(r.code).toBe(1);
    expect(r.report.mismatches[0].diagnosis).toMatch(/reduction "sum" where the spec says "mean-elements": a factor N·T·D = 18 \[reduction\]/);
    // with D = 2, mean-elements of mse (2/(N·T·D)) equals that of the gaussian (1/(N·T)): compare the sums
    const gaussian = await oracleOk({ ...spec, reduction: 'sum', model: { ...spec.model, likelihood: 'gaussian' } });
    const g = await checkJson({ ...spec, reduction: 'sum' }, { matrix: gaussian.matrix });
    expect(g.report.mismatches[0].diagnosis).toMatch(/\[mse\]/);
  });
});

describe('per-position outputs: the diagnosis names the factor of the convention', () => {
  const T = 3;
  const seq = (likelihood: 'categorical' | 'gaussian' | 'mse', reduction: string) => ({
    kind: 'fisher',
    curvature: 'ggn',
    reduction,
    model: { type: 'sequential', input: [T, 2], layers: [{ type: 'linear', out: 2 }], likelihood },
    weights: [{ W: grid(2, 2, (i, j) => 0.3 * Math.sin(i + 2 * j + 1)), b: [0.1, -0.1] }],
    ...positionData(likelihood),
  });

  test('the mean where the spec says sum: 1/N, named before 1/T although N = T = 3', async () => {
    const mean = await oracleOk(seq('categorical', 'mean'));
    const r = await checkJson(seq('categorical', 'sum'), { matrix: mean.matrix });
    expect(r.report.mismatches[0].diagnosis).toBe(
      'scaled by 1/3 = 1/N [batch-size]: reduction "mean" where the spec says "sum": a factor 1/N = 1/3 [reduction]',
    );
  });

  test('nn.MSELoss where the spec says gaussian', async () => {
    const mse = await oracleOk(seq('mse', 'mean'));
    const r = await checkJson(seq('gaussian', 'mean'), { matrix: mse.matrix });
    expect(r.report.mismatches[0].diagnosis).toBe(
      'nn.MSELoss (||y - f||², without the 1/2) where the spec says gaussian: a factor 2 on gradients and curvatures, 4 on the empirical Fisher [mse]',
    );
  });
});

describe('bad input of the new sequential fields', () => {
  const s = asSequential(mlpProblem('categorical'));
  test.each([
    [{ kind: 'fisher', curvature: 'fisher', reduction: 'total' }, /^natgrad: spec\.reduction: must be one of mean, sum, mean-elements/],
    [
      { kind: 'fisher', curvature: 'fisher', reduction: 'sum', model: { ...clone(s.model), reduction: 'sum' } },
      /^natgrad: spec\.model\.reduction: is given twice/,
    ],
    [{ kind: 'kfac', fisher: 'fisher', damping: 0.1, dampingScheme: 'exact', bias: 'apart' }, /^natgrad: spec\.bias: must be one of joint, separate/],
    [{ kind: 'fisher', curvature: 'fisher', samples: 3 }, /^natgrad: spec\.samples: is only allowed with curvature "monte-carlo-fisher"/],
    [{ kind: 'diagonal', curvature: 'monte-carlo-fisher' }, /^natgrad: spec\.samples: is required with curvature "monte-carlo-fisher"/],
    [{ kind: 'kfac', fisher: 'monte-carlo', samples: 0 }, /^natgrad: spec\.samples: must be an integer from 1/],
    [{ kind: 'ekfac', fisher: 'fisher', damping: 0.1, dampingScheme: 'exact' }, /^natgrad: spec\.dampingScheme: is not a field/],
    [{ kind: 'ekfac', fisher: 'fisher', damping: 0.1, bias: 'separate' }, /^natgrad: spec\.bias: is not a field/],
    [{ kind: 'per-example-gradients', curvature: 'fisher' }, /^natgrad: spec\.curvature: is not a field/],
    [{ kind: 'diagonal' }, /^natgrad: spec\.curvature: is required/],
    [{ kind: 'ekfac', damping: 0.1 }, /^natgrad: spec\.fisher: is required|^natgrad: spec: .*fisher/],
  ] as const)('%o', async (fields, message) => {
    const r = await oracle({ ...clone(s), ...fields });
    expect(badInputLine(r)).toMatch(message);
  });
});
