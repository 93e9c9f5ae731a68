/**
 * Points across the whole domain of each family and parameterization, up to
 * its edges: natural parameters up to |eta| = 700 (and near 0), probabilities
 * down to 1e-300 and up to 1 - 1e-16 (and next to 1/2, where logits vanish),
 * locations and scales from 1e-150 to 1e150, shapes from 1e-150 to 1e150,
 * logits of a categorical 1400 apart, covariances with variables on scales
 * 1e150 apart. Points are given as the JSON `params` (and `fixed`) of a spec,
 * in the parameterization's own coordinates, so the oracle is asked exactly
 * what a user would ask. A draw may lie where a result overflows float64; the
 * property then requires the refusal.
 */
import fc from 'fast-check';

export type JsonParams = Record<string, number | number[] | number[][]>;

export interface EdgePoint {
  family: string;
  parameterization: string;
  params: JsonParams;
  fixed?: Record<string, number>;
  /** K for categorical and Dirichlet, d for the multivariate normal */
  dim?: number;
}

const U = (lo: number, hi: number): fc.Arbitrary<number> => fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true });
/** 10^u, u uniform in [lo, hi] */
const decades = (lo: number, hi: number): fc.Arbitrary<number> => U(lo, hi).map((u) => 10 ** u);
const signed = (a: fc.Arbitrary<number>): fc.Arbitrary<number> => fc.tuple(fc.boolean(), a).map(([neg, v]) => (neg ? -v : v));

/** a location: any sign, 1e-150 .. 1e150, or exactly 0 */
const location = fc.oneof({ arbitrary: signed(decades(-150, 150)), weight: 5 }, { arbitrary: fc.constant(0), weight: 1 });
/** a scale or shape: 1e-150 .. 1e150, and next to 1 (where logs vanish) */
const scale = fc.oneof({ arbitrary: decades(-150, 150), weight: 5 }, { arbitrary: signed(decades(-16, -1)).map((d) => 1 + d), weight: 1 });
/** a natural parameter of a logistic or log link: |eta| <= 700, and tiny */
const naturalReal = fc.oneof({ arbitrary: U(-700, 700), weight: 4 }, { arbitrary: signed(decades(-300, 0)), weight: 1 });
/** a log-scale s = log sigma with sigma in 1e-150 .. 1e150, and tiny */
const logScale = fc.oneof({ arbitrary: U(-345, 345), weight: 4 }, { arbitrary: signed(decades(-300, 0)), weight: 1 });
const ONE_BELOW = 1 - 2 ** -53;
/** a probability: down to 1e-300, up to 1 - 1e-16, and next to 1/2 */
const probability = fc.oneof(
  { arbitrary: decades(-300, Math.log10(0.5)), weight: 3 },
  { arbitrary: decades(-16, Math.log10(0.5)).map((d) => Math.min(1 - d, ONE_BELOW)), weight: 3 },
  { arbitrary: signed(decades(-16, -1)).map((d) => 0.5 + d), weight: 1 },
);

const scalar = (names: string[], arbs: fc.Arbitrary<number>[]): fc.Arbitrary<JsonParams> =>
  fc.tuple(...arbs).map((vs) => Object.fromEntries(names.map((n, i) => [n, vs[i]])));

/** Probability vectors of K classes with each weight in 1e-300 .. 1: the reference class may be tiny or dominant. */
const probabilities = (K: number): fc.Arbitrary<number[]> =>
  fc.array(decades(-300, 0), { minLength: K, maxLength: K }).map((w) => {
    const s = w.reduce((a, b) => a + b, 0);
    return w.slice(0, K - 1).map((v) => v / s);
  });

/** A correlation matrix with condition number below about 1e3, scaled by standard deviations 1e-75 .. 1e75. */
const covariance = (d: number): fc.Arbitrary<number[][]> =>
  fc
    .tuple(fc.array(U(-1, 1), { minLength: d * d, maxLength: d * d }), fc.array(decades(-75, 75), { minLength: d, maxLength: d }))
    .map(([l, sd]) => {
      const C = Array.from({ length: d }, (_, i) =>
        Array.from({ length: d }, (_, j) => {
          let s = i === j ? 0.05 : 0;
          for (let k = 0; k < d; k++) s += l[i * d + k] * l[j * d + k];
          return s;
        }),
      );
      return C.map((row, i) => row.map((c, j) => (c / Math.sqrt(C[i][i] * C[j][j])) * sd[i] * sd[j]));
    })
    .map((S) => S.map((row, i) => row.map((v, j) => (i <= j ? v : S[j][i]))));

