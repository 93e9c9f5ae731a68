/**
 * `check` on sequential models: the three version-2 diagnoses, each named for
 * a candidate with that mistake planted (built here by hand, not by the
 * oracle's own variant code), and never for the correct answer.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { checkJson, oracleOk } from './fixtures.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/sequential-oracle-pytorch.json', import.meta.url), 'utf8')) as {
  cases: {
    problem: { model: unknown } & Record<string, unknown>;
    kfac: Record<'expand' | 'reduce', { A: number[][]; G: number[][]; gradient: number[][]; update: number[][] }[]>;
  }[];
};
const [cnn, attention] = fixture.cases;

const kfacSpec = (problem: { model: unknown } & Record<string, unknown>, approximation: 'expand' | 'reduce') => ({
  kind: 'kfac',
  ...problem,
  fisher: 'fisher',
  damping: 0.1,
  dampingScheme: 'factored',
  approximation,
});

const scale = (M: number[][], c: number): number[][] => M.map((r) => r.map((x) => c * x));

/** The single mismatch's diagnosis of a one-field candidate `layers[l].field`. */
async function diagnosisOf(spec: { model: unknown }, l: number, field: string, value: unknown): Promise<string | null> {
  const count = (spec.model === cnn.problem.model ? cnn : attention).kfac.expand.length;
  const layers: Record<string, unknown>[] = Array.from({ length: count }, () => ({}));
  layers[l][field] = value;
  const { code, report } = await checkJson(spec, { layers });
  expect(code).toBe(1);
  expect(report.mismatches).toHaveLength(1);
  expect(report.mismatches[0].field).toBe(`layers[${l}].${field}`);
  return report.mismatches[0].diagnosis;
}

describe('[expand-reduce]', () => {
  test.each(['A', 'G', 'update'] as const)('reduce where expand was asked, field %s of the first convolution', async (field) => {
    const d = await diagnosisOf(kfacSpec(cnn.problem, 'expand'), 0, field, cnn.kfac.reduce[0][field]);
    expect(d).toMatch(/\[expand-reduce\]/);
  });

  test('expand where reduce was asked, attention input projection G', async () => {
    const d = await diagnosisOf(kfacSpec(attention.problem, 'reduce'), 1, 'G', attention.kfac.expand[1].G);
    expect(d).toMatch(/\[expand-reduce\]/);
  });

  test('the gradient is the same under expand and reduce: a gradient that is the other update is not [expand-reduce]', async () => {
    const d = await diagnosisOf(kfacSpec(cnn.problem, 'expand'), 0, 'gradient', cnn.kfac.reduce[0].update);
    expect(d).toBeNull();
  });

  test('the correct answer matches: no mismatch, no diagnosis', async () => {
    const { code } = await checkJson(kfacSpec(cnn.problem, 'expand'), { layers: [{ A: cnn.kfac.expand[0].A, G: cnn.kfac.expand[0].G }, {}, {}] });
    expect(code).toBe(0);
  });
});

describe('[positions]', () => {
  // the first convolution of the CNN has 2 x 5 = 10 output locations
  const R = 10;
  test('A summed over the positions instead of averaged (expand)', async () => {
    const d = await diagnosisOf(kfacSpec(cnn.problem, 'expand'), 0, 'A', scale(cnn.kfac.expand[0].A, R));
    expect(d).toMatch(/\[positions\]/);
    expect(d).toContain('R = 10');
  });

  test('G averaged over the positions instead of summed (expand)', async () => {
    const d = await diagnosisOf(kfacSpec(cnn.problem, 'expand'), 0, 'G', scale(cnn.kfac.expand[0].G, 1 / R));
    expect(d).toMatch(/\[positions\]/);
  });

  test('the attention output projection (3 tokens): G summed where reduce averages, R²', async () => {
    const d = await diagnosisOf(kfacSpec(attention.problem, 'reduce'), 2, 'G', scale(attention.kfac.reduce[2].G, 1 / 9));
    expect(d).toMatch(/\[positions\]/);
  });

  test('a matrix used at one position has no positions diagnosis: a factor there is [scale] or [batch-size]', async () => {
    // the CNN's linear layer acts on a flattened vector: R = 1
    const d = await diagnosisOf(kfacSpec(cnn.problem, 'expand'), 2, 'A', scale(cnn.kfac.expand[2].A, 3));
    expect(d).not.toMatch(/\[positions\]/);
  });
});

