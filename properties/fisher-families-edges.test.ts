/**
 * Every Monte Carlo Fisher check at the corners of its family's unit cube: the
 * edges of each domain the arbitraries reach (fast-check draws the ends of
 * its ranges often), where the estimators' variance and finite-difference
 * bias are largest. Each must be verified, resolve an error of 1% of
 * sqrt(F_ii F_jj) in any entry, and catch its sensitivity run.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { FAMILIES } from '../src/families/catalogue/index.js';
import { runCheck } from '../src/verify/runner.js';
import { familyCorners } from './arbitraries/families.js';
import { monteCarloCheck } from './fisher-families.js';

/** The vector families at their smallest dimension (the corners of the larger ones are the same edges). */
const cases = FAMILIES.flatMap((def) =>
  Object.keys(def.layouts).flatMap((pname) => {
    const dim = def.verifyDimensions ? 2 : undefined;
    return familyCorners(def, pname, dim).map((pt) => {
      const at = `${Array.from(pt.base, (v) => v.toPrecision(3)).join(',')}${Object.keys(pt.fixed).length ? ` ${JSON.stringify(pt.fixed)}` : ''}`;
      return [`${def.name}/${pname}${dim === undefined ? '' : `/${dim}`} at ${at}`, monteCarloCheck(def, pname, dim, fc.constant(pt))] as const;
    });
  }),
);

describe('Monte Carlo Fisher checks at the corners of the unit cube', () => {
  test.each(cases)('%s', (_at, check) => {
    const r = runCheck(check, { seed: 20261125, runs: 8, thorough: false });
    expect(r.status, `${r.detail}; sensitivity: ${r.sensitivity}`).toBe('verified');
    expect(r.sensitivity.startsWith('caught'), r.sensitivity).toBe(true);
    const power = Number(/detects an error of ([\d.]+(?:e[-+]?\d+)?)%/.exec(r.detail)?.[1]);
    expect(power, r.detail).toBeLessThanOrEqual(1);
  });
});
