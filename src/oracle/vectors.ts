/**
 * The versioned suite of oracle test vectors: specs covering every kind of
 * the contract, each with the oracle's result, written as deterministic JSON
 * files (fixed seeds, sorted keys, no timestamps) for other projects to load
 * into their own tests. The expected values come from `runOracle`, the same
 * code path as `natgrad oracle`.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from '../core/rng.js';
import { FAMILIES } from '../families/catalogue/index.js';
import { gemmBackend, setGemmBackend } from '../linalg/kernels/gemm.js';
import type { OracleResult } from './compute.js';
import { runOracle } from './oracle.js';
import { sequentialVectors } from './sequential-vectors.js';
import type { JsonRecord, JsonValue } from './json-reader.js';

/** The oracle contract the vectors follow. */
export const VECTORS_CONTRACT_VERSION = 2;

/** The groups, one folder each. */
export const VECTOR_GROUPS = [
  'fisher-family',
  'fisher-model',
  'natural-gradient',
  'kfac',
  'reparameterize',
  'shampoo',
  'diagonal',
  'per-example-gradients',
  'ekfac',
  'sequential',
] as const;
export type VectorGroup = (typeof VECTOR_GROUPS)[number];

/** One vector before its result is computed. */
export interface VectorCase {
  group: VectorGroup;
  /** file name without `.json`, unique within the group */
  name: string;
  description: string;
  spec: JsonRecord;
}

// ---------------------------------------------------------------- families

interface FamilyPoint {
  family: string;
  /** the contract's parameterizations, first one is where `params` is given */
  parameterizations: string[];
  params: JsonRecord;
  fixed?: JsonRecord;
  /** label of the dimension for vector families (K or d) */
  dim?: string;
}

/**
 * Each family's example points (one per dimension for vector families),
 * given in the contract's first parameterization; the other
 * parameterizations get the same point through the oracle's own
 * `reparameterize`.
 */
const FAMILY_POINTS: FamilyPoint[] = FAMILIES.flatMap((def) =>
  def.examples.map((e): FamilyPoint => {
    const parameterizations = Object.keys(def.layouts);
    const params = e.params as JsonRecord;
    const dim = def.dimensionFromParams?.(parameterizations[0], params);
    return {
      family: def.name,
      parameterizations,
      params,
      ...(e.fixed && { fixed: e.fixed }),
      ...(dim !== undefined && { dim: `${def.dimensionSymbol}${dim}` }),
    };
  }),
);

const pointLabel = (p: FamilyPoint): string => (p.dim ? `${p.family}--${p.dim}` : p.family);

function familySpec(kind: string, p: FamilyPoint, extra: JsonRecord): JsonRecord {
  const spec: JsonRecord = { kind, family: p.family, ...extra };
  if (p.fixed) spec.fixed = p.fixed;
  return spec;
}

/** The point `p` in every parameterization, through the oracle's reparameterize kind. */
async function pointInEvery(p: FamilyPoint): Promise<Map<string, JsonRecord>> {
  const base = p.parameterizations[0];
  const out = new Map<string, JsonRecord>([[base, p.params]]);
  for (const to of p.parameterizations.slice(1)) {
    const r = (await runOracle(familySpec('reparameterize', p, { from: base, to, params: p.params }))) as OracleResult;
    if (r.kind !== 'reparameterize') throw new Error(`reparameterize returned ${r.kind}`);
    out.set(to, r.params as JsonRecord);
  }
  return out;
}

