/**
 * Every family and parameterization of the catalogue, at fixed points, against
 * the high-precision reference (properties/reference/: the literature's closed
 * forms and maps evaluated in interval arithmetic until each value is pinned):
 * the Fisher matrix and every reparameterization (coordinates, Jacobian, Fisher
 * in the target), asked through the oracle as a user would, each entry within
 * 1e-12 relative, and a refusal exactly where the true value overflows.
 *
 * The points: each family's examples carried into every parameterization, a
 * few draws of the edge-point arbitrary at a fixed seed (the property
 * properties/edge-accuracy.test.ts draws more, but is not a unit test), and
 * points placed at the branches of the float64 forms (a logit near 0, a
 * variance near 1, a category or concentration that dominates, a shape below
 * 1e-8), where a wrong branch or a wrong threshold loses accuracy.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { getFamily, parameterizationNames } from '../../src/families/json-points.js';
import { runOracle } from '../../src/oracle/oracle.js';
import { type EdgePoint, type JsonParams, edgePoints } from '../../properties/arbitraries/edge-points.js';
import { edgeFamilyDimensions } from '../../properties/edge-families.js';
import { type Question, judge, referenceAnswer, specOf } from '../../properties/reference/oracle-reference.js';

const SEED = 20261207;
const DRAWS = 3;

/** Points at the branches of each parameterization's float64 forms, in its own coordinates. */
const BRANCH_POINTS: Record<string, JsonParams[]> = {
  // the logit as log1p of an exact quotient in [1/4, 3/4], as a wide log outside
  'bernoulli/mean': [{ p: 0.5 + 2 ** -40 }, { p: 0.25 }, { p: 0.75 }, { p: 0.2 }, { p: 0.8 }, { p: 1e-200 }],
  'bernoulli/natural': [{ eta: 1e-300 }, { eta: -3 }, { eta: 3 }, { eta: 40 }, { eta: -800 }],
  // log(p_i/p_K) by log1p where the ratio is in [1/2, 2]; a reference class formed with a rounding error
  'categorical/mean@2': [{ p: [0.3] }, { p: [0.7] }, { p: [0.5 + 2 ** -40] }, { p: [1 / 3] }, { p: [2 / 3] }],
  'categorical/mean@3': [
    { p: [0.3, 0.3] },
    { p: [0.2, 0.4] },
    { p: [0.4, 0.2] },
    { p: [0.1, 0.6] },
    { p: [0.6, 0.1] },
    { p: [0.3333333333333333, 0.3333333333333333] },
  ],
  // a class that dominates (1 - p_i from the sum of the others), the reference class dominating, all equal
  // (weights relative to the largest logit: e^750 relative to the smallest would overflow)
  'categorical/natural@2': [{ eta: [0] }, { eta: [30] }, { eta: [-30] }, { eta: [1e-300] }, { eta: [-750] }],
  'categorical/natural@3': [{ eta: [0, 0] }, { eta: [40, -3] }, { eta: [-3, 40] }, { eta: [-40, -45] }, { eta: [0.5, -0.5] }, { eta: [-400, 400] }],
  'poisson/natural': [{ eta: 1e-300 }, { eta: 800 }, { eta: -800 }],
  'gamma/shape-rate': [
    { alpha: 1e-9, beta: 2 },
    { alpha: 1e-8, beta: 2 },
    { alpha: 3, beta: 1e-3 },
  ],
  'gamma/shape-scale': [
    { k: 1e-9, theta: 2 },
    { k: 2.5, theta: 1e3 },
  ],
  'beta/standard': [
    { a: 1e6, b: 1e-3 },
    { a: 1e-3, b: 1e6 },
    { a: 0.5, b: 0.5 },
  ],
  // log sigma from the moments: log1p of the exact v - 1 for v in (1/2, 2), the wide log outside
  'normal/expectation': [
    { m1: 0, m2: 1 + 2 ** -30 },
    { m1: 1 + 2 ** -52, m2: 2 + 2 ** -51 },
    { m1: 0.5, m2: 1 },
    { m1: 0, m2: 0.5 },
    { m1: 0, m2: 2 },
    { m1: 0, m2: 0.4 },
    { m1: 0, m2: 3 },
    { m1: 2 ** 10, m2: 2 ** 20 + 2 ** -20 },
    { m1: -3, m2: 1e4 },
  ],
  'normal/natural': [
    { eta1: 0, eta2: -0.5 },
    { eta1: 2, eta2: -0.25 },
    { eta1: -1e-3, eta2: -1e6 },
  ],
  'normal/mean-var': [
    { mu: -2, v: 1 + 2 ** -40 },
    { mu: 1e10, v: 1e-10 },
  ],
  'normal/mean-logstd': [
    { mu: 0.5, s: 1e-300 },
    { mu: -1, s: -3 },
  ],
  // the diagonal from the sum of the others when one concentration is most of the total
  'dirichlet/standard@2': [{ alpha: [100, 1] }, { alpha: [1, 100] }, { alpha: [1, 1] }, { alpha: [1e-9, 3] }],
  'dirichlet/standard@3': [{ alpha: [100, 1, 2] }, { alpha: [1, 2, 100] }, { alpha: [0.5, 0.5, 0.5] }, { alpha: [1e8, 1e-3, 1] }],
  'multivariate-normal/mean-cov@1': [{ mu: [-0.5], Sigma: [[1e-200]] }],
  'multivariate-normal/mean-cov@2': [
    {
      mu: [1, -2],
      Sigma: [
        [4, -1.5],
        [-1.5, 1],
      ],
    },
    {
      mu: [0, 0],
      Sigma: [
        [1e-100, 1e-265],
        [1e-265, 1e-100],
      ],
    },
    {
      mu: [3, 1e5],
      Sigma: [
        [1e60, 0],
        [0, 1e-60],
      ],
    },
  ],
};

