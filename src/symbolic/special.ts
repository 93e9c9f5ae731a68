/**
 * Numeric special functions: log-gamma, digamma, trigamma, log-beta,
 * log-binomial, softplus and logistic, in float64.
 *
 * Measured accuracy (against mpmath at 40 digits, see
 * test/symbolic/special.test.ts): lgamma, digamma and trigamma agree to a few
 * ulp in relative error on (0, 1e6]; the zeros of lgamma at 1 and 2 and the
 * positive zero of digamma at 1.4616... are handled by series about those
 * points, so the relative error stays small next to them as well.
 *
 * Poles follow the limits where they exist: lgamma and trigamma are +Infinity
 * at 0, -1, -2, ...; digamma has no one-sided limit there and returns NaN.
 *
 * References: Abramowitz & Stegun 6.1.33, 6.1.40, 6.3.18, 6.4.12;
 * DLMF 5.7.3 (Taylor series of ln Gamma), 5.11.1-2 (Stirling series).
 */

const LOG_SQRT_2PI = 0.9189385332046728; // log(2 pi) / 2
const EULER_GAMMA = 0.5772156649015329;

/** zeta(k) - 1 for k = 2, 3, ..., 33 (computed with mpmath at 40 digits). */
const ZETA_MINUS_ONE = [
  0.6449340668482264, 0.2020569031595943, 0.08232323371113819, 0.03692775514336993, 0.01734306198444914, 0.008349277381922827, 0.00407735619794434,
  0.0020083928260822143, 0.0009945751278180853, 0.0004941886041194645, 0.0002460865533080483, 0.00012271334757848915, 6.124813505870483e-5,
  3.058823630702049e-5, 1.528225940865187e-5, 7.637197637899763e-6, 3.81729326499984e-6, 1.908212716553939e-6, 9.539620338727962e-7, 4.769329867878064e-7,
  2.38450502727733e-7, 1.1921992596531106e-7, 5.960818905125948e-8, 2.980350351465228e-8, 1.4901554828365043e-8, 7.45071178983543e-9, 3.725334024788457e-9,
  1.862659723513049e-9, 9.313274324196682e-10, 4.656629065033784e-10, 2.3283118336765053e-10, 1.164155017270052e-10,
];

/** B_2, B_4, ..., B_18: Bernoulli numbers for the asymptotic series. */
const BERNOULLI_EVEN = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510, 43867 / 798];

/** Positive zero of digamma, x0 = X0_HI + X0_LO (double-double). */
const DIGAMMA_ROOT_HI = 1.4616321449683622;
const DIGAMMA_ROOT_LO = 9.549995429965697e-17;
/** psi^(k)(x0) / k! for k = 1..23: Taylor coefficients of digamma about its zero (mpmath). */
const DIGAMMA_ROOT_TAYLOR = [
  0.9676722454476212, -0.4427631689835921, 0.258499760955651, -0.16394270544240652, 0.10782405069126237, -0.07219956125645471, 0.04880428816414311,
  -0.03316112647484736, 0.022597648232218104, -0.01542476590494896, 0.010538791616612175, -0.007204534386356869, 0.004926781395729853, -0.003369801655439328,
  0.002305126326734928, -0.0015769367714301972, 0.0010788252019162967, -0.0007380709389960052, 0.000504953265834602, -0.0003454680251063077,
  0.00023635601564027053, -0.00016170622091974803, 0.0001106337276874741,
];

/** Below this the recurrences shift x up before the asymptotic series is used. */
const ASYMPTOTIC_THRESHOLD = 10;

/** sin(pi x) with exact argument reduction (x mod 2 is exact in binary). */
function sinPi(x: number): number {
  const r = x - 2 * Math.round(x / 2); // in [-1, 1]
  if (r === 0 || r === 1 || r === -1) return 0;
  if (Math.abs(r) <= 0.25) return Math.sin(Math.PI * r);
  if (r > 0.75) return Math.sin(Math.PI * (1 - r));
  if (r < -0.75) return -Math.sin(Math.PI * (1 + r));
  return r > 0 ? Math.cos(Math.PI * (r - 0.5)) : -Math.cos(Math.PI * (r + 0.5));
}

