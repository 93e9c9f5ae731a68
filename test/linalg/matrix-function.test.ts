import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { Cholesky } from '../../src/linalg/cholesky.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { EXPM_PADE_COEFFICIENTS, expm, expmSymmetric, symmetricFunction, symmetricPower } from '../../src/linalg/matrix-function.js';
import { add, frobeniusNorm, matmul, maxAbsDiff, scale, sub } from '../../src/linalg/ops.js';
import { dim, EPS, matrixArb, spdArb, symmetricArb } from './arbitraries.js';

const power = (a: Matrix, k: number): Matrix => {
  let r = Matrix.identity(a.rows);
  for (let i = 0; i < k; i++) r = matmul(r, a);
  return r;
};

const norm1 = (a: Matrix): number => {
  let best = 0;
  for (let j = 0; j < a.cols; j++) {
    let s = 0;
    for (let i = 0; i < a.rows; i++) s += Math.abs(a.get(i, j));
    best = Math.max(best, s);
  }
  return best;
};

/** Taylor series sum_k A^k / k! until the terms vanish; error ~ u e^{||A||} from the largest partial terms. */
function expSeries(a: Matrix): Matrix {
  const n = a.rows;
  let term = Matrix.identity(n);
  let sum = Matrix.identity(n);
  for (let k = 1; k < 400; k++) {
    term = scale(1 / k, matmul(term, a));
    sum = add(sum, term);
    if (frobeniusNorm(term) <= EPS * EPS * frobeniusNorm(sum)) break;
  }
  return sum;
}

describe('symmetricPower', () => {
  test('(a^(-1/4))^4 a = I to cond(a) n eps (Shampoo exponent)', () => {
    fc.assert(
      fc.property(
        dim(7).chain((n) => spdArb(n)),
        ({ a, n, condBound }) => {
          const p = symmetricPower(a, -1 / 4);
          const res = sub(matmul(power(p, 4), a), Matrix.identity(n));
          // each eigenvalue carries a relative error ~16 n eps cond from the backward error, times 5 for the power and product
          return maxAbsDiff(res, new Matrix(n, n)) <= 80 * Math.max(n, 1) * EPS * condBound;
        },
      ),
      { seed: 501, numRuns: 150 },
    );
  });

  test('the same check catches the wrong Shampoo exponent -1/2 (torch-optimizer#502)', () => {
    const a = Matrix.from([
      [4, 1],
      [1, 3],
    ]);
    const wrong = symmetricPower(a, -1 / 2);
    expect(maxAbsDiff(matmul(power(wrong, 4), a), Matrix.identity(2))).toBeGreaterThan(0.1);
  });

  test('p = 1/2 is the principal square root, p = -1 the inverse, p = 1 the matrix itself', () => {
    fc.assert(
      fc.property(
        dim(6).chain((n) => spdArb(n)),
        ({ a, n, condBound }) => {
          const s = symmetricPower(a, 0.5);
          const scaleA = Math.max(frobeniusNorm(a), 1);
          expect(maxAbsDiff(matmul(s, s), a)).toBeLessThanOrEqual(64 * Math.max(n, 1) * EPS * scaleA);
          const inv = new Cholesky(a).inverse();
          expect(maxAbsDiff(symmetricPower(a, -1), inv)).toBeLessThanOrEqual(64 * Math.max(n, 1) * EPS * condBound * 2);
          expect(maxAbsDiff(symmetricPower(a, 1), a)).toBeLessThanOrEqual(64 * Math.max(n, 1) * EPS * scaleA);
        },
      ),
      { seed: 502, numRuns: 100 },
    );
  });

  test('negative powers of a singular matrix need a floor', () => {
    const singular = Matrix.from([
      [1, 1],
      [1, 1],
    ]);
    expect(() => symmetricPower(singular, -0.25)).toThrow(NatgradError);
    expect(() => symmetricPower(singular, -0.25)).toThrow(/needs a positive definite matrix, but eigenvalue .* <= 0; pass a floor/);
    const floored = symmetricPower(singular, -1, { floor: 1e-2 });
    // eigenvalues {0, 2} -> {1e-2, 2}: result = 100 P0 + 0.5 P2 with projectors on (1,-1)/√2 and (1,1)/√2
    expect(
      maxAbsDiff(
        floored,
        Matrix.from([
          [50.25, -49.75],
          [-49.75, 50.25],
        ]),
      ),
    ).toBeLessThan(1e-12);
    expect(() => symmetricPower(Matrix.from([[-1]]), 0.5)).toThrow(/positive semidefinite/);
    expect(symmetricPower(Matrix.from([[-2]]), 2).toArray()).toEqual([[4]]);
    expect(() => symmetricPower(Matrix.from([[0]]), -1, { floor: 0 })).toThrow(/not finite/);
  });

  test('symmetricFunction with f = identity reproduces a; non-finite f is refused', () => {
    fc.assert(
      fc.property(
        dim(7).chain((n) => symmetricArb(n)),
        (a) => {
          const n = a.rows;
          return (
            maxAbsDiff(
              symmetricFunction(a, (x) => x),
              a,
            ) <=
            32 * Math.max(n, 1) * EPS * Math.max(frobeniusNorm(a), Number.MIN_VALUE)
          );
        },
      ),
      { seed: 503, numRuns: 100 },
    );
    expect(() => symmetricFunction(Matrix.from([[0]]), Math.log)).toThrow(/not finite/);
  });
});