async function familyCases(): Promise<VectorCase[]> {
  const cases: VectorCase[] = [];
  for (const p of FAMILY_POINTS) {
    const points = await pointInEvery(p);
    for (const par of p.parameterizations) {
      cases.push({
        group: 'fisher-family',
        name: `${pointLabel(p)}--${par}`,
        description: `Fisher of ${p.family}${p.dim ? ` (${p.dim})` : ''} in the ${par} parameterization`,
        spec: familySpec('fisher', p, { parameterization: par, params: points.get(par)! }),
      });
    }
    for (const from of p.parameterizations) {
      for (const to of p.parameterizations) {
        if (from === to) continue;
        cases.push({
          group: 'reparameterize',
          name: `${pointLabel(p)}--${from}--to--${to}`,
          description: `${p.family}${p.dim ? ` (${p.dim})` : ''}: ${from} to ${to}, with the Jacobian d from / d to and the Fisher in ${to}`,
          spec: familySpec('reparameterize', p, { from, to, params: points.get(from)! }),
        });
      }
    }
  }
  return cases;
}

// ------------------------------------------------------------------ models

type Likelihood = 'categorical' | 'bernoulli' | 'gaussian';

/** A number with three decimals: readable specs that every language parses to the same double. */
const dec3 = (x: number): number => Math.round(x * 1000) / 1000 || 0;

/** A model spec with weights, inputs and targets drawn from a generator seeded by `seed`. */
function modelProblem(seed: string, sizes: number[], activations: string[], likelihood: Likelihood, N: number): JsonRecord {
  const rng = new Rng(`natgrad-vectors/${seed}`);
  const u = (scale: number): number => dec3((2 * rng.uniform() - 1) * scale);
  const weights: JsonValue[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const scale = 1.2 / Math.sqrt(sizes[l]);
    const W = Array.from({ length: sizes[l + 1] }, () => Array.from({ length: sizes[l] }, () => u(scale)));
    const b = Array.from({ length: sizes[l + 1] }, () => u(0.3));
    weights.push({ W, b });
  }
  const inputs = Array.from({ length: N }, () => Array.from({ length: sizes[0] }, () => u(1.5)));
  const D = sizes[sizes.length - 1];
  const targets: JsonValue[] = Array.from({ length: N }, (): JsonValue => {
    if (likelihood === 'categorical') return Math.min(D - 1, Math.floor(rng.uniform() * D));
    if (likelihood === 'bernoulli') return rng.uniform() < 0.5 ? 0 : 1;
    return Array.from({ length: D }, () => u(1));
  });
  return { model: { type: 'mlp', sizes, activations, likelihood }, weights, inputs, targets };
}

const CURVATURES = ['fisher', 'empirical-fisher', 'ggn', 'hessian'] as const;

/** The three likelihoods on a one-hidden-layer tanh network. */
const LIKELIHOOD_MODELS: { likelihood: Likelihood; sizes: number[] }[] = [
  { likelihood: 'categorical', sizes: [3, 4, 3] },
  { likelihood: 'bernoulli', sizes: [3, 4, 1] },
  { likelihood: 'gaussian', sizes: [3, 4, 2] },
];

function modelCases(): VectorCase[] {
  const cases: VectorCase[] = [];
  for (const m of LIKELIHOOD_MODELS) {
    const problem = modelProblem(`mlp-${m.likelihood}`, m.sizes, ['tanh', 'identity'], m.likelihood, 5);
    for (const c of CURVATURES) {
      cases.push({
        group: 'fisher-model',
        name: `mlp-tanh-${m.likelihood}--${c}`,
        description: `${c} of an MLP [${m.sizes.join(', ')}] (tanh, identity) with a ${m.likelihood} likelihood, 5 examples`,
        spec: { kind: 'fisher', ...problem, curvature: c },
      });
    }
  }
  for (const act of ['sigmoid', 'relu', 'softplus', 'identity']) {
    const problem = modelProblem(`mlp-${act}`, [3, 4, 3], [act, 'identity'], 'categorical', 5);
    for (const c of ['fisher', 'hessian'] as const) {
      cases.push({
        group: 'fisher-model',
        name: `mlp-${act}-categorical--${c}`,
        description: `${c} of an MLP [3, 4, 3] (${act}, identity) with a categorical likelihood, 5 examples`,
        spec: { kind: 'fisher', ...problem, curvature: c },
      });
    }
  }
  const deep = modelProblem('mlp-deep', [2, 3, 3, 2], ['softplus', 'tanh', 'identity'], 'categorical', 4);
  cases.push({
    group: 'fisher-model',
    name: 'mlp-deep-categorical--fisher',
    description: 'Fisher of a two-hidden-layer MLP [2, 3, 3, 2] (softplus, tanh, identity), categorical, 4 examples',
    spec: { kind: 'fisher', ...deep, curvature: 'fisher' },
  });
  const linear = modelProblem('linear-regression', [2, 1], ['identity'], 'gaussian', 4);
  const logistic = modelProblem('logistic-regression', [3, 1], ['identity'], 'bernoulli', 6);
  for (const c of CURVATURES) {
    cases.push({
      group: 'fisher-model',
      name: `linear-regression--${c}`,
      description: `${c} of linear regression (sizes [2, 1], identity, gaussian), 4 examples`,
      spec: { kind: 'fisher', ...linear, curvature: c },
    });
    cases.push({
      group: 'fisher-model',
      name: `logistic-regression--${c}`,
      description: `${c} of logistic regression (sizes [3, 1], identity, bernoulli), 6 examples`,
      spec: { kind: 'fisher', ...logistic, curvature: c },
    });
  }
  return cases;
}

