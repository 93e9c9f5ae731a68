/**
 * The verify checks of K-FAC for weight sharing and of the batched layers'
 * derivatives, run as tests with the seed and case counts `natgrad verify
 * --thorough` uses: each holds, each sensitivity run is caught, every layer
 * type has both derivative checks, and the checks whose claim includes "the
 * other form is not exact" report the gaps they measured.
 */
import { describe, expect, it } from 'vitest';
import { LAYER_TYPES } from '../src/models/layers/index.js';
import { lawChecks } from './laws-index.js';
import { checks as derivativeChecks } from './sequential-derivatives.js';
import { checks as kfacChecks } from './sequential-kfac.js';

const ctx = { seed: 20261207, runs: 25, thorough: true };

describe('K-FAC for weight sharing and the batched layers: verify checks', () => {
  it('are registered with natgrad verify', () => {
    const ids = new Set(lawChecks().map((c) => c.id));
    for (const c of [...kfacChecks, ...derivativeChecks]) expect(ids.has(c.id), c.id).toBe(true);
  });

  it('cover every layer type with a finite-difference and an adjointness check', () => {
    for (const type of LAYER_TYPES) {
      expect(derivativeChecks.map((c) => c.id)).toEqual(
        expect.arrayContaining([`sequential/${type}/gradient-finite-differences`, `sequential/${type}/jvp-vjp-adjoint`]),
      );
    }
  });

  for (const check of [...kfacChecks, ...derivativeChecks]) {
    it(`${check.id} holds, and its sensitivity run (${check.sensitivity!.description}) is caught`, () => {
      const outcome = check.run(ctx);
      expect(outcome.ok, outcome.detail).toBe(true);
      expect(outcome.runs).toBeGreaterThan(0);
      const wrong = check.sensitivity!.run({ ...ctx, expectFailure: true });
      expect(wrong.ok, wrong.detail).toBe(false);
    });
  }

  it('the checks that a form or an assumption is not exact report the gaps measured', () => {
    for (const id of [
      'kfac/expand-reduce/deep-linear-expand-setting',
      'kfac/expand-reduce/deep-linear-reduce-setting',
      'kfac/kfc-assumptions/spatial-homogeneity',
    ]) {
      const detail = kfacChecks.find((c) => c.id === id)!.run(ctx).detail;
      const m = /gaps where not exact over (\d+) cases: min (\S+), median (\S+), max (\S+)/.exec(detail);
      expect(m, detail).not.toBeNull();
      expect(Number(m![2].replace(/,$/, ''))).toBeGreaterThanOrEqual(2 ** -36);
    }
  });
});
