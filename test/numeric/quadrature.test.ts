import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { NatgradError } from '../../src/core/errors.js';
import { integrate, type IntegralEstimate } from '../../src/numeric/quadrature.js';
import { digamma, lgamma, logBeta, trigamma } from '../../src/symbolic/special.js';

/**
 * Fisher information entries E[s_i s_j] = integral of pdf(x) s_i(x) s_j(x) for the
 * families natgrad checks, against their closed forms. The contract: 1e-10
 * relative (absolute where the entry is 0), with an error bound that bounds the
 * true error. The closed forms are accurate to a few ulp; the reported bound
 * includes the default integrand noise of 1e-13, so no extra slack is added.
 */
interface FisherCase {
  name: string;
  /** log-density and score, possibly reading the exact distances to the ends */
  integrand: (i: number, j: number) => (x: number, fromLeft: number, toRight: number) => number;
  a: number;
  b: number;
  fisher: number[][];
  breakpoints?: number[];
}

/** |value - want| <= reported error <= 1e-10 * scale; scale = |want|, or the natural size of a zero entry. */
function checkEntry(r: IntegralEstimate, want: number, scale = Math.abs(want)): void {
  const err = Math.abs(r.value - want);
  expect(err, `value ${r.value}, want ${want}, reported error ${r.error}`).toBeLessThanOrEqual(r.error);
  expect(r.error, `reported error ${r.error} for ${want}`).toBeLessThanOrEqual(1e-10 * scale);
}

function checkFisher(c: FisherCase): void {
  const d = c.fisher.length;
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      // An off-diagonal entry is measured against sqrt(F_ii F_jj), the size of the integrand.
      const scale = Math.max(Math.abs(c.fisher[i][j]), Math.sqrt(c.fisher[i][i] * c.fisher[j][j]));
      checkEntry(integrate(c.integrand(i, j), c.a, c.b, { breakpoints: c.breakpoints }), c.fisher[i][j], scale);
    }
  }
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

function normal(mu: number, sigma: number): FisherCase {
  const score = (x: number): number[] => {
    const z = (x - mu) / sigma;
    return [z / sigma, (z * z - 1) / sigma];
  };
  return {
    name: `normal(${mu}, ${sigma})`,
    integrand: (i, j) => (x) => {
      const z = (x - mu) / sigma;
      const s = score(x);
      return Math.exp(-0.5 * z * z - LOG_SQRT_2PI - Math.log(sigma)) * s[i] * s[j];
    },
    a: -Infinity,
    b: Infinity,
    fisher: [
      [1 / sigma ** 2, 0],
      [0, 2 / sigma ** 2],
    ],
    breakpoints: [mu],
  };
}

function gammaShapeRate(alpha: number, beta: number): FisherCase {
  const logNorm = alpha * Math.log(beta) - lgamma(alpha);
  const psi = digamma(alpha);
  return {
    name: `gamma(${alpha}, ${beta})`,
    integrand: (i, j) => (x) => {
      const lx = Math.log(x);
      const s = [Math.log(beta) - psi + lx, alpha / beta - x];
      return Math.exp(logNorm + (alpha - 1) * lx - beta * x) * s[i] * s[j];
    },
    a: 0,
    b: Infinity,
    fisher: [
      [trigamma(alpha), -1 / beta],
      [-1 / beta, alpha / beta ** 2],
    ],
  };
}

function betaFamily(a: number, b: number): FisherCase {
  const logNorm = -logBeta(a, b);
  const pa = digamma(a) - digamma(a + b);
  const pb = digamma(b) - digamma(a + b);
  const tab = trigamma(a + b);
  return {
    name: `beta(${a}, ${b})`,
    // log(1 - x) is read as log(toRight): exact near x = 1, where the density is singular for b < 1
    integrand: (i, j) => (_x, fromLeft, toRight) => {
      const l0 = Math.log(fromLeft);
      const l1 = Math.log(toRight);
      const s = [l0 - pa, l1 - pb];
      return Math.exp(logNorm + (a - 1) * l0 + (b - 1) * l1) * s[i] * s[j];
    },
    a: 0,
    b: 1,
    fisher: [
      [trigamma(a) - tab, -tab],
      [-tab, trigamma(b) - tab],
    ],
  };
}

function lognormal(mu: number, sigma: number): FisherCase {
  return {
    name: `lognormal(${mu}, ${sigma})`,
    integrand: (i, j) => (x) => {
      const lx = Math.log(x);
      const z = (lx - mu) / sigma;
      const s = [z / sigma, (z * z - 1) / sigma];
      return Math.exp(-0.5 * z * z - LOG_SQRT_2PI - Math.log(sigma) - lx) * s[i] * s[j];
    },
    a: 0,
    b: Infinity,
    fisher: [
      [1 / sigma ** 2, 0],
      [0, 2 / sigma ** 2],
    ],
  };
}