const point = (
  family: string,
  parameterization: string,
  params: fc.Arbitrary<JsonParams>,
  fixed?: fc.Arbitrary<Record<string, number>>,
  dim?: number,
): fc.Arbitrary<EdgePoint> =>
  fc
    .tuple(params, fixed ?? fc.constant(undefined))
    .map(([p, f]) => ({ family, parameterization, params: p, ...(f ? { fixed: f } : {}), ...(dim ? { dim } : {}) }));

/** The points of one family and parameterization (dimension for vector families). */
export function edgePoints(family: string, parameterization: string, dim?: number): fc.Arbitrary<EdgePoint> {
  const pt = (params: fc.Arbitrary<JsonParams>, fixed?: fc.Arbitrary<Record<string, number>>) => point(family, parameterization, params, fixed, dim);
  switch (`${family}/${parameterization}`) {
    case 'bernoulli/mean':
      return pt(scalar(['p'], [probability]));
    case 'bernoulli/natural':
      return pt(scalar(['eta'], [naturalReal]));
    case 'binomial/mean':
      return pt(
        scalar(['p'], [probability]),
        fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 2 ** 40 })).map((n) => ({ n })),
      );
    case 'categorical/mean':
      return pt(probabilities(dim!).map((p) => ({ p })));
    case 'categorical/natural':
      return pt(fc.array(naturalReal, { minLength: dim! - 1, maxLength: dim! - 1 }).map((eta) => ({ eta })));
    case 'poisson/rate':
      return pt(scalar(['lambda'], [scale]));
    case 'poisson/natural':
      return pt(scalar(['eta'], [naturalReal]));
    case 'geometric/standard':
      return pt(scalar(['p'], [probability]));
    case 'negative-binomial/standard':
      return pt(
        scalar(['p'], [probability]),
        decades(-10, 10).map((r) => ({ r })),
      );
    case 'exponential/rate':
      return pt(scalar(['lambda'], [scale]));
    case 'exponential/scale':
      return pt(scalar(['beta'], [scale]));
    case 'normal/mean-std':
      return pt(scalar(['mu', 'sigma'], [location, scale]));
    case 'normal/mean-var':
      return pt(scalar(['mu', 'v'], [location, fc.oneof(decades(-300, 300), scale)]));
    case 'normal/mean-logstd':
      return pt(scalar(['mu', 's'], [location, logScale]));
    case 'normal/natural':
      return pt(scalar(['eta1', 'eta2'], [fc.oneof(signed(decades(-300, 300)), fc.constant(0)), decades(-300, 300).map((v) => -v)]));
    case 'normal/expectation':
      // m2 = m1^2 (1 + r) or m1^2 + v: variances from 1e-16 of m1^2 up, and m1 = 0
      return pt(
        fc
          .tuple(
            location,
            fc.oneof(
              decades(-16, 3),
              decades(-300, 300).map((v) => -v),
            ),
          )
          .map(([m1, r]) => ({ m1, m2: r > 0 ? m1 * m1 * (1 + r) : m1 * m1 - r })),
      );
    case 'lognormal/mean-std':
      return pt(scalar(['mu', 'sigma'], [location, scale]));
    case 'gamma/shape-rate':
      return pt(scalar(['alpha', 'beta'], [scale, scale]));
    case 'gamma/shape-scale':
      return pt(scalar(['k', 'theta'], [scale, scale]));
    case 'beta/standard':
      return pt(scalar(['a', 'b'], [scale, scale]));
    case 'laplace/location-scale':
      return pt(scalar(['mu', 'b'], [location, scale]));
    case 'student-t/location-scale':
      return pt(
        scalar(['mu', 'sigma'], [location, scale]),
        decades(-3, 12).map((nu) => ({ nu })),
      );
    case 'inverse-gaussian/mean-shape':
      return pt(scalar(['mu', 'lambda'], [scale, scale]));
    case 'dirichlet/standard':
      return pt(fc.array(scale, { minLength: dim!, maxLength: dim! }).map((alpha) => ({ alpha })));
    case 'multivariate-normal/mean-cov':
      return pt(fc.tuple(fc.array(location, { minLength: dim!, maxLength: dim! }), covariance(dim!)).map(([mu, Sigma]) => ({ mu, Sigma })));
    default:
      throw new Error(`no edge points for ${family} ${parameterization}`);
  }
}
