/**
 * The beta density with b < 1 has a pole at x = 1, where x cannot carry its
 * distance to 1: the log-density read from the exact distances to both ends,
 * the quadrature Fisher that uses it (error bound and value), and the sampler,
 * whose draws stay inside the open support.
 */
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { familyFisherMatrix } from '../../src/families/json-points.js';
import { beta } from '../../src/families/catalogue/beta.js';
import { deterministicFisher } from '../../src/families/estimators.js';

const inst = beta.instance();
const p = inst.parameterizations[0];
const SHAPES = [0.3, 1, 3.3];
const BELOW_ONE_SHAPES = [0.3, 0.5, 0.9];

describe('beta with b < 1', () => {
  test('the log-density from the distances to the ends equals the one from x, where 1 - x is exact', () => {
    for (const x of [0.5, 0.75, 0.9, 0.999]) {
      const base = Float64Array.of(0.7, 0.4);
      expect(inst.logpdfUnit!(x, 1 - x, base, {})).toBeCloseTo(inst.logpdf(x, base, {}), 12);
    }
  });

  test('it keeps its accuracy where x rounds to 1: at 1 - x = 1e-300 the pole term is (b - 1) log(1e-300)', () => {
    const base = Float64Array.of(2, 0.5);
    const at = inst.logpdfUnit!(1, 1e-300, base, {});
    const far = inst.logpdfUnit!(1, 1e-3, base, {});
    expect(at - far).toBeCloseTo(-0.5 * (Math.log(1e-300) - Math.log(1e-3)), 10);
    expect(inst.logpdf(1, base, {})).toBe(Infinity);
  });

  test.each(BELOW_ONE_SHAPES.flatMap((b) => SHAPES.map((a) => [a, b] as const)))(
    'a = %s, b = %s: the quadrature error bound decides the Fisher to 1e-9, it equals the closed form, and an entry off by 1% is outside',
    (a, b) => {
      const theta = Float64Array.of(a, b);
      const F = familyFisherMatrix(inst, p, theta, {});
      const det = deterministicFisher({ inst, p, theta, fixed: {} })!.fisher;
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 2; j++) {
          const scale = Math.sqrt(F.get(i, i) * F.get(j, j));
          const bound = det.error.get(i, j);
          expect(bound, `bound [${i}][${j}]`).toBeLessThan(1e-9 * scale);
          expect(Math.abs(F.get(i, j) - det.value.get(i, j)), `entry [${i}][${j}]`).toBeLessThan(1e-8 * scale + bound);
          expect(Math.abs(1.01 * F.get(i, j) - det.value.get(i, j)), `entry [${i}][${j}] x 1.01`).toBeGreaterThan(1e-8 * scale + bound);
        }
    },
  );

  test('draws that round to 1 (probability about 2^(-54 b) / (b B(a, b)) each) are kept inside the support, where the log-density is finite', () => {
    const base = Float64Array.of(3.3, 0.3);
    const draws = 200_000;
    const raw = new Rng(5);
    const family = new Rng(5);
    let rawOnes = 0;
    const outside: number[] = [];
    for (let k = 0; k < draws; k++) {
      if (raw.beta(3.3, 0.3) === 1) rawOnes++;
      const x = inst.sample(family, base, {}) as number;
      if (!(x < 1 && Number.isFinite(inst.logpdf(x, base, {})))) outside.push(x);
    }
    // the stream does reach x = 1, so the case is exercised
    expect(rawOnes).toBeGreaterThan(0);
    expect(outside).toEqual([]);
  });
});