/** cos(pi x) = sin(pi (x + 1/2)); x + 1/2 is exact for |x| < 2^51. */
const cosPi = (x: number): number => sinPi(x + 0.5);

/**
 * ln Gamma(2 + z) for |z| <= 1/2 by the Taylor series (DLMF 5.7.3 shifted by one):
 * ln Gamma(2+z) = (1 - gamma) z + sum_{k>=2} (-1)^k (zeta(k) - 1) z^k / k.
 * Vanishes exactly at z = 0, so the zero of lgamma at 2 keeps relative accuracy.
 */
function lgammaAroundTwo(z: number): number {
  let s = 0;
  for (let k = ZETA_MINUS_ONE.length + 1; k >= 2; k--) {
    const c = (((k & 1) === 0 ? 1 : -1) * ZETA_MINUS_ONE[k - 2]) / k;
    s = s * z + c;
  }
  return z * (1 - EULER_GAMMA + z * s);
}

/** Stirling series for ln Gamma(x), x >= 10: error below the first omitted term, 3e-17 at x = 10. */
function lgammaStirling(x: number): number {
  const r = 1 / x;
  const r2 = r * r;
  let s = 0;
  for (let k = 8; k >= 1; k--) s = s * r2 + BERNOULLI_EVEN[k - 1] / (2 * k * (2 * k - 1));
  return (x - 0.5) * Math.log(x) - x + LOG_SQRT_2PI + s * r;
}

/**
 * log |Gamma(x)|. Positive x: Taylor series about 1 and 2 on [0, 2.5], the
 * recurrence Gamma(x+1) = x Gamma(x) down to [1.5, 2.5] below 10, Stirling with
 * Bernoulli terms above. Negative x: reflection Gamma(x) Gamma(1-x) = pi / sin(pi x).
 */
export function lgamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return Infinity;
  if (x <= 0) {
    if (Number.isInteger(x)) return Infinity;
    // log pi - log|sin(pi x)| - lgamma(1 - x)
    return Math.log(Math.PI / Math.abs(sinPi(x))) - lgamma(1 - x);
  }
  if (x < 0.5) return lgammaAroundTwo(x) - Math.log(x) - Math.log1p(x);
  if (x < 1.5) return lgammaAroundTwo(x - 1) - Math.log1p(x - 1);
  if (x <= 2.5) return lgammaAroundTwo(x - 2);
  if (x < ASYMPTOTIC_THRESHOLD) {
    let y = x;
    let product = 1;
    while (y > 2.5) {
      y -= 1; // exact: y keeps the binary exponent range of x
      product *= y;
    }
    return lgammaAroundTwo(y - 2) + Math.log(product);
  }
  return lgammaStirling(x);
}

/** Asymptotic series psi(x) ~ log x - 1/(2x) - sum B_2k / (2k x^2k), x >= 10. */
function digammaAsymptotic(x: number): number {
  const r2 = 1 / (x * x);
  let s = 0;
  for (let k = 8; k >= 1; k--) s = s * r2 + BERNOULLI_EVEN[k - 1] / (2 * k);
  return Math.log(x) - 0.5 / x - s * r2;
}

/**
 * Digamma psi(x) = d/dx ln Gamma(x). Recurrence psi(x) = psi(x+1) - 1/x up to
 * x >= 10, then the asymptotic series; a Taylor series about the positive zero
 * x0 = 1.46163... on |x - x0| <= 1/4; reflection psi(1-x) - psi(x) = pi cot(pi x)
 * for x < 0.
 */
