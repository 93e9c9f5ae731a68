/**
 * The domain of every parameter and fixed value of the catalogue, written out
 * here from the oracle contract's table and the mathematics (not read from the
 * catalogue), and held to the catalogue: a value just outside is refused at
 * its JSON path with the message of its domain, a value just inside (down to
 * 1e-300 from an open end) is accepted; the joint constraints (probabilities
 * summing below 1, a positive variance from the moments, a positive definite
 * covariance) likewise, at their path, with their message.
 */
import { describe, expect, test } from 'vitest';
import { parsePoint } from '../../src/families/json-points.js';
import { FAMILIES } from '../../src/families/catalogue/index.js';
import { thrownLine } from '../natgrad-error.js';

type Kind = 'real' | 'positive' | 'negative' | 'unit' | 'positive-integer';
type Params = Record<string, number | number[] | number[][]>;

/** [family, parameterization, a valid point, fixed values, the domain of each parameter by its JSON path below params] */
const TABLE: [string, string, Params, Record<string, number>, Record<string, Kind>][] = [
  ['bernoulli', 'mean', { p: 0.3 }, {}, { p: 'unit' }],
  ['bernoulli', 'natural', { eta: -0.4 }, {}, { eta: 'real' }],
  ['binomial', 'mean', { p: 0.35 }, { n: 10 }, { p: 'unit' }],
  ['categorical', 'mean', { p: [0.2, 0.5] }, {}, { 'p[0]': 'unit', 'p[1]': 'unit' }],
  ['categorical', 'natural', { eta: [0.3, -1] }, {}, { 'eta[0]': 'real', 'eta[1]': 'real' }],
  ['poisson', 'rate', { lambda: 2.5 }, {}, { lambda: 'positive' }],
  ['poisson', 'natural', { eta: 0.9 }, {}, { eta: 'real' }],
  ['geometric', 'standard', { p: 0.4 }, {}, { p: 'unit' }],
  ['negative-binomial', 'standard', { p: 0.6 }, { r: 3.5 }, { p: 'unit' }],
  ['exponential', 'rate', { lambda: 1.5 }, {}, { lambda: 'positive' }],
  ['exponential', 'scale', { beta: 0.7 }, {}, { beta: 'positive' }],
  ['normal', 'mean-std', { mu: 0.3, sigma: 1.7 }, {}, { mu: 'real', sigma: 'positive' }],
  ['normal', 'mean-var', { mu: 0.3, v: 2.89 }, {}, { mu: 'real', v: 'positive' }],
  ['normal', 'mean-logstd', { mu: 0.3, s: 0.5 }, {}, { mu: 'real', s: 'real' }],
  ['normal', 'natural', { eta1: 0.1, eta2: -0.2 }, {}, { eta1: 'real', eta2: 'negative' }],
  ['normal', 'expectation', { m1: 0, m2: 3 }, {}, { m1: 'real', m2: 'positive' }],
  ['lognormal', 'mean-std', { mu: 0.2, sigma: 0.8 }, {}, { mu: 'real', sigma: 'positive' }],
  ['gamma', 'shape-rate', { alpha: 2.5, beta: 1.5 }, {}, { alpha: 'positive', beta: 'positive' }],
  ['gamma', 'shape-scale', { k: 2.5, theta: 0.6 }, {}, { k: 'positive', theta: 'positive' }],
  ['beta', 'standard', { a: 2, b: 3.5 }, {}, { a: 'positive', b: 'positive' }],
  ['laplace', 'location-scale', { mu: 0.1, b: 1.3 }, {}, { mu: 'real', b: 'positive' }],
  ['student-t', 'location-scale', { mu: 0.2, sigma: 1.1 }, { nu: 4 }, { mu: 'real', sigma: 'positive' }],
  ['inverse-gaussian', 'mean-shape', { mu: 1.5, lambda: 2 }, {}, { mu: 'positive', lambda: 'positive' }],
  ['dirichlet', 'standard', { alpha: [1.2, 0.8, 2.5] }, {}, { 'alpha[0]': 'positive', 'alpha[1]': 'positive', 'alpha[2]': 'positive' }],
  [
    'multivariate-normal',
    'mean-cov',
    {
      mu: [0.1, -0.2],
      Sigma: [
        [2, 0],
        [0, 1],
      ],
    },
    {},
    // an off-diagonal entry sets both symmetric entries
    { 'mu[0]': 'real', 'mu[1]': 'real', 'Sigma[0][0]': 'positive', 'Sigma[0][1]': 'real', 'Sigma[1][1]': 'positive' },
  ],
];