function naturalGradientCases(): VectorCase[] {
  const ng = (name: string, description: string, spec: JsonRecord): VectorCase => ({
    group: 'natural-gradient',
    name,
    description,
    spec: { kind: 'natural-gradient', ...spec },
  });
  const classifier = modelProblem('mlp-categorical', [3, 4, 3], ['tanh', 'identity'], 'categorical', 5);
  const tiny = modelProblem('mlp-two-examples', [3, 4, 3], ['tanh', 'identity'], 'categorical', 2);
  const regression = modelProblem('mlp-gaussian', [3, 4, 2], ['tanh', 'identity'], 'gaussian', 5);
  const gradient = Array.from({ length: 31 }, (_, i) => dec3(Math.sin(1 + i)));
  return [
    ng('normal-mean-std', 'normal (mean-std), undamped', {
      family: 'normal',
      parameterization: 'mean-std',
      params: { mu: 0.3, sigma: 1.7 },
      gradient: [0.5, -0.25],
    }),
    ng('normal-natural--damped', 'normal (natural), damping 0.1', {
      family: 'normal',
      parameterization: 'natural',
      params: { eta1: 0.1, eta2: -0.2 },
      gradient: [1, 2],
      damping: 0.1,
    }),
    ng('bernoulli-natural', 'bernoulli (natural), undamped', { family: 'bernoulli', parameterization: 'natural', params: { eta: -0.4 }, gradient: [0.7] }),
    ng('categorical-K3-mean--damped', 'categorical K = 3 (mean), damping 0.01', {
      family: 'categorical',
      parameterization: 'mean',
      params: { p: [0.2, 0.5] },
      gradient: [1, -1],
      damping: 0.01,
    }),
    ng('gamma-shape-rate', 'gamma (shape-rate), undamped', {
      family: 'gamma',
      parameterization: 'shape-rate',
      params: { alpha: 2.5, beta: 1.5 },
      gradient: [0.3, -0.6],
    }),
    ng('multivariate-normal-d2', 'multivariate normal d = 2 (mean-cov: mu then the upper triangle of Sigma), undamped', {
      family: 'multivariate-normal',
      parameterization: 'mean-cov',
      params: {
        mu: [0.1, -0.2],
        Sigma: [
          [2, 0.3],
          [0.3, 1],
        ],
      },
      gradient: [0.4, -0.1, 0.2, 0.05, -0.3],
    }),
    ng('mlp-categorical--fisher', 'MLP [3, 4, 3] categorical, Fisher, the loss gradient, undamped (5 examples: F has rank at most 10 of 31, singular)', {
      ...classifier,
    }),
    ng('mlp-categorical--fisher--damped', 'MLP [3, 4, 3] categorical, Fisher, the loss gradient, damping 0.01', { ...classifier, damping: 0.01 }),
    ng('mlp-categorical--ggn--given-gradient', 'MLP [3, 4, 3] categorical, GGN, a given gradient, damping 0.1', {
      ...classifier,
      curvature: 'ggn',
      gradient,
      damping: 0.1,
    }),
    ng('mlp-categorical--empirical-fisher--damped', 'MLP [3, 4, 3] categorical, empirical Fisher, damping 0.001', {
      ...classifier,
      curvature: 'empirical-fisher',
      damping: 0.001,
    }),
    ng(
      'mlp-two-examples--fisher--singular',
      'MLP [3, 4, 3] categorical with 2 examples: F has rank at most 4 of 31, the minimum-norm (pseudo-inverse) direction',
      { ...tiny, curvature: 'fisher' },
    ),
    ng('mlp-gaussian--hessian--damped', 'MLP [3, 4, 2] gaussian, Hessian, damping 1', { ...regression, curvature: 'hessian', damping: 1 }),
  ];
}

