import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { derivativeFD } from '../../src/numeric/finite-differences.js';
import { digamma, lgamma, log1pExp, logBeta, logChoose, logistic, trigamma } from '../../src/symbolic/special.js';

// Reference values computed with mpmath 1.3 at 40 significant digits, at the
// double nearest to each printed argument:
//   [x, float(loggamma(x)), float(digamma(x)), float(polygamma(1, x))]
// (negative x: log|gamma(x)|); log B(a, b) = log(beta(a, b)); log C(n, k) = log(binomial(n, k)).
const POSITIVE: readonly (readonly [number, number, number, number])[] = [
  [1e-10, 23.025850929882736, -10000000000.577215, 1e20],
  [0.001, 6.907178885383853, -1000.5755719318103, 1000001.6425331958],
  [0.1, 2.252712651734206, -10.423754940411076, 101.43329915079275],
  [0.5, 0.5723649429247001, -1.9635100260214235, 4.934802200544679],
  [0.9, 0.06637623973474295, -0.7549269499470513, 1.9225399594772035],
  [0.999999, 5.772164873855652e-7, -0.5772173098368019, 1.6449364709652798],
  [1.000001, -5.772148423874147e-7, -0.5772140199686682, 1.6449316627376673],
  [1.2, -0.08537409000331583, -0.2890398965921884, 1.2673772054237793],
  [1.4616, -0.12148629003589732, -3.110625123034165e-5, 0.9677007114650835],
  [1.4616321449683622, -0.12148629053584961, -9.241265521729427e-17, 0.9676722454476212],
  [1.5, -0.12078223763524522, 0.03648997397857652, 0.9348022005446793],
  [1.9, -0.03898427592308336, 0.35618416116405965, 0.6879720582426356],
  [1.999999, -4.227840125965854e-7, 0.4227836901641983, 0.6449344709622797],
  [2.000001, 4.2278465762452923e-7, 0.422784980032332, 0.644933662734667],
  [2.5, 0.2846828704729192, 0.7031566406452432, 0.49035775610023485],
  [3, Math.LN2, 0.9227843350984671, 0.39493406684822646],
  [7.7, 7.926541356269005, 1.9748820949131018, 0.13866710857111123],
  [9.99, 12.779315214350193, 2.250700372831201, 0.10527695014824179],
  [10, 12.801827480081469, 2.251752589066721, 0.10516633568168575],
  [10.5, 13.940625219403763, 2.3030010342976865, 0.09991695605912673],
  [30, 71.25703896716801, 3.384438132685525, 0.033895060357739946],
  [100, 359.1342053695754, 4.600161852738087, 0.010050166663333571],
  [1234.5, 7550.550901077895, 7.118016231827998, 0.0008103727271269667],
  [100000, 1051287.7089736569, 11.512920464961896, 1.0000050000166667e-5],
  [999999.5, 12815497.661392707, 13.815509557963816, 1.0000010000009167e-6],
  [1000000, 12815504.569147611, 13.815510057964191, 1.0000005000001667e-6],
];
const NEGATIVE: readonly (readonly [number, number, number, number])[] = [
  [-0.5, 1.2655121234846454, 0.03648997397857652, 8.934802200544679],
  [-1.5, 0.860047015376481, 0.7031566406452432, 9.379246644989124],
  [-2.3, 0.36956666345500805, 3.3173231575618227, 14.725912160961292],
  [-0.1, 2.3689613327287886, 9.245073050052948, 101.92253995947719],
  [-10.7, -15.416789096416636, 0.13374481244706443, 14.99018713906938],
];
const LOG_BETA: readonly (readonly [number, number, number])[] = [
  [0.5, 0.5, 1.1447298858494002],
  [0.3, 7, 0.5271566838059275],
  [12, 15, -18.568172732389435],
  [1000, 2000.5, -1912.0773676018384],
  [1e6, 3, -40.75338749333038],
  [1e5, 1e5, -138633.92706134808],
];
const LOG_CHOOSE: readonly (readonly [number, number, number])[] = [
  [10, 3, 4.787491742782046],
  [50, 25, 32.47055650581199],
  [4.5, 2, 2.063693184711697],
  [1000, 500, 689.4672615678512],
  [7.25, 0.5, 1.1285107609243843],
];

/** The accuracy contract of src/symbolic/special.ts: 1e-13 relative (measured: a few ulp). */
const RTOL = 1e-13;
const closeRel = (got: number, want: number, rtol = RTOL): boolean => Number.isFinite(got) && Math.abs(got - want) <= rtol * Math.abs(want);

/** Rounds x so that x + 1 is exact: the recurrences then compare values at exactly x and x + 1. */
const onePlusExact = (x: number): number => x + 1 - 1;
/** x log-uniform on [1e-3, 1e6]. */
const positiveX = fc.double({ min: -3, max: 6, noNaN: true }).map((u) => onePlusExact(10 ** u));