/** [family, fixed value, its domain] */
const FIXED: [string, string, Kind][] = [
  ['binomial', 'n', 'positive-integer'],
  ['negative-binomial', 'r', 'positive'],
  ['student-t', 'nu', 'positive'],
];

/** Values outside the domain, each with the message of its refusal; values inside, accepted. */
const OUTSIDE: Record<Kind, [number, string][]> = {
  real: [],
  positive: [
    [0, 'must be > 0, got 0'],
    [-1e-300, 'must be > 0, got -1e-300'],
  ],
  negative: [
    [0, 'must be < 0, got 0'],
    [1e-300, 'must be < 0, got 1e-300'],
  ],
  unit: [
    [0, 'must be in the open interval (0, 1), got 0'],
    [1, 'must be in the open interval (0, 1), got 1'],
    [-0.5, 'must be in the open interval (0, 1), got -0.5'],
  ],
  'positive-integer': [
    [0, 'must be a positive integer, got 0'],
    [2.5, 'must be a positive integer, got 2.5'],
  ],
};
const INSIDE: Record<Kind, number[]> = {
  real: [-1e300, 0, 1e300],
  positive: [1e-300, 1e300],
  negative: [-1e-300, -1e300],
  unit: [1e-300, 0.5, 1 - 2 ** -53],
  'positive-integer': [1, 2 ** 40],
};

/** Where the other parameters bound a value inside its own domain (the probabilities' sum, m1^2 < m2, positive definiteness). */
const INSIDE_HERE: Record<string, number[]> = {
  'categorical/mean/p[0]': [1e-300, 0.25, 0.5 - 2 ** -53],
  'categorical/mean/p[1]': [1e-300, 0.25, 0.8 - 2 ** -53],
  'normal/expectation/m1': [-1.7, 0, 1.7],
  'multivariate-normal/mean-cov/Sigma[0][1]': [-1.4, 0, 1.4],
};

/** A copy of params with the entry at `path` (`p`, `p[1]`, `Sigma[0][1]`, both symmetric entries) set to v. */
function withEntry(params: Params, path: string, v: number): Params {
  const copy = JSON.parse(JSON.stringify(params)) as Params;
  const m = /^(\w+)((?:\[\d+\])*)$/.exec(path)!;
  const idx = [...m[2].matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]));
  if (idx.length === 0) copy[m[1]] = v;
  else if (idx.length === 1) (copy[m[1]] as number[])[idx[0]] = v;
  else {
    const S = copy[m[1]] as number[][];
    S[idx[0]][idx[1]] = v;
    S[idx[1]][idx[0]] = v;
  }
  return copy;
}

describe('the table covers the catalogue', () => {
  test('every parameterization of every family, every parameter of each, every fixed value', () => {
    const want = FAMILIES.flatMap((def) => Object.keys(def.layouts).map((p) => `${def.name}/${p}`)).sort();
    expect(TABLE.map(([f, p]) => `${f}/${p}`).sort()).toEqual(want);
    for (const [f, p, params, fixed, domains] of TABLE) {
      const pt = parsePoint(f, p, params, fixed, 'spec');
      expect(Object.keys(domains), `${f} ${p}`).toEqual([...pt.p.paramNames]);
    }
    expect(FIXED.map(([f, n]) => `${f}/${n}`).sort()).toEqual(FAMILIES.flatMap((def) => Object.keys(def.fixed).map((n) => `${def.name}/${n}`)).sort());
  });
});

describe('each parameter: refused just outside its domain, at its path; accepted inside', () => {
  test.each(TABLE.map((row) => [`${row[0]} ${row[1]}`, row] as const))('%s', (_, [family, p, params, fixed, domains]) => {
    for (const [path, kind] of Object.entries(domains)) {
      for (const [v, reason] of OUTSIDE[kind]) {
        expect(thrownLine(() => parsePoint(family, p, withEntry(params, path, v), fixed, 'spec'))).toBe(`spec.params.${path}: ${reason}`);
      }
      const inside = INSIDE_HERE[`${family}/${p}/${path}`] ?? INSIDE[kind];
      for (const v of inside) expect(() => parsePoint(family, p, withEntry(params, path, v), fixed, 'spec'), `${path} = ${v}`).not.toThrow();
    }
  });

  test.each(FIXED)('%s fixed %s', (family, name, kind) => {
    const [, p, params, fixed] = TABLE.find(([f]) => f === family)!;
    for (const [v, reason] of OUTSIDE[kind])
      expect(thrownLine(() => parsePoint(family, p, params, { ...fixed, [name]: v }, 'spec'))).toBe(`spec.fixed.${name}: ${reason}`);
    for (const v of INSIDE[kind]) expect(() => parsePoint(family, p, params, { ...fixed, [name]: v }, 'spec'), `${name} = ${v}`).not.toThrow();
  });
});

