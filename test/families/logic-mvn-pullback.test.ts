/**
 * The natural-parameter step of the multivariate normal's matrix derivation
 * compares Cov[T] twice: with ∇²A by differences and with the pullback
 * J⁻ᵀ F_theta J⁻¹, where J = d eta / d theta is itself taken by differences.
 * Its own planted mistake (in Cov[T]) is caught by the first comparison, so
 * the second one's tolerance is tested here with a mistake only it can see:
 * the Jacobian's value moved off by a known amount, with the error bound the
 * differences report either covering that move or not.
 */
import { afterAll, beforeEach, describe, expect, test, vi } from 'vitest';

const plant = vi.hoisted(() => ({ relative: 0, reportedShare: 1 }));

vi.mock('../../src/numeric/index.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/numeric/index.js')>();
  return {
    ...actual,
    jacobianFD: (...args: Parameters<typeof actual.jacobianFD>) => {
      const r = actual.jacobianFD(...args);
      if (plant.relative === 0) return r;
      // every entry moved by ± relative · max|J| (alternating signs), and the reported error set to a share of that move
      const scale = Math.max(...Array.from(r.value.data, Math.abs));
      const move = plant.relative * scale;
      r.value.data.forEach((v, k) => {
        r.value.data[k] = v + (k % 2 === 0 ? move : -move);
      });
      r.error.data.fill(plant.reportedShare * move);
      return r;
    },
  };
});

// a fresh module graph, so that the derivation imports the stand-in above even when a setup file loaded it first
vi.resetModules();
const { mvnCases, mvnDerivationSteps } = await import('../../src/families/mvn-derivation.js');

const naturalStep = (d: number) => {
  const { steps } = mvnDerivationSteps({ cases: mvnCases(2, 5151, d, d) });
  const s = steps.find((x) => x.title === 'Natural parameters');
  if (!s?.check) throw new Error('no natural-parameter step');
  return s.check;
};

// the test files share a module graph (vitest.config.ts: isolate false): the stand-in passes through
// and leaves the graph, so that no later file derives with it
afterAll(() => {
  plant.relative = 0;
  plant.reportedShare = 1;
  vi.doUnmock('../../src/numeric/index.js');
  vi.resetModules();
});

beforeEach(() => {
  plant.relative = 0;
  plant.reportedShare = 1;
});

describe('the pullback comparison of the natural-parameter step', () => {
  for (const d of [2, 4]) {
    test(`d = ${d}: a Jacobian off by 1e-7 of its scale, with an error bound that covers it, passes`, () => {
      plant.relative = 1e-7;
      const check = naturalStep(d);
      expect(check.ok, check.detail).toBe(true);
    });
    test(`d = ${d}: the same Jacobian claimed exact (error 0) fails, on the pullback`, () => {
      plant.relative = 1e-7;
      plant.reportedShare = 0;
      const check = naturalStep(d);
      expect(check.ok, check.detail).toBe(false);
      const m = /against the pullback, worst ([0-9.e+-]+) \(tolerance ([0-9.e+-]+)\)/.exec(check.detail);
      expect(m, check.detail).not.toBeNull();
      expect(Number(m![1])).toBeGreaterThan(Number(m![2]));
    });
  }
});
