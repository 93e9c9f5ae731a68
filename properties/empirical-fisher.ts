/**
 * The empirical Fisher is not the Fisher (issue 3, equivalence 7), in the
 * setting of Kunstner et al. (2019): linear regression with badly scaled
 * features, started far from the optimum. Natural-gradient descent with the
 * Fisher XᵀX/(n sigma^2) and step size 1 reaches the least-squares solution in
 * one iteration; preconditioning with the empirical Fisher (1/n) Σ g_n g_nᵀ
 * instead, whose scale is set by the squared residuals, takes small steps far
 * from the optimum and needs many iterations. Measured: the number of
 * iterations each needs to reduce the error (in the Fisher norm) by 1e-8.
 * Reference: F. Kunstner, L. Balles and P. Hennig, Limitations of the
 * empirical Fisher approximation for natural gradient descent, NeurIPS 2019, Sec. 3-4.
 */
import fc from 'fast-check';
import { Rng } from '../src/core/rng.js';
import { Matrix } from '../src/linalg/matrix.js';
import { addScaledIdentity, matmulTN, matTvec, matvec, outer, add, scale, trace } from '../src/linalg/ops.js';
import { solve } from '../src/linalg/solve.js';
import type { Check } from '../src/verify/types.js';
import { real, runProperty, type CaseResult } from './run-property.js';

export const REDUCTION = 1e-8;
export const MAX_ITERATIONS = 2000;
/** The empirical Fisher must need at least this many times the natural gradient's iterations. */
export const SLOWDOWN = 10;

interface Problem { seed: number; featureScale: number; sigma: number; distance: number }

const problemArb: fc.Arbitrary<Problem> = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  featureScale: real(3, 20),
  sigma: real(0.5, 1),
  distance: real(20, 50),
});

type Preconditioner = 'fisher' | 'empirical-fisher';

/** Iterations of theta <- theta - P(theta)⁻¹ ∇L(theta) until the Fisher-norm error is below REDUCTION of its start. */
export function iterationsToSolve(pr: Problem, which: Preconditioner): number {
  const rng = new Rng(pr.seed);
  const n = 50;
  const X = Matrix.from(Array.from({ length: n }, () => [rng.normal(), pr.featureScale * rng.normal()]));
  const thetaStar = Float64Array.from([rng.normal(), rng.normal()]);
  const y = Float64Array.from(matvec(X, thetaStar), (m) => m + pr.sigma * rng.normal());
  const s2 = pr.sigma * pr.sigma;
  const F = scale(1 / (n * s2), matmulTN(X, X));
  const ls = solve(matmulTN(X, X), matTvec(X, y));
  const fisherNorm = (t: Float64Array): number => {
    const d = Float64Array.from(t, (v, i) => v - ls[i]);
    return Math.sqrt(d.reduce((a, di, i) => a + di * matvec(F, d)[i], 0));
  };
  // start at Fisher-norm distance `distance` from the optimum, in a random direction
  const dir = Float64Array.from([rng.normal(), rng.normal()]);
  let theta = Float64Array.from(ls, (v, i) => v + dir[i]);
  const r0 = fisherNorm(theta);
  theta = Float64Array.from(ls, (v, i) => v + (pr.distance * dir[i]) / r0);
  const start = fisherNorm(theta);
  for (let k = 1; k <= MAX_ITERATIONS; k++) {
    const resid = Float64Array.from(matvec(X, theta), (m, i) => m - y[i]);
    const grad = scale(1 / (n * s2), Matrix.from([Array.from(matTvec(X, resid))])).data;
    let P = F;
    if (which === 'empirical-fisher') {
      let EF = Matrix.zeros(2, 2);
      for (let i = 0; i < n; i++) {
        const g = Float64Array.from([X.get(i, 0), X.get(i, 1)], (x) => (resid[i] * x) / s2);
        EF = add(EF, scale(1 / n, outer(g, g)));
      }
      P = addScaledIdentity(EF, 1e-10 * trace(EF));
    }
    const step = solve(P, grad);
    theta = Float64Array.from(theta, (v, i) => v - step[i]);
    if (fisherNorm(theta) <= REDUCTION * start) return k;
  }
  return Number.POSITIVE_INFINITY;
}

/** `compared` is the preconditioner held against the natural gradient: the empirical Fisher, or the Fisher itself (the sensitivity). */
function efCase(pr: Problem, compared: Preconditioner): CaseResult {
  const ng = iterationsToSolve(pr, 'fisher');
  const other = iterationsToSolve(pr, compared);
  // the claim holds when other >= SLOWDOWN * ng: ratio <= 1
  return { ratio: (SLOWDOWN * ng) / other, what: `feature scale ${pr.featureScale}, sigma ${pr.sigma}, start at Fisher distance ${pr.distance}: natural gradient ${ng} iteration(s), ${compared} ${other} iterations` };
}

export const checks: Check[] = [
  {
    id: 'equivalence/empirical-fisher/iterations',
    theorem: 'The empirical Fisher is not the Fisher: preconditioning with it needs many more iterations (measured) than the natural gradient',
    reference: 'F. Kunstner, L. Balles and P. Hennig, Limitations of the empirical Fisher approximation for natural gradient descent, NeurIPS 2019',
    kind: 'property',
    run: (ctx) => runProperty(ctx, problemArb, (p) => efCase(p, 'empirical-fisher'), 'measured-iterations', Math.min(ctx.runs, 30)),
    sensitivity: { description: 'the true Fisher in place of the empirical Fisher: no slowdown', run: (ctx) => runProperty(ctx, problemArb, (p) => efCase(p, 'fisher'), 'measured-iterations', Math.min(ctx.runs, 30)) },
  },
];
