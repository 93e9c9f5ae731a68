/**
 * Invariance of the natural gradient and of its flow (issue 3, "Transformation
 * laws and invariance"), on random inputs:
 *  - catalogue: J F_phi⁻¹ Jᵀ g = F_theta⁻¹ g for every pair of parameterizations,
 *    both Fishers the catalogue's literature forms, J from the catalogue maps;
 *  - random maps: for random compositions of elementwise exp / softplus /
 *    logistic / logit / affine maps and well-conditioned linear maps, the
 *    natural gradient computed in phi (Fisher = Hessian of the KL divergence
 *    by finite differences, gradient by finite differences) and mapped by J
 *    equals the one computed in theta;
 *  - plain gradient descent is not invariant (a counterexample is found);
 *  - flow: Euler natural-gradient trajectories in two parameterizations
 *    agree to O(h): the fitted slope of log gap against log h is 1.
 * References: Amari (1998); Martens (2020), Sec. 12; Ollivier et al. (2017).
 */
import fc from 'fast-check';
import { domainViolation } from '../src/core/domain.js';
import { familyFisherMatrix, fromBase, getFamily, jacobianFromBase, jacobianToBase, toBase } from '../src/families/json-points.js';
import { normal } from '../src/families/catalogue/normal.js';
import { eigSymmetric } from '../src/linalg/eigen-symmetric.js';
import { Matrix } from '../src/linalg/matrix.js';
import { matmul, matTvec, matvec } from '../src/linalg/ops.js';
import { solve } from '../src/linalg/solve.js';
import { gradientFD, hessianFD } from '../src/numeric/finite-differences.js';
import type { Check, CheckOutcome } from '../src/verify/types.js';
import { parameterizationPairs } from '../proofs/pullback.js';
import { real, EPS, findCounterexample, fmt, norm, normDiff, runProperty, type CaseResult } from './run-property.js';
import type { FamilyInstance } from '../src/families/types.js';
import { unitCube, type UnitCube } from '../src/families/unit-points.js';
import { unitCoordinates } from './arbitraries/families.js';

const AMARI = 'S. Amari, Natural gradient works efficiently in learning, Neural Computation 10(2), 1998';
const MARTENS = 'J. Martens, New insights and perspectives on the natural gradient method, JMLR 21(146), 2020, Sec. 12';

function condition(F: Matrix): number {
  const { values } = eigSymmetric(F);
  return Math.abs(values[values.length - 1]) / Math.max(Math.abs(values[0]), Number.MIN_VALUE);
}

// ---------- catalogue pairs ----------

interface CataloguePoint {
  pair: number;
  u: number[];
  g: number[];
}

/** The cube of each pair's family, at its dimension. */
const pairCube = (inst: FamilyInstance): UnitCube => unitCube(getFamily(inst.family, 'family'), inst.dim);

const catalogueArb = (): fc.Arbitrary<CataloguePoint> => {
  const pairs = parameterizationPairs();
  const units = Math.max(...pairs.map(({ inst }) => pairCube(inst).units));
  return fc.record({
    pair: fc.integer({ min: 0, max: pairs.length - 1 }),
    u: unitCoordinates(units),
    g: fc.array(real(-2, 2), { minLength: 4, maxLength: 4 }),
  });
};

/** J F_phi⁻¹ ∇_phi L against F_theta⁻¹ ∇_theta L; `dropJ` leaves out the map back to theta (the sensitivity). */
function catalogueCase(pt: CataloguePoint, dropJ: boolean): CaseResult {
  const { inst, from, to } = parameterizationPairs()[pt.pair];
  const { base } = pairCube(inst).point(pt.u);
  const theta = fromBase(inst, from, base, {});
  const phi = fromBase(inst, to, base, {});
  const J = matmul(jacobianFromBase(inst, from, base, {}), jacobianToBase(inst, to, phi, {}));
  const Ft = familyFisherMatrix(inst, from, theta, {});
  const Fp = familyFisherMatrix(inst, to, phi, {});
  const g = Float64Array.from(theta, (_, i) => pt.g[i]);
  const direct = solve(Ft, g);
  const viaPhi = solve(Fp, matTvec(J, g));
  const mapped = dropJ ? viaPhi : matvec(J, viaPhi);
  const tol = 1e3 * EPS * (condition(Ft) + condition(Fp)) * (1 + norm(direct));
  return {
    ratio: normDiff(mapped, direct) / tol,
    what: `${inst.family}${inst.dim ?? ''} ${from.name}->${to.name} at base ${fmt(base)}: ${dropJ ? 'F_phi⁻¹ Jᵀ g' : 'J F_phi⁻¹ Jᵀ g'} = ${fmt(mapped)}, F_theta⁻¹ g = ${fmt(direct)}`,
  };
}

