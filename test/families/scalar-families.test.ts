/**
 * The scalar families: their Fisher derivations
 * agree with the literature, their fast numeric log-densities equal their
 * expressions, their pmfs sum to one, their samplers have the right moments,
 * and their parameter maps are inverse to each other; each kind of check is
 * shown to reject a deliberately wrong input.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { pointInDomain, type Domain } from '../../src/core/domain.js';
import { Rng } from '../../src/core/rng.js';
import { exponential } from '../../src/families/catalogue/exponential.js';
import { gamma } from '../../src/families/catalogue/gamma.js';
import { geometric } from '../../src/families/catalogue/geometric.js';
import { laplace } from '../../src/families/catalogue/laplace.js';
import { negativeBinomial } from '../../src/families/catalogue/negative-binomial.js';
import { studentT } from '../../src/families/catalogue/student-t.js';
import { deriveFisher } from '../../src/families/derive.js';
import type { FamilyDefinition, FamilyInstance, ParameterizationInstance, Sample } from '../../src/families/types.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { mcFisherScore, mcMean, sumSeries, withinStdError, zForFalseAlarm } from '../../src/numeric/index.js';
import { compileExpr } from '../../src/symbolic/index.js';
import { baseParameterization } from '../../src/families/instance.js';
import { MOMENTS, NON_EXPONENTIAL_FAMILIES, NON_EXPONENTIAL_SCORES, SCALAR_FAMILIES } from './closed-forms.js';

type Fixed = Record<string, number>;

/** The scalar families of the catalogue (no dimension). */
const FAMILIES: readonly FamilyDefinition[] = SCALAR_FAMILIES;

/**
 * Parameter ranges of the sampling checks where the base domains are too wide
 * for a standard error estimated from the sample to be trustworthy: the check
 * of a variance needs a finite fourth moment with light enough tails (Student-t
 * nu > 4; a log-normal sigma below 1/2 keeps E[x^8] moderate).
 */
const SAMPLING_OVERRIDES: Record<string, Record<string, (u: number) => number>> = {
  lognormal: { sigma: (u) => 0.1 + 0.4 * u },
  'student-t': { nu: (u) => 5 + 25 * u },
  binomial: { n: (u) => 1 + Math.floor(100 * u) },
};

// Bonferroni over the two moments of a check: P(false alarm) <= 1e-6 per check.
const Z = zForFalseAlarm(1e-6, 2);

const baseOf = (inst: FamilyInstance): ParameterizationInstance => baseParameterization(inst);

/** A point of the domains from uniforms in [0, 1), through the same well-conditioned map the identity tests use. */
function pointFrom(
  symbols: readonly string[],
  domains: Readonly<Record<string, Domain>>,
  us: readonly number[],
  overrides: Record<string, (u: number) => number> = {},
): Record<string, number> {
  const out: Record<string, number> = {};
  symbols.forEach((s, i) => {
    out[s] = overrides[s] ? overrides[s](us[i]) : pointInDomain(domains[s], us[i]);
  });
  return out;
}

function basePoint(inst: FamilyInstance, us: readonly number[], overrides: Record<string, (u: number) => number> = {}): { base: Float64Array; fixed: Fixed } {
  const b = baseOf(inst);
  const fixedNames = Object.keys(inst.fixed);
  const theta = pointFrom(b.symbols, b.domains, us, overrides);
  const fixed = pointFrom(fixedNames, inst.fixed, us.slice(b.symbols.length), overrides);
  return { base: Float64Array.from(b.symbols, (s) => theta[s]), fixed };
}

const uniforms = (k: number) => fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: k, maxLength: k });

/** A data point of the support from a uniform in [0, 1). */
function dataPoint(inst: FamilyInstance, fixed: Fixed, u: number): number {
  const s = inst.support;
  switch (s.kind) {
    case 'count':
      return Math.floor(u * ((s.max ? s.max(fixed) : 60) + 1));
    case 'positive':
      return Math.exp(-5 + 10 * u);
    case 'unit':
      return 1e-3 + (1 - 2e-3) * u;
    case 'real':
      return -20 + 40 * u;
    default:
      throw new Error(`not a scalar support: ${s.kind}`);
  }
}

const closeRel = (a: number, b: number, rtol: number): boolean => Math.abs(a - b) <= rtol * Math.max(1, Math.abs(a), Math.abs(b));