function kfacCases(): VectorCase[] {
  const cases: VectorCase[] = [];
  const classifier = modelProblem('mlp-categorical', [3, 4, 3], ['tanh', 'identity'], 'categorical', 5);
  for (const fisher of ['fisher', 'empirical-fisher'] as const) {
    for (const scheme of ['factored', 'pi-factored', 'exact'] as const) {
      cases.push({
        group: 'kfac',
        name: `mlp-categorical--${fisher}--${scheme}`,
        description: `K-FAC of an MLP [3, 4, 3] (tanh), categorical, 5 examples: ${fisher}, ${scheme} damping, lambda 0.1`,
        spec: { kind: 'kfac', ...classifier, fisher, damping: 0.1, dampingScheme: scheme },
      });
    }
  }
  const regression = modelProblem('kfac-gaussian', [2, 3, 2], ['sigmoid', 'identity'], 'gaussian', 6);
  for (const scheme of ['factored', 'pi-factored', 'exact'] as const) {
    cases.push({
      group: 'kfac',
      name: `mlp-gaussian--fisher--${scheme}`,
      description: `K-FAC of an MLP [2, 3, 2] (sigmoid), gaussian, 6 examples: fisher, ${scheme} damping, lambda 0.01`,
      spec: { kind: 'kfac', ...regression, fisher: 'fisher', damping: 0.01, dampingScheme: scheme },
    });
  }
  const logistic = modelProblem('kfac-bernoulli', [4, 3, 1], ['relu', 'identity'], 'bernoulli', 5);
  cases.push({
    group: 'kfac',
    name: 'mlp-bernoulli--empirical-fisher--pi-factored',
    description: 'K-FAC of an MLP [4, 3, 1] (relu), bernoulli, 5 examples: empirical-fisher, pi-factored damping, lambda 0.5',
    spec: { kind: 'kfac', ...logistic, fisher: 'empirical-fisher', damping: 0.5, dampingScheme: 'pi-factored' },
  });
  const single = modelProblem('kfac-single-example', [3, 2], ['identity'], 'categorical', 1);
  cases.push({
    group: 'kfac',
    name: 'softmax-regression-one-example--fisher--exact',
    description: 'K-FAC of softmax regression [3, 2] on one example (where G ⊗ A is the exact Fisher): fisher, exact damping, lambda 0.001',
    spec: { kind: 'kfac', ...single, fisher: 'fisher', damping: 0.001, dampingScheme: 'exact' },
  });
  return cases;
}

/**
 * The conventions of other libraries (contract version 2): PyTorch's
 * reductions and nn.MSELoss, separate-bias K-FAC, Monte Carlo results, and
 * the kinds diagonal, per-example-gradients and ekfac.
 */
