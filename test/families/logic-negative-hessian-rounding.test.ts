/**
 * The rounding share of the negative-Hessian Monte Carlo's bias bound
 * (negative-hessian-monte-carlo.ts, second differences of log p) covers the
 * rounding it states: a log-density accurate to 4 ulp of its value. The
 * normal's log-density is quadratic in mu, so its second differences in mu
 * have no truncation error and the estimate's error in the mu-mu entry is
 * rounding alone. A log-density is planted whose values carry 0.95 of that
 * worst case with the signs that add up (the value at the point low, every
 * moved value high): one second difference at step t h is then off by
 * 4 eps / (t h)², the extrapolated one by 20 eps / h², while the Richardson
 * correction sees only 4 eps / h² of it. The rest must come from the bound's
 * rounding term.
 */
import { describe, expect, test } from 'vitest';
import { parsePoint } from '../../src/families/json-points.js';
import { monteCarloNegativeHessian } from '../../src/families/negative-hessian-monte-carlo.js';
import type { FamilyInstance } from '../../src/families/types.js';
import { zForFalseAlarm } from '../../src/numeric/index.js';

const U = 2 ** -52;
const SIGMA = 2; // |log p| >= log 2 + log(2 pi)/2 > 1 everywhere, so 4 ulp of the value is at least 4 ulp of 1
const pt = parsePoint('normal', 'mean-std', { mu: 1, sigma: SIGMA }, {}, 'spec');

/** The family with every log-density value moved by 0.95 of 4 ulp of |log p|: down at `base`, up elsewhere. */
function withWorstRounding(inst: FamilyInstance, base: Float64Array): FamilyInstance {
  const logpdf: FamilyInstance['logpdf'] = (x, b, fixed) => {
    const value = inst.logpdf(x, b, fixed);
    const atBase = b.every((v, i) => v === base[i]);
    const eps = 0.95 * 4 * U * Math.max(1, Math.abs(inst.logpdf(x, base, fixed)));
    return atBase ? value - eps : value + eps;
  };
  return { ...inst, logpdf } as FamilyInstance;
}

describe('the negative Hessian by second differences of log p: rounding in the bias bound', () => {
  test('the mu-mu entry, off by the planted rounding only, lies within its bias bound, which is not inflated past it', () => {
    const noisy = { ...pt, inst: withWorstRounding(pt.inst, pt.theta) };
    const est = monteCarloNegativeHessian(noisy, 200, 5, { derivatives: 'log-density' });
    const error = Math.abs(est.negHessian.value.get(0, 0) - 1 / SIGMA ** 2);
    const bound = est.negHessianBias.get(0, 0);
    const z = zForFalseAlarm(1e-6, 1);
    const allowed = bound + z * est.negHessian.stdError.get(0, 0);
    expect(error, `error ${error}, bound ${bound}`).toBeLessThanOrEqual(allowed);
    // the planted rounding is a fair share of the bound (20 of 4 + 128 units: 0.53), so the bound is not loose by orders
    expect(error / bound).toBeGreaterThan(0.3);
  });
});
