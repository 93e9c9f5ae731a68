/**
 * The vector families of the catalogue (categorical, Dirichlet, multivariate
 * normal) at several dimensions: the fast numeric log-density equals the
 * symbolic one (and, for the exponential families, <eta, T(x)> - A(eta)), the
 * samplers draw from the family (means and covariances of the draws against
 * the closed forms, within z standard errors at a false-alarm rate of 1e-6
 * per check; every draw in the support), and the multivariate normal's own
 * score equals finite differences of its log-density. Each kind of check is
 * shown to reject a deliberately wrong input.
 */
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { categorical } from '../../src/families/catalogue/categorical.js';
import { dirichlet } from '../../src/families/catalogue/dirichlet.js';
import { multivariateNormal } from '../../src/families/catalogue/multivariate-normal.js';
import { baseParameterization } from '../../src/families/instance.js';
import type { FamilyInstance } from '../../src/families/types.js';
import { gradientFD, mcMean, withinStdError, zForFalseAlarm } from '../../src/numeric/index.js';
import { compileExpr } from '../../src/symbolic/index.js';

const close = (got: number, want: number, what: string) =>
  expect(Math.abs(got - want), `${what}: ${got} vs ${want}`).toBeLessThanOrEqual(1e-11 * Math.max(1, Math.abs(want)));

/** The base points of each vector family and dimension checked here. */
const CASES: [string, FamilyInstance, number[]][] = [
  ['categorical K = 2', categorical.instance(2), [0.35]],
  ['categorical K = 3', categorical.instance(3), [0.2, 0.5]],
  ['categorical K = 4', categorical.instance(4), [0.1, 0.25, 0.4]],
  ['dirichlet K = 2', dirichlet.instance(2), [1.5, 0.7]],
  ['dirichlet K = 3', dirichlet.instance(3), [1.2, 0.8, 2.5]],
  ['dirichlet K = 4', dirichlet.instance(4), [3, 0.6, 1, 2]],
  ['multivariate normal d = 1', multivariateNormal.instance(1), [0.5, 2]],
  ['multivariate normal d = 2', multivariateNormal.instance(2), [0.1, -0.2, 2, 0.3, 1]],
  ['multivariate normal d = 3', multivariateNormal.instance(3), [0.1, -0.2, 0.4, 1.5, 0.2, -0.1, 1, 0.3, 2]],
];

/** Data points of the support: one-hot vectors (and the reference class), points of the simplex, real vectors. */
function dataPoints(inst: FamilyInstance): Float64Array[] {
  const s = inst.support;
  if (s.kind === 'categories') return Array.from({ length: s.classes }, (_, c) => Float64Array.from({ length: s.classes - 1 }, (_, i) => (i === c ? 1 : 0)));
  if (s.kind === 'simplex') {
    const w = [
      [1, 2, 3, 4],
      [0.01, 5, 1, 0.3],
      [7, 0.2, 0.2, 1e-3],
    ];
    return w.map((row) => {
      const v = row.slice(0, s.dim);
      const t = v.reduce((a, b) => a + b, 0);
      return Float64Array.from(v, (x) => x / t);
    });
  }
  if (s.kind === 'real-vector')
    return [
      [0, 0, 0],
      [1.5, -2, 0.7],
      [-0.3, 0.4, 2.2],
    ].map((x) => Float64Array.from(x.slice(0, s.dim)));
  throw new Error(`not a vector support: ${s.kind}`);
}

const scopeOf = (names: readonly string[], values: ArrayLike<number>): Record<string, number> => Object.fromEntries(names.map((n, i) => [n, values[i]]));

describe('log-densities: the numeric form equals the symbolic one', () => {
  test.each(CASES)('%s: logpdf = the compiled log-density in the base parameters, and in each parameterization that states its own', (_, inst, base) => {
    const b = baseParameterization(inst);
    const theta = Float64Array.from(base);
    const logDensity = compileExpr(inst.logDensity);
    for (const x of dataPoints(inst)) {
      const want = inst.logpdf(x, theta, {});
      close(logDensity({ ...scopeOf(b.symbols, theta), ...scopeOf(inst.dataVars, x) }), want, `x = ${x}`);
      for (const p of inst.parameterizations.filter((q) => q.logDensity)) {
        // the point in p's coordinates through its map from the base
        const phi = p.symbols.map((s) => compileExpr(p.fromBase[s])(scopeOf(b.symbols, theta)));
        close(compileExpr(p.logDensity!)({ ...scopeOf(p.symbols, phi), ...scopeOf(inst.dataVars, x) }), want, `${p.name} x = ${x}`);
      }
    }
  });

  test.each(CASES.filter(([name]) => !name.startsWith('multivariate')))('%s: logpdf = <eta, T(x)> - A(eta) (base measure 1)', (_, inst, base) => {
    const b = baseParameterization(inst);
    const ef = inst.expFamily!;
    const scope = scopeOf(b.symbols, base);
    const eta = ef.natural.map((e) => compileExpr(e)(scope));
    const A = compileExpr(ef.logPartition)(scopeOf(ef.etaSymbols, eta));
    for (const x of dataPoints(inst)) {
      const T = ef.statistics.map((t) => compileExpr(t)(scopeOf(inst.dataVars, x)));
      close(eta.reduce((s, e, k) => s + e * T[k], 0) - A, inst.logpdf(x, Float64Array.from(base), {}), `x = ${x}`);
    }
  });

  test('a wrong log-density is caught: the Dirichlet without its lgamma(alpha_0)', () => {
    const inst = dirichlet.instance(3);
    const theta = Float64Array.of(1.2, 0.8, 2.5);
    const x = dataPoints(inst)[0];
    const wrong = compileExpr(inst.logDensity)({ ...scopeOf(baseParameterization(inst).symbols, theta), ...scopeOf(inst.dataVars, x) }) - Math.log(2.2);
    expect(Math.abs(wrong - inst.logpdf(x, theta, {}))).toBeGreaterThan(1e-3);
  });
});