// ---------- random smooth maps ----------

type Layer = { kind: 'affine'; a: number[]; b: number[] } | { kind: 'linear'; angle: number[]; logScale: number[] } | { kind: 'exp' | 'softplus' | 'logistic' };

interface RandomMap {
  n: number;
  logitFirst: boolean;
  layers: Layer[];
  phi: number[];
  target: number[];
  lossA: number[];
}

const softplus = (x: number): number => (x > 30 ? x : Math.log1p(Math.exp(x)));
const logistic = (x: number): number => 1 / (1 + Math.exp(-x));

/** A well-conditioned invertible linear map: a product of Givens rotations and a diagonal scaling in [e^-0.7, e^0.7] (condition <= 4). */
function linearMatrix(n: number, angle: number[], logScale: number[]): Matrix {
  let M = Matrix.diagonal(Array.from({ length: n }, (_, i) => Math.exp(logScale[i])));
  for (let k = 0; k + 1 < n; k++) {
    const R = Matrix.identity(n);
    const c = Math.cos(angle[k]);
    const s = Math.sin(angle[k]);
    R.set(k, k, c);
    R.set(k, k + 1, -s);
    R.set(k + 1, k, s);
    R.set(k + 1, k + 1, c);
    M = matmul(R, M);
  }
  return M;
}

/** theta = map(phi) and its Jacobian, by the chain rule through the layers. */
function applyMap(m: RandomMap, phi: ArrayLike<number>): { theta: Float64Array; J: Matrix } {
  const n = m.n;
  let x: Float64Array = Float64Array.from(phi);
  let J = Matrix.identity(n);
  const elementwise = (f: (v: number) => number, df: (v: number) => number): void => {
    J = matmul(Matrix.diagonal(Array.from(x, df)), J);
    x = Float64Array.from(x, f);
  };
  if (m.logitFirst)
    elementwise(
      (v) => Math.log(v / (1 - v)),
      (v) => 1 / (v * (1 - v)),
    );
  for (const layer of m.layers) {
    switch (layer.kind) {
      case 'affine': {
        J = matmul(Matrix.diagonal(layer.a.slice(0, n)), J);
        x = Float64Array.from(x, (v, i) => layer.a[i] * v + layer.b[i]);
        break;
      }
      case 'linear': {
        const M = linearMatrix(n, layer.angle, layer.logScale);
        J = matmul(M, J);
        x = Float64Array.from(matvec(M, x));
        break;
      }
      case 'exp':
        elementwise(Math.exp, Math.exp);
        break;
      case 'softplus':
        elementwise(softplus, logistic);
        break;
      case 'logistic':
        elementwise(logistic, (v) => logistic(v) * (1 - logistic(v)));
        break;
    }
  }
  return { theta: x, J };
}

const coef = (lo: number, hi: number) => fc.array(real(lo, hi), { minLength: 4, maxLength: 4 });
const layerArb: fc.Arbitrary<Layer> = fc.oneof(
  fc.record({ kind: fc.constant('affine' as const), a: coef(0.5, 1.5), b: coef(-0.5, 0.5) }),
  fc.record({ kind: fc.constant('linear' as const), angle: coef(-Math.PI, Math.PI), logScale: coef(-0.7, 0.7) }),
  fc.record({ kind: fc.constantFrom('exp' as const, 'softplus' as const, 'logistic' as const) }),
);

const rotationArb: fc.Arbitrary<Layer> = fc.record({
  kind: fc.constant('linear' as const),
  angle: coef(-Math.PI, Math.PI),
  logScale: fc.constant<number[]>([0, 0, 0, 0]),
});

