/**
 * Equivalences 1 and 2 of issue 3 on random problems:
 *  - linear regression: one natural-gradient step with step size 1 from any
 *    start lands on the least-squares solution and equals the Newton step
 *    (Fisher from the curvature module, Hessian by finite differences,
 *    least squares by an eigen-decomposition solve);
 *  - canonical-link GLMs (logistic, Poisson, softmax regression): the Fisher
 *    equals the Hessian of the negative log-likelihood at every theta and
 *    label (Hessian by finite differences, within its error estimate);
 *  - probit regression: a counterexample where they differ.
 * References: Martens (2020), Sec. 9; McCullagh & Nelder (1989), Sec. 2.5.
 */
import fc from 'fast-check';
import { fisherMatrix as modelFisher } from '../src/curvature/dense-curvature.js';
import { eigSymmetric } from '../src/linalg/eigen-symmetric.js';
import { Matrix } from '../src/linalg/matrix.js';
import { matmulTN, matTvec, scale } from '../src/linalg/ops.js';
import { pseudoInverseSolve, solve } from '../src/linalg/solve.js';
import { hessianFD } from '../src/numeric/finite-differences.js';
import { normalCdf, normalPdf } from '../src/numeric/statistics.js';
import type { MlpSpec } from '../src/models/mlp.js';
import type { Check } from '../src/verify/types.js';
import { real, EPS, findCounterexample, fmt, norm, normDiff, runProperty, type CaseResult } from './run-property.js';

const MARTENS = 'J. Martens, New insights and perspectives on the natural gradient method, JMLR 21(146), 2020, Sec. 9';
const GLM = 'P. McCullagh and J. A. Nelder, Generalized Linear Models, 2nd ed., 1989, Sec. 2.5';

// ---------- linear regression ----------

interface Regression {
  X: number[][];
  y: number[];
  theta0: number[];
  sigma: number;
}

const regressionArb: fc.Arbitrary<Regression> = fc.record({ n: fc.integer({ min: 3, max: 6 }), p: fc.integer({ min: 1, max: 3 }) }).chain(({ n, p }) =>
  fc.record({
    X: fc.array(fc.array(real(-2, 2), { minLength: p, maxLength: p }), { minLength: n, maxLength: n }),
    y: fc.array(real(-3, 3), { minLength: n, maxLength: n }),
    theta0: fc.array(real(-5, 5), { minLength: p, maxLength: p }),
    sigma: real(0.3, 3),
  }),
);

/** `fisherScale` 1 is the Fisher XᵀX/(n sigma^2); n is the sum-instead-of-mean mistake (curvlinops#108). */
function regressionCase(r: Regression, fisherScale: number): CaseResult {
  const n = r.X.length;
  const p = r.X[0].length;
  const X = Matrix.from(r.X);
  const XtX = matmulTN(X, X);
  const { values } = eigSymmetric(XtX);
  fc.pre(values[values.length - 1] > 1e-3 && values[0] > 1e-3 * values[values.length - 1]);
  const spec: MlpSpec = { sizes: [p, 1], activations: ['identity'], likelihood: 'gaussian', bias: [false] };
  const weights = [{ W: Matrix.from([r.theta0]), b: new Float64Array(0) }];
  // the curvature module's Fisher for unit noise, rescaled to noise sigma
  const F = scale(
    fisherScale / (r.sigma * r.sigma),
    modelFisher(
      spec,
      weights,
      r.X.map((x) => Float64Array.from(x)),
    ),
  );
  const loss = (t: Float64Array): number => r.X.reduce((s, x, k) => s + (r.y[k] - x.reduce((a, xi, j) => a + xi * t[j], 0)) ** 2, 0) / (2 * n * r.sigma ** 2);
  const theta = Float64Array.from(r.theta0);
  const resid = Float64Array.from(r.y, (yk, k) => r.X[k].reduce((a, xi, j) => a + xi * theta[j], 0) - yk);
  const grad = scale(1 / (n * r.sigma ** 2), Matrix.from([Array.from(matTvec(X, resid))])).data;
  const ng = Float64Array.from(theta, (t, j) => t - solve(F, grad)[j]);
  const H = hessianFD(loss, theta);
  const newton = Float64Array.from(theta, (t, j) => t - solve(H.value, grad)[j]);
  const ls = pseudoInverseSolve(XtX, matTvec(X, r.y)).x;
  const cond = values[values.length - 1] / values[0];
  const tolLs = 1e3 * EPS * cond * (norm(ls) + norm(theta));
  let hErr = 0;
  for (const e of H.error.data) hErr = Math.max(hErr, e);
  // first order: δ(H⁻¹g) = H⁻¹ δH H⁻¹ g, |δH| <= p max|error|, lambda_min(H) = lambda_min(XᵀX)/(n sigma^2)
  const lambdaMinH = values[0] / (n * r.sigma ** 2);
  const tolNewton = (10 * p * hErr * norm(grad)) / lambdaMinH ** 2 + tolLs;
  const ratio = Math.max(normDiff(ng, ls) / tolLs, normDiff(ng, newton) / tolNewton);
  return { ratio, what: `n = ${n}, p = ${p}, from ${fmt(theta)}: natural-gradient step ${fmt(ng)}, Newton ${fmt(newton)}, least squares ${fmt(ls)}` };
}

// ---------- GLMs ----------

type Glm = 'logistic' | 'poisson' | 'softmax' | 'probit';

interface GlmCase {
  model: Glm;
  x: number[];
  theta: number[];
  label: number;
}

