/**
 * The exact sum over a count support with several parameters: every count
 * family of the catalogue has one (the binomial's n and the negative
 * binomial's r are fixed values), so the placement of the off-diagonal
 * entries is held by a stand-in, a Poisson whose rate is the product a b c.
 * With lambda = a b c, F = J^T J / lambda for J = (b c, a c, a b):
 * [[b c/a, c, b], [c, a c/b, a], [b, a, a b/c]], six different entries.
 */
import { describe, expect, test } from 'vitest';
import { POSITIVE } from '../../src/core/domain.js';
import { W, wideRows } from '../../src/families/numeric-forms.js';
import { cite, parameterization, scalarFamily } from '../../src/families/declare.js';
import { deterministicFisher } from '../../src/families/estimators.js';
import { lgamma } from '../../src/symbolic/special.js';

interface Abc {
  a: number;
  b: number;
  c: number;
}
const fisherOf = ({ a, b, c }: Abc): number[][] => [
  [(b * c) / a, c, b],
  [c, (a * c) / b, a],
  [b, a, (a * b) / c],
];

const productRate = scalarFamily({
  family: 'poisson-product-rate',
  support: { kind: 'count' },
  logDensity: 'x*log(a*b*c)-a*b*c-lgamma(x+1)',
  logpdf: (k, base) => k * Math.log(base[0] * base[1] * base[2]) - base[0] * base[1] * base[2] - lgamma(k + 1),
  sample: (rng, base) => rng.poisson(base[0] * base[1] * base[2]),
  parameterizations: [
    parameterization(
      'product',
      { a: POSITIVE, b: POSITIVE, c: POSITIVE },
      cite('the Poisson information 1/lambda pulled back through lambda = a b c', [
        ['b*c/a', 'c', 'b'],
        ['c', 'a*c/b', 'a'],
        ['b', 'a', 'a*b/c'],
      ]),
      {
        point: ([a, b, c]) => ({ a, b, c }),
        coordinates: (pt: Abc) => [W(pt.a), W(pt.b), W(pt.c)],
        fisher: (pt: Abc) => wideRows(fisherOf(pt).map((row) => row.map((v) => W(v)))),
      },
    ),
  ],
  examples: [{ params: { a: 0.8, b: 2.5, c: 1.3 } }],
});

describe('exact sums over counts, three parameters', () => {
  test('each entry of E[s sᵀ] in its place, at a = 0.8, b = 2.5, c = 1.3', () => {
    const inst = productRate.instance();
    const p = inst.parameterizations[0];
    const r = deterministicFisher({ inst, p, theta: Float64Array.of(0.8, 2.5, 1.3), fixed: {} });
    expect(r?.fisher.method).toBe('exact-sum');
    const F = r!.fisher.value;
    const expected = fisherOf({ a: 0.8, b: 2.5, c: 1.3 });
    // the scores by Ridders' differences are good to ~1e-10 relative: 1e-8 of the largest entry (as deterministic-fisher.test.ts)
    const tol = 1e-8 * Math.max(...expected.flat());
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) expect(Math.abs(F.get(i, j) - expected[i][j]), `F[${i}][${j}] = ${F.get(i, j)}`).toBeLessThanOrEqual(tol);
  });
});
