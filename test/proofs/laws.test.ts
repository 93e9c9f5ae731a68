import { describe, expect, it } from 'vitest';
import { lawChecks } from '../../properties/laws-index.js';

// small run counts: the verify runner uses more
const ctx = { seed: 20240601, runs: 12, thorough: false };

describe('property checks of issue 3 (laws, invariance, equivalences)', () => {
  const checks = lawChecks();

  it('have unique ids, each with a sensitivity run', () => {
    expect(new Set(checks.map((c) => c.id)).size).toBe(checks.length);
    for (const c of checks) {
      expect(c.kind).toBe('property');
      expect(c.sensitivity).toBeDefined();
    }
  });

  for (const check of checks) {
    it(`${check.id} holds`, () => {
      const outcome = check.run(ctx);
      expect(outcome.ok, outcome.detail).toBe(true);
      expect(outcome.runs).toBeGreaterThan(0);
      // a Monte Carlo check that states its power detects an error of 1% of sqrt(F_ii F_jj) in any entry
      const power = /detects an error of ([\d.]+(?:e[-+]?\d+)?)%/.exec(outcome.detail);
      if (power) expect(Number(power[1]), outcome.detail).toBeLessThanOrEqual(1);
    });
    it(`${check.id}: the sensitivity run (${check.sensitivity!.description}) fails`, () => {
      // a sensitivity run expects its failure: stopped at the first counterexample, as in verify
      const outcome = check.sensitivity!.run({ ...ctx, expectFailure: true });
      expect(outcome.ok, outcome.detail).toBe(false);
    });
  }

  it('are reproducible from the seed', () => {
    const c = checks.find((k) => k.id === 'invariance/natural-gradient/random-maps')!;
    expect(c.run(ctx).detail).toBe(c.run(ctx).detail);
  });
});
