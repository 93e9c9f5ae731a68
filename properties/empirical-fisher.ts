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
import { Matrix } from '../src/linalg/matrix.js';
import { addScaledIdentity, matmulTN, matTvec, matvec, outer, add, scale, trace } from '../src/linalg/ops.js';
import { solve } from '../src/linalg/solve.js';
import type { Check } from '../src/verify/types.js';
import { matrix, sized, vector } from './arbitraries/matrices.js';
import { real, runProperty, type CaseResult } from './run-property.js';

export const REDUCTION = 1e-8;
export const MAX_ITERATIONS = 2000;
/** The empirical Fisher must need at least this many times the natural gradient's iterations. */
export const SLOWDOWN = 10;

/**
 * One regression problem: features [z0, featureScale z1] (badly scaled for
 * featureScale >= 3) with z drawn per entry, the true parameter, the noise
 * (sigma times a drawn entry), and the start's direction from the optimum.
 */
export interface Problem {
  n: number;
  featureScale: number;
  sigma: number;
  distance: number;
  /** the unscaled features z, n x 2 */
  Z: number[][];
  thetaStar: number[];
  noise: number[];
  /** the start's direction from the optimum, in degrees */
  angle: number;
}

/**
 * Features whose two columns are far from collinear (|cos| <= 0.9 between
 * them, neither zero), so X has full rank and its conditioning comes from
 * featureScale alone.
 */
const independentColumns = (Z: number[][]): boolean => {
  let a = 0;
  let b = 0;
  let c = 0;
  for (const [z0, z1] of Z) {
    a += z0 * z0;
    b += z1 * z1;
    c += z0 * z1;
  }
  return a > 0 && b > 0 && c * c <= 0.81 * a * b;
};

export const problemArb: fc.Arbitrary<Problem> = sized(
  fc.record({
    n: fc.integer({ min: 20, max: 50 }),
    featureScale: real(3, 20),
    sigma: real(0.5, 1),
    distance: real(20, 50),
    angle: fc.integer({ min: 0, max: 359 }),
  }),
  ({ n }) => fc.record({ Z: matrix(n, 2).filter(independentColumns), thetaStar: vector(2), noise: vector(n) }),
);

type Preconditioner = 'fisher' | 'empirical-fisher';

/** Iterations of theta <- theta - P(theta)⁻¹ ∇L(theta) until the Fisher-norm error is below REDUCTION of its start. */
export function iterationsToSolve(pr: Problem, which: Preconditioner): number {
  const n = pr.n;
  const X = Matrix.from(pr.Z.map(([z0, z1]) => [z0, pr.featureScale * z1]));
  const thetaStar = Float64Array.from(pr.thetaStar);
  const y = Float64Array.from(matvec(X, thetaStar), (m, i) => m + pr.sigma * pr.noise[i]);
  const s2 = pr.sigma * pr.sigma;
  const F = scale(1 / (n * s2), matmulTN(X, X));
  const ls = solve(matmulTN(X, X), matTvec(X, y));
  const fisherNorm = (t: Float64Array): number => {
    const d = Float64Array.from(t, (v, i) => v - ls[i]);
    return Math.sqrt(d.reduce((a, di, i) => a + di * matvec(F, d)[i], 0));
  };
  // start at Fisher-norm distance `distance` from the optimum, in the drawn direction
  const dir = Float64Array.of(Math.cos((pr.angle * Math.PI) / 180), Math.sin((pr.angle * Math.PI) / 180));
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
  return {
    ratio: (SLOWDOWN * ng) / other,
    what: `${pr.n} examples, feature scale ${pr.featureScale}, sigma ${pr.sigma}, start at Fisher distance ${pr.distance}: natural gradient ${ng} iteration(s), ${compared} ${other} iterations`,
  };
}

export const checks: Check[] = [
  {
    id: 'equivalence/empirical-fisher/iterations',
    theorem: 'The empirical Fisher is not the Fisher: preconditioning with it needs many more iterations (measured) than the natural gradient',
    reference: 'F. Kunstner, L. Balles and P. Hennig, Limitations of the empirical Fisher approximation for natural gradient descent, NeurIPS 2019',
    kind: 'property',
    run: (ctx) => runProperty(ctx, problemArb, (p) => efCase(p, 'empirical-fisher'), 'measured-iterations', Math.min(ctx.runs, 30)),
    sensitivity: {
      description: 'the true Fisher in place of the empirical Fisher: no slowdown',
      run: (ctx) => runProperty(ctx, problemArb, (p) => efCase(p, 'fisher'), 'measured-iterations', Math.min(ctx.runs, 30)),
    },
  },
];
