/**
 * Equivalences 3 and 5 of issue 3 on random points:
 *  - F = ∇²A in natural parameters and F = (∇²A)⁻¹ in expectation parameters,
 *    with the catalogue's literature Fishers against a finite-difference
 *    Hessian of the log-partition A;
 *  - mirror descent on m with the Bregman divergence of A* equals natural
 *    gradient descent on eta, step for step: mirror descent computed from A
 *    and A* alone (finite-difference gradients), natural gradient from the
 *    catalogue's Fisher and a finite-difference gradient of L(m(eta)).
 * References: Amari (2016), Sec. 2.2; Raskutti & Mukherjee (2015), Thm. 1.
 */
import fc from 'fast-check';
import { familyFisherMatrix, fromBase, toBase } from '../src/families/json-points.js';
import { FAMILIES } from '../src/families/catalogue/index.js';
import type { FamilyInstance, ParameterizationInstance } from '../src/families/types.js';
import { Matrix } from '../src/linalg/matrix.js';
import { solve } from '../src/linalg/solve.js';
import { eigSymmetric } from '../src/linalg/eigen-symmetric.js';
import { gradientFD, hessianFD } from '../src/numeric/finite-differences.js';
import { compileExpr } from '../src/symbolic/index.js';
import type { Check } from '../src/verify/types.js';
import { EXPECTATION_PARAMETERIZATION } from '../proofs/exponential-family.js';
import { fmt, normDiff, norm, real, reals, runProperty, type CaseResult } from './run-property.js';

const AMARI = 'S. Amari, Information Geometry and Its Applications, Springer 2016, Sec. 2.2';
const RASKUTTI = 'G. Raskutti and S. Mukherjee, The information geometry of mirror descent, IEEE Trans. Information Theory 61(3), 2015, Thm. 1';

interface Setting {
  inst: FamilyInstance;
  natural: ParameterizationInstance;
  expectation: ParameterizationInstance;
  A: (eta: ArrayLike<number>) => number;
}

let settings: Setting[] | undefined;

/** Families with a natural and an expectation parameterization, each with A compiled in the natural symbols. */
function exponentialSettings(): Setting[] {
  settings ??= FAMILIES.flatMap((def) => {
    const expName = EXPECTATION_PARAMETERIZATION[def.name];
    if (!expName) return [];
    return (def.verifyDimensions ?? [undefined]).flatMap((d) => {
      const inst = def.instance(d);
      const natural = inst.parameterizations.find((p) => p.name === 'natural');
      const expectation = inst.parameterizations.find((p) => p.name === expName);
      if (!natural || !expectation || !inst.expFamily) return [];
      const ef = inst.expFamily;
      const A = compileExpr(ef.logPartition);
      return [{ inst, natural, expectation, A: (eta: ArrayLike<number>) => A(Object.fromEntries(ef.etaSymbols.map((s, k) => [s, eta[k]]))) }];
    });
  });
  return settings;
}

/** A base point from uniforms: normal (mu in [-1, 1], sigma in [0.5, 2]); probabilities as shares of the open simplex; Poisson rate in [0.5, 5]. */
function basePoint(inst: FamilyInstance, u: number[]): Float64Array {
  switch (inst.family) {
    case 'normal':
      return Float64Array.from([2 * u[0] - 1, 0.5 + 1.5 * u[1]]);
    case 'poisson':
      return Float64Array.from([0.5 + 4.5 * u[0]]);
    default: {
      const m = inst.parameterizations[0].symbols.length;
      const w = Array.from({ length: m + 1 }, (_, i) => u[i] + 0.2);
      const t = w.reduce((a, b) => a + b, 0);
      return Float64Array.from({ length: m }, (_, i) => w[i] / t);
    }
  }
}

interface EfCase {
  which: number;
  u: number[];
}
const efArb = (): fc.Arbitrary<EfCase> => fc.record({ which: fc.integer({ min: 0, max: exponentialSettings().length - 1 }), u: reals(4, 0, 1) });