function conventionCases(): VectorCase[] {
  const classifier = modelProblem('mlp-categorical', [3, 4, 3], ['tanh', 'identity'], 'categorical', 5);
  const regression = modelProblem('mlp-gaussian', [3, 4, 2], ['tanh', 'identity'], 'gaussian', 5);
  const mse = { ...regression, model: { ...(regression.model as JsonRecord), likelihood: 'mse' } };
  const cases: VectorCase[] = [];
  const add = (group: VectorGroup, name: string, description: string, spec: JsonRecord): void => {
    cases.push({ group, name, description, spec });
  };
  for (const c of CURVATURES) {
    add(
      'fisher-model',
      `mlp-mse--${c}--mean-elements`,
      `${c} of an MLP [3, 4, 2] (tanh) with nn.MSELoss, reduction='mean' (over the N·D elements), 5 examples`,
      { kind: 'fisher', ...mse, curvature: c, reduction: 'mean-elements' },
    );
  }
  add(
    'fisher-model',
    'mlp-tanh-categorical--hessian--sum',
    'Hessian of an MLP [3, 4, 3] (tanh), categorical (nn.CrossEntropyLoss), reduction sum, 5 examples',
    { kind: 'fisher', ...classifier, curvature: 'hessian', reduction: 'sum' },
  );
  add(
    'fisher-model',
    'mlp-tanh-categorical--monte-carlo-fisher--4-samples',
    'the Monte Carlo Fisher (4 labels per example) of an MLP [3, 4, 3], categorical: exact expectation and standardError',
    { kind: 'fisher', ...classifier, curvature: 'monte-carlo-fisher', samples: 4 },
  );
  add(
    'fisher-model',
    'mlp-mse--monte-carlo-fisher--1-sample--sum',
    'the Monte Carlo Fisher (1 label per example, y ~ N(f, I/2)) of an MLP [3, 4, 2] with nn.MSELoss, reduction sum',
    { kind: 'fisher', ...mse, curvature: 'monte-carlo-fisher', samples: 1, reduction: 'sum' },
  );
  for (const scheme of ['factored', 'pi-factored', 'exact'] as const) {
    add(
      'kfac',
      `mlp-categorical--fisher--${scheme}--separate-bias`,
      `K-FAC of an MLP [3, 4, 3], categorical, the bias in its own block, ${scheme} damping, lambda 0.1`,
      { kind: 'kfac', ...classifier, fisher: 'fisher', damping: 0.1, dampingScheme: scheme, bias: 'separate' },
    );
  }
  add(
    'kfac',
    'mlp-mse--empirical-fisher--exact--sum',
    'K-FAC of an MLP [3, 4, 2] with nn.MSELoss, reduction sum: empirical-fisher, exact damping, lambda 0.01',
    { kind: 'kfac', ...mse, fisher: 'empirical-fisher', damping: 0.01, dampingScheme: 'exact', reduction: 'sum' },
  );
  add(
    'kfac',
    'mlp-categorical--monte-carlo--separate-bias',
    "K-FAC of an MLP [3, 4, 3], categorical, Monte Carlo (1 label per example), separate bias (curvlinops' defaults): G's expectation and " +
      'standardError, no update',
    { kind: 'kfac', ...classifier, fisher: 'monte-carlo', samples: 1, bias: 'separate' },
  );
  for (const c of CURVATURES) {
    add('diagonal', `mlp-categorical--${c}`, `the diagonal of the ${c} of an MLP [3, 4, 3], categorical, 5 examples`, {
      kind: 'diagonal',
      ...classifier,
      curvature: c,
    });
  }
  add(
    'diagonal',
    'mlp-categorical--empirical-fisher--sum',
    "the diagonal of the empirical Fisher of the sum-reduced loss (BackPACK's SumGradSquared with reduction='sum')",
    { kind: 'diagonal', ...classifier, curvature: 'empirical-fisher', reduction: 'sum' },
  );
  add('diagonal', 'mlp-mse--ggn--mean-elements', "the GGN diagonal with nn.MSELoss, reduction='mean' (BackPACK's DiagGGNExact)", {
    kind: 'diagonal',
    ...mse,
    curvature: 'ggn',
    reduction: 'mean-elements',
  });
  add('diagonal', 'mlp-categorical--monte-carlo-fisher--2-samples', 'the Monte Carlo Fisher diagonal (2 labels per example) with its standardError', {
    kind: 'diagonal',
    ...classifier,
    curvature: 'monte-carlo-fisher',
    samples: 2,
  });
  for (const reduction of ['mean', 'sum'] as const) {
    add(
      'per-example-gradients',
      `mlp-categorical--${reduction}`,
      `per-example gradients (rows sum to the gradient) of an MLP [3, 4, 3], categorical, reduction ${reduction} (BackPACK's BatchGrad)`,
      { kind: 'per-example-gradients', ...classifier, reduction },
    );
  }
  add('per-example-gradients', 'mlp-mse--mean-elements', "per-example gradients with nn.MSELoss, reduction='mean'", {
    kind: 'per-example-gradients',
    ...mse,
    reduction: 'mean-elements',
  });
  for (const fisher of ['fisher', 'empirical-fisher'] as const) {
    add('ekfac', `mlp-categorical--${fisher}`, `EKFAC of an MLP [3, 4, 3], categorical, 5 examples: ${fisher}, damping 0.1`, {
      kind: 'ekfac',
      ...classifier,
      fisher,
      damping: 0.1,
    });
  }
  const single = modelProblem('kfac-single-example', [3, 2], ['identity'], 'categorical', 1);
  add('ekfac', 'softmax-regression-one-example--fisher', 'EKFAC of softmax regression [3, 2] on one example, where it equals K-FAC: damping 0.001', {
    kind: 'ekfac',
    ...single,
    fisher: 'fisher',
    damping: 0.001,
  });
  add('ekfac', 'mlp-mse--fisher--sum', 'EKFAC of an MLP [3, 4, 2] with nn.MSELoss, reduction sum: fisher, damping 0.01', {
    kind: 'ekfac',
    ...mse,
    fisher: 'fisher',
    damping: 0.01,
    reduction: 'sum',
  });
  return cases;
}

