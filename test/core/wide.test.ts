/**
 * Wide numbers (m 2^e): exact scaling, one correct rounding to float64 at the
 * end (into the subnormals as float64 arithmetic would round), e^x and log
 * beyond the float range, and sums that keep the small operand.
 */
import { describe, expect, test } from 'vitest';
import { binaryExponent, ldexp, Wide, WideMatrix, wideMatmul } from '../../src/core/wide.js';

describe('ldexp rounds once, like float64 arithmetic', () => {
  test('exact scaling in the normal range and to the ends of it', () => {
    expect(ldexp(0.75, 3)).toBe(6);
    expect(ldexp(0.5, 1024)).toBe(2 ** 1023);
    expect(ldexp(0.5, 1025)).toBe(Infinity);
    expect(ldexp(-0.5, 1025)).toBe(-Infinity);
    expect(ldexp(0.5, -1021)).toBe(2 ** -1022);
  });
  test('into the subnormals: the nearest subnormal, ties to even, and 0 below half the smallest', () => {
    expect(ldexp(0.5, -1073)).toBe(Number.MIN_VALUE);
    expect(ldexp(0.75, -1073)).toBe(2 * Number.MIN_VALUE); // 1.5 min -> ties to even 2 min
    expect(ldexp(0.5, -1074)).toBe(0); // exactly half the smallest subnormal: ties to even 0
    expect(ldexp(0.6, -1074)).toBe(Number.MIN_VALUE);
    expect(ldexp(0.9, -1075)).toBe(0);
    // the same as the float64 product for every representable case
    for (const x of [0.123456789, 0.987654321, 0.5000000000000001]) {
      for (const e of [-1030, -1050, -1070]) expect(ldexp(x, e)).toBe(x * 2 ** (e + 60) * 2 ** -60);
    }
  });
  test('binaryExponent of normal and subnormal numbers', () => {
    expect(binaryExponent(1)).toBe(1);
    expect(binaryExponent(0.5)).toBe(0);
    expect(binaryExponent(Number.MIN_VALUE)).toBe(-1073);
    expect(binaryExponent(3e-310)).toBe(Math.floor(Math.log2(3e-310)) + 1);
  });
});

describe('wide arithmetic beyond the float range', () => {
  test('1/sigma^3 times sigma at sigma = 1e150 is 1e-300, though 1/sigma^3 underflows float64', () => {
    const s = Wide.of(1e150);
    const r = s.square().mul(s).inv().mul(s).toNumber();
    expect(Math.abs(r - 1e-300) / 1e-300).toBeLessThan(4e-16);
    expect((1 / (1e150 * 1e150 * 1e150)) * 1e150).toBe(0);
  });
  test('e^x and log beyond the float range, to a few ulp', () => {
    // e^-800 e^800 = 1, e^-745.5 rounds to a subnormal like Math.exp
    expect(Math.abs(Wide.exp(-800).mul(Wide.exp(800)).toNumber() - 1)).toBeLessThan(4e-16);
    expect(Wide.exp(-745.1).toNumber()).toBe(Math.exp(-745.1));
    expect(Wide.exp(-700).toNumber()).toBe(Math.exp(-700));
    expect(Math.abs(Wide.exp(-800).log() + 800) / 800).toBeLessThan(2e-16);
    expect(Wide.exp(1e4).toString()).toBe('8.8e+4342');
    expect(Wide.of(1.0000000000000002).log()).toBe(Math.log(1.0000000000000002));
  });
  test("sums keep the smaller operand until it is below the larger one's rounding", () => {
    expect(
      Wide.of(1)
        .add(Wide.of(2 ** -52))
        .toNumber(),
    ).toBe(1 + 2 ** -52);
    expect(Wide.of(1).add(Wide.exp(-800)).toNumber()).toBe(1);
    expect(Wide.exp(-800).add(Wide.exp(-800)).div(Wide.exp(-800)).toNumber()).toBe(2);
    expect(Wide.of(3).sub(Wide.of(3)).isZero()).toBe(true);
  });
  test('sqrt of odd and even exponents', () => {
    expect(Wide.of(2).sqrt().toNumber()).toBe(Math.SQRT2);
    expect(Wide.of(4).sqrt().toNumber()).toBe(2);
    expect(Wide.exp(-1000).sqrt().div(Wide.exp(-500)).toNumber()).toBeCloseTo(1, 14);
  });
  test('overflow is reported with the size it would have', () => {
    const w = Wide.of(1e-200).square().inv();
    expect(w.toNumber()).toBe(Infinity);
    expect(w.overflows()).toBe(true);
    expect(w.toString()).toBe('1.0e+400');
  });
});

describe('wide matrices', () => {
  test('identity factors are skipped; products of entries of any size are exact to an ulp', () => {
    const A = WideMatrix.from([
      [Wide.exp(700), Wide.ZERO],
      [Wide.ZERO, Wide.exp(-700)],
    ]);
    expect(wideMatmul(WideMatrix.identityOf(2), A)).toBe(A);
    const B = wideMatmul(
      A,
      WideMatrix.from([
        [Wide.exp(-700), Wide.ONE],
        [Wide.ONE, Wide.exp(700)],
      ]),
    );
    expect(Array.from(B.toFloat64()).map((x) => Number(x.toPrecision(14)))).toEqual([
      1,
      Number(Math.exp(700).toPrecision(14)),
      Number(Math.exp(-700).toPrecision(14)),
      1,
    ]);
  });
  test('scaled(): the largest entry in [0.5, 1), the rest relative to it', () => {
    const { data, exponent } = WideMatrix.from([[Wide.exp(-800), Wide.exp(-801)]]).scaled();
    expect(data[0]).toBeGreaterThanOrEqual(0.5);
    expect(data[0]).toBeLessThan(1);
    expect(Math.abs(data[1] / data[0] - Math.exp(-1))).toBeLessThan(1e-15);
    expect(exponent).toBe(Wide.exp(-800).e);
  });
});