export function digamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return Infinity;
  if (x <= 0) {
    if (Number.isInteger(x)) return NaN;
    return digamma(1 - x) - (Math.PI * cosPi(x)) / sinPi(x);
  }
  const e0 = x - DIGAMMA_ROOT_HI; // exact near the root (Sterbenz)
  if (Math.abs(e0) <= 0.25) {
    const e = e0 - DIGAMMA_ROOT_LO;
    let s = 0;
    for (let k = DIGAMMA_ROOT_TAYLOR.length - 1; k >= 0; k--) s = s * e + DIGAMMA_ROOT_TAYLOR[k];
    return s * e;
  }
  let shift = 0;
  let y = x;
  while (y < ASYMPTOTIC_THRESHOLD) {
    shift += 1 / y;
    y += 1;
  }
  return digammaAsymptotic(y) - shift;
}

/** Asymptotic series psi'(x) ~ 1/x + 1/(2x^2) + sum B_2k / x^(2k+1), x >= 10. */
function trigammaAsymptotic(x: number): number {
  const r = 1 / x;
  const r2 = r * r;
  let s = 0;
  for (let k = BERNOULLI_EVEN.length; k >= 1; k--) s = s * r2 + BERNOULLI_EVEN[k - 1];
  return r + 0.5 * r2 + s * r2 * r;
}

/**
 * Trigamma psi'(x) = d^2/dx^2 ln Gamma(x). Recurrence psi'(x) = psi'(x+1) + 1/x^2
 * up to x >= 10, then the asymptotic series (all terms of one sign up to the
 * small Bernoulli corrections, so no cancellation); reflection
 * psi'(1-x) + psi'(x) = pi^2 / sin^2(pi x) for x < 0.
 */
export function trigamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return 0;
  if (x <= 0) {
    if (Number.isInteger(x)) return Infinity;
    const s = sinPi(x);
    return (Math.PI * Math.PI) / (s * s) - trigamma(1 - x);
  }
  let shift = 0;
  let y = x;
  while (y < ASYMPTOTIC_THRESHOLD) {
    shift += 1 / (y * y);
    y += 1;
  }
  return trigammaAsymptotic(y) + shift;
}

/**
 * psi'(a) - psi'(a + b) for a, b > 0, the diagonal of the Beta and Dirichlet
 * Fisher matrices, without the cancellation of the two terms when b << a
 * (at a = 1e10, b = 1 their difference is 1e-20 of each). Each term of the
 * recurrence psi'(x) = psi'(x + 1) + 1/x^2 and of the asymptotic series is
 * differenced analytically, 1/x^n - 1/y^n = (1/x - 1/y) sum_i x^-i y^-(n-1-i)
 * with 1/x - 1/y = b / (x y), so b enters as a factor and nothing cancels.
 * Measured against 40-digit values: within a few ulp (see
 * properties/reference/decimal-special.test.ts).
 */
export function trigammaDifference(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b) || a <= 0 || b < 0) return NaN;
  if (b === 0) return 0;
  if (a >= ASYMPTOTIC_THRESHOLD) return trigammaAsymptoticDifference(a, b);
  // no cancellation worth a digit when b is not small next to a
  if (b >= 0.25 * a) return trigamma(a) - trigamma(a + b);
  let shift = 0;
  let x = a;
  while (x < ASYMPTOTIC_THRESHOLD) {
    const y = x + b;
    shift += (b / x / y) * (1 / x + 1 / y);
    x += 1;
  }
  return shift + trigammaAsymptoticDifference(x, b);
}

/**
 * The asymptotic series of psi'(x) - psi'(x + b), x >= 10, any b > 0, written
 * with u = 1/x, w = 1/(x + b) = u / (1 + b/x) (so x + b is never formed and
 * cannot overflow) and D = u - w = w b / x.
 */