describe('expm', () => {
  test('Padé coefficients match the closed form (2m - j)! / (j! (m - j)!)', () => {
    const fact = (k: number): bigint => (k <= 1 ? 1n : BigInt(k) * fact(k - 1));
    for (const [mText, coefs] of Object.entries(EXPM_PADE_COEFFICIENTS)) {
      const m = Number(mText);
      coefs.forEach((c, j) => expect(c).toBe(Number(fact(2 * m - j) / (fact(j) * fact(m - j)))));
    }
  });

  test('agrees with the Taylor series on small matrices of every Padé regime (norms 0.01 to 20)', () => {
    fc.assert(
      fc.property(
        fc.tuple(dim(5), fc.constantFrom(0.002, 0.05, 0.2, 0.5, 1, 4)).chain(([n, s]) => matrixArb(n, n).map((m) => scale(s, m))),
        (a) => {
          const n = a.rows;
          const got = expm(a);
          const ref = expSeries(a);
          // both are accurate to ~ n u e^{||A||₁} (largest series term; Padé forward error bound, Higham 2005 §3)
          return maxAbsDiff(got, ref) <= 64 * Math.max(n, 1) * EPS * Math.exp(norm1(a));
        },
      ),
      { seed: 504, numRuns: 150 },
    );
  });

  test('expm(A + B) = expm(A) expm(B) for commuting A, B = c1 A + c2 A²', () => {
    fc.assert(
      fc.property(
        fc
          .tuple(dim(5), fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -0.3, max: 0.3, noNaN: true }))
          .chain(([n, c1, c2]) => matrixArb(n, n).map((m) => ({ a: m, c1, c2 }))),
        ({ a, c1, c2 }) => {
          const n = a.rows;
          const b = add(scale(c1, a), scale(c2, matmul(a, a)));
          const lhs = expm(add(a, b));
          const rhs = matmul(expm(a), expm(b));
          return maxAbsDiff(lhs, rhs) <= 256 * Math.max(n, 1) * EPS * Math.exp(norm1(a) + norm1(b));
        },
      ),
      { seed: 505, numRuns: 100 },
    );
  });

  test('closed forms: a rotation generator, a nilpotent matrix, n = 0', () => {
    const t = 0.7;
    const rot = expm(
      Matrix.from([
        [0, t],
        [-t, 0],
      ]),
    );
    expect(
      maxAbsDiff(
        rot,
        Matrix.from([
          [Math.cos(t), Math.sin(t)],
          [-Math.sin(t), Math.cos(t)],
        ]),
      ),
    ).toBeLessThan(4 * EPS);
    const big = expm(
      Matrix.from([
        [0, 30],
        [-30, 0],
      ]),
    ); // scaling and squaring regime
    expect(
      maxAbsDiff(
        big,
        Matrix.from([
          [Math.cos(30), Math.sin(30)],
          [-Math.sin(30), Math.cos(30)],
        ]),
      ),
    ).toBeLessThan(1e-12);
    expect(
      expm(
        Matrix.from([
          [0, 5],
          [0, 0],
        ]),
      ).toArray(),
    ).toEqual([
      [1, 5],
      [0, 1],
    ]);
    expect(expm(new Matrix(0, 0)).rows).toBe(0);
  });

  test('expmSymmetric agrees with expm; the elementwise exponential does not (evosax B * exp(M) pitfall)', () => {
    fc.assert(
      fc.property(
        dim(5).chain((n) => symmetricArb(n)),
        (a) => {
          const n = a.rows;
          return maxAbsDiff(expmSymmetric(a), expm(a)) <= 64 * Math.max(n, 1) * EPS * Math.exp(norm1(a));
        },
      ),
      { seed: 506, numRuns: 100 },
    );
    const m = Matrix.from([
      [0.1, 0.3],
      [0.3, -0.2],
    ]);
    const elementwise = new Matrix(2, 2, m.data.map(Math.exp));
    expect(maxAbsDiff(elementwise, expm(m))).toBeGreaterThan(0.5);
  });

  test('non-finite or non-square input is refused', () => {
    expect(() => expm(new Matrix(2, 3))).toThrow(/square/);
    expect(() => expm(Matrix.from([[NaN]]))).toThrow(/not finite/);
    expect(() => expm(Matrix.from([[1000]]))).toThrow(/overflows/);
  });
});
