/**
 * integrate's contract at its edges: where the nodes lie (finite x inside the
 * interval, distances that are normal doubles), the pieces between sorted
 * breakpoints, the node range stopping at a non-finite value, the evaluation
 * budget, and every refusal by name. The accuracy on the families' Fisher
 * integrals is in quadrature.test.ts.
 */
import { describe, expect, test } from 'vitest';
import { integrate } from '../../src/numeric/quadrature.js';

/** Calls integrate and records every (x, fromLeft, toRight) the integrand receives. */
function nodes(a: number, b: number, opts: Parameters<typeof integrate>[3] = {}): { x: number; fromLeft: number; toRight: number }[] {
  const seen: { x: number; fromLeft: number; toRight: number }[] = [];
  integrate(
    (x, fromLeft, toRight) => {
      seen.push({ x, fromLeft, toRight });
      return Math.exp(-x * x);
    },
    a,
    b,
    opts,
  );
  return seen;
}

describe('where the integrand is evaluated', () => {
  test.each([
    [0, 1],
    [0, Infinity],
    [-Infinity, 2],
    [-Infinity, Infinity],
  ])('on [%d, %d]: finite x strictly inside, distances that are positive normal doubles', (a, b) => {
    const seen = nodes(a, b);
    expect(seen.length).toBeGreaterThan(50);
    // a subnormal distance has lost its relative precision (and log, powers of it with it)
    const wrong = seen.filter(
      ({ x, fromLeft, toRight }) =>
        !(Number.isFinite(x) && x >= a && x <= b && Math.min(fromLeft, toRight) >= 2 ** -1022) ||
        (Number.isFinite(a) && !(fromLeft < Infinity)) ||
        (Number.isFinite(b) && !(toRight < Infinity)),
    );
    expect(wrong).toEqual([]);
  });

  test('unsorted breakpoints: each piece lies between neighbours, distances within the piece', () => {
    const seen = nodes(-1, 1, { breakpoints: [0.5, -0.5, 0, 3, -0.5] });
    const cuts = [-1, -0.5, 0, 0.5, 1];
    const widths = cuts.slice(1).map((c, k) => c - cuts[k]);
    const wrong = seen.filter(({ fromLeft, toRight }) => !(fromLeft > 0 && toRight > 0 && widths.includes(fromLeft + toRight)));
    expect(wrong).toEqual([]);
  });

  test('breakpoints outside the interval or on its ends are ignored', () => {
    const plain = integrate((x) => Math.exp(x), 0, 1);
    expect(integrate((x) => Math.exp(x), 0, 1, { breakpoints: [0, 1, -2, 7] })).toEqual(plain);
  });
});

describe('an integrand of x alone near a finite end', () => {
  /** every x an integrand of x alone receives */
  function xs(a: number, b: number): number[] {
    const seen: number[] = [];
    integrate(
      (x) => {
        seen.push(x);
        return 1 / Math.sqrt((x - a) * (b - x));
      },
      a,
      b,
    );
    return seen;
  }

  test('is never evaluated within 8 ulp of an end, where x cannot carry the distance', () => {
    for (const [a, b] of [
      [1, 2],
      [-3, -1],
    ]) {
      const seen = xs(a, b);
      const closest = Math.min(...seen.map((x) => Math.min((x - a) / Math.abs(a), (b - x) / Math.abs(b))));
      expect(closest).toBeGreaterThanOrEqual(8 * Number.EPSILON);
      // and the range does reach that close on both sides
      expect(Math.min(...seen.map((x) => (x - a) / Math.abs(a)))).toBeLessThan(1e-12);
      expect(Math.min(...seen.map((x) => (b - x) / Math.abs(b)))).toBeLessThan(1e-12);
    }
  });

  test('the truncated tail is estimated into the error: honest, and within a small factor', () => {
    for (const [f, a, b, want] of [
      [(x: number) => 1 / Math.sqrt(1 - x), 0, 1, 2],
      [(x: number) => 1 / Math.sqrt(x - 1), 1, 2, 2],
      [(x: number) => (1 - x) ** -0.9, 0, 1, 10],
    ] as const) {
      const r = integrate(f, a, b);
      const missed = Math.abs(r.value - want);
      expect(missed).toBeGreaterThan(1e-9);
      expect(missed).toBeLessThanOrEqual(r.error);
      expect(r.error).toBeLessThanOrEqual(10 * missed);
    }
  });

  test('a divergent integral gets an infinite error, never a finite claim', () => {
    expect(integrate((x) => (1 - x) ** -1.5, 0, 1).error).toBe(Infinity);
    expect(integrate((x) => (x - 1) ** -1.5, 1, 2).error).toBe(Infinity);
  });
});