function inverseGaussian(mu: number, lambda: number): FisherCase {
  return {
    name: `inverse-gaussian(${mu}, ${lambda})`,
    integrand: (i, j) => (x) => {
      const dev = x - mu;
      const logPdf = 0.5 * Math.log(lambda / (2 * Math.PI * x ** 3)) - (lambda * dev * dev) / (2 * mu * mu * x);
      const s = [(lambda * dev) / mu ** 3, 1 / (2 * lambda) - (dev * dev) / (2 * mu * mu * x)];
      return Math.exp(logPdf) * s[i] * s[j];
    },
    a: 0,
    b: Infinity,
    fisher: [
      [lambda / mu ** 3, 0],
      [0, 1 / (2 * lambda * lambda)],
    ],
  };
}

function studentT(nu: number, mu: number, sigma: number): FisherCase {
  const logNorm = lgamma((nu + 1) / 2) - lgamma(nu / 2) - 0.5 * Math.log(nu * Math.PI) - Math.log(sigma);
  return {
    name: `student-t(${nu}, ${mu}, ${sigma})`,
    integrand: (i, j) => (x) => {
      const dev = x - mu;
      const q = nu * sigma * sigma + dev * dev;
      const s = [((nu + 1) * dev) / q, -1 / sigma + ((nu + 1) * dev * dev) / (sigma * q)];
      return Math.exp(logNorm - ((nu + 1) / 2) * Math.log1p((dev * dev) / (nu * sigma * sigma))) * s[i] * s[j];
    },
    a: -Infinity,
    b: Infinity,
    fisher: [
      [(nu + 1) / ((nu + 3) * sigma ** 2), 0],
      [0, (2 * nu) / ((nu + 3) * sigma ** 2)],
    ],
    breakpoints: [mu],
  };
}

function laplace(mu: number, b: number): FisherCase {
  return {
    name: `laplace(${mu}, ${b})`,
    integrand: (i, j) => (x) => {
      const dev = Math.abs(x - mu);
      const s = [Math.sign(x - mu) / b, -1 / b + dev / (b * b)];
      return (Math.exp(-dev / b) / (2 * b)) * s[i] * s[j];
    },
    a: -Infinity,
    b: Infinity,
    fisher: [
      [1 / b ** 2, 0],
      [0, 1 / b ** 2],
    ],
    breakpoints: [mu],
  };
}

describe('Fisher integrals of the continuous families to 1e-10 with honest bounds', () => {
  const cases: FisherCase[] = [
    normal(1.3, 0.7),
    normal(-40, 3),
    { ...normal(0.4, 1.2), breakpoints: undefined },
    gammaShapeRate(0.3, 2),
    gammaShapeRate(1, 1),
    gammaShapeRate(4.5, 0.2),
    gammaShapeRate(50, 7),
    betaFamily(0.3, 2),
    betaFamily(0.5, 0.4),
    betaFamily(0.2, 0.2),
    betaFamily(2, 3),
    betaFamily(30, 0.7),
    lognormal(2, 0.5),
    lognormal(-1, 1.5),
    inverseGaussian(1.5, 2),
    inverseGaussian(0.3, 5),
    inverseGaussian(4, 0.5),
    studentT(0.7, 0.5, 1.5),
    studentT(1, 0, 1),
    studentT(3, -2, 0.3),
    studentT(30, 1, 2),
    laplace(0.4, 0.8),
    laplace(-3, 2.5),
  ];
  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => checkFisher(c));

  test('random parameters: gamma and beta with shapes on both sides of 1', () => {
    const shape = fc.double({ min: Math.log(0.15), max: Math.log(40), noNaN: true }).map(Math.exp);
    fc.assert(
      fc.property(shape, fc.double({ min: 0.1, max: 10, noNaN: true }), (alpha, beta) => {
        checkFisher(gammaShapeRate(alpha, beta));
      }),
      { seed: 21, numRuns: 15 },
    );
    fc.assert(
      fc.property(shape, shape, (a, b) => {
        checkFisher(betaFamily(a, b));
      }),
      { seed: 22, numRuns: 15 },
    );
  });

  test('random parameters: Student-t (heavy tails) and inverse Gaussian', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.3, max: 50, noNaN: true }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: 0.2, max: 5, noNaN: true }),
        (nu, mu, sigma) => {
          checkFisher(studentT(nu, mu, sigma));
        },
      ),
      { seed: 23, numRuns: 15 },
    );
    fc.assert(
      fc.property(fc.double({ min: 0.2, max: 5, noNaN: true }), fc.double({ min: 0.2, max: 5, noNaN: true }), (mu, lambda) => {
        checkFisher(inverseGaussian(mu, lambda));
      }),
      { seed: 24, numRuns: 15 },
    );
  });

  test('sensitivity: a Fisher entry off by one part in 1e9 is rejected', () => {
    const c = gammaShapeRate(0.3, 2);
    const r = integrate(c.integrand(0, 0), c.a, c.b);
    expect(Math.abs(r.value - c.fisher[0][0] * (1 + 1e-9))).toBeGreaterThan(r.error);
  });
});

