import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  ACTIVATIONS,
  activate,
  activationDerivative,
  activationDerivativeAt,
  activationSecondDerivative,
  activationSecondDerivativeAt,
  sigmoid,
  softplus,
} from '../../src/models/activations.js';
import { centralDerivative } from './fixtures.js';

const H = 1e-3;
// Away from relu's kink, where its derivatives are not the limit of differences.
const point = fc.double({ min: -6, max: 6, noNaN: true }).filter((s) => Math.abs(s) > 10 * H);

describe('activation derivatives', () => {
  // the layers take phi' and phi'' from the kept output phi(s): it must give the same bits as from s alone
  const anyPoint = fc.oneof(fc.double({ min: -40, max: 40, noNaN: true }), fc.double({ noNaN: true }), fc.constantFrom(0, -0, 1e-300, -1e-300));
  test.each(ACTIVATIONS)("%s: phi' and phi'' from phi(s) are bit for bit those from s", (act) => {
    fc.assert(
      fc.property(anyPoint, (s) => {
        const y = activate(act, s);
        return (
          Object.is(activationDerivativeAt(act, s, y), activationDerivative(act, s)) &&
          Object.is(activationSecondDerivativeAt(act, s, y), activationSecondDerivative(act, s))
        );
      }),
      { seed: 103, numRuns: 500 },
    );
  });

  test("the bit-for-bit check catches a rewritten formula (tanh' as (1 - y)(1 + y))", () => {
    const rewritten = (y: number) => (1 - y) * (1 + y);
    const differs = [0.1, 0.37, 0.6, 1.3, -2.2, 0.77, 1.9].some((s) => !Object.is(rewritten(Math.tanh(s)), activationDerivative('tanh', s)));
    expect(differs).toBe(true);
  });

  test.each(ACTIVATIONS)("%s: phi' matches central differences of phi", (act) => {
    fc.assert(
      fc.property(point, (s) => {
        const fd = centralDerivative((t) => activate(act, s + t), H);
        return Math.abs(activationDerivative(act, s) - fd.value) <= fd.bound;
      }),
      { seed: 101, numRuns: 200 },
    );
  });

  test.each(ACTIVATIONS)("%s: phi'' matches central differences of phi'", (act) => {
    fc.assert(
      fc.property(point, (s) => {
        const fd = centralDerivative((t) => activationDerivative(act, s + t), H);
        return Math.abs(activationSecondDerivative(act, s) - fd.value) <= fd.bound;
      }),
      { seed: 102, numRuns: 200 },
    );
  });

  test("the check catches a wrong derivative (tanh' written as 1 - tanh)", () => {
    const wrong = (s: number) => 1 - Math.tanh(s);
    const caught = [-2, -0.5, 0.3, 1.7].filter((s) => {
      const fd = centralDerivative((t) => Math.tanh(s + t), H);
      return Math.abs(wrong(s) - fd.value) > fd.bound;
    });
    expect(caught).toEqual([-2, -0.5, 0.3, 1.7]);
  });

  test("the check catches a wrong second derivative (sigmoid'' without the factor 1 - 2 sigma)", () => {
    const s = 1.3;
    const wrong = sigmoid(s) * (1 - sigmoid(s));
    const fd = centralDerivative((t) => activationDerivative('sigmoid', s + t), H);
    expect(Math.abs(wrong - fd.value)).toBeGreaterThan(fd.bound);
  });
});

describe('numerical range', () => {
  test('sigmoid and softplus stay finite and accurate at large |s|', () => {
    expect(sigmoid(800)).toBe(1);
    expect(sigmoid(-800)).toBeGreaterThanOrEqual(0);
    expect(sigmoid(-40)).toBeCloseTo(Math.exp(-40), 30);
    expect(softplus(800)).toBe(800);
    expect(softplus(-800)).toBe(0);
    expect(softplus(-40)).toBeCloseTo(Math.exp(-40), 30);
    expect(Number.isFinite(activationSecondDerivative('sigmoid', -800))).toBe(true);
  });

  test('relu uses the PyTorch convention at 0', () => {
    expect(activate('relu', 0)).toBe(0);
    expect(activationDerivative('relu', 0)).toBe(0);
    expect(activationDerivative('relu', 1e-300)).toBe(1);
  });
});