function maxOf(m: Matrix): number {
  let x = 0;
  for (const v of m.data) x = Math.max(x, Math.abs(v));
  return x;
}

/** `invert` false compares the expectation-parameter Fisher with ∇²A itself (the sensitivity). */
function efCase(c: EfCase, invert: boolean): CaseResult {
  const s = exponentialSettings()[c.which];
  const base = basePoint(s.inst, c.u);
  const eta = fromBase(s.inst, s.natural, base, {});
  const m = fromBase(s.inst, s.expectation, base, {});
  const HA = hessianFD(s.A, eta, { h: 0.05 });
  const Fnat = familyFisherMatrix(s.inst, s.natural, eta, {});
  const Fexp = familyFisherMatrix(s.inst, s.expectation, m, {});
  const n = eta.length;
  let ratio = 0;
  for (let k = 0; k < n * n; k++) ratio = Math.max(ratio, Math.abs(HA.value.data[k] - Fnat.data[k]) / (10 * HA.error.data[k] + 1e-12 * maxOf(Fnat)));
  // (∇²A)⁻¹ column by column; its error to first order: |H⁻¹| |δH| |H⁻¹|
  const inv = new Matrix(n, n);
  for (let j = 0; j < n; j++) {
    const col = solve(
      HA.value,
      Float64Array.from({ length: n }, (_, i) => (i === j ? 1 : 0)),
    );
    for (let i = 0; i < n; i++) inv.set(i, j, col[i]);
  }
  const { values } = eigSymmetric(HA.value);
  const invNorm = 1 / Math.abs(values[0]);
  const target = invert ? inv : HA.value;
  const tolInv = 10 * n * maxOf(HA.error) * invNorm * invNorm + 1e-12 * maxOf(Fexp);
  for (let k = 0; k < n * n; k++) ratio = Math.max(ratio, Math.abs(target.data[k] - Fexp.data[k]) / tolInv);
  return {
    ratio,
    what: `${s.inst.family}${s.inst.dim ?? ''} at eta ${fmt(eta)}: ∇²A ${fmt(HA.value.data)}, F_natural ${fmt(Fnat.data)}; F_expectation ${fmt(Fexp.data)}, ${invert ? '(∇²A)⁻¹' : '∇²A'} ${fmt(target.data)}`,
  };
}

// ---------- mirror descent ----------

interface MdCase {
  which: number;
  u: number[];
  v: number[];
  alpha: number;
}
const mdArb = (): fc.Arbitrary<MdCase> =>
  fc.record({ which: fc.integer({ min: 0, max: exponentialSettings().length - 1 }), u: reals(4, 0, 1), v: reals(4, 0, 1), alpha: real(0.05, 0.3) });

export const MIRROR_STEPS = 5;

/**
 * The m-iterates of mirror descent (from A and A* by finite differences) and
 * of natural gradient descent on eta, for L(m) = ½|m - m_target|².
 * `euclidean` replaces the Bregman divergence of A* by ½|m - m'|² (plain gradient descent on m): the sensitivity.
 */