/** E[x] and Cov[x] of the family at the base point, in closed form (Dirichlet: Ng, Tian & Tang 2011, Sec. 2.2). */
function moments(name: string, d: number, base: number[]): { mean: number[]; cov: number[][] } {
  const outer = (f: (i: number, j: number) => number) => Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => f(i, j)));
  if (name.startsWith('categorical')) {
    // the indicators of the K - 1 free classes
    return { mean: base, cov: outer((i, j) => (i === j ? base[i] : 0) - base[i] * base[j]) };
  }
  if (name.startsWith('dirichlet')) {
    const a0 = base.reduce((a, b) => a + b, 0);
    return { mean: base.map((a) => a / a0), cov: outer((i, j) => ((i === j ? base[i] * a0 : 0) - base[i] * base[j]) / (a0 * a0 * (a0 + 1))) };
  }
  const Sigma: number[][] = outer(() => 0);
  let k = d;
  for (let i = 0; i < d; i++)
    for (let j = i; j < d; j++) {
      Sigma[i][j] = base[k];
      Sigma[j][i] = base[k++];
    }
  return { mean: base.slice(0, d), cov: Sigma };
}

/**
 * The draws' means of x_i and of (x_i - m_i)(x_j - m_j) (m the true mean, so
 * each is unbiased for its closed form), with their standard errors, against
 * the closed forms; Bonferroni over the d + d(d+1)/2 comparisons.
 */
function samplerCheck(
  inst: FamilyInstance,
  name: string,
  base: number[],
  seed: string,
  draw = (rng: Rng) => inst.sample(rng, Float64Array.from(base), {}) as Float64Array,
) {
  const d = inst.support.kind === 'categories' ? inst.support.classes - 1 : (inst.support as { dim: number }).dim;
  const { mean, cov } = moments(name, d, base);
  const pairs: [number, number][] = [];
  for (let i = 0; i < d; i++) for (let j = i; j < d; j++) pairs.push([i, j]);
  const est = mcMean(20000, new Rng(seed), (rng) => {
    const x = draw(rng);
    return Float64Array.from([...x, ...pairs.map(([i, j]) => (x[i] - mean[i]) * (x[j] - mean[j]))]);
  });
  const expected = [...mean, ...pairs.map(([i, j]) => cov[i][j])];
  return withinStdError(est.value, est.stdError, expected, zForFalseAlarm(1e-6, expected.length));
}

describe('samplers: means and covariances of 20,000 draws against the closed forms', () => {
  test.each(CASES)('%s', (name, inst, base) => {
    const check = samplerCheck(inst, name, base, `vector-sampler ${name}`);
    expect(check.ok, `worst entry ${check.worst.index}, z = ${check.worst.zScore}`).toBe(true);
  });

  test.each(CASES)('%s: every draw is in the support', (name, inst, base) => {
    const rng = new Rng(`vector-support ${name}`);
    const s = inst.support;
    for (let n = 0; n < 2000; n++) {
      const x = inst.sample(rng, Float64Array.from(base), {}) as Float64Array;
      if (s.kind === 'categories') {
        expect(x.length).toBe(s.classes - 1);
        expect(x.every((v) => v === 0 || v === 1) && x.reduce((a, b) => a + b, 0) <= 1).toBe(true);
      } else if (s.kind === 'simplex') {
        expect(x.length).toBe(s.dim);
        expect(x.every((v) => v > 0 && v < 1)).toBe(true);
        expect(Math.abs(x.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-14);
      } else {
        expect(x.length).toBe((s as { dim: number }).dim);
        expect(x.every(Number.isFinite)).toBe(true);
      }
    }
  });

  test('a wrong sampler is caught: multivariate normal draws with the Cholesky factor scaled by 1.03 (covariance off by 6%)', () => {
    const [name, inst, base] = CASES[7];
    const wrong = (rng: Rng) => {
      const x = inst.sample(rng, Float64Array.from(base), {}) as Float64Array;
      return Float64Array.from(x, (v, i) => base[i] + 1.03 * (v - base[i]));
    };
    expect(samplerCheck(inst, name, base, 'vector-sampler wrong', wrong).ok).toBe(false);
  });
});

describe("the multivariate normal's own score", () => {
  test.each([1, 2, 3])('d = %i: equals Ridders finite differences of logpdf (u = P(x - mu); ½(u_i² - P_ii) on the diagonal)', (d) => {
    const [, inst, base] = CASES[5 + d];
    const theta = Float64Array.from(base);
    const out = new Float64Array(theta.length);
    for (const x of dataPoints(inst)) {
      inst.score!(x, theta, {}, out);
      const fd = gradientFD((t) => inst.logpdf(x, t, {}), theta, { maxStep: theta.map(() => 0.05) });
      for (let k = 0; k < theta.length; k++) expect(Math.abs(out[k] - fd.value[k]), `x = ${x}, component ${k}`).toBeLessThanOrEqual(10 * fd.error[k] + 1e-9);
    }
  });
});