const label = (family: string, dim: number | undefined): string => (dim ? `${family} (${getFamily(family, 'family').dimensionSymbol} = ${dim})` : family);

/** The family's examples of this dimension, in the parameterization `pname` (carried there by the oracle when it is not the first). */
async function examplePoints(family: string, pname: string, dim: number | undefined): Promise<EdgePoint[]> {
  const def = getFamily(family, 'family');
  const first = Object.keys(def.layouts)[0];
  const out: EdgePoint[] = [];
  for (const e of def.examples) {
    const point: EdgePoint = {
      family,
      parameterization: first,
      params: e.params as JsonParams,
      ...(e.fixed ? { fixed: e.fixed } : {}),
      ...(dim ? { dim } : {}),
    };
    const d = def.dimensionFromParams?.(first, e.params);
    if (d !== dim) continue;
    if (pname === first) out.push(point);
    else {
      const r = (await runOracle(specOf({ kind: 'reparameterize', point, to: pname }))) as unknown as { params: JsonParams };
      out.push({ ...point, parameterization: pname, params: r.params });
    }
  }
  return out;
}

async function ask(q: Question): Promise<{ result?: unknown; error?: unknown }> {
  try {
    return { result: await runOracle(specOf(q)) };
  } catch (error) {
    return { error };
  }
}

async function expectAgrees(q: Question): Promise<void> {
  const verdict = judge(referenceAnswer(q), await ask(q));
  expect(verdict.ok, `${q.kind} ${JSON.stringify(specOf(q))}: ${verdict.why}`).toBe(true);
}

describe('every family and parameterization agrees with the high-precision reference (Fisher, coordinates, Jacobians)', () => {
  let salt = 0;
  for (const [family, dims] of edgeFamilyDimensions(false)) {
    for (const dim of dims) {
      for (const pname of parameterizationNames(family)) {
        const seed = SEED + ++salt;
        test(`${label(family, dim)} ${pname}`, async () => {
          const fixedOf = (await examplePoints(family, pname, dim))[0]?.fixed ?? getFamily(family, 'family').examples.find((e) => e.fixed)?.fixed;
          const branch = (BRANCH_POINTS[`${family}/${pname}${dim ? `@${dim}` : ''}`] ?? []).map(
            (params): EdgePoint => ({ family, parameterization: pname, params, ...(fixedOf ? { fixed: fixedOf } : {}), ...(dim ? { dim } : {}) }),
          );
          const points = [...(await examplePoints(family, pname, dim)), ...branch, ...fc.sample(edgePoints(family, pname, dim), { seed, numRuns: DRAWS })];
          for (const point of points) {
            await expectAgrees({ kind: 'fisher', point });
            for (const to of parameterizationNames(family).filter((t) => t !== pname)) await expectAgrees({ kind: 'reparameterize', point, to });
          }
        });
      }
    }
  }
});