describe('[patch-order]', () => {
  // conv 1 has C = 2 channels and a 2 x 2 kernel: unfold index c*4 + i*2 + j; the bias stays last
  const kernelFirst = [0, 4, 1, 5, 2, 6, 3, 7, 8];
  const permuteSym = (M: number[][]): number[][] => kernelFirst.map((a) => kernelFirst.map((b) => M[a][b]));
  const permuteCols = (M: number[][]): number[][] => M.map((row) => kernelFirst.map((j) => row[j]));

  test('A with the patches ordered kernel position first, channel last', async () => {
    const d = await diagnosisOf(kfacSpec(cnn.problem, 'expand'), 0, 'A', permuteSym(cnn.kfac.expand[0].A));
    expect(d).toMatch(/\[patch-order\]/);
  });

  test('the gradient flattened in that order', async () => {
    const d = await diagnosisOf(kfacSpec(cnn.problem, 'expand'), 0, 'gradient', permuteCols(cnn.kfac.expand[0].gradient));
    expect(d).toMatch(/\[patch-order\]/);
  });

  test('the second convolution (no bias, C = 2) as well', async () => {
    const order = [0, 4, 1, 5, 2, 6, 3, 7];
    const A = cnn.kfac.expand[1].A;
    const d = await diagnosisOf(
      kfacSpec(cnn.problem, 'expand'),
      1,
      'A',
      order.map((a) => order.map((b) => A[a][b])),
    );
    expect(d).toMatch(/\[patch-order\]/);
  });
});

test('fisher of a sequential model: the empirical Fisher where the Fisher was asked is [empirical]', async () => {
  const spec = { kind: 'fisher', ...cnn.problem, curvature: 'fisher' };
  const empirical = await oracleOk({ ...spec, curvature: 'empirical-fisher' });
  const { code, report } = await checkJson(spec, { matrix: empirical.matrix });
  expect(code).toBe(1);
  expect(report.mismatches[0].diagnosis).toMatch(/\[empirical\]/);
});

test('an array spec mixing an mlp and a sequential model: the mismatch is located and diagnosed', async () => {
  const mlp = {
    kind: 'kfac',
    model: { type: 'mlp', sizes: [2, 2], activations: ['identity'], likelihood: 'categorical' },
    weights: [
      {
        W: [
          [0.1, 0.2],
          [0.3, -0.4],
        ],
        b: [0, 0.1],
      },
    ],
    inputs: [
      [1, 2],
      [0.5, -1],
    ],
    targets: [0, 1],
    fisher: 'fisher',
    damping: 0.1,
    dampingScheme: 'factored',
  };
  const spec = [mlp, kfacSpec(cnn.problem, 'expand')];
  const [first] = await oracleOk([mlp]);
  const { code, report } = await checkJson(spec, [first, { layers: [{ A: cnn.kfac.reduce[0].A }, {}, {}] }]);
  expect(code).toBe(1);
  expect(report.mismatches).toHaveLength(1);
  expect(report.mismatches[0].field).toBe('[1].layers[0].A');
  expect(report.mismatches[0].diagnosis).toMatch(/\[expand-reduce\]/);
});

test('a gradient and a Fisher in the kernel-first layout of TensorFlow ([out, kh, kw, C]) are [patch-order]', async () => {
  // the CNN: conv 1 W [2, 2, 2, 2] at 0, b at 16; conv 2 W [1, 2, 2, 2] at 18 (no bias); the linear layer after
  const spec = { kind: 'fisher', ...cnn.problem, curvature: 'fisher' };
  const r = await oracleOk(spec);
  const P = r.gradient.length;
  const perm = Array.from({ length: P }, (_, k) => k);
  for (const [base, out] of [
    [0, 2],
    [18, 1],
  ]) {
    let k = base;
    for (let o = 0; o < out; o++)
      for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) for (let c = 0; c < 2; c++) perm[k++] = base + ((o * 2 + c) * 2 + i) * 2 + j;
  }
  const g = perm.map((i) => r.gradient[i]);
  const F = perm.map((i) => perm.map((j) => r.matrix[i][j]));
  const { code, report } = await checkJson(spec, { gradient: g, matrix: F });
  expect(code).toBe(1);
  expect(report.mismatches.map((m) => m.field).sort()).toEqual(['gradient', 'matrix']);
  for (const m of report.mismatches) expect(m.diagnosis).toMatch(/\[patch-order\]/);
});

test('a sequential natural gradient without damping is undamped', async () => {
  const spec = {
    kind: 'natural-gradient',
    model: { type: 'sequential', input: [2], layers: [{ type: 'linear', out: 2 }], likelihood: 'categorical' },
    weights: [
      {
        W: [
          [0, 0.1],
          [0.1, 0.2],
        ],
        b: [0, 0.1],
      },
    ],
    inputs: [
      [1, 2],
      [0.5, -1],
    ],
    targets: [0, 1],
  };
  expect(await oracleOk(spec)).toEqual(await oracleOk({ ...spec, damping: 0 }));
});