describe('lgamma, digamma, trigamma against mpmath', () => {
  test.each(POSITIVE)('x = %s', (x, lg, dg, tg) => {
    expect(closeRel(lgamma(x), lg), `lgamma(${x}) = ${lgamma(x)}, want ${lg}`).toBe(true);
    expect(closeRel(digamma(x), dg), `digamma(${x}) = ${digamma(x)}, want ${dg}`).toBe(true);
    expect(closeRel(trigamma(x), tg), `trigamma(${x}) = ${trigamma(x)}, want ${tg}`).toBe(true);
  });

  test.each(NEGATIVE)('reflection at x = %s', (x, lg, dg, tg) => {
    expect(closeRel(lgamma(x), lg)).toBe(true);
    expect(closeRel(digamma(x), dg)).toBe(true);
    expect(closeRel(trigamma(x), tg)).toBe(true);
  });

  test('the values named in the contract', () => {
    expect(closeRel(lgamma(0.5), 0.5723649429247001)).toBe(true);
    expect(closeRel(lgamma(10), 12.801827480081469)).toBe(true);
    expect(closeRel(digamma(1), -0.5772156649015329)).toBe(true);
    expect(closeRel(digamma(0.5), -1.9635100260214235)).toBe(true);
    expect(closeRel(trigamma(1), Math.PI ** 2 / 6)).toBe(true);
    expect(closeRel(trigamma(0.5), Math.PI ** 2 / 2)).toBe(true);
  });

  test('zeros of lgamma at 1 and 2 are exact and keep relative accuracy next to them', () => {
    expect(lgamma(1)).toBe(0);
    expect(lgamma(2)).toBe(0);
    // lgamma(1 + e) = -gamma e + zeta(2) e^2 / 2 + O(e^3)
    const x = 1 + 1e-9;
    const e = x - 1; // exact
    expect(closeRel(lgamma(x), -0.5772156649015329 * e + (Math.PI ** 2 / 12) * e * e, 1e-13)).toBe(true);
    const y = 2 - 1e-9;
    const d = y - 2; // exact; lgamma(2 + d) = (1 - gamma) d + (zeta(2) - 1) d^2 / 2 + O(d^3)
    expect(closeRel(lgamma(y), (1 - 0.5772156649015329) * d + ((Math.PI ** 2 / 6 - 1) / 2) * d * d, 1e-13)).toBe(true);
  });

  test('poles: lgamma and trigamma are +Infinity, digamma NaN; NaN propagates', () => {
    for (const x of [0, -1, -7]) {
      expect(lgamma(x)).toBe(Infinity);
      expect(trigamma(x)).toBe(Infinity);
      expect(digamma(x)).toBeNaN();
    }
    expect(lgamma(NaN)).toBeNaN();
    expect(digamma(NaN)).toBeNaN();
    expect(trigamma(NaN)).toBeNaN();
  });
});

describe('recurrences on random x (DLMF 5.5.1, 5.5.2)', () => {
  // Each side is accurate to RTOL relative, so the residual is bounded by RTOL times the sum of magnitudes.
  const lgammaRecurrence = (x: number): boolean =>
    Math.abs(lgamma(x + 1) - lgamma(x) - Math.log(x)) <= RTOL * (Math.abs(lgamma(x + 1)) + Math.abs(lgamma(x)) + Math.abs(Math.log(x)));
  const digammaRecurrence = (x: number): boolean =>
    Math.abs(digamma(x + 1) - digamma(x) - 1 / x) <= RTOL * (Math.abs(digamma(x + 1)) + Math.abs(digamma(x)) + 1 / x);
  const trigammaRecurrence = (x: number): boolean =>
    Math.abs(trigamma(x + 1) - trigamma(x) + 1 / (x * x)) <= RTOL * (trigamma(x + 1) + trigamma(x) + 1 / (x * x));

  test('lgamma(x + 1) = lgamma(x) + log x', () => {
    fc.assert(fc.property(positiveX, lgammaRecurrence), { seed: 101, numRuns: 500 });
  });
  test('digamma(x + 1) = digamma(x) + 1/x', () => {
    fc.assert(fc.property(positiveX, digammaRecurrence), { seed: 102, numRuns: 500 });
  });
  test('trigamma(x + 1) = trigamma(x) - 1/x^2', () => {
    fc.assert(fc.property(positiveX, trigammaRecurrence), { seed: 103, numRuns: 500 });
  });
  test('around the zeros of lgamma and digamma (x in [0.5, 3])', () => {
    const nearZeros = fc.double({ min: 0.5, max: 3, noNaN: true }).map(onePlusExact);
    fc.assert(
      fc.property(nearZeros, (x) => lgammaRecurrence(x) && digammaRecurrence(x) && trigammaRecurrence(x)),
      { seed: 104, numRuns: 500 },
    );
  });
  test('sensitivity: a wrong recurrence digamma(x + 1) = digamma(x) + 1/(x + 1) is caught', () => {
    const wrong = (x: number): boolean =>
      Math.abs(digamma(x + 1) - digamma(x) - 1 / (x + 1)) <= RTOL * (Math.abs(digamma(x + 1)) + Math.abs(digamma(x)) + 1 / x);
    expect(fc.check(fc.property(positiveX, wrong), { seed: 102, numRuns: 100 }).failed).toBe(true);
  });
});

