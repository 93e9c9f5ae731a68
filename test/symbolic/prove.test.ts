/**
 * proveEqual's own contract, beyond the identity table of the conformance
 * suite: defaults, the numeric-only switch, reproducible counterexamples, the
 * rounding-error bound, points where a side is not finite, and the reported
 * largest relative error.
 */
import { describe, expect, test } from 'vitest';
import { NEGATIVE, POSITIVE, REAL } from '../../src/core/domain.js';
import { hashSeed, Rng } from '../../src/core/rng.js';
import { BackendError } from '../../src/symbolic/backend.js';
import { proveEqual } from '../../src/symbolic/prove.js';

describe('proveEqual', () => {
  test('numericOnly skips the backend: an identity it would prove symbolically is established numerically', () => {
    expect(proveEqual('(x+1)^2', 'x^2+2*x+1', { x: REAL }).method).toBe('symbolic');
    const p = proveEqual('(x+1)^2', 'x^2+2*x+1', { x: REAL }, { numericOnly: true });
    expect(p).toEqual({ equal: true, method: 'numeric-identity', points: 50, maxRelErr: 0 });
  });

  test('a refuted identity has no method, and stops at the first point beyond the tolerance', () => {
    const p = proveEqual('1.01*x', 'x', { x: POSITIVE }, { numericOnly: true });
    expect(p.equal).toBe(false);
    expect(p.method).toBeUndefined();
    expect(p.points).toBe(1);
    // |1.01x - x| / max(|1.01x|, |x|) = 0.01 / 1.01 at every point
    expect(p.maxRelErr).toBeCloseTo(0.01 / 1.01, 12);
    expect(p.counterexample?.lhs).toBeCloseTo(1.01 * (p.counterexample?.point.x ?? Number.NaN), 12);
    expect(p.counterexample?.rhs).toBe(p.counterexample?.point.x);
  });

  test('the default seed is a hash of the identity, so a counterexample is reproducible', () => {
    const lhs = 'log(a+b)';
    const rhs = 'log(a)+log(b)';
    const domains = { a: POSITIVE, b: POSITIVE };
    const p = proveEqual(lhs, rhs, domains, { numericOnly: true });
    expect(p).toEqual(proveEqual(lhs, rhs, domains, { numericOnly: true, seed: hashSeed(`${lhs}=${rhs}`) }));
    expect(p.counterexample).not.toEqual(proveEqual(lhs, rhs, domains, { numericOnly: true, seed: hashSeed(`${lhs}=${rhs}`) + 1 }).counterexample);
  });

  test('the variables are drawn in sorted order, whatever order the expressions name them in', () => {
    const one = proveEqual('a+2*b', 'a+b', { a: REAL, b: REAL }, { numericOnly: true, seed: 7 });
    const other = proveEqual('2*b+a', 'b+a', { a: REAL, b: REAL }, { numericOnly: true, seed: 7 });
    expect(one.counterexample?.point).toEqual(other.counterexample?.point);
  });

  test('points: the number of points evaluated, and the tolerance rtol', () => {
    expect(proveEqual('x', 'x', { x: REAL }, { numericOnly: true, points: 7 }).points).toBe(7);
    // a relative difference of 1e-9 passes at rtol 1e-8 and fails at the default 1e-10
    expect(proveEqual('x*(1+1e-9)', 'x', { x: POSITIVE }, { numericOnly: true, rtol: 1e-8 }).equal).toBe(true);
    expect(proveEqual('x*(1+1e-9)', 'x', { x: POSITIVE }, { numericOnly: true }).equal).toBe(false);
  });

  test('the largest relative error is the maximum over the points so far (never decreasing with more points)', () => {
    // the relative difference x^2 1e-12 / (x + x^2 1e-12) grows with x, so it varies from point to point
    const relErrs = [1, 2, 5, 10, 20, 50].map((points) => proveEqual('x+1e-12*x^2', 'x', { x: POSITIVE }, { numericOnly: true, seed: 3, points }).maxRelErr);
    expect(relErrs[0]).toBeGreaterThan(0);
    for (let i = 1; i < relErrs.length; i++) expect(relErrs[i]).toBeGreaterThanOrEqual(relErrs[i - 1]);
    expect(relErrs[5]).toBeGreaterThan(relErrs[0]);
    // x in [0.2, 5]: the error is below 5e-12 and above 2e-13
    expect(relErrs[5]).toBeLessThan(5e-12);
    expect(relErrs[5]).toBeGreaterThan(2e-13);
  });

  test("the rounding-error bound is the sum of both sides' bounds", () => {
    // both sides are x^2 after cancellations of about 1e16, each with a rounding error of a few units
    const p = proveEqual('(1e8+x)^2-1e16-2e8*x', '(x-1e8)^2-1e16+2e8*x', { x: REAL }, { numericOnly: true });
    expect(p.equal).toBe(true);
    expect(p.maxRelErr).toBe(0);
  });

  test('points where either side is not finite are skipped, not counted', () => {
    // sqrt of a negative number is NaN: half of the real line is skipped
    const p = proveEqual('sqrt(x)^2', 'x', { x: REAL }, { numericOnly: true });
    expect(p.equal).toBe(true);
    expect(p.points).toBe(50);
    for (let seed = 1; seed <= 10; seed++) {
      const left = proveEqual('sqrt(x)^2', 'x+1', { x: REAL }, { numericOnly: true, seed });
      expect(left.points, `seed ${seed}`).toBe(1);
      expect(Number.isFinite(left.counterexample?.lhs)).toBe(true);
      const right = proveEqual('x+1', 'sqrt(x)^2', { x: REAL }, { numericOnly: true, seed });
      expect(right.points, `seed ${seed}`).toBe(1);
      expect(Number.isFinite(right.counterexample?.rhs)).toBe(true);
    }
  });

  test('gives up, naming the identity, when too few points have both sides finite', () => {
    expect(() => proveEqual('log(x)', 'log(x)', { x: NEGATIVE }, { numericOnly: true })).toThrow(
      "proveEqual: could not find 50 points where both sides of 'log(x) = log(x)' are finite",
    );
    // one point in ten finite is enough: sqrt(x - 1.6) on [-2, 2] is finite for a tenth of the draws
    expect(proveEqual('sqrt(x-1.6)', 'sqrt(x-1.6)', { x: REAL }, { numericOnly: true, points: 5, seed: 11 }).equal).toBe(true);
  });

  test('at most ten draws per point: the tenth may be the first finite one, the eleventh is not drawn', () => {
    // sqrt(x - 1.6) is finite for x = -2 + 4u >= 1.6, i.e. u >= 0.9; find seeds whose first such draw is the 10th and the 11th
    const firstFinite = (seed: number): number => {
      const rng = new Rng(seed);
      for (let k = 1; ; k++) if (rng.uniform() >= 0.9) return k;
    };
    const seeds = (k: number): number[] =>
      Array.from({ length: 3000 }, (_, i) => i + 1)
        .filter((s) => firstFinite(s) === k)
        .slice(0, 3);
    for (const seed of seeds(10)) {
      expect(proveEqual('sqrt(x-1.6)', 'sqrt(x-1.6)', { x: REAL }, { numericOnly: true, points: 1, seed }).points, `seed ${seed}`).toBe(1);
    }
    for (const seed of seeds(11)) {
      expect(() => proveEqual('sqrt(x-1.6)', 'sqrt(x-1.6)', { x: REAL }, { numericOnly: true, points: 1, seed }), `seed ${seed}`).toThrow(
        /could not find 1 points/,
      );
    }
    expect(seeds(10)).toHaveLength(3);
    expect(seeds(11)).toHaveLength(3);
  });

  test('rtol 0 accepts exact agreement (the test is rel > rtol)', () => {
    expect(proveEqual('2*x', 'x+x', { x: REAL }, { numericOnly: true, rtol: 0 }).equal).toBe(true);
  });

  test('a variable without a domain is named', () => {
    expect(() => proveEqual('a+b', 'b+a+c', { a: REAL }, { numericOnly: true })).toThrow("proveEqual: no domain given for b, c in 'a+b' = 'b+a+c'");
    expect(proveEqual('a+b', 'b+a', { a: REAL, b: REAL }, { numericOnly: true }).equal).toBe(true);
  });

  test('the backend proving a difference 0 that the numbers refute is a backend error, with the counterexample', () => {
    // a negative tolerance refutes every point numerically, while the backend simplifies x - x to 0
    const e = (() => {
      try {
        proveEqual('x', 'x', { x: REAL }, { rtol: -1 });
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect(e).toBeInstanceOf(BackendError);
    expect(String((e as Error).message)).toContain('the backend simplified the difference to 0 but the numbers disagree at {"point":{"x":');
    expect(String((e as Error).message)).toContain('x = x');
    // without the backend the same call is an ordinary refutation
    expect(proveEqual('x', 'x', { x: REAL }, { rtol: -1, numericOnly: true }).equal).toBe(false);
  });
});
