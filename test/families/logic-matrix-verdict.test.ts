/**
 * The verdict of the multivariate normal's matrix derivation
 * (`matrixDerivationOf`, which `natgrad derive` and the docs report): verified
 * only when every step's check holds and, when the sensitivity runs are asked
 * for, every planted mistake is caught. No input makes a correct step fail,
 * so the failing outcomes are planted here in the derivation's result.
 */
import { afterAll, beforeEach, describe, expect, test, vi } from 'vitest';

const fault = vi.hoisted(() => ({ failStep: null as string | null, uncheckedStep: null as string | null, missedPlant: null as string | null }));

vi.mock('../../src/families/mvn-derivation.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/families/mvn-derivation.js')>();
  const derived = new Map<string, ReturnType<typeof actual.mvnDerivationSteps>>();
  return {
    ...actual,
    mvnDerivationSteps: (opts: Parameters<typeof actual.mvnDerivationSteps>[0]) => {
      // the real derivation once per set of options (seconds each), the faults planted on a copy
      const key = JSON.stringify(opts);
      if (!derived.has(key)) derived.set(key, actual.mvnDerivationSteps(opts));
      const { steps, sensitivity } = derived.get(key)!;
      return {
        steps: steps.map((s) =>
          s.title === fault.failStep && s.check ? { ...s, check: { ...s.check, ok: false } } : s.title === fault.uncheckedStep ? { ...s, check: null } : s,
        ),
        sensitivity: sensitivity.map((s) => (s.title === fault.missedPlant ? { ...s, caught: false } : s)),
      };
    },
  };
});

// a fresh module graph, so that the derivation cache is imported with the stand-in above even when a setup file loaded it first
vi.resetModules();
const { multivariateNormal } = await import('../../src/families/catalogue/multivariate-normal.js');
const { matrixDerivationOf } = await import('../../src/families/derivation-cache.js');

// the test files share a module graph (vitest.config.ts: isolate false): the stand-in passes through
// and leaves the graph, so that no later file derives with it
afterAll(() => {
  fault.failStep = null;
  fault.uncheckedStep = null;
  fault.missedPlant = null;
  vi.doUnmock('../../src/families/mvn-derivation.js');
  vi.resetModules();
});

beforeEach(() => {
  fault.failStep = null;
  fault.uncheckedStep = null;
  fault.missedPlant = null;
});

describe('the verdict of the matrix derivation', () => {
  test('every step holds and every planted mistake is caught: verified', () => {
    const m = matrixDerivationOf(multivariateNormal, { dim: 2, sensitivity: true })!;
    expect(m.steps.length).toBe(12);
    expect(m.sensitivity.length).toBe(12);
    expect(m.verified).toBe(true);
  });
  test('one step fails, the eleven others hold: not verified', () => {
    fault.failStep = 'Hessian';
    const m = matrixDerivationOf(multivariateNormal, { dim: 2 })!;
    expect(m.steps.filter((s) => s.check?.ok === false).map((s) => s.title)).toEqual(['Hessian']);
    expect(m.verified).toBe(false);
  });
  test('a step shown without a numeric check does not fail the derivation', () => {
    fault.uncheckedStep = 'The duplication matrix';
    const m = matrixDerivationOf(multivariateNormal, { dim: 2 })!;
    expect(m.steps.find((s) => s.title === 'The duplication matrix')?.check).toBeNull();
    expect(m.verified).toBe(true);
  });
  test('every step holds but one planted mistake is not caught: not verified (the checks lack the power they claim)', () => {
    fault.missedPlant = 'Score';
    const m = matrixDerivationOf(multivariateNormal, { dim: 2, sensitivity: true })!;
    expect(m.steps.every((s) => s.check?.ok)).toBe(true);
    expect(m.sensitivity.filter((s) => !s.caught).map((s) => s.title)).toEqual(['Score']);
    expect(m.verified).toBe(false);
  });
  test('without the sensitivity runs there is nothing planted to miss: verified on the steps alone', () => {
    fault.missedPlant = 'Score';
    const m = matrixDerivationOf(multivariateNormal, { dim: 2 })!;
    expect(m.sensitivity).toEqual([]);
    expect(m.verified).toBe(true);
  });
  test('families other than the multivariate normal have no matrix derivation', async () => {
    const { normal } = await import('../../src/families/catalogue/normal.js');
    expect(matrixDerivationOf(normal)).toBeNull();
  });
});