function shampooCases(): VectorCase[] {
  const rng = new Rng('natgrad-vectors/shampoo');
  const matrix = (m: number, n: number): number[][] => Array.from({ length: m }, () => Array.from({ length: n }, () => dec3(2 * rng.uniform() - 1)));
  const make = (name: string, m: number, n: number, T: number, epsilon: number): VectorCase => ({
    group: 'shampoo',
    name,
    description: `Shampoo preconditioners of ${T} gradient${T > 1 ? 's' : ''} of shape ${m} x ${n}, epsilon ${epsilon}`,
    spec: { kind: 'shampoo', gradients: Array.from({ length: T }, () => matrix(m, n)), epsilon },
  });
  return [
    make('2x3-two-steps', 2, 3, 2, 1e-4),
    make('3x3-one-step', 3, 3, 1, 1e-3),
    make('4x2-three-steps', 4, 2, 3, 0.01),
    make('1x4-row-five-steps', 1, 4, 5, 1e-6),
    make('3x2-rank-one-sum', 3, 2, 1, 0.1),
  ];
}

/** Every vector of the suite, in file order. */
export async function vectorCases(): Promise<VectorCase[]> {
  const all = [
    ...(await familyCases()),
    ...modelCases(),
    ...naturalGradientCases(),
    ...kfacCases(),
    ...shampooCases(),
    ...conventionCases(),
    ...sequentialVectors().map((v): VectorCase => ({ group: 'sequential', ...v })),
  ];
  const seen = new Set<string>();
  for (const c of all) {
    const key = vectorPath(c);
    if (seen.has(key)) throw new Error(`duplicate vector ${key}`);
    seen.add(key);
  }
  return all.sort((a, b) => cmp(vectorPath(a), vectorPath(b)));
}

// ------------------------------------------------------------------ output

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The file of a vector, relative to the suite's folder. */
export const vectorPath = (c: Pick<VectorCase, 'group' | 'name'>): string => `${c.group}/${c.name}.json`;