/** Maps of 1-3 layers on the parameters of a diagonal Gaussian in d = 1 or 2 dimensions (n = 2d), the first layer possibly a logit. */
const randomMapArb = (linearOnly = false): fc.Arbitrary<RandomMap> =>
  fc
    .record({
      d: fc.integer({ min: 1, max: 2 }),
      logitFirst: linearOnly ? fc.constant(false) : fc.boolean(),
      layers: fc.array(linearOnly ? rotationArb : layerArb, { minLength: 1, maxLength: 3 }),
      u: coef(0.1, 0.9),
      target: coef(-1, 1),
      lossA: coef(-1, 1),
    })
    .map(({ d, logitFirst, layers, u, target, lossA }) => ({
      n: 2 * d,
      logitFirst,
      layers,
      phi: logitFirst ? u.slice(0, 2 * d) : u.slice(0, 2 * d).map((v) => 2 * v - 1),
      target,
      lossA,
    }));

/** Diagonal Gaussian with theta = (mu_1..mu_d, s_1..s_d), sigma = e^s: KL(p_a || p_b). */
function klDiagonal(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const d = a.length / 2;
  let kl = 0;
  for (let i = 0; i < d; i++) {
    const va = Math.exp(2 * a[d + i]);
    const vb = Math.exp(2 * b[d + i]);
    kl += b[d + i] - a[d + i] + (va + (a[i] - b[i]) ** 2) / (2 * vb) - 0.5;
  }
  return kl;
}

/** L(theta) = KL(p_theta || p_target) + aᵀtheta: smooth, with a non-zero gradient at the optimum of the KL part. */
function lossTheta(m: RandomMap, theta: ArrayLike<number>): number {
  let l = klDiagonal(theta, m.target.slice(0, m.n));
  for (let i = 0; i < m.n; i++) l += 0.3 * m.lossA[i] * theta[i];
  return l;
}

function lossGradTheta(m: RandomMap, theta: ArrayLike<number>): Float64Array {
  const d = m.n / 2;
  const t = m.target;
  const g = new Float64Array(m.n);
  for (let i = 0; i < d; i++) {
    const v = Math.exp(2 * t[d + i]);
    const vt = Math.exp(2 * theta[d + i]);
    g[i] = (theta[i] - t[i]) / v;
    // d/ds [t_s - s + (e^{2s} + (mu - mu_t)^2)/(2 e^{2 t_s})]
    g[d + i] = -1 + vt / v;
  }
  for (let i = 0; i < m.n; i++) g[i] += 0.3 * m.lossA[i];
  return g;
}

interface Usable {
  theta: Float64Array;
  J: Matrix;
}

/** The map's point, or null when the composition is too ill-conditioned for finite differences to resolve (then the case is discarded). */
function usablePoint(m: RandomMap): Usable | null {
  const { theta, J } = applyMap(m, m.phi);
  if (!theta.every((v) => Number.isFinite(v) && Math.abs(v) < 4)) return null;
  const { values } = eigSymmetric(matmul(transposeOf(J), J));
  if (!(values[0] > 1e-6 * values[values.length - 1])) return null;
  return { theta, J };
}

function transposeOf(A: Matrix): Matrix {
  const T = new Matrix(A.cols, A.rows);
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.cols; j++) T.set(j, i, A.get(i, j));
  return T;
}

