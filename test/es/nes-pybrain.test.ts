import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { natgradSettings, PYBRAIN_SETTINGS, pybrainStartMean, readPeerRun, runRow, type SeedOutcome } from '../../src/experiments/nes-pybrain.js';
import { snes } from '../../src/es/snes.js';
import { rosenbrock, sphere } from '../../src/es/test-functions.js';
import { nesUtilities, rankUtilities } from '../../src/es/utilities.js';
import { xnes } from '../../src/es/xnes.js';

const peer = readPeerRun();

describe("PyBrain's settings, matched by natgrad's defaults (data/peer-runs/nes-pybrain.md)", () => {
  test('the peer file has 18 rows, as printed', () => {
    expect(peer).toHaveLength(18);
    const row = (alg: string, fn: string, d: number) => peer.find((r) => r.alg === alg && r.fn === fn && r.d === d);
    expect(row('xnes', 'sphere', 2)).toMatchObject({ population: 6, eta: 0.7834, solved: 20, median: 378, q1: 346, q3: 396 });
    expect(row('xnes', 'rosenbrock', 5)).toMatchObject({ solved: 19, median: 3464 });
    expect(peer.filter((r) => r.solved === 0).map((r) => r.medianBest)).toEqual([4.3e-4, 0.099, 1.85]);
  });

  test('every row: population 4 + floor(3 ln d) and the row learning rate are natgrad defaults', () => {
    for (const r of peer) {
      const own = natgradSettings(r.alg, r.d);
      expect(own.population, `${r.alg} ${r.fn} d=${r.d}`).toBe(r.population);
      expect(own.eta.toFixed(4), `${r.alg} ${r.fn} d=${r.d}`).toBe(r.eta.toFixed(4));
    }
  });

  test('sensitivity: a learning rate with √d for d√d (xNES), or without the 3 (SNES), does not match the rows', () => {
    const xnesRow = peer.find((r) => r.alg === 'xnes' && r.d === 5)!;
    const snesRow = peer.find((r) => r.alg === 'snes' && r.d === 5)!;
    expect(((0.6 * (3 + Math.log(5))) / Math.sqrt(5)).toFixed(4)).not.toBe(xnesRow.eta.toFixed(4));
    expect(((0.6 * (3 + Math.log(5))) / Math.sqrt(5)).toFixed(4)).not.toBe(snesRow.eta.toFixed(4));
  });

  test('start, step size, η_μ, target and budget', () => {
    expect(PYBRAIN_SETTINGS).toEqual({ runs: 20, sigma: 1, etaMu: 1, target: 1e-10, maxEvaluations: 50_000 });
    expect(Array.from(pybrainStartMean('sphere', 3))).toEqual([1, 1, 1]);
    expect(Array.from(pybrainStartMean('ellipsoid', 2))).toEqual([1, 1]);
    expect(Array.from(pybrainStartMean('rosenbrock', 3))).toEqual([0, 0, 0]);
  });

  test("utilities equal PyBrain's HansenRanking, normalised to sum 1, minus 1/λ", () => {
    // PyBrain maximises -f: rank r = 0 for the worst, λ - 1 for the best; u = max(0, ln(λ/2 + 1) - ln(λ - r))
    for (const lambda of [6, 8, 10]) {
      const fitness = Array.from({ length: lambda }, (_, i) => ((i * 7) % lambda) + 0.5);
      const ranksOfMinusF = fitness.map((f) => fitness.filter((g) => -g < -f).length);
      const raw = ranksOfMinusF.map((r) => Math.max(0, Math.log(lambda / 2 + 1) - Math.log(lambda - r)));
      const total = raw.reduce((a, b) => a + b, 0);
      const pybrain = raw.map((v) => v / total - 1 / lambda);
      const own = rankUtilities(fitness);
      pybrain.forEach((u, i) => expect(Math.abs(u - own[i])).toBeLessThan(1e-15));
    }
    expect(nesUtilities(6)[5]).toBeCloseTo(-1 / 6, 15);
  });
});

describe('stopping as in PyBrain', () => {
  test('a generation that would pass the budget is not started (budget 50, λ = 6: 48 evaluations)', () => {
    const r = snes(rosenbrock, 2, { seed: 1, maxEvaluations: 50, target: 1e-10 });
    expect(r.evaluations).toBe(48);
    expect(r.stop).toBe('budget');
    expect(r.evaluationsToTarget).toBeNull();
    expect(xnes(rosenbrock, 2, { seed: 1, maxEvaluations: 50 }).evaluations).toBe(48);
  });

  test('the target is checked per generation: counts are multiples of λ', () => {
    const r = xnes(sphere, 2, { seed: 3, mean: [1, 1], target: 1e-10, maxEvaluations: 50_000 });
    expect(r.stop).toBe('target');
    expect(r.evaluationsToTarget! % 6).toBe(0);
    expect(r.best).toBeLessThanOrEqual(1e-10);
  });

  test('a NaN fitness stops the search with the best finite value so far', () => {
    let calls = 0;
    const f = (x: ArrayLike<number>): number => (++calls > 20 ? NaN : sphere(x as Float64Array));
    for (const alg of [xnes, snes]) {
      calls = 0;
      const r = alg(f, 2, { seed: 1, mean: [1, 1] });
      expect(r.stop).toBe('NaN fitness');
      expect(r.evaluations).toBe(24);
      expect(Number.isFinite(r.best)).toBe(true);
    }
  });

  test('bad options are named', () => {
    expect(() => xnes(sphere, 2, { lambda: 1 })).toThrow(/lambda: must be an integer in 2\.\.1000000, got 1/);
    expect(() => snes(sphere, 2, { maxEvaluations: 5 })).toThrow(/maxEvaluations: must be an integer >= 6/);
    expect(() => xnes(sphere, 2, { mean: [1, 2, 3] })).toThrow('mean: must have 2 entries (d), got 3');
    expect(() => snes(sphere, 2, { sigma: 0 })).toThrow(NatgradError);
    expect(() => xnes(sphere, 0)).toThrow(/d: must be an integer >= 1/);
  });
});

describe('the committed comparison is reproduced (docs/experiments/rl-es-vi/nes-pybrain.json)', () => {
  const committed = JSON.parse(readFileSync(new URL('../../docs/experiments/rl-es-vi/nes-pybrain.json', import.meta.url), 'utf8')) as {
    rows: { peer: { alg: string; fn: string; d: number }; natgrad: { outcomes: SeedOutcome[] } }[];
  };
  const outcomesOf = (alg: string, fn: string, d: number): SeedOutcome[] =>
    committed.rows.find((r) => r.peer.alg === alg && r.peer.fn === fn && r.peer.d === d)!.natgrad.outcomes;

  test('xNES and SNES on the sphere, d = 2, seeds 1..5: the same evaluation counts', () => {
    for (const alg of ['xnes', 'snes'] as const) {
      const row = peer.find((r) => r.alg === alg && r.fn === 'sphere' && r.d === 2)!;
      const fresh = runRow(row, [1, 2, 3, 4, 5]);
      expect(fresh.map((o) => o.evaluations)).toEqual(
        outcomesOf(alg, 'sphere', 2)
          .slice(0, 5)
          .map((o) => o.evaluations),
      );
    }
  });
});