const cases = FAMILIES.flatMap((def) => def.instance().parameterizations.map((p) => ({ def, inst: def.instance(), p, label: `${def.name} ${p.name}` })));

// Every parameterization's three routes are checked (with a sensitivity run) by
// the `fisher/<family>/<parameterization>/routes` checks in properties/.
describe('Fisher derivations', () => {
  test('a literature Fisher with one entry scaled by 1.01 is not verified (gamma shape-rate, off-diagonal)', () => {
    const inst = gamma.instance();
    const p = inst.parameterizations[0];
    const wrong: ParameterizationInstance = {
      ...p,
      literatureFisher: p.literatureFisher.map((row, i) => row.map((e, j) => (i !== j ? `101/100*(${e})` : e))),
    };
    const d = deriveFisher(inst, wrong);
    expect(d.verified).toBe(false);
    for (const c of d.comparisons) {
      const bad = c.entries.filter((e) => !e.equal);
      expect(bad.map((e) => [e.i, e.j])).toEqual([[0, 1]]);
      expect(bad[0].counterexample).toBeDefined();
    }
  });
});

describe('numeric log-density equals the compiled expression', () => {
  // Both sides evaluate the same sums of logs and lgamma terms in float64, so
  // they differ by a few ulp of the largest term (|terms| <= ~1e3 here):
  // 1e-12 relative, with an absolute floor of 1e-12 where log p crosses 0.
  test.each(FAMILIES.map((def) => [def.name, def] as const))('%s', (name, def) => {
    const inst = def.instance();
    const logDensity = compileExpr(inst.logDensity);
    const b = baseOf(inst);
    const k = b.symbols.length + Object.keys(inst.fixed).length;
    fc.assert(
      fc.property(uniforms(k), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (us, ux) => {
        const { base, fixed } = basePoint(inst, us);
        const x = dataPoint(inst, fixed, ux);
        const scope: Record<string, number> = { ...fixed, x };
        b.symbols.forEach((s, i) => {
          scope[s] = base[i];
        });
        const fast = inst.logpdf(x, base, fixed);
        const expr = logDensity(scope);
        return Number.isFinite(fast) && closeRel(fast, expr, 1e-12);
      }),
      { seed: 1101 + name.length, numRuns: 200 },
    );
  });

  test('a wrong log-density (Student-t without the 1/sigma of the change of variables) is caught', () => {
    const inst = studentT.instance();
    const logDensity = compileExpr(inst.logDensity);
    const wrong = (x: number, base: Float64Array, fixed: Fixed): number => inst.logpdf(x, base, fixed) + Math.log(base[1]);
    const scope = { x: 0.7, mu: 0.2, sigma: 1.9, nu: 3 };
    expect(closeRel(inst.logpdf(0.7, Float64Array.of(0.2, 1.9), { nu: 3 }), logDensity(scope), 1e-12)).toBe(true);
    expect(closeRel(wrong(0.7, Float64Array.of(0.2, 1.9), { nu: 3 }), logDensity(scope), 1e-12)).toBe(false);
  });
});

const DISCRETE = FAMILIES.filter((def) => def.instance().support.kind === 'count');
const _CONTINUOUS = FAMILIES.filter((def) => def.instance().support.kind !== 'count');

/** sum_k term(k) over the support with the series' error bound. */
function supportSum(inst: FamilyInstance, fixed: Fixed, term: (k: number) => number) {
  const s = inst.support;
  const end = s.kind === 'count' && s.max ? s.max(fixed) : Infinity;
  return sumSeries(term, { end });
}

