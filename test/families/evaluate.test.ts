/**
 * The numeric evaluation of the catalogue at the edges of float64 (evaluate.ts):
 * the damped solve scales the Fisher, the damping and the gradient so that
 * neither the system nor its solution leaves the float range before the
 * final scaling; an overflow in one entry of a matrix is named by that
 * entry; a reparameterization to itself is the identity, exactly.
 */
import { describe, expect, test } from 'vitest';
import { fisherAt, jacobianFromBase, jacobianToBase, parsePoint, reparameterizeAt, toBase } from '../../src/families/json-points.js';
import { runOracle } from '../../src/oracle/oracle.js';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);
type Json = Record<string, unknown>;
const oracle = async (spec: Json): Promise<Json> => (await runOracle(spec)) as unknown as Json;

describe('the damped natural-gradient solve of a family', () => {
  test('a damping that dwarfs a Fisher below the float range: (F + 1e10)^-1 g = g / 1e10 (bernoulli natural, eta = 800, F = 3.7e-348)', () => {
    const r = fisherAt('bernoulli', 'natural', { eta: 800 }, {}, 'spec').dampedSolve(1e10, [1], 'spec');
    expect(r.singular).toBe(false);
    expect(rel(r.x[0], 1e-10)).toBeLessThan(4e-16);
  });

  test('a damping far above a moderate Fisher: each entry g_i / (F_ii + lambda) (normal mean-std, sigma = 1, lambda = 1e6)', () => {
    const r = fisherAt('normal', 'mean-std', { mu: 0, sigma: 1 }, {}, 'spec').dampedSolve(1e6, [1, 1], 'spec');
    expect(rel(r.x[0], 1 / (1 + 1e6))).toBeLessThan(1e-15);
    expect(rel(r.x[1], 1 / (2 + 1e6))).toBeLessThan(1e-15);
  });

  test('a gradient near the largest float: the solution is formed scaled, so g / F = 4.2e307 is reported, not an overflow (normal, sigma = 1/2)', () => {
    const r = fisherAt('normal', 'mean-std', { mu: 0, sigma: 0.5 }, {}, 'spec').dampedSolve(0, [1.7e308, 1], 'spec');
    expect(rel(r.x[0], 1.7e308 / 4)).toBeLessThan(1e-15);
    expect(r.x[1]).toBe(1 / 8);
  });

  test('a subnormal gradient keeps its value: scaled by its own exponent, zero entries aside (normal, sigma = 1e150)', () => {
    // g_0 = 3 * 2^-1074 exactly (1.5e-323, two significant bits); F = diag(1e-300, 2e-300), so g_0 / F_00 = 1.5e-23
    const g0 = 3 * 2 ** -1074;
    const at = fisherAt('normal', 'mean-std', { mu: 0, sigma: 1e150 }, {}, 'spec');
    const r = at.dampedSolve(0, [g0, 0], 'spec');
    expect(rel(r.x[0], g0 / at.matrix.get(0, 0))).toBeLessThan(1e-15);
    expect(r.x[1]).toBe(0);
  });

  test('a zero gradient gives a zero direction', () => {
    const r = fisherAt('normal', 'mean-std', { mu: 0, sigma: 2 }, {}, 'spec').dampedSolve(0.5, [0, 0], 'spec');
    expect(Array.from(r.x)).toEqual([0, 0]);
  });
});

describe('overflow of one entry', () => {
  test('gamma shape-rate at beta = 1e-160: only alpha/beta^2 overflows, and the refusal names matrix[1][1] with its size', async () => {
    await expect(oracle({ kind: 'fisher', family: 'gamma', parameterization: 'shape-rate', params: { alpha: 2, beta: 1e-160 } })).rejects.toThrow(
      /spec\.params: the result field matrix\[1\]\[1\] would be 2(\.0+)?e\+320/,
    );
  });
});

describe('a reparameterization to itself', () => {
  test.each([
    ['exponential', 'scale', { beta: 0.3 }],
    ['gamma', 'shape-scale', { k: 3, theta: 0.7 }],
    ['normal', 'natural', { eta1: 0.5, eta2: -0.8 }],
  ] as const)('%s %s: the same parameters, the identity Jacobian and the Fisher, exactly', (family, p, params) => {
    const r = reparameterizeAt(family, p, p, params, {}, 'spec');
    expect(r.params).toEqual(params);
    const n = r.paramNames.length;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(r.jacobian.get(i, j), `J[${i}][${j}]`).toBe(i === j ? 1 : 0);
    expect(Array.from(r.fisher.data)).toEqual(Array.from(fisherAt(family, p, params, {}, 'spec').matrix.data));
  });
});

describe('the Jacobians between a parameterization and the base', () => {
  test('gamma shape-scale: d(k, theta)/d(alpha, beta) at the base point is diag(1, -theta^2), the inverse of d(alpha, beta)/d(k, theta)', () => {
    const pt = parsePoint('gamma', 'shape-scale', { k: 3, theta: 0.7 }, {}, 'spec');
    const base = toBase(pt.inst, pt.p, pt.theta, {});
    const from = jacobianFromBase(pt.inst, pt.p, base, {});
    expect([from.get(0, 0), from.get(0, 1), from.get(1, 0)]).toEqual([1, 0, 0]);
    expect(rel(from.get(1, 1), -(0.7 ** 2))).toBeLessThan(1e-15);
    const to = jacobianToBase(pt.inst, pt.p, pt.theta, {});
    expect(rel(from.get(1, 1) * to.get(1, 1), 1)).toBeLessThan(1e-15);
  });

  test('poisson natural -> rate: the Jacobian d eta / d lambda = 1/lambda and the Fisher in the rate, 1/lambda', () => {
    const r = reparameterizeAt('poisson', 'natural', 'rate', { eta: 0.5 }, {}, 'spec');
    const lambda = Math.exp(0.5);
    expect(rel(r.params.lambda as number, lambda)).toBeLessThan(1e-15);
    expect(rel(r.jacobian.get(0, 0), 1 / lambda)).toBeLessThan(1e-15);
    expect(rel(r.fisher.get(0, 0), 1 / lambda)).toBeLessThan(1e-15);
  });
});