export function mirrorTrajectories(c: MdCase, euclidean: boolean): { mirror: Float64Array[]; natural: Float64Array[]; fdError: number } {
  const s = exponentialSettings()[c.which];
  const { inst, natural, expectation } = s;
  const mTarget = fromBase(inst, expectation, basePoint(inst, c.v), {});
  const gradL = (m: ArrayLike<number>): Float64Array => Float64Array.from(m, (x, i) => x - mTarget[i]);
  const etaOfM = (m: Float64Array): Float64Array => fromBase(inst, natural, toBase(inst, expectation, m, {}), {});
  const mOfEta = (eta: Float64Array): Float64Array => fromBase(inst, expectation, toBase(inst, natural, eta, {}), {});
  // A*(m) = <eta(m), m> - A(eta(m)); its gradient is the mirror map m -> eta
  const conjugate = (m: Float64Array): number => {
    const e = etaOfM(m);
    return e.reduce((acc, x, i) => acc + x * m[i], 0) - s.A(e);
  };
  let fdError = 0;
  const mirror: Float64Array[] = [];
  const ng: Float64Array[] = [];
  let m = fromBase(inst, expectation, basePoint(inst, c.u), {});
  let eta = etaOfM(m);
  for (let t = 0; t < MIRROR_STEPS; t++) {
    if (euclidean) {
      m = Float64Array.from(m, (x, i) => x - c.alpha * gradL(m)[i]);
    } else {
      const dual = gradientFD(conjugate, m, { h: 1e-3 });
      const etaNext = Float64Array.from(dual.value, (x, i) => x - c.alpha * gradL(m)[i]);
      const primal = gradientFD(s.A, etaNext, { h: 1e-2 });
      fdError = Math.max(fdError, ...dual.error, ...primal.error);
      m = Float64Array.from(primal.value);
    }
    mirror.push(m);
    const g = gradientFD((e) => 0.5 * gradL(mOfEta(e)).reduce((a, x) => a + x * x, 0), eta, { h: 1e-2 });
    fdError = Math.max(fdError, ...g.error);
    const step = solve(familyFisherMatrix(inst, natural, eta, {}), g.value);
    eta = Float64Array.from(eta, (x, i) => x - c.alpha * step[i]);
    ng.push(mOfEta(eta));
  }
  return { mirror, natural: ng, fdError };
}

function mdCase(c: MdCase, euclidean: boolean): CaseResult {
  const s = exponentialSettings()[c.which];
  const { mirror, natural, fdError } = mirrorTrajectories(c, euclidean);
  fc.pre(mirror.concat(natural).every((m) => m.every(Number.isFinite)));
  let worst = 0;
  let at = 0;
  mirror.forEach((m, t) => {
    // finite-difference errors enter each step and are propagated by the (contracting, alpha <= 0.3) iteration: allow 100 x per step
    const tol = 100 * (t + 1) * fdError * (1 + norm(m)) + 1e-10 * (1 + norm(m));
    const r = normDiff(m, natural[t]) / tol;
    if (r > worst) {
      worst = r;
      at = t;
    }
  });
  return {
    ratio: worst,
    what: `${s.inst.family}${s.inst.dim ?? ''}, alpha ${c.alpha}: step ${at + 1} mirror descent m = ${fmt(mirror[at])}, natural gradient m = ${fmt(natural[at])}`,
  };
}

export const checks: Check[] = [
  {
    id: 'equivalence/exponential-family/hessian-of-A',
    theorem: 'Exponential families: F = ∇²A in natural parameters, F = (∇²A)⁻¹ in expectation parameters',
    reference: AMARI,
    kind: 'property',
    run: (ctx) => runProperty(ctx, efArb(), (c) => efCase(c, true), 'finite-differences'),
    sensitivity: {
      description: 'the expectation-parameter Fisher compared with ∇²A instead of its inverse',
      run: (ctx) => runProperty(ctx, efArb(), (c) => efCase(c, false), 'finite-differences'),
    },
  },
  {
    id: 'equivalence/mirror-descent/step-for-step',
    theorem: 'Mirror descent with the Bregman divergence of A* on expectation parameters = natural gradient on natural parameters, step for step',
    reference: RASKUTTI,
    kind: 'property',
    run: (ctx) => runProperty(ctx, mdArb(), (c) => mdCase(c, false), 'finite-differences', Math.min(ctx.runs, 40)),
    sensitivity: {
      description: 'plain gradient descent on m (Euclidean Bregman divergence) in place of mirror descent',
      run: (ctx) => runProperty(ctx, mdArb(), (c) => mdCase(c, true), 'finite-differences', Math.min(ctx.runs, 40)),
    },
  },
];