const isPrimitive = (v: unknown): boolean => v === null || typeof v !== 'object';

/**
 * JSON with sorted keys, two-space indentation, arrays of numbers on one line
 * and matrices one row per line; numbers in JavaScript's shortest round-trip
 * form. The same value always gives the same text.
 */
export function stableJson(value: unknown, indent = ''): string {
  if (isPrimitive(value)) {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`non-finite number ${value} in a vector`);
    return JSON.stringify(value);
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every(isPrimitive)) return `[${value.map((v) => stableJson(v)).join(', ')}]`;
    return `[\n${value.map((v) => inner + stableJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => cmp(a, b));
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${stableJson(v, inner)}`).join(',\n')}\n${indent}}`;
}

/**
 * The expected part of a vector: the oracle's result without the optional
 * `symbolic` and `latex` strings, which are presentation rather than contract
 * values (`natgrad oracle` prints them).
 */
function expectedOf(result: OracleResult): JsonRecord {
  const { symbolic: _s, latex: _l, ...rest } = result as OracleResult & { symbolic?: unknown; latex?: unknown };
  return rest as unknown as JsonRecord;
}

/** The version in natgrad's package.json (found upwards from this module, in src/ or dist/src/). */
export async function natgradVersion(): Promise<string> {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'natgrad' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not here: look one folder up
    }
    dir = dirname(dir);
  }
  throw new Error('the package.json of natgrad was not found above the vectors module');
}

/** The suite as files: relative path to text, in path order (vectors, index.json, README.md). */
export async function generateVectors(version: string): Promise<Map<string, string>> {
  const cases = await vectorCases();
  const files = new Map<string, string>();
  const counts: Record<string, number> = {};
  const index: JsonValue[] = [];
  // The fused multiply-add kernel rounds differently and exists only on some
  // CPUs; the portable kernel makes the committed files the same on every machine.
  const previous = gemmBackend();
  setGemmBackend('js');
  try {
    for (const c of cases) {
      const expected = expectedOf((await runOracle(c.spec)) as OracleResult);
      files.set(vectorPath(c), `${stableJson({ spec: c.spec, expected })}\n`);
      counts[c.group] = (counts[c.group] ?? 0) + 1;
      index.push({ path: vectorPath(c), group: c.group, kind: c.spec.kind as string, description: c.description });
    }
  } finally {
    setGemmBackend(previous);
  }
  const indexDoc = {
    contractVersion: VECTORS_CONTRACT_VERSION,
    natgradVersion: version,
    counts: { ...counts, total: cases.length },
    tolerance: { rtol: 1e-6, atol: 1e-9 },
    files: index,
  };
  files.set('index.json', `${stableJson(indexDoc)}\n`);
  files.set('README.md', readme(counts, cases.length, version));
  return files;
}

function readme(counts: Record<string, number>, total: number, version: string): string {
  const rows = VECTOR_GROUPS.map((g) => `| \`${g}/\` | ${counts[g] ?? 0} | ${GROUP_TEXT[g]} |`).join('\n');
  return `# natgrad oracle test vectors (contract version ${VECTORS_CONTRACT_VERSION})

Generated by \`natgrad vectors --out DIR\` (natgrad ${version}). Do not edit by
hand: regenerate, and \`natgrad vectors --check\` tells whether this copy is
fresh.

Each \`*.json\` file below the group folders is one vector:

\`\`\`json
{"spec": {...}, "expected": {...}}
\`\`\`

* \`spec\` is an oracle spec of the reference-oracle contract (the input of
  \`natgrad oracle\`), and \`expected\` is natgrad's result for it, in the
  contract's result shape. The optional \`symbolic\` and \`latex\` fields of
  family Fisher results are left out; every other field is there.
* Numbers are float64 in shortest round-trip form; matrices are arrays of
  rows. Keys are sorted; nothing depends on the date or the machine.
* Compare your own results with \`expected\` entrywise:
  \`|yours - expected| <= atol + rtol * |expected|\`, with rtol = 1e-6 and
  atol = 1e-9 (the defaults of \`natgrad check\`). Or write your result to a
  file and run \`natgrad check spec.json yours.json\`, which also names the
  likely mistake when a field differs.
* \`index.json\` lists every file with its group, kind and a one-line
  description, the contract version, the natgrad version and the counts.

| folder | vectors | what |
|---|---|---|
${rows}

${total} vectors in all. The conventions (parameter order, row-major vec and
G ⊗ A, bias last column, mean reduction unless \`reduction\` says otherwise,
constants in the loss, damping schemes, the singular rule) are those of
natgrad's docs/oracle.md. A Monte Carlo vector's \`expected\` holds the exact
expectation and \`standardError\`: compare an estimate statistically, as
\`natgrad check\` does.
`;
}