function trigammaAsymptoticDifference(x: number, b: number): number {
  const r = b / x;
  const u = 1 / x;
  const w = u / (1 + r);
  const D = w * r;
  // S_n = sum_{i<n} u^i w^(n-1-i), so that u^n - w^n = D S_n
  let S = 1 + (u + w) / 2; // the 1/x and 1/(2 x^2) terms, divided by D
  let Sn = u + w; // S_2
  let wPow = w; // w^(n-1)
  let total = 0;
  for (let k = 1; k <= BERNOULLI_EVEN.length; k++) {
    // S_{2k+1} from S_{2k}: S_{n+1} = u S_n + w^n
    wPow *= w;
    Sn = u * Sn + wPow; // S_{2k+1}
    total += BERNOULLI_EVEN[k - 1] * Sn;
    wPow *= w;
    Sn = u * Sn + wPow; // S_{2k+2}
  }
  S += total;
  return D * S;
}

/** Stirling remainder ln Gamma(x) - [(x - 1/2) log x - x + log sqrt(2 pi)], x >= 10. */
function stirlingCorrection(x: number): number {
  const r = 1 / x;
  const r2 = r * r;
  let s = 0;
  for (let k = 8; k >= 1; k--) s = s * r2 + BERNOULLI_EVEN[k - 1] / (2 * k * (2 * k - 1));
  return s * r;
}

/**
 * log B(a, b) = ln Gamma(a) + ln Gamma(b) - ln Gamma(a + b) for a, b > 0.
 * When both are >= 10 the Stirling leading terms are combined analytically,
 * a log(a/(a+b)) + b log(b/(a+b)) + (1/2) log((a+b)/(ab)); when only the larger
 * one, b, is, ln Gamma(b) - ln Gamma(a+b) = -(b - 1/2) log1p(a/b) - a log(a+b) + a
 * + Stirling corrections. Both avoid the cancellation between large lgamma values.
 */
export function logBeta(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b) || a < 0 || b < 0) return NaN;
  if (a === 0 || b === 0) return Infinity;
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  if (lo >= ASYMPTOTIC_THRESHOLD) {
    const s = lo + hi;
    const main = -lo * Math.log1p(hi / lo) - hi * Math.log1p(lo / hi) + 0.5 * Math.log(s / lo / hi);
    return main + LOG_SQRT_2PI + stirlingCorrection(lo) + stirlingCorrection(hi) - stirlingCorrection(s);
  }
  if (hi >= ASYMPTOTIC_THRESHOLD) {
    // ln Gamma(hi) - ln Gamma(hi + lo) by Stirling, without forming the two large values.
    const s = hi + lo;
    const difference = -(hi - 0.5) * Math.log1p(lo / hi) - lo * Math.log(s) + lo + stirlingCorrection(hi) - stirlingCorrection(s);
    return lgamma(lo) + difference;
  }
  return lgamma(lo) + lgamma(hi) - lgamma(lo + hi);
}

/**
 * log of the binomial coefficient C(n, k) = Gamma(n+1) / (Gamma(k+1) Gamma(n-k+1)),
 * for real n and k with k > -1 and n - k > -1 (NaN outside):
 * log C(n, k) = -log(n + 1) - log B(k + 1, n - k + 1).
 */
export function logChoose(n: number, k: number): number {
  if (!(k > -1) || !(n - k > -1)) return NaN;
  if (k === 0 || k === n) return 0;
  return -Math.log1p(n) - logBeta(k + 1, n - k + 1);
}

/**
 * Softplus log(1 + e^x) without overflow or loss of the small tail (Maechler 2012):
 * exp(x) below -37, log1p(exp(x)) up to 18, x + exp(-x) up to 33.3, x above.
 */
export function log1pExp(x: number): number {
  if (x <= -37) return Math.exp(x);
  if (x <= 18) return Math.log1p(Math.exp(x));
  if (x <= 33.3) return x + Math.exp(-x);
  return x;
}

/** Logistic sigmoid 1 / (1 + e^-x), evaluated on the side where exp cannot overflow. */
export function logistic(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
