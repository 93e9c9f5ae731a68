import { describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { Rng } from '../../src/core/rng.js';
import { binomialUpperTail, calibrate, histogram, parseSeedRange } from '../../src/verify/calibration.js';
import { ksUniform } from '../../src/numeric/statistics.js';
import type { Check } from '../../src/verify/types.js';

/** A statistical check whose three deviations are standard normal times `scale` (scale > 1: standard errors underestimated). */
const gaussianCheck = (scale: number): Check => ({
  id: `fixture/gaussian-${scale}`,
  theorem: 'fixture',
  reference: 'fixture',
  kind: 'property',
  run(ctx) {
    const rng = new Rng(ctx.seed);
    const deviations = [0, 1, 2].map(() => scale * rng.normal());
    return { ok: deviations.every((d) => Math.abs(d) <= 5), runs: 1, detail: '', statistic: { deviations, threshold: 5 } };
  },
});

/** Three deviations that are one standard normal draw: the union bound counts it three times (a conservative run p-value). */
const correlatedCheck: Check = {
  id: 'fixture/correlated',
  theorem: 'fixture',
  reference: 'fixture',
  kind: 'property',
  run(ctx) {
    const d = new Rng(ctx.seed).normal();
    return { ok: Math.abs(d) <= 5, runs: 1, detail: '', statistic: { deviations: [d, d, d], threshold: 5 } };
  },
};

/** Normal deviations, 3% of them three times too wide, clipped below the critical value: wrong in the tail only. */
const heavyTailCheck: Check = {
  id: 'fixture/heavy-tail',
  theorem: 'fixture',
  reference: 'fixture',
  kind: 'property',
  run(ctx) {
    const rng = new Rng(ctx.seed);
    const deviations = [0, 1, 2].map(() => Math.max(-4.9, Math.min(4.9, (rng.uniform() < 0.03 ? 3 : 1) * rng.normal())));
    return { ok: true, runs: 1, detail: '', statistic: { deviations, threshold: 5 } };
  },
};

/** Standard normal deviations where every other run makes the middle comparison (exact at the other points), labelled. */
const varyingCheck: Check = {
  id: 'fixture/varying',
  theorem: 'fixture',
  reference: 'fixture',
  kind: 'property',
  run(ctx) {
    const rng = new Rng(ctx.seed);
    const labels = ctx.seed % 2 === 0 ? ['a', 'b', 'c'] : ['a', 'c'];
    const deviations = labels.map(() => rng.normal());
    return { ok: true, runs: 1, detail: '', statistic: { deviations, threshold: 5, labels } };
  },
};

const seeds = parseSeedRange('1..400');
const opts = { runs: 1, thorough: false };

describe('calibration of a statistical check over seeds', () => {
  test('standard normal deviations are calibrated: uniform p-values, no false alarm', () => {
    const c = calibrate(gaussianCheck(1), seeds, opts)!;
    expect(c.used).toBe(400);
    expect(c.comparisons).toBe(3);
    expect(c.ksAdjusted).toBeGreaterThan(1e-3);
    expect(c.alarms).toBe(0);
    // 3 comparisons at z = 5: 3 · 2Q(5) = 1.72e-6
    expect(c.nominalRate).toBeCloseTo(3 * 5.733e-7, 8);
    expect(c.tail[0].fraction).toBeLessThan(0.03);
  });

  test('sensitivity: standard errors 1.5x too small are found (KS), and so is a check that alarms too often', () => {
    const c = calibrate(gaussianCheck(1.5), seeds, opts)!;
    expect(c.ksAdjusted).toBeLessThan(1e-6);
    const loud = calibrate(gaussianCheck(3), seeds, opts)!;
    expect(loud.alarms).toBeGreaterThan(0);
    expect(loud.alarmTail).toBeLessThan(1e-6);
  });

  test('the run p-value min(1, m 2Q(T)) is conservative, not uniform: its promise P(p <= a) <= a is what is tested', () => {
    const c = calibrate(correlatedCheck, parseSeedRange('1..1000'), opts)!;
    // the two-sided test of uniformity rejects it (a third of the runs clip at 1)...
    expect(ksUniform(c.pValues).pValue).toBeLessThan(1e-6);
    expect(c.pValues.filter((p) => p === 1).length).toBeGreaterThan(250);
    // ...while the one-sided test and the counts at each level find it valid
    expect(c.runUpper!.pValue).toBeGreaterThan(0.1);
    for (const l of c.levels) expect(l.tail, `${l.alpha}`).toBeGreaterThan(1e-3);
    const ok = calibrate(gaussianCheck(1), seeds, opts)!;
    expect(ok.runUpper!.pValue).toBeGreaterThan(1e-3);
    expect(ok.levels.map((l) => l.alpha)).toEqual([0.1, 0.01, 1e-3]);
    for (const l of ok.levels) expect(l.tail).toBeGreaterThan(1e-3);
  });

  test('sensitivity: deviations too wide in the tail only pass the per-entry uniformity test and raise no alarm, but the counts at small levels find them', () => {
    const c = calibrate(heavyTailCheck, seeds, opts)!;
    expect(c.ksAdjusted).toBeGreaterThan(1e-3);
    expect(c.alarms).toBe(0);
    expect(Math.min(...c.levels.map((l) => l.tail))).toBeLessThan(1e-6);
  });

  test('labelled comparisons line up across runs that make different numbers of them: every run is used', () => {
    const c = calibrate(varyingCheck, seeds, opts)!;
    expect(c.used).toBe(400);
    expect(c.comparisons).toBe(3);
    const n = Object.fromEntries(c.ks.map((k) => [k.label, k.n]));
    expect(n.a).toBe(400);
    expect(n.c).toBe(400);
    expect(n.b).toBeGreaterThan(150);
    expect(n.b).toBeLessThan(250);
    expect(c.ksAdjusted).toBeGreaterThan(1e-3);
    // a run's p-value is over its own comparisons
    expect(c.pValues.every((p, k) => p === Math.min(1, c.entryPValues[k].length * Math.min(...c.entryPValues[k])))).toBe(true);
  });

  test('a check without a statistic has no calibration', () => {
    const plain: Check = { id: 'fixture/plain', theorem: '', reference: '', kind: 'property', run: () => ({ ok: true, runs: 1, detail: '' }) };
    expect(calibrate(plain, [1, 2, 3], opts)).toBeNull();
  });

  test('binomial tail, histogram and the seed range', () => {
    expect(binomialUpperTail(0, 1000, 1e-6)).toBe(1);
    expect(binomialUpperTail(1, 1000, 1e-6)).toBeCloseTo(1 - (1 - 1e-6) ** 1000, 12);
    expect(binomialUpperTail(2, 10, 0.5)).toBeCloseTo(1 - 11 / 1024, 12);
    expect(histogram([0, 0.05, 0.5, 0.99, 1], 10)).toEqual([2, 0, 0, 0, 0, 1, 0, 0, 0, 2]);
    expect(parseSeedRange('3..5')).toEqual([3, 4, 5]);
    expect(() => parseSeedRange('5..3')).toThrow(/empty/);
    expect(() => parseSeedRange('1-5')).toThrow(/A\.\.B/);
    expect(() => parseSeedRange('0..4294967296')).toThrow(/32-bit/);
  });
});

describe('natgrad verify --seeds', () => {
  test('reports a Monte Carlo check over seeds, and refuses what it cannot do', async () => {
    const io = memoryIo();
    const code = await main(['verify', '--filter', 'fisher/exponential/rate/monte-carlo', '--seeds', '1..2', '--plot', 'p.svg'], io);
    expect(io.out).toMatch(/fisher\/exponential\/rate\/monte-carlo: 2 of 2 runs \(seeds 1\.\.2\)/);
    expect(io.out).toMatch(/Kolmogorov–Smirnov/);
    expect(code).toBe(0);
    expect(io.files['p.svg']).toMatch(/^<svg/);
    for (const [argv, why] of [
      [['verify', '--filter', 'fisher/poisson/rate/positive-definite', '--seeds', '1..5'], /no statistical check/],
      [['verify', '--plot', 'p.svg'], /--plot: .*--seeds/],
      [['verify', '--filter', 'fisher/exponential/rate/monte-carlo', '--seeds', '9'], /--seeds: must be a range/],
    ] as const) {
      const bad = memoryIo();
      expect(await main([...argv], bad)).toBe(2);
      expect(bad.err).toMatch(why);
    }
  }, 120_000);
});