const GROUP_TEXT: Record<VectorGroup, string> = {
  'fisher-family':
    'kind `fisher` for every family and parameterization of the contract (with fixed values; categorical, dirichlet and multivariate-normal at ' +
    'several dimensions)',
  'fisher-model':
    'kind `fisher` for MLPs: the four curvatures, the likelihoods (nn.MSELoss too), every activation, linear and logistic regression, sum and ' +
    'mean-elements reductions, the Monte Carlo Fisher (with `loss` and `gradient`)',
  'natural-gradient': 'kind `natural-gradient` for families and models, undamped, damped and singular (minimum-norm direction)',
  kfac: 'kind `kfac`: the three damping schemes, both Fisher kinds, separate bias, nn.MSELoss with a sum reduction, Monte Carlo',
  reparameterize: 'kind `reparameterize`: every ordered pair of parameterizations of every family that has more than one',
  shampoo: 'kind `shampoo`: several shapes, step counts and epsilons',
  diagonal: 'kind `diagonal`: the four curvatures, a sum reduction, nn.MSELoss and the Monte Carlo Fisher with its standard error',
  'per-example-gradients': 'kind `per-example-gradients` with mean, sum and nn.MSELoss reductions',
  ekfac: 'kind `ekfac`: both Fisher kinds, one example (where it equals K-FAC), nn.MSELoss with a sum reduction',
  sequential:
    'version 2, model type `sequential`: CNNs and attention models (per-position outputs) with the four curvatures, natural-gradient, and kfac expand ' +
    'and reduce',
};

// ------------------------------------------------------------- freshness

/** Whether two JSON texts hold the same values, numbers equal up to float64 round-off (|a - b| <= 1e-12 max(|a|, |b|) + 1e-15). */
export function sameJsonValues(a: string, b: string): boolean {
  let x: unknown;
  let y: unknown;
  try {
    x = JSON.parse(a);
    y = JSON.parse(b);
  } catch {
    return false;
  }
  return sameValue(x, y);
}

function sameValue(x: unknown, y: unknown): boolean {
  if (typeof x === 'number' && typeof y === 'number') return Math.abs(x - y) <= 1e-12 * Math.max(Math.abs(x), Math.abs(y)) + 1e-15;
  if (isPrimitive(x) || isPrimitive(y)) return x === y;
  if (Array.isArray(x) !== Array.isArray(y)) return false;
  if (Array.isArray(x)) {
    const ya = y as unknown[];
    return x.length === ya.length && x.every((v, i) => sameValue(v, ya[i]));
  }
  const xo = x as Record<string, unknown>;
  const yo = y as Record<string, unknown>;
  const xk = Object.keys(xo).sort();
  const yk = Object.keys(yo).sort();
  return xk.length === yk.length && xk.every((k, i) => k === yk[i] && sameValue(xo[k], yo[k]));
}

/**
 * Whether a committed file is fresh: the same text, or for JSON the same
 * values up to round-off in the last digits (a different libm may move them).
 */
export function isFresh(path: string, generated: string, committed: string): boolean {
  if (generated === committed) return true;
  return path.endsWith('.json') && sameJsonValues(generated, committed);
}