/** The natural gradient in theta, computed in phi and mapped by J, against the one computed in theta. */
function randomMapCase(m: RandomMap): CaseResult {
  const pt = usablePoint(m);
  fc.pre(pt !== null);
  const { theta, J } = pt!;
  const phi = Float64Array.from(m.phi);
  const n = m.n;
  const d = n / 2;
  const maxStep = m.logitFirst ? Array.from(phi, (v) => 0.5 * Math.min(v, 1 - v)) : 0.2;
  // F_phi = ∇²_phi' KL(p_theta(phi) || p_theta(phi')) at phi' = phi: the Fisher as the curvature of the divergence
  const H = hessianFD((q) => klDiagonal(theta, applyMap(m, q).theta), phi, { h: 0.1, maxStep });
  const G = gradientFD((q) => lossTheta(m, applyMap(m, q).theta), phi, { h: 0.1, maxStep });
  const viaPhi = solve(H.value, G.value);
  const mapped = matvec(J, viaPhi);
  const Ft = Matrix.diagonal([...Array.from({ length: d }, (_, i) => Math.exp(-2 * theta[d + i])), ...Array.from({ length: d }, () => 2)]);
  const direct = solve(Ft, lossGradTheta(m, theta));
  // first-order error propagation: d(F⁻¹g) = F⁻¹(dg - dF F⁻¹ g), then through J
  let errF = 0;
  for (const e of H.error.data) errF = Math.max(errF, e);
  let errG = 0;
  for (const e of G.error) errG = Math.max(errG, e);
  const { values } = eigSymmetric(H.value);
  const invNorm = 1 / Math.abs(values[0]);
  const { values: jv } = eigSymmetric(matmul(transposeOf(J), J));
  const jNorm = Math.sqrt(jv[jv.length - 1]);
  const tol = 10 * jNorm * invNorm * (n * errF * norm(viaPhi) + Math.sqrt(n) * errG) + 1e-9 * (1 + norm(direct));
  return {
    ratio: normDiff(mapped, direct) / tol,
    what: `${m.logitFirst ? 'logit, ' : ''}${m.layers.map((l) => l.kind).join(', ')} at phi ${fmt(phi)}: J F_phi⁻¹ ∇_phi L = ${fmt(mapped)}, F_theta⁻¹ ∇_theta L = ${fmt(direct)}`,
  };
}

/** Plain gradient descent mapped by J, J ∇_phi L = J Jᵀ ∇_theta L, against ∇_theta L. */
function gradientDescentCase(m: RandomMap): CaseResult {
  const pt = usablePoint(m);
  fc.pre(pt !== null);
  const { theta, J } = pt!;
  const g = lossGradTheta(m, theta);
  const mapped = matvec(J, matTvec(J, g));
  const tol = 1e-3 * (norm(g) + 1e-12);
  return {
    ratio: normDiff(mapped, g) / tol,
    what: `${m.logitFirst ? 'logit, ' : ''}${m.layers.map((l) => l.kind).join(', ')} at phi ${fmt(m.phi)}: J Jᵀ ∇_theta L = ${fmt(mapped)} but ∇_theta L = ${fmt(g)}`,
  };
}

// ---------- flow ----------

interface FlowCase {
  to: number;
  start: number[];
  target: number[];
}

/** Start and target at least 0.2 apart in each coordinate, so the loss has a gradient to follow. */
const flowArb: fc.Arbitrary<FlowCase> = fc
  .record({
    to: fc.integer({ min: 1, max: 4 }),
    mu: real(-1, 1),
    sigma: real(0.7, 1.5),
    dMu: real(0.2, 0.6),
    dSigma: real(0.2, 0.4),
    signs: fc.tuple(fc.boolean(), fc.boolean()),
  })
  .map(({ to, mu, sigma, dMu, dSigma, signs }) => ({
    to,
    start: [mu, sigma],
    target: [mu + (signs[0] ? dMu : -dMu), sigma * (signs[1] ? 1 + dSigma : 1 / (1 + dSigma))],
  }));

export const FLOW_STEPS = [0.04, 0.02, 0.01, 0.005];
const FLOW_TIME = 0.4;

/** ∇ of KL(N(mu*, sigma*^2) || N(mu, sigma^2)) in (mu, sigma). */
function klGradMeanStd(theta: ArrayLike<number>, target: ArrayLike<number>): Float64Array {
  const mu = theta[0];
  const s = theta[1];
  const mt = target[0];
  const st = target[1];
  return Float64Array.from([(mu - mt) / (s * s), 1 / s - (st * st + (mu - mt) ** 2) / (s * s * s)]);
}

/** The gap at time T between the theta trajectory and the mapped phi trajectory, for each step size. */
export function flowGaps(c: FlowCase, natural: boolean): number[] {
  const inst = normal.instance();
  const theta0 = inst.parameterizations[0];
  const other = inst.parameterizations[c.to];
  return FLOW_STEPS.map((h) => {
    const steps = Math.round(FLOW_TIME / h);
    let th = Float64Array.from(c.start);
    let ph = fromBase(inst, other, Float64Array.from(c.start), {});
    for (let k = 0; k < steps; k++) {
      const g = klGradMeanStd(th, c.target);
      const dTh = natural ? solve(familyFisherMatrix(inst, theta0, th, {}), g) : g;
      th = Float64Array.from(th, (v, i) => v - h * dTh[i]);
      const base = toBase(inst, other, ph, {});
      const gPhi = matTvec(jacobianToBase(inst, other, ph, {}), klGradMeanStd(base, c.target));
      const dPh = natural ? solve(familyFisherMatrix(inst, other, ph, {}), gPhi) : gPhi;
      ph = Float64Array.from(ph, (v, i) => v - h * dPh[i]);
      if (other.symbols.some((s, i) => domainViolation(other.domains[s], ph[i]))) return Number.NaN;
    }
    return normDiff(th, toBase(inst, other, ph, {}));
  });
}