describe('discrete families: exact sums', () => {
  // Each term exp(log p_k) carries a relative error of a few ulp times the
  // size of the lgamma terms (<= ~1e2 here), so the sum of the terms, which is
  // 1, is off by at most ~1e-13 beyond the series' own bound.
  const TERM_ROUNDING = 1e-12;
  test.each(DISCRETE.map((def) => [def.name, def] as const))('%s: the pmf sums to 1, with the closed-form mean and variance', (name, def) => {
    const inst = def.instance();
    const k = baseOf(inst).symbols.length + Object.keys(inst.fixed).length;
    fc.assert(
      fc.property(uniforms(k), (us) => {
        const { base, fixed } = basePoint(inst, us);
        const pmf = (j: number): number => Math.exp(inst.logpdf(j, base, fixed));
        const [m, v] = MOMENTS[name](base, fixed);
        const total = supportSum(inst, fixed, pmf);
        const mean = supportSum(inst, fixed, (j) => j * pmf(j));
        const variance = supportSum(inst, fixed, (j) => (j - m) ** 2 * pmf(j));
        expect(Math.abs(total.value - 1)).toBeLessThanOrEqual(total.error + TERM_ROUNDING);
        expect(Math.abs(mean.value - m)).toBeLessThanOrEqual(mean.error + TERM_ROUNDING * Math.max(1, m));
        expect(Math.abs(variance.value - v)).toBeLessThanOrEqual(variance.error + TERM_ROUNDING * Math.max(1, v));
      }),
      { seed: 2202 + name.length, numRuns: 20 },
    );
  });

  test('a pmf with a wrong normaliser (negative binomial with Gamma(r+1) for Gamma(r)) does not sum to 1', () => {
    const inst = negativeBinomial.instance();
    const base = Float64Array.of(0.4);
    const fixed = { r: 2.5 };
    // Gamma(x+r) / (Gamma(r+1) x!) = the right pmf / r
    const wrongNormaliser = (j: number): number => Math.exp(inst.logpdf(j, base, fixed) - Math.log(fixed.r));
    const total = supportSum(inst, fixed, wrongNormaliser);
    expect(Math.abs(total.value - 1)).toBeGreaterThan(total.error + TERM_ROUNDING);
  });
});

/** Mean of [x, (x - m)^2] from n draws, m the closed-form mean, against [m, v]. */
function samplerCheck(draw: (rng: Rng) => number, m: number, v: number, seed: number, n = 20000) {
  const est = mcMean(n, new Rng(seed), (rng) => {
    const x = draw(rng);
    return Float64Array.of(x, (x - m) ** 2);
  });
  return withinStdError(est.value, est.stdError, [m, v], Z);
}

describe('samplers: mean and variance within z standard errors (false-alarm rate 1e-6 per check)', () => {
  test.each(FAMILIES.map((def) => [def.name, def] as const))('%s', (name, def) => {
    const inst = def.instance();
    const k = baseOf(inst).symbols.length + Object.keys(inst.fixed).length;
    fc.assert(
      fc.property(uniforms(k), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (us, seed) => {
        const { base, fixed } = basePoint(inst, us, SAMPLING_OVERRIDES[name]);
        const [m, v] = MOMENTS[name](base, fixed);
        const check = samplerCheck((rng) => inst.sample(rng, base, fixed) as number, m, v, seed);
        if (!check.ok) throw new Error(`${name} at ${base} ${JSON.stringify(fixed)}: moment ${check.worst.index} is ${check.worst.zScore} standard errors off`);
      }),
      { seed: 3303 + name.length, numRuns: 4 },
    );
  });

  test('a geometric sampler that counts trials instead of failures (support 1, 2, ...) is caught', () => {
    const inst = geometric.instance();
    const base = Float64Array.of(0.3);
    const [m, v] = MOMENTS.geometric(base, {});
    expect(samplerCheck((rng) => inst.sample(rng, base, {}) as number, m, v, 7).ok).toBe(true);
    expect(samplerCheck((rng) => (inst.sample(rng, base, {}) as number) + 1, m, v, 7).ok).toBe(false);
  });
});

describe('non-exponential families: the literature Fisher equals the covariance of the score', () => {
  test.each(NON_EXPONENTIAL_FAMILIES.map((def) => [def.name, def] as const))('%s', (name, def) => {
    const inst = def.instance();
    const {
      score,
      at: [base, fixed],
    } = NON_EXPONENTIAL_SCORES[name];
    const p = inst.parameterizations[0];
    const scope: Record<string, number> = { ...fixed };
    p.symbols.forEach((s, i) => {
      scope[s] = base[i];
    });
    const F = Matrix.from(p.literatureFisher.map((row) => row.map((e) => compileExpr(e)(scope))));
    const est = mcFisherScore(
      40000,
      new Rng(`${name} score`),
      (rng) => inst.sample(rng, base, fixed) as number,
      (x) => score(x, base, fixed),
    );
    expect(withinStdError(est.value, est.stdError, F, zForFalseAlarm(1e-6, 3)).ok).toBe(true);
    // and it is not the matrix with one entry scaled by 1.5
    const wrong = F.clone();
    wrong.set(0, 0, 1.5 * F.get(0, 0));
    expect(withinStdError(est.value, est.stdError, wrong, zForFalseAlarm(1e-6, 3)).ok).toBe(false);
  });

  test('Laplace: the Hessian route is declared to fail, for the reason the Fisher entry shows', () => {
    const inst = laplace.instance();
    expect(inst.hessianRouteFails).toMatch(/not twice differentiable in mu at x = mu/);
    expect(inst.breakpoints!(Float64Array.of(0.4, 1.3))).toEqual([0.4]);
    // away from the kink d²/dmu² log p = 0 exactly, while E[(d/dmu log p)^2] = 1/b^2 > 0
    const h = 1e-4;
    const [x, mu, b] = [1.7, 0.4, 1.3];
    const lp = (m: number): number => inst.logpdf(x, Float64Array.of(m, b), {});
    expect(Math.abs((lp(mu + h) - 2 * lp(mu) + lp(mu - h)) / (h * h))).toBeLessThan(1e-6);
  });
});