describe('derivatives by finite differences', () => {
  // |fd - exact| <= fd.error (the Ridders estimate) + the function's own RTOL.
  const matchesDerivative =
    (f: (t: number) => number, df: (t: number) => number) =>
    (x: number): boolean => {
      const fd = derivativeFD(f, x, { maxStep: 0.5 * x });
      return Math.abs(fd.value - df(x)) <= fd.error + RTOL * Math.abs(df(x)) && fd.error <= 1e-6 * (1 + Math.abs(df(x)));
    };
  const moderateX = fc.double({ min: -1, max: 3, noNaN: true }).map((u) => 10 ** u);

  test('digamma = d/dx lgamma', () => {
    fc.assert(fc.property(moderateX, matchesDerivative(lgamma, digamma)), { seed: 201, numRuns: 100 });
  });
  test('trigamma = d/dx digamma', () => {
    fc.assert(fc.property(moderateX, matchesDerivative(digamma, trigamma)), { seed: 202, numRuns: 100 });
  });
  test('logistic = d/dx log1pExp', () => {
    fc.assert(
      fc.property(fc.double({ min: -30, max: 30, noNaN: true }), (x) => {
        const fd = derivativeFD(log1pExp, x);
        return Math.abs(fd.value - logistic(x)) <= fd.error + RTOL * logistic(x);
      }),
      { seed: 203, numRuns: 100 },
    );
  });
  test('sensitivity: trigamma is not the derivative of lgamma', () => {
    expect(fc.check(fc.property(moderateX, matchesDerivative(lgamma, trigamma)), { seed: 201, numRuns: 100 }).failed).toBe(true);
  });
});

describe('logBeta and logChoose', () => {
  test.each(LOG_BETA)('logBeta(%s, %s)', (a, b, want) => {
    expect(closeRel(logBeta(a, b), want), `${logBeta(a, b)} vs ${want}`).toBe(true);
    expect(logBeta(b, a)).toBe(logBeta(a, b));
  });
  test.each(LOG_CHOOSE)('logChoose(%s, %s)', (n, k, want) => {
    expect(closeRel(logChoose(n, k), want), `${logChoose(n, k)} vs ${want}`).toBe(true);
  });
  test('exact ends and invalid arguments', () => {
    expect(logChoose(7, 0)).toBe(0);
    expect(logChoose(7.5, 7.5)).toBe(0);
    expect(logChoose(3, 5)).toBeNaN();
    expect(logChoose(3, -1)).toBeNaN();
    expect(logBeta(-1, 2)).toBeNaN();
    expect(logBeta(0, 2)).toBe(Infinity);
  });
  test('Pascal: C(n, k) = C(n-1, k-1) + C(n-1, k) in logs, on random real n', () => {
    fc.assert(
      fc.property(fc.double({ min: 2, max: 200, noNaN: true }), fc.double({ min: 0.01, max: 0.99, noNaN: true }), (n, frac) => {
        const k = 1 + frac * (n - 2);
        const lhs = logChoose(n, k);
        const rhs = Math.max(logChoose(n - 1, k - 1), logChoose(n - 1, k));
        const sum = rhs + Math.log(Math.exp(logChoose(n - 1, k - 1) - rhs) + Math.exp(logChoose(n - 1, k) - rhs));
        return Math.abs(lhs - sum) <= 1e-12 * (1 + Math.abs(lhs));
      }),
      { seed: 301, numRuns: 300 },
    );
  });
});

describe('log1pExp and logistic', () => {
  test('agree with the naive formulas where those are accurate', () => {
    for (const x of [-30, -5, -0.5, 0, 0.5, 5, 17]) {
      expect(closeRel(log1pExp(x), Math.log1p(Math.exp(x)), 1e-15)).toBe(true);
      expect(closeRel(logistic(x), 1 / (1 + Math.exp(-x)), 1e-15)).toBe(true);
    }
  });
  test('do not overflow or lose the tails', () => {
    expect(log1pExp(1000)).toBe(1000);
    expect(log1pExp(-1000)).toBe(0);
    expect(closeRel(log1pExp(-50), Math.exp(-50), 1e-15)).toBe(true);
    expect(closeRel(log1pExp(25), 25 + Math.exp(-25), 1e-15)).toBe(true);
    expect(logistic(1000)).toBe(1);
    expect(closeRel(logistic(-700), Math.exp(-700), 1e-13)).toBe(true);
  });
  test('log1pExp(x) - log1pExp(-x) = x and logistic(x) + logistic(-x) = 1', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -700, max: 700, noNaN: true }),
        (x) =>
          Math.abs(log1pExp(x) - log1pExp(-x) - x) <= 4 * Number.EPSILON * (1 + Math.abs(x)) && Math.abs(logistic(x) + logistic(-x) - 1) <= 2 * Number.EPSILON,
      ),
      { seed: 401, numRuns: 300 },
    );
  });
});
