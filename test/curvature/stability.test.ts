import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { MIN_POSITIVE, emaMatrix, scaledEigen, stabilize, stabilizedEigenvalues, type StabilityOptions } from '../../src/curvature/stability.js';
import { eigSymmetric } from '../../src/linalg/eigen-symmetric.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { asymmetry, matmul, matmulNT, maxAbsDiff } from '../../src/linalg/ops.js';

/** B Bᵀ · 10^e with B n x r: rank r <= n, condition of the nonzero part up to ~10^6, entries from 1e-150 to 1e150. */
const psdArbOf = (minN: number, maxN: number) =>
  fc
    .record({
      n: fc.integer({ min: minN, max: maxN }),
      r: fc.integer({ min: 0, max: 6 }),
      e: fc.integer({ min: -150, max: 150 }),
      seedEntries: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 36, maxLength: 36 }),
      spread: fc.integer({ min: 0, max: 3 }),
    })
    .map(({ n, r, e, seedEntries, spread }) => {
      const k = Math.min(r, n);
      const B = new Matrix(n, k);
      for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) B.data[i * k + j] = seedEntries[i * 6 + j] * 10 ** (-spread * j);
      const C = matmulNT(B, B);
      return new Matrix(
        n,
        n,
        C.data.map((v) => v * 10 ** e),
      );
    });
const psdArb = psdArbOf(1, 6);

const optionsArb: fc.Arbitrary<StabilityOptions> = fc.record({
  damping: fc.constantFrom(0, 1e-300, 1e-15, 1e-8, 1),
  clip: fc.option(fc.record({ mode: fc.constantFrom('floor' as const, 'drop' as const), threshold: fc.constantFrom(0, 1e-10, 1e-3) }), { nil: undefined }),
});

function isSpdAndFinite(M: Matrix): boolean {
  if (!M.data.every(Number.isFinite)) return false;
  if (asymmetry(M, 1e-10)) return false;
  return scaledEigen(M).values.every((v) => v > 0);
}

describe('stabilized preconditioners are symmetric positive definite and finite', () => {
  test('rank-deficient and ill-conditioned PSD inputs, damping down to 1e-300, every clip mode (preconditioner and its inverse)', () => {
    fc.assert(
      fc.property(psdArb, optionsArb, (C, o) => {
        const s = stabilize(C, o);
        const mu = s.values;
        return mu.every((m) => m > 0 && Number.isFinite(1 / m)) && isSpdAndFinite(s.inverse.dense()) && s.inverse.dense().data.every(Number.isFinite);
      }),
      { seed: 901, numRuns: 300 },
    );
  });

  test('the condition number of the stabilized curvature is at most 1/rcond', () => {
    fc.assert(
      fc.property(psdArb, optionsArb, (C, o) => {
        const mu = stabilize(C, { ...o, rcond: 1e-8 }).values;
        return Math.max(...mu) / Math.min(...mu) <= 1e8 * (1 + 1e-12);
      }),
      { seed: 902, numRuns: 200 },
    );
  });

  test('sensitivity: the unguarded inverse 1/(λ + damping) at damping 1e-300 on a rank-deficient matrix is not positive definite or not finite', () => {
    // x xᵀ with x = (1, 1/3, 1/7): two eigenvalues are round-off, of either sign.
    const x = [1, 1 / 3, 1 / 7];
    const C = Matrix.from(x.map((a) => x.map((b) => a * b)));
    const { values } = eigSymmetric(C);
    const naive = Array.from(values, (v) => 1 / (v + 1e-300));
    expect(naive.some((w) => !(w > 0) || !Number.isFinite(w) || w > 1e200)).toBe(true);
    const guarded = stabilizedEigenvalues(values, { damping: 1e-300 });
    expect(Math.max(...guarded) / Math.min(...guarded)).toBeLessThanOrEqual(1e12 * (1 + 1e-12));
  });

  test('undamped, unclipped, well-conditioned: the stabilized inverse is the inverse', () => {
    const C = Matrix.from([
      [4, 1],
      [1, 3],
    ]);
    const inv = stabilize(C).inverse.dense();
    expect(maxAbsDiff(matmul(inv, C), Matrix.identity(2))).toBeLessThan(1e-14);
  });

  test('floor raises eigenvalues to the threshold; drop sends them to the damping', () => {
    const v = Float64Array.of(-1e-17, 1e-6, 2);
    expect(Array.from(stabilizedEigenvalues(v, { clip: { mode: 'floor', threshold: 1e-3 }, damping: 0.5 }))).toEqual([0.501, 0.501, 2.5]);
    expect(Array.from(stabilizedEigenvalues(v, { clip: { mode: 'drop', threshold: 1e-3 }, damping: 0.5 }))).toEqual([0.5, 0.5, 2.5]);
  });

  test('bad options name their path', () => {
    expect(() => stabilizedEigenvalues([1], { damping: -1 })).toThrow(NatgradError);
    expect(() => stabilizedEigenvalues([1], { damping: Number.NaN })).toThrow(/damping/);
    expect(() => stabilizedEigenvalues([1], { clip: { mode: 'cut' as 'floor', threshold: 1 } })).toThrow(/clip.mode/);
    expect(() => stabilizedEigenvalues([1], { rcond: 1 })).toThrow(/rcond: must be a number in \[0, 1\)/);
    expect(() => stabilizedEigenvalues([1], { rcond: -1e-3 })).toThrow(/rcond/);
    // rcond 0 bounds nothing but the smallest positive float: still positive, as for the pseudo-inverse solve
    expect(Array.from(stabilizedEigenvalues([0, 2], { rcond: 0 }))).toEqual([MIN_POSITIVE, 2]);
  });
});

describe('running averages of curvature', () => {
  test('an EMA of PSD matrices stays PSD, and its stabilized inverse SPD and finite', () => {
    fc.assert(
      fc.property(fc.array(psdArbOf(3, 3), { minLength: 1, maxLength: 5 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (mats, decay) => {
        let avg: Matrix | null = null;
        for (const M of mats) avg = emaMatrix(avg, M, decay);
        const A = avg as Matrix;
        const { values } = scaledEigen(A);
        const top = Math.max(...values.map(Math.abs));
        return values.every((v) => v >= -1e-12 * top) && isSpdAndFinite(stabilize(A, { damping: 1e-300 }).inverse.dense());
      }),
      { seed: 903, numRuns: 100 },
    );
  });

  test('decay ε: ε prev + (1 - ε) next; the first value is taken as is; decay outside [0, 1) throws', () => {
    const a = Matrix.from([
      [1, 0],
      [0, 1],
    ]);
    const b = Matrix.from([
      [3, 1],
      [1, 3],
    ]);
    expect(emaMatrix(null, b, 0.9).toArray()).toEqual(b.toArray());
    expect(
      maxAbsDiff(
        emaMatrix(a, b, 0.75),
        Matrix.from([
          [1.5, 0.25],
          [0.25, 1.5],
        ]),
      ),
    ).toBe(0);
    expect(() => emaMatrix(a, b, 1)).toThrow(/decay/);
  });
});
