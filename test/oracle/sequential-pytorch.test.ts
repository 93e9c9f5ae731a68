/**
 * The oracle's version-2 answers for sequential models against PyTorch: a CNN
 * (two convolutions, one without bias, stride and padding, two channels) and
 * a causal two-head attention model with per-position outputs. The fixture
 * was written by scripts/sequential-oracle-reference.py from autograd
 * Jacobians and the contract's definitions alone (Fisher, empirical Fisher,
 * Hessian, loss, gradient, K-FAC expand and reduce with the factored update).
 * Regenerate with
 *   /usr/bin/python3 scripts/sequential-oracle-reference.py > test/oracle/fixtures/sequential-oracle-pytorch.json
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { oracleOk } from './fixtures.js';

interface KfacEntry {
  A: number[][];
  G: number[][];
  gradient: number[][];
  update: number[][];
}

interface Case {
  name: string;
  problem: Record<string, unknown>;
  loss: number;
  gradient: number[];
  fisher: number[][];
  'empirical-fisher': number[][];
  hessian: number[][];
  damping: number;
  kfac: { expand: KfacEntry[]; reduce: KfacEntry[] };
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/sequential-oracle-pytorch.json', import.meta.url), 'utf8')) as { cases: Case[] };

/**
 * The largest entry gap relative to the field's largest entry. Both sides
 * are float64 sums of a few hundred terms in different orders, so they agree
 * to a few hundred ulps of the largest entry; 1e-11 leaves room for that and
 * is far below any mistake the oracle names (a factor, a permutation).
 */
function relGap(actual: unknown, expected: unknown): number {
  const a = [actual].flat(3) as number[];
  const e = [expected].flat(3) as number[];
  expect(a.length).toBe(e.length);
  const scale = Math.max(...e.map(Math.abs), 1e-300);
  return Math.max(...e.map((x, i) => Math.abs(a[i] - x))) / scale;
}

const TOL = 1e-11;

describe.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  test.each(['fisher', 'empirical-fisher', 'hessian'] as const)('fisher with curvature %s, its loss and gradient', async (curvature) => {
    const r = await oracleOk({ kind: 'fisher', ...c.problem, curvature });
    expect(r.paramNames).toHaveLength(c.gradient.length);
    expect(relGap(r.matrix, c[curvature])).toBeLessThan(TOL);
    expect(relGap(r.loss, c.loss)).toBeLessThan(TOL);
    expect(relGap(r.gradient, c.gradient)).toBeLessThan(TOL);
  });

  test('the GGN equals the Fisher (categorical outputs are a canonical link)', async () => {
    const r = await oracleOk({ kind: 'fisher', ...c.problem, curvature: 'ggn' });
    expect(relGap(r.matrix, c.fisher)).toBeLessThan(TOL);
  });

  test('natural-gradient solves (F + λI) d = g with PyTorch F and g', async () => {
    const lambda = 0.05;
    const r = await oracleOk({ kind: 'natural-gradient', ...c.problem, damping: lambda });
    expect(r.singular).toBe(false);
    const d = r.direction as number[];
    expect(d).toHaveLength(c.gradient.length);
    // (F + λI) d, with F from PyTorch, must give back PyTorch's gradient
    const Fd = c.fisher.map((row, i) => row.reduce((s, f, j) => s + f * d[j], 0) + lambda * d[i]);
    expect(relGap(Fd, c.gradient)).toBeLessThan(1e-9);
  });

  test.each(['expand', 'reduce'] as const)('kfac %s: A, G, gradient and the factored update of every weight matrix', async (approximation) => {
    const r = await oracleOk({ kind: 'kfac', ...c.problem, fisher: 'fisher', damping: c.damping, dampingScheme: 'factored', approximation });
    const expected = c.kfac[approximation];
    expect(r.layers).toHaveLength(expected.length);
    expected.forEach((e, l) => {
      for (const field of ['A', 'G', 'gradient', 'update'] as const) {
        const gap = relGap(r.layers[l][field], e[field]);
        if (!(gap < TOL)) throw new Error(`layers[${l}].${field}: relative gap ${gap}`);
      }
    });
    expect(relGap(r.loss, c.loss)).toBeLessThan(TOL);
  });
});

test('expand is the default approximation, and the two differ on the shared matrices', async () => {
  const c = fixture.cases[0];
  const r = await oracleOk({ kind: 'kfac', ...c.problem, fisher: 'fisher', damping: c.damping, dampingScheme: 'factored' });
  expect(relGap(r.layers[0].A, c.kfac.expand[0].A)).toBeLessThan(TOL);
  expect(relGap(c.kfac.reduce[0].A, c.kfac.expand[0].A)).toBeGreaterThan(1e-3);
});

test('paramNames follow parameters_to_vector: L<l>.W[...] in C order, W before b, attention by its PyTorch names', async () => {
  const [cnn, att] = fixture.cases;
  const r1 = await oracleOk({ kind: 'fisher', ...cnn.problem, curvature: 'fisher' });
  expect(r1.paramNames.slice(0, 3)).toEqual(['L1.W[0][0][0][0]', 'L1.W[0][0][0][1]', 'L1.W[0][0][1][0]']);
  expect(r1.paramNames.slice(16, 19)).toEqual(['L1.b[0]', 'L1.b[1]', 'L3.W[0][0][0][0]']);
  expect(r1.paramNames.at(-1)).toBe('L5.b[1]');
  const r2 = await oracleOk({ kind: 'fisher', ...att.problem, curvature: 'fisher' });
  expect(r2.paramNames.slice(6, 9)).toEqual(['L1.b[0]', 'L1.b[1]', 'L2.in_proj_weight[0][0]']);
  expect(r2.paramNames).toContain('L2.in_proj_bias[5]');
  expect(r2.paramNames).toContain('L2.out_proj_weight[1][1]');
  expect(r2.paramNames.at(-1)).toBe('L4.b[1]');
});