describe('parameter maps: toBase and fromBase are inverse', () => {
  const nonBase = cases.filter((c) => c.p.name !== c.inst.base);
  // one map and its inverse lose a few ulp each, amplified by the condition
  // number of the maps on these well-conditioned domains (<= ~e^5): 1e-12.
  test.each(nonBase.map((c) => [c.label, c] as const))('%s', (label, c) => {
    const b = baseOf(c.inst);
    const toBase = b.symbols.map((s) => compileExpr(c.p.toBase[s]));
    const fromBase = c.p.symbols.map((s) => compileExpr(c.p.fromBase[s]));
    const k = Math.max(c.p.symbols.length, b.symbols.length);
    const round = (to: readonly string[], maps: typeof toBase, values: Record<string, number>, fixed: Fixed): Record<string, number> => {
      const scope = { ...fixed, ...values };
      return Object.fromEntries(to.map((s, i) => [s, maps[i](scope)]));
    };
    fc.assert(
      fc.property(uniforms(k + Object.keys(c.inst.fixed).length), (us) => {
        const fixed = pointFrom(Object.keys(c.inst.fixed), c.inst.fixed, us.slice(k));
        const theta = pointFrom(c.p.symbols, c.p.domains, us);
        // each coordinate in its domain; the joint constraints (normal expectation: m2 > m1^2) are a precondition
        fc.pre(!c.p.jointViolation?.(Float64Array.from(c.p.symbols, (s) => theta[s])));
        const there = round(b.symbols, toBase, theta, fixed);
        const back = round(c.p.symbols, fromBase, there, fixed);
        const base = pointFrom(b.symbols, b.domains, us);
        const phi = round(c.p.symbols, fromBase, base, fixed);
        const again = round(b.symbols, toBase, phi, fixed);
        return c.p.symbols.every((s) => closeRel(back[s], theta[s], 1e-12)) && b.symbols.every((s) => closeRel(again[s], base[s], 1e-12));
      }),
      { seed: 4404 + label.length, numRuns: 100 },
    );
  });

  test('a wrong inverse (exponential scale with beta = lambda) is caught', () => {
    const p = exponential.instance().parameterizations[1];
    const toBase = compileExpr(p.toBase.lambda);
    const wrongFromBase = compileExpr('lambda');
    const beta0 = 2.5;
    expect(closeRel(wrongFromBase({ lambda: toBase({ beta: beta0 }) }), beta0, 1e-12)).toBe(false);
    expect(closeRel(compileExpr(p.fromBase.beta)({ lambda: toBase({ beta: beta0 }) }), beta0, 1e-12)).toBe(true);
  });
});

describe('supports and samples agree', () => {
  test.each(FAMILIES.map((def) => [def.name, def] as const))('%s: every draw lies in the support', (_name, def) => {
    const inst = def.instance();
    const { base, fixed } = basePoint(inst, [0.3, 0.6, 0.8], SAMPLING_OVERRIDES[def.name]);
    const rng = new Rng(`${def.name} support`);
    const inSupport = (x: Sample): boolean => {
      const v = x as number;
      switch (inst.support.kind) {
        case 'count':
          return Number.isInteger(v) && v >= 0 && v <= (inst.support.max ? inst.support.max(fixed) : Infinity);
        case 'positive':
          return v > 0 && Number.isFinite(v);
        case 'unit':
          return v > 0 && v < 1;
        case 'real':
          return Number.isFinite(v);
        default:
          return false;
      }
    };
    for (let i = 0; i < 2000; i++) expect(inSupport(inst.sample(rng, base, fixed))).toBe(true);
  });
});