describe('the node range stops at a non-finite value near an end', () => {
  // NaN for x in (1e-4, 1e-2): reached by nodes with 1 <= |t| < 2, after level 0 has evaluated nodes beyond it
  const hole = (outside: number) => (x: number) => (x > 1e-4 && x < 1e-2 ? NaN : x <= 1e-4 ? outside : 1);

  test('values beyond the first non-finite one do not enter the result', () => {
    const a = integrate(hole(1), 0, 1);
    const b = integrate(hole(50), 0, 1);
    expect(b.value).toBe(a.value);
    expect(b.error).toBe(a.error);
    // mirrored: the hole near the right end
    const c = integrate((x) => hole(1)(1 - x), 0, 1);
    const d = integrate((x) => hole(50)(1 - x), 0, 1);
    expect(d.value).toBe(c.value);
    expect(d.error).toBe(c.error);
  });

  test('terms evaluated beyond the cut before it was found do not enter the tail estimate', () => {
    // on [0, inf): the first level evaluates x = 300 and beyond, where this integrand is 1 (its terms grow outwards);
    // the hole at 10 < x < 100 then stops the range, and the tail is estimated from the terms inside it
    const g = (x: number): number => (x > 10 && x < 100 ? NaN : x >= 100 ? 1 : Math.exp(-x));
    const r = integrate(g, 0, Infinity);
    expect(Number.isFinite(r.error)).toBe(true);
    expect(Math.abs(r.value - 1)).toBeLessThan(1e-3);
    const mirrored = integrate((x) => g(-x), -Infinity, 0);
    expect(Number.isFinite(mirrored.error)).toBe(true);
    expect(Math.abs(mirrored.value - 1)).toBeLessThan(1e-3);
  });

  test('once a node gives a non-finite value, no node beyond it is evaluated', () => {
    const calls: number[] = [];
    integrate(
      (x) => {
        calls.push(x);
        return hole(1)(x);
      },
      0,
      1,
    );
    const first = calls.findIndex((x) => x > 1e-4 && x < 1e-2);
    expect(first).toBeGreaterThan(0);
    expect(calls.slice(first + 1).filter((x) => x < calls[first])).toEqual([]);
    // the same near the right end
    const right: number[] = [];
    integrate(
      (x) => {
        right.push(x);
        return hole(1)(1 - x);
      },
      0,
      1,
    );
    const last = right.findIndex((x) => 1 - x > 1e-4 && 1 - x < 1e-2);
    expect(last).toBeGreaterThan(0);
    expect(right.slice(last + 1).filter((x) => x > right[last])).toEqual([]);
  });

  test('a non-finite value inside the bulk (|t| < 1) is refused, naming x', () => {
    expect(() => integrate((x) => (x > 0.4 && x < 0.6 ? Infinity : 1), 0, 1)).toThrow(
      'integrand: is not finite at x = 0.5 (value Infinity), inside the bulk of the interval',
    );
  });
});