describe('joint constraints', () => {
  test('categorical: probabilities summing to 1 or more are refused at p with the sum; just below 1 accepted', () => {
    expect(thrownLine(() => parsePoint('categorical', 'mean', { p: [0.5, 0.5] }, {}, 'spec'))).toBe(
      'spec.params.p: the probabilities must sum below 1 (p_K = 1 - sum(p) must be > 0), got sum 1',
    );
    expect(thrownLine(() => parsePoint('categorical', 'mean', { p: [0.75, 0.5] }, {}, 'spec'))).toBe(
      'spec.params.p: the probabilities must sum below 1 (p_K = 1 - sum(p) must be > 0), got sum 1.25',
    );
    // the doubles 0.7, 0.2 and 0.1 sum to 0.99999999999999997... exactly: inside, although a sum in doubles may round to 1
    expect(() => parsePoint('categorical', 'mean', { p: [0.7, 0.2, 0.1] }, {}, 'spec')).not.toThrow();
    expect(() => parsePoint('categorical', 'mean', { p: [0.5, 0.5 - 2 ** -53] }, {}, 'spec')).not.toThrow();
    expect(() => parsePoint('categorical', 'mean', { p: [1 - 2 ** -53] }, {}, 'spec')).not.toThrow();
  });

  test('normal expectation: m2 <= m1^2 is refused at m2 with m1^2 and the value; m2 a rounding above m1^2 accepted', () => {
    expect(thrownLine(() => parsePoint('normal', 'expectation', { m1: 2, m2: 4 }, {}, 'spec'))).toBe(
      'spec.params.m2: must be > m1^2 = 4 (the variance m2 - m1^2 must be positive), got 4',
    );
    expect(thrownLine(() => parsePoint('normal', 'expectation', { m1: -3, m2: 1 }, {}, 'spec'))).toBe(
      'spec.params.m2: must be > m1^2 = 9 (the variance m2 - m1^2 must be positive), got 1',
    );
    // 0.1^2 in doubles is 0.010000000000000002 but the exact square of the double 0.1 is below 0.01 + 2^-60: judged exactly
    expect(() => parsePoint('normal', 'expectation', { m1: 0.1, m2: 0.010000000000000002 }, {}, 'spec')).not.toThrow();
    expect(() => parsePoint('normal', 'expectation', { m1: 2, m2: 4 * (1 + 2 ** -52) }, {}, 'spec')).not.toThrow();
    expect(() => parsePoint('normal', 'expectation', { m1: 1e200, m2: 1e300 }, {}, 'spec')).toThrow(/^spec\.params\.m2: must be > m1\^2 = Infinity/);
  });

  test('multivariate normal: a covariance that is not positive definite is refused at Sigma; one nearly singular or on scales 1e300 apart accepted', () => {
    const at = (Sigma: number[][]) => () => parsePoint('multivariate-normal', 'mean-cov', { mu: Sigma.map(() => 0), Sigma }, {}, 'spec');
    const refusal = 'spec.params.Sigma: must be symmetric positive definite (its Cholesky factorization fails)';
    expect(
      thrownLine(
        at([
          [1, 1],
          [1, 1],
        ]),
      ),
    ).toBe(refusal);
    expect(
      thrownLine(
        at([
          [1, 0.6, 0.6],
          [0.6, 1, -0.6],
          [0.6, -0.6, 1],
        ]),
      ),
    ).toBe(refusal);
    expect(
      at([
        [1, 1 - 1e-9],
        [1 - 1e-9, 1],
      ]),
    ).not.toThrow();
    expect(
      at([
        [1e150, 0.5],
        [0.5, 1e-150],
      ]),
    ).not.toThrow();
    expect(
      at([
        [1e-300, 0.5e-300],
        [0.5e-300, 1e-300],
      ]),
    ).not.toThrow();
  });
});