/** Least-squares slope of log gap against log h. */
export function fittedSlope(gaps: readonly number[]): number {
  const xs = FLOW_STEPS.map(Math.log);
  const ys = gaps.map(Math.log);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i] - my);
    sxx += (x - mx) ** 2;
  });
  return sxy / sxx;
}

/** A first-order method's gap shrinks like h: slope 1, with the Richardson-type tolerance of +-0.2 over a factor-8 range of h. */
function flowCase(c: FlowCase, natural: boolean): CaseResult {
  const gaps = flowGaps(c, natural);
  const slope = fittedSlope(gaps);
  const name = normal.instance().parameterizations[c.to].name;
  return {
    ratio: Math.abs(slope - 1) / 0.2,
    what: `mean-std vs ${name} from ${fmt(c.start)} to target ${fmt(c.target)}: gaps ${fmt(gaps)} at h = ${FLOW_STEPS.join(', ')}, slope ${slope.toFixed(3)}`,
  };
}

export const checks: Check[] = [
  {
    id: 'invariance/natural-gradient/catalogue',
    theorem: 'Natural-gradient invariance J F_phi⁻¹ ∇_phi L = F_theta⁻¹ ∇_theta L for the catalogue maps',
    reference: `${AMARI}; ${MARTENS}`,
    kind: 'property',
    run: (ctx) => runProperty(ctx, catalogueArb(), (pt) => catalogueCase(pt, false), 'numeric'),
    sensitivity: {
      description: 'the direction computed in phi is not mapped back by J',
      run: (ctx) => runProperty(ctx, catalogueArb(), (pt) => catalogueCase(pt, true), 'numeric'),
    },
  },
  {
    id: 'invariance/natural-gradient/random-maps',
    theorem: 'Natural-gradient invariance for random smooth reparameterizations (exp, softplus, logistic, logit, affine, linear)',
    reference: `${AMARI}; ${MARTENS}`,
    kind: 'property',
    run: (ctx) => runProperty(ctx, randomMapArb(), randomMapCase, 'finite-differences'),
    sensitivity: {
      description: 'plain gradient descent in place of the natural gradient (J Jᵀ ∇L against ∇L) must violate the invariance',
      run: (ctx) => runProperty(ctx, randomMapArb(), gradientDescentCase, 'numeric'),
    },
  },
  {
    id: 'invariance/gradient-descent/counterexample',
    theorem: 'Plain gradient descent is not invariant under reparameterization',
    reference: MARTENS,
    kind: 'property',
    run: (ctx): CheckOutcome => findCounterexample(ctx, randomMapArb(), gradientDescentCase, 'numeric'),
    sensitivity: {
      description: 'restricted to rotations (J orthogonal, J Jᵀ = I), where gradient descent is invariant, no counterexample may be found',
      run: (ctx): CheckOutcome => findCounterexample(ctx, randomMapArb(true), gradientDescentCase, 'numeric'),
    },
  },
  {
    id: 'invariance/flow/step-size',
    theorem: 'Natural-gradient flow invariance: Euler trajectories in two parameterizations agree to O(h)',
    reference: `${AMARI}; Y. Ollivier, L. Arnold, A. Auger and N. Hansen, Information-geometric optimization algorithms, JMLR 18(18), 2017`,
    kind: 'property',
    run: (ctx) => runProperty(ctx, flowArb, (c) => flowCase(c, true), 'measured-slope', Math.min(ctx.runs, 20)),
    sensitivity: {
      description: 'plain gradient descent trajectories: the gap does not shrink with the step (slope far from 1)',
      run: (ctx) => runProperty(ctx, flowArb, (c) => flowCase(c, false), 'measured-slope', Math.min(ctx.runs, 20)),
    },
  },
];
