/**
 * Catalogue paths that the other unit tests do not reach: the normal's log
 * sigma from the moments (log1p near variance 1, the wide log away from it),
 * the multivariate normal's Fisher when products of its scaled precision
 * underflow, its symbolic forms at d = 3 (cofactor determinants) and its
 * exponential-family statistics, and the categorical sampler.
 */
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { multivariateNormal } from '../../src/families/catalogue/multivariate-normal.js';
import { chainRuleAt } from '../../src/families/estimators.js';
import { fisherAt, parsePoint, reparameterizeAt } from '../../src/families/json-points.js';
import { zForFalseAlarm } from '../../src/numeric/index.js';
import { compileExpr } from '../../src/symbolic/index.js';

const relErr = (got: number, want: number) => Math.abs(got - want) / Math.abs(want);

describe('normal expectation -> mean-logstd: log sigma = log(m2 - m1^2)/2', () => {
  const s = (m1: number, m2: number) => reparameterizeAt('normal', 'expectation', 'mean-logstd', { m1, m2 }, {}, 'spec').params.s as number;

  test('a variance within 2^-104 of 1 (below the rounding of the variance itself) keeps its relative accuracy', () => {
    // m1 = 1 + 2^-52, m2 = 2 + 2^-51 (both exact): m2 - m1^2 = 1 - 2^-104 exactly,
    // so log sigma = log1p(-2^-104)/2 = -2^-105 (1 + 2^-105 + ...)
    expect(relErr(s(1 + 2 ** -52, 2 + 2 ** -51), -(2 ** -105))).toBeLessThan(1e-15);
  });

  test('variances far from 1, tiny and huge, against log(v)/2 in doubles', () => {
    expect(relErr(s(0, 1e-300), 0.5 * Math.log(1e-300))).toBeLessThan(1e-15);
    expect(relErr(s(0, 1e300), 0.5 * Math.log(1e300))).toBeLessThan(1e-15);
    // a mean whose square dwarfs the variance: v = 2^-20 exactly
    expect(relErr(s(2 ** 10, 2 ** 20 + 2 ** -20), 0.5 * Math.log(2 ** -20))).toBeLessThan(1e-15);
  });
});

describe('multivariate normal', () => {
  test('Fisher entry ½ P_01^2 when the scaled precision products underflow: formed wide, not lost', () => {
    // Sigma = [[a, b], [b, a]] with correlation b/a = 1e-165: the products of the
    // equilibrated precision are ~1e-330 (below the doubles), the entry is 5e-131
    const a = 1e-100;
    const b = 1e-265;
    const F = fisherAt(
      'multivariate-normal',
      'mean-cov',
      {
        mu: [0, 0],
        Sigma: [
          [a, b],
          [b, a],
        ],
      },
      {},
      'spec',
    ).matrix.toArray();
    const p01 = b / (a * a - b * b);
    // parameters mu0, mu1, Sigma00, Sigma01, Sigma11: F[Sigma00][Sigma11] = ½ tr(P E00 P E11) = ½ P01²
    expect(relErr(F[2][4], 0.5 * p01 * p01)).toBeLessThan(1e-14);
    expect(relErr(F[4][2], 0.5 * p01 * p01)).toBeLessThan(1e-14);
    // and an entry with no underflow, ½ P00², beside it
    expect(relErr(F[2][2], 0.5 / (a * a))).toBeLessThan(1e-14);
  });

  const mu = [0.5, -1, 0.2];
  const Sigma = [
    [2, 0.3, 0.1],
    [0.3, 1, -0.2],
    [0.1, -0.2, 1.5],
  ];

  test('at d = 3 the symbolic log-density equals the numeric one, and the symbolic literature Fisher the numeric Fisher', () => {
    const inst = multivariateNormal.instance(3);
    const p = inst.parameterizations[0];
    const theta = Float64Array.from([...mu, Sigma[0][0], Sigma[0][1], Sigma[0][2], Sigma[1][1], Sigma[1][2], Sigma[2][2]]);
    const scope: Record<string, number> = Object.fromEntries(p.symbols.map((sym, i) => [sym, theta[i]]));
    const logDensity = compileExpr(inst.logDensity);
    for (const x of [
      [0, 0, 0],
      [1.5, -2, 0.7],
      [-0.3, 0.4, 2.2],
    ]) {
      const want = inst.logpdf(Float64Array.from(x), theta, {});
      const got = logDensity({ ...scope, x0: x[0], x1: x[1], x2: x[2] });
      expect(Math.abs(got - want), `x = ${x}`).toBeLessThan(1e-12 * Math.max(1, Math.abs(want)));
    }
    const numeric = fisherAt('multivariate-normal', 'mean-cov', { mu, Sigma }, {}, 'spec').matrix.toArray();
    p.literatureFisher.forEach((row, i) =>
      row.forEach((e, j) =>
        expect(Math.abs(compileExpr(e)(scope) - numeric[i][j]), `F[${i}][${j}]`).toBeLessThan(1e-12 * Math.max(1, Math.abs(numeric[i][j]))),
      ),
    );
  });

  test.each([2, 3])(
    'd = %i: log p = <eta, T(x)> - A(eta) - (d/2) log(2 pi) with the exponential-family statistics, natural parameters and log-partition',
    (d) => {
      const inst = multivariateNormal.instance(d);
      const p = inst.parameterizations[0];
      const ef = inst.expFamily!;
      const m = mu.slice(0, d);
      const S = Sigma.slice(0, d).map((r) => r.slice(0, d));
      const theta = Float64Array.from([...m, ...S.flatMap((r, i) => r.slice(i))]);
      const scope: Record<string, number> = Object.fromEntries(p.symbols.map((sym, i) => [sym, theta[i]]));
      const eta = ef.natural.map((e) => compileExpr(e)(scope));
      const A = compileExpr(ef.logPartition)(Object.fromEntries(ef.etaSymbols.map((sym, i) => [sym, eta[i]])));
      for (const x of [
        [0.1, 0.2, -0.4],
        [1.5, -2, 0.7],
        [-0.3, 0.4, 2.2],
      ]) {
        const xs = Object.fromEntries(x.slice(0, d).map((v, i) => [`x${i}`, v]));
        const T = ef.statistics.map((t) => compileExpr(t)(xs));
        const got = eta.reduce((s, e, k) => s + e * T[k], 0) - A - (d / 2) * Math.log(2 * Math.PI);
        const want = inst.logpdf(Float64Array.from(x.slice(0, d)), theta, {});
        expect(Math.abs(got - want), `x = ${x}`).toBeLessThan(1e-12 * Math.max(1, Math.abs(want)));
      }
    },
  );
});

test('categorical sampler: category frequencies match p within 5 standard errors (false alarm below 1e-6 per category)', () => {
  const pt = parsePoint('categorical', 'mean', { p: [0.2, 0.5] }, {}, 'spec');
  const base = chainRuleAt(pt).base;
  const probs = [0.2, 0.5, 0.3];
  const n = 20000;
  const counts = [0, 0, 0];
  const rng = new Rng('categorical-sampler');
  for (let s = 0; s < n; s++) {
    const x = pt.inst.sample(rng, base, {}) as Float64Array;
    const hot = x.indexOf(1);
    counts[hot === -1 ? 2 : hot]++;
  }
  const z = zForFalseAlarm(1e-6, 3);
  probs.forEach((q, k) => expect(Math.abs(counts[k] / n - q), `category ${k}: ${counts[k]} of ${n}`).toBeLessThan(z * Math.sqrt((q * (1 - q)) / n)));
});