describe('what happens without the precautions (the bound stays honest)', () => {
  test('Laplace kink without a breakpoint: slower, less accurate, still bounded', () => {
    const c = laplace(0.4, 0.8);
    const r = integrate(c.integrand(1, 1), -Infinity, Infinity);
    expect(Math.abs(r.value - 1 / 0.8 ** 2)).toBeLessThanOrEqual(r.error);
    expect(r.error).toBeGreaterThan(1e-10);
  });

  test('beta with b < 1 integrated as a function of x alone: x cannot resolve 1 - x < 1e-15', () => {
    const [a, b] = [0.5, 0.4];
    const f = (x: number): number => {
      const s = Math.log1p(-x) - digamma(b) + digamma(a + b);
      return Math.exp((a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - logBeta(a, b)) * s * s;
    };
    const want = trigamma(b) - trigamma(a + b);
    const r = integrate(f, 0, 1);
    expect(Math.abs(r.value - want)).toBeLessThanOrEqual(r.error);
    expect(r.error).toBeGreaterThan(1e-8 * want);
  });
});

describe('integrate: basics', () => {
  test('polynomials, exponentials and classic singular integrals', () => {
    checkEntry(
      integrate((x) => x ** 3 - 2 * x, -1, 2),
      0.75,
    );
    checkEntry(
      integrate((x) => Math.exp(-x), 0, Infinity),
      1,
    );
    checkEntry(
      integrate((x) => 1 / Math.sqrt(x), 0, 1),
      2,
    );
    checkEntry(
      integrate((x) => Math.log(x), 0, 1),
      -1,
    );
    checkEntry(
      integrate((x) => 1 / (1 + x * x), -Infinity, Infinity),
      Math.PI,
    );
    checkEntry(
      integrate((x) => Math.exp(x), -Infinity, 0),
      1,
    );
    checkEntry(
      integrate((x) => Math.abs(x - 0.3), -1, 1, { breakpoints: [0.3, 5, -7] }),
      (1.3 ** 2 + 0.7 ** 2) / 2,
    );
  });
  test('orientation and empty intervals', () => {
    const r = integrate((x) => x * x, 2, 0);
    checkEntry({ ...r, value: -r.value }, 8 / 3);
    expect(integrate((x) => x, 1, 1)).toEqual({ value: 0, error: 0, evaluations: 0 });
  });
  test('the distances passed to the integrand are exact', () => {
    let worst = 0;
    integrate(
      (x, fromLeft, toRight) => {
        worst = Math.max(worst, Math.abs(fromLeft + toRight - 3) / 3);
        expect(fromLeft).toBeGreaterThanOrEqual(0);
        expect(toRight).toBeGreaterThanOrEqual(0);
        void x;
        return 1;
      },
      1,
      4,
    );
    expect(worst).toBeLessThanOrEqual(Number.EPSILON);
  });
  test('a budget too small to converge gives a large error, not a wrong claim', () => {
    const c = normal(0, 0.01);
    const r = integrate(c.integrand(1, 1), -Infinity, Infinity, { maxEvaluations: 200, breakpoints: undefined });
    expect(r.evaluations).toBeLessThanOrEqual(200);
    expect(Math.abs(r.value - 2 / 0.01 ** 2) <= r.error || !Number.isFinite(r.value)).toBe(true);
  });
  test('bad input', () => {
    expect(() => integrate((x) => x, NaN, 1)).toThrow(NatgradError);
    expect(() => integrate((x) => x, 0, 1, { rtol: -1 })).toThrow(NatgradError);
    expect(() => integrate((x) => x, 0, 1, { breakpoints: [NaN] })).toThrow(NatgradError);
    expect(() => integrate(() => NaN, 0, 1)).toThrow(NatgradError);
  });
});
