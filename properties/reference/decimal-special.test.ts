/**
 * The high-precision special functions of the reference against constants
 * known to 100 digits, exact Bernoulli numbers, and their recurrences at
 * 120 digits; and the float64 special functions (including the analytic
 * trigamma difference) against them.
 */
import { Decimal } from 'decimal.js';
import { describe, expect, test } from 'vitest';
import { digamma, lgamma, trigamma, trigammaDifference } from '../../src/symbolic/special.js';
import { bernoulliEven, digammaDecimal, lgammaDecimal, trigammaDecimal } from './decimal-special.js';

const EULER_GAMMA = '0.5772156649015328606065120900824024310421593359399235988057672348848677267776646709369470632917467495';

function relErr(_D: typeof Decimal, a: Decimal, b: Decimal): number {
  return b.isZero() ? a.abs().toNumber() : a.minus(b).div(b).abs().toNumber();
}

describe.each([50, 120])('at %i digits', (digits) => {
  const D = Decimal.clone({ precision: digits });
  const tol = 10 ** -(digits - 3);
  const pi = D.acos(-1);
  const gamma = new D(EULER_GAMMA);
  const tolGamma = Math.max(tol, 1e-98); // the constant is given to 100 digits
  const x = (v: number | string): Decimal => new D(v);

  test('digamma(1) = -gamma, digamma(1/2) = -gamma - 2 log 2', () => {
    expect(relErr(D, digammaDecimal(D, x(1)), gamma.neg())).toBeLessThan(tolGamma);
    expect(relErr(D, digammaDecimal(D, x(0.5)), gamma.neg().minus(x(2).ln().times(2)))).toBeLessThan(tolGamma);
  });
  test('trigamma(1) = pi^2/6, trigamma(1/2) = pi^2/2, trigamma(3) = pi^2/6 - 5/4', () => {
    expect(relErr(D, trigammaDecimal(D, x(1)), pi.pow(2).div(6))).toBeLessThan(tol);
    expect(relErr(D, trigammaDecimal(D, x(0.5)), pi.pow(2).div(2))).toBeLessThan(tol);
    expect(relErr(D, trigammaDecimal(D, x(3)), pi.pow(2).div(6).minus(1.25))).toBeLessThan(tol);
  });
  test('lgamma(1/2) = log(pi)/2, lgamma(1) = lgamma(2) = 0, lgamma(101) = log(100!)', () => {
    expect(relErr(D, lgammaDecimal(D, x(0.5)), pi.ln().div(2))).toBeLessThan(tol);
    expect(lgammaDecimal(D, x(1)).abs().toNumber()).toBeLessThan(tol);
    expect(lgammaDecimal(D, x(2)).abs().toNumber()).toBeLessThan(tol);
    let f = 1n;
    for (let i = 2n; i <= 100n; i++) f *= i;
    expect(relErr(D, lgammaDecimal(D, x(101)), new D(f.toString()).ln())).toBeLessThan(tol);
  });
  test('recurrences at tiny, moderate and huge arguments', () => {
    // the two sides of each recurrence cancel by a factor of about a (a log a for lgamma): digits lost to that are allowed
    for (const v of ['1e-200', '0.3', '17.25', '1e6', '1e40']) {
      const a = x(v);
      const inv = x(1).div(a);
      const lost = Math.max(1, Number(v) * Math.max(1, Math.log(Number(v))));
      expect(relErr(D, trigammaDecimal(D, a).minus(trigammaDecimal(D, a.plus(1))), inv.pow(2)), v).toBeLessThan(tol * 10 * lost);
      expect(relErr(D, digammaDecimal(D, a.plus(1)).minus(digammaDecimal(D, a)), inv), v).toBeLessThan(tol * 10 * lost);
      expect(relErr(D, lgammaDecimal(D, a.plus(1)).minus(lgammaDecimal(D, a)), a.ln()), v).toBeLessThan(tol * 10 * lost);
    }
  });
});

test('Bernoulli numbers: B_2 = 1/6, B_20 = -174611/330, B_30 = 8615841276005/14322', () => {
  const reduce = ([n, d]: [bigint, bigint]): string => {
    const g = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : g(b, a % b));
    const k = g(n, d);
    return `${n / k}/${d / k}`;
  };
  expect(reduce(bernoulliEven(1))).toBe('1/6');
  expect(reduce(bernoulliEven(2))).toBe('-1/30');
  expect(reduce(bernoulliEven(10))).toBe('-174611/330');
  expect(reduce(bernoulliEven(15))).toBe('8615841276005/14322');
});

test('float64 lgamma, digamma, trigamma and trigammaDifference are within a few ulp of the 40-digit values', () => {
  const D = Decimal.clone({ precision: 40 });
  const ulp = 2 ** -52;
  const points = [1e-150, 1e-8, 0.1, 0.5, 1.4616321449683622, 2.5, 7, 10.5, 123.25, 1e5, 1e12, 1e150];
  let worst = 0;
  for (const v of points) {
    const a = new D(v);
    worst = Math.max(worst, relErr(D, new D(trigamma(v)), trigammaDecimal(D, a)));
    if (Math.abs(v - 1.4616321449683622) > 1e-3) worst = Math.max(worst, relErr(D, new D(digamma(v)), digammaDecimal(D, a)));
    if (Math.abs(v - 1) > 0.1 && Math.abs(v - 2) > 0.1) worst = Math.max(worst, relErr(D, new D(lgamma(v)), lgammaDecimal(D, a)));
  }
  expect(worst / ulp).toBeLessThan(16);
  // the difference cancels by up to 1e100 here, computed plainly; analytically it stays within a few ulp
  let worstDiff = 0;
  for (const [a, b] of [
    [1e10, 1],
    [1e100, 1],
    [3.5, 1e-12],
    [0.01, 1e-9],
    [50, 49],
    [1e-5, 2e-5],
    [12, 1e-300],
  ]) {
    const exact = trigammaDecimal(D, new D(a)).minus(trigammaDecimal(D, new D(a).plus(new D(b))));
    worstDiff = Math.max(worstDiff, relErr(D, new D(trigammaDifference(a, b)), exact));
  }
  expect(worstDiff / ulp).toBeLessThan(16);
  // and the plain difference is what fails there
  expect(relErr(D, new D(trigamma(1e10) - trigamma(1e10 + 1)), trigammaDecimal(D, new D(1e10)).minus(trigammaDecimal(D, new D(1e10 + 1))))).toBeGreaterThan(
    1e-8,
  );
});