const glmArb = (models: readonly Glm[]): fc.Arbitrary<GlmCase> =>
  fc.record({
    model: fc.constantFrom(...models),
    x: fc.array(real(-1.5, 1.5), { minLength: 2, maxLength: 2 }),
    theta: fc.array(real(-1.5, 1.5), { minLength: 4, maxLength: 4 }),
    label: fc.integer({ min: 0, max: 4 }),
  });

/** Negative log-likelihood in theta; softmax has 3 classes (class 2 the reference) and parameters theta_k = (w_k0, w_k1). */
function nll(c: GlmCase, t: ArrayLike<number>): number {
  const z = c.x[0] * t[0] + c.x[1] * t[1];
  switch (c.model) {
    case 'logistic': {
      const y = c.label % 2;
      return Math.log1p(Math.exp(z)) - y * z;
    }
    case 'poisson':
      return Math.exp(z) - c.label * z;
    case 'probit': {
      const y = c.label % 2;
      return -(y * Math.log(normalCdf(z)) + (1 - y) * Math.log(normalCdf(-z)));
    }
    case 'softmax': {
      const z1 = c.x[0] * t[2] + c.x[1] * t[3];
      const y = c.label % 3;
      return Math.log(1 + Math.exp(z) + Math.exp(z1)) - (y === 0 ? z : y === 1 ? z1 : 0);
    }
  }
}

const paramCount = (m: Glm): number => (m === 'softmax' ? 4 : 2);

/** The Fisher in closed form: A''(z) x xᵀ (and (diag pi - pi piᵀ) ⊗ x xᵀ for softmax; phi^2/(Phi(1-Phi)) x xᵀ for probit). */
function glmFisher(c: GlmCase): Matrix {
  const t = c.theta;
  const z = c.x[0] * t[0] + c.x[1] * t[1];
  const xx = (w: number): number[][] => [
    [w * c.x[0] * c.x[0], w * c.x[0] * c.x[1]],
    [w * c.x[1] * c.x[0], w * c.x[1] * c.x[1]],
  ];
  switch (c.model) {
    case 'logistic': {
      const q = 1 / (1 + Math.exp(-z));
      return Matrix.from(xx(q * (1 - q)));
    }
    case 'poisson':
      return Matrix.from(xx(Math.exp(z)));
    case 'probit': {
      const P = normalCdf(z);
      return Matrix.from(xx(normalPdf(z) ** 2 / (P * (1 - P))));
    }
    case 'softmax': {
      const z1 = c.x[0] * t[2] + c.x[1] * t[3];
      const s = 1 + Math.exp(z) + Math.exp(z1);
      const pi = [Math.exp(z) / s, Math.exp(z1) / s];
      const F = new Matrix(4, 4);
      for (let a = 0; a < 2; a++)
        for (let b = 0; b < 2; b++) {
          const w = (a === b ? pi[a] : 0) - pi[a] * pi[b];
          for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) F.set(2 * a + i, 2 * b + j, w * c.x[i] * c.x[j]);
        }
      return F;
    }
  }
}

/** |Hessian - Fisher| against 10 x the finite-difference error estimate (plus round-off relative to the entries). */
function glmCase(c: GlmCase): CaseResult {
  const theta = Float64Array.from(c.theta.slice(0, paramCount(c.model)));
  const H = hessianFD((t) => nll(c, t), theta);
  const F = glmFisher(c);
  let ratio = 0;
  let scaleH = 0;
  for (const v of F.data) scaleH = Math.max(scaleH, Math.abs(v));
  for (let k = 0; k < F.data.length; k++) {
    const tol = 10 * H.error.data[k] + 1e-9 * scaleH + 1e-12;
    ratio = Math.max(ratio, Math.abs(H.value.data[k] - F.data[k]) / tol);
  }
  return {
    ratio,
    what: `${c.model}, x = ${fmt(c.x)}, theta = ${fmt(theta)}, label ${c.model === 'softmax' ? c.label % 3 : c.model === 'poisson' ? c.label : c.label % 2}: Hessian ${fmt(H.value.data)}, Fisher ${fmt(F.data)}`,
  };
}

export const checks: Check[] = [
  {
    id: 'equivalence/linear-regression/one-step',
    theorem: 'Linear regression: one natural-gradient step (step size 1) = Newton step = least squares',
    reference: MARTENS,
    kind: 'property',
    run: (ctx) => runProperty(ctx, regressionArb, (r) => regressionCase(r, 1), 'numeric'),
    sensitivity: {
      description: 'the Fisher summed over examples instead of averaged (XᵀX/sigma^2): the step overshoots',
      run: (ctx) => runProperty(ctx, regressionArb, (r) => regressionCase(r, r.X.length), 'numeric'),
    },
  },
  {
    id: 'equivalence/glm/canonical-hessian',
    theorem: 'Canonical-link GLMs (logistic, Poisson, softmax): Fisher = Hessian of the NLL at every theta and label',
    reference: `${GLM}; ${MARTENS}`,
    kind: 'property',
    run: (ctx) => runProperty(ctx, glmArb(['logistic', 'poisson', 'softmax']), glmCase, 'finite-differences'),
    sensitivity: {
      description: 'the probit (non-canonical) link: its Hessian is not its Fisher',
      run: (ctx) => runProperty(ctx, glmArb(['probit']), glmCase, 'finite-differences'),
    },
  },
  {
    id: 'equivalence/glm/probit-counterexample',
    theorem: 'With the non-canonical probit link the Hessian of the NLL differs from the Fisher',
    reference: GLM,
    kind: 'property',
    run: (ctx) => findCounterexample(ctx, glmArb(['probit']), glmCase, 'finite-differences'),
    sensitivity: {
      description: 'the same search on the canonical logistic link must find no counterexample',
      run: (ctx) => findCounterexample(ctx, glmArb(['logistic']), glmCase, 'finite-differences'),
    },
  },
];