describe('levels, budget and tolerances', () => {
  // an integrand that reads the distances is evaluated at every node of [0, 1]: 13 at the first level (t = 0, ±1, ..., ±6)
  const one = (_x: number, _l: number, _r: number): number => 1;

  test('the budget admits whole levels only: none, the first alone (no estimate yet), or the first two', () => {
    expect(integrate(one, 0, 1, { maxEvaluations: 12 })).toEqual({ value: NaN, error: Infinity, evaluations: 0 });
    expect(integrate(one, 0, 1, { maxEvaluations: 13 })).toEqual({ value: NaN, error: Infinity, evaluations: 13 });
    expect(integrate(one, 0, 1, { maxEvaluations: 24 })).toEqual({ value: NaN, error: Infinity, evaluations: 13 });
    const two = integrate(one, 0, 1, { maxEvaluations: 25 });
    expect(two.evaluations).toBe(25);
    expect(Math.abs(two.value - 1)).toBeLessThanOrEqual(two.error);
    expect(two.value).toBeCloseTo(1, 4);
  });

  test('never stops before the third level (h = 1/8), even when the first two agree', () => {
    // 13 + 12 + 24 + 48 nodes; a constant converges at once
    expect(integrate(one, 0, 1).evaluations).toBe(97);
    // a zero integrand with atol 0 stops there too (the difference 0 meets the tolerance 0)
    expect(integrate((_x, _l, _r) => 0, 0, 1, { atol: 0 }).evaluations).toBe(97);
    // the first two levels agree to 3e-6, within a loose tolerance: still three levels
    expect(integrate(one, 0, 1, { rtol: 1e-3 }).evaluations).toBe(97);
  });

  test('a loose relative or absolute tolerance stops earlier than the default', () => {
    const f = (x: number): number => Math.exp(-x * x) * Math.cos(3 * x);
    const tight = integrate(f, 0, 2).evaluations;
    expect(integrate(f, 0, 2, { rtol: 1e-3 }).evaluations).toBeLessThan(tight);
    expect(integrate(f, 0, 2, { rtol: 0, atol: 1e-3 }).evaluations).toBeLessThan(integrate(f, 0, 2, { rtol: 0, atol: 1e-14 }).evaluations);
  });

  test('the error includes the round-off floor 8 eps and the integrand noise, times integral |f|', () => {
    // an odd integrand on [-1, 1]: the node pairs cancel exactly, so every level gives 0 and only the round-off term is left
    // (reading the distances, so the node range runs to the transform's end, where the terms are below 1e-290)
    const odd = (x: number, _l: number, _r: number): number => x;
    const floor = integrate(odd, -1, 1, { noise: 0 });
    expect(floor.value).toBe(0);
    expect(floor.error).toBeGreaterThanOrEqual(7.9 * Number.EPSILON);
    expect(floor.error).toBeLessThanOrEqual(8.1 * Number.EPSILON);
    const noisy = integrate(odd, -1, 1, { noise: 1e-6 });
    // h sum |w f| at the last level approximates integral |x| = 1 (to 1%: |x| has a kink at 0)
    expect(noisy.error / 1e-6).toBeGreaterThan(0.98);
    expect(noisy.error / 1e-6).toBeLessThan(1.02);
  });

  test('a non-finite value from |t| = 1 outwards truncates the range; only inside |t| < 1 is it an error', () => {
    // the node t = 1 lies at this distance from the right end of [0, 1], every node with t < 1 farther in
    const e = Math.exp(-Math.PI * Math.sinh(1));
    const near = e / (1 + e);
    const r = integrate((_x, _l, toRight) => (toRight <= near ? NaN : 1), 0, 1);
    expect(Number.isFinite(r.value)).toBe(true);
    expect(r.error).toBeGreaterThan(0);
  });
});

describe('refusals, by name', () => {
  const f = (x: number): number => x;
  test.each([
    [NaN, 1, {}, 'a: the lower limit must be a number, got NaN'],
    [0, NaN, {}, 'b: the upper limit must be a number, got NaN'],
    [0, 1, { noise: -1 }, 'options.noise: must be >= 0, got -1'],
    [0, 1, { noise: NaN }, 'options.noise: must be >= 0, got NaN'],
    [0, 1, { rtol: -1 }, 'options.rtol: must be >= 0, got -1'],
    [0, 1, { atol: -1e-3 }, 'options.atol: must be >= 0, got -0.001'],
    [0, 1, { atol: NaN }, 'options.atol: must be >= 0, got NaN'],
    [0, 1, { rtol: 0, atol: 0 }, 'options: rtol and atol cannot both be 0'],
    [0, 1, { maxEvaluations: 0 }, 'options.maxEvaluations: must be >= 1, got 0'],
    [0, 1, { maxEvaluations: NaN }, 'options.maxEvaluations: must be >= 1, got NaN'],
    [0, 1, { breakpoints: [0.5, Infinity] }, 'options.breakpoints[1]: must be a finite number, got Infinity'],
  ])('[%d, %d] %o', (a, b, opts, message) => {
    expect(() => integrate(f, a, b, opts)).toThrow(message);
  });

  test('either tolerance alone may be 0', () => {
    expect(integrate(f, 0, 2, { rtol: 0 }).value).toBeCloseTo(2, 12);
    expect(integrate(f, 0, 2, { atol: 0 }).value).toBeCloseTo(2, 12);
  });
});
