/**
 * The real data sets of the experiments (data/README.md holds their
 * provenance and license), split into train and test by a seeded shuffle and
 * standardized with statistics of the training split only, so no information
 * from the test split leaks into the features; plus a seeded synthetic linear
 * regression whose Hessian has a known, large condition number.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describeValue, NatgradError } from '../core/errors.js';
import { requireFinite, requireOneOf, requireOptions, requirePositive } from '../core/validate.js';
import { Rng } from '../core/rng.js';
import type { Vec } from '../core/vec.js';
import { eigSymmetric } from '../linalg/eigen-symmetric.js';
import { Matrix } from '../linalg/matrix.js';

/** A supervised data set split into train and test. */
export interface Dataset {
  name: string;
  trainInputs: Vec[];
  trainLabels: number[];
  testInputs: Vec[];
  testLabels: number[];
  /** Number of classes (labels are 0..classes-1). */
  classes: number;
  /** Per-column mean and standard deviation of the raw training features (identity transform: 0 and 1). */
  featureMean: Vec;
  featureStd: Vec;
}

/** How a data set is split into train and test. */
export interface SplitOptions {
  /** Fraction of the rows held out for testing [0.2]. */
  testFraction?: number;
  /** Seed of the shuffle that makes the split [0]. */
  seed?: number;
  /** Folder holding the data files [the repository's data/]. */
  dataDir?: string;
}

/** How the digits' pixels are given: standardized per pixel, or scaled to [0, 1]. */
export const DIGIT_FEATURES = ['standardized', 'unit-interval'] as const;
export type DigitFeatures = (typeof DIGIT_FEATURES)[number];

/** The options of {@link loadDigits}. */
export interface DigitsOptions extends SplitOptions {
  /** 'standardized' (mean 0, unit variance per pixel) or 'unit-interval' (pixel / 16) ['standardized']. */
  features?: DigitFeatures;
}

/** The repository's data/ folder: the first ancestor of this module holding data/README.md. */
export function defaultDataDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'data', 'README.md'))) return join(dir, 'data');
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new NatgradError('dataDir', 'could not find the data/ folder above the natgrad modules; pass dataDir');
}

function readDataFile(file: string, dataDir: string | undefined): string {
  const path = join(dataDir ?? defaultDataDir(), file);
  if (!existsSync(path)) throw new NatgradError('dataDir', `has no ${file} (looked for ${path})`);
  const bytes = readFileSync(path);
  return file.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
}

/** Rows of numbers from CSV text (no quoting in these files). */
function parseCsv(text: string, file: string, skipHeader: boolean): number[][] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const rows = (skipHeader ? lines.slice(1) : lines).map((l) => l.split(',').map(Number));
  rows.forEach((r, i) => {
    if (r.some((v) => !Number.isFinite(v))) throw new NatgradError(`${file}[${i}]`, 'must hold only numbers');
  });
  return rows;
}

/** A seeded permutation of 0..n-1 (Fisher-Yates). */
export function seededPermutation(n: number, seed: number): number[] {
  return new Rng(seed).permutation(n);
}

/** Column means and standard deviations (population, 1/N); a constant column gets std 1 so it maps to 0. */
export function columnStatistics(rows: readonly ArrayLike<number>[]): { mean: Vec; std: Vec } {
  const d = rows[0].length;
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] += r[j];
  for (let j = 0; j < d; j++) mean[j] /= rows.length;
  for (const r of rows) for (let j = 0; j < d; j++) std[j] += (r[j] - mean[j]) ** 2;
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt(std[j] / rows.length);
    std[j] = s > 1e-12 ? s : 1;
  }
  return { mean, std };
}

const SPLIT_OPTION_KEYS = ['testFraction', 'seed', 'dataDir'];

function validateSplit(o: SplitOptions): { testFraction: number; seed: number } {
  const testFraction = requireFinite(o.testFraction ?? 0.2, 'testFraction', 'a number in (0, 1)');
  const seed = o.seed ?? 0;
  if (!(testFraction > 0 && testFraction < 1)) throw new NatgradError('testFraction', `must be in (0, 1), got ${testFraction}`);
  if (!Number.isInteger(seed)) throw new NatgradError('seed', `must be an integer, got ${describeValue(seed)}`);
  return { testFraction, seed };
}

/** The checked options of a loader: known keys only, and dataDir a string. */
function loaderOptions<T extends SplitOptions>(o: unknown, keys: readonly string[], loader: string): T {
  const options = requireOptions(o, keys, '', `the ${loader} options`) as T;
  if (options.dataDir !== undefined && typeof options.dataDir !== 'string') {
    throw new NatgradError('dataDir', `must be the path of a folder (a string), got ${describeValue(options.dataDir)}`);
  }
  validateSplit(options);
  return options;
}

/** Splits labelled rows (features then label) and transforms the features. */
function splitDataset(name: string, rows: number[][], classes: number, o: SplitOptions, transform: 'standardized' | 'unit-interval', pixelMax = 16): Dataset {
  const { testFraction, seed } = validateSplit(o);
  const perm = seededPermutation(rows.length, seed);
  const nTest = Math.round(rows.length * testFraction);
  if (nTest < 1 || nTest > rows.length - 2) {
    throw new NatgradError('testFraction', `leaves ${nTest} of ${rows.length} rows for testing; both splits need rows (the training split at least 2)`);
  }
  const testRows = perm.slice(0, nTest).map((i) => rows[i]);
  const trainRows = perm.slice(nTest).map((i) => rows[i]);
  const features = (r: number[]) => r.slice(0, r.length - 1);
  const d = rows[0].length - 1;
  const { mean, std } =
    transform === 'standardized' ? columnStatistics(trainRows.map(features)) : { mean: new Float64Array(d), std: new Float64Array(d).fill(pixelMax) };
  const map = (r: number[]) => Float64Array.from(features(r), (v, j) => (v - mean[j]) / std[j]);
  return {
    name,
    trainInputs: trainRows.map(map),
    trainLabels: trainRows.map((r) => r[d]),
    testInputs: testRows.map(map),
    testLabels: testRows.map((r) => r[d]),
    classes,
    featureMean: transform === 'standardized' ? mean : new Float64Array(d),
    featureStd: transform === 'standardized' ? std : new Float64Array(d).fill(1),
  };
}

/**
 * Breast Cancer Wisconsin (Diagnostic): 569 tumours, 30 standardized features,
 * label 0 = malignant, 1 = benign. Street, Wolberg and Mangasarian (1993), UCI.
 *
 * @example
 * ```ts
 * const data = loadBreastCancer({ seed: 0 });
 * console.log(data.trainInputs.length, data.testInputs.length, data.classes); // 455 114 2
 * ```
 */
export function loadBreastCancer(options: SplitOptions = {}): Dataset {
  const o = loaderOptions<SplitOptions>(options, SPLIT_OPTION_KEYS, 'loadBreastCancer');
  const rows = parseCsv(readDataFile('breast_cancer.csv', o.dataDir), 'breast_cancer.csv', true);
  return splitDataset('breast cancer', rows, 2, o, 'standardized');
}

/**
 * Optical Recognition of Handwritten Digits: 1797 8x8 images (64 pixel counts
 * 0..16), labels 0..9. Alpaydin and Kaynak (1998), UCI.
 *
 * @example
 * ```ts
 * const digits = loadDigits({ features: 'unit-interval' });
 * console.log(digits.trainInputs[0].length, digits.classes); // 64 10
 * ```
 */
export function loadDigits(options: DigitsOptions = {}): Dataset {
  const o = loaderOptions<DigitsOptions>(options, [...SPLIT_OPTION_KEYS, 'features'], 'loadDigits');
  const features = requireOneOf(o.features ?? 'standardized', DIGIT_FEATURES, 'features');
  const rows = parseCsv(readDataFile('digits.csv.gz', o.dataDir), 'digits.csv.gz', false);
  return splitDataset('digits', rows, 10, o, features);
}

/** A regression set with its exact least-squares solution and Hessian conditioning. */
export interface RegressionDataset {
  name: string;
  trainInputs: Vec[];
  trainTargets: number[];
  testInputs: Vec[];
  testTargets: number[];
  /** Condition number of the training Hessian (1/N) Σ x̃ x̃ᵀ, x̃ = [x; 1] (the bias included). */
  conditionNumber: number;
  /** Minimum of the mean squared error (1/N) Σ (y - w·x - b)² / 2 over the training split. */
  minimumHalfMse: number;
}

export interface IllConditionedOptions {
  /** Features [20]. */
  dimension?: number;
  /** Training rows [400]; the test split has a quarter as many. */
  samples?: number;
  /** Ratio of the largest to the smallest feature variance [1e4]. */
  kappa?: number;
  /** Noise standard deviation [0.1]. */
  noise?: number;
  seed?: number;
}

/** A random orthogonal matrix: Gram-Schmidt on a Gaussian matrix (Haar up to column signs). */
function randomOrthogonal(d: number, rng: Rng): Matrix {
  const q: Float64Array[] = [];
  for (let i = 0; i < d; i++) {
    const v = Float64Array.from({ length: d }, () => rng.normal());
    // Two passes of Gram-Schmidt keep the columns orthogonal to rounding error.
    for (let pass = 0; pass < 2; pass++) {
      for (const u of q) {
        let dot = 0;
        for (let k = 0; k < d; k++) dot += u[k] * v[k];
        for (let k = 0; k < d; k++) v[k] -= dot * u[k];
      }
    }
    let n = 0;
    for (let k = 0; k < d; k++) n += v[k] * v[k];
    n = Math.sqrt(n);
    for (let k = 0; k < d; k++) v[k] /= n;
    q.push(v);
  }
  return Matrix.from(q.map((r) => Array.from(r)));
}

/** Solves the symmetric positive definite system A x = b through the eigendecomposition. */
function solveSpd(A: Matrix, b: Vec): Vec {
  const { values, vectors } = eigSymmetric(A);
  const n = b.length;
  const x = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let c = 0;
    for (let i = 0; i < n; i++) c += vectors.get(i, k) * b[i];
    c /= values[k];
    for (let i = 0; i < n; i++) x[i] += c * vectors.get(i, k);
  }
  return x;
}

/**
 * y = w·x + 0.5 + noise with x = Q diag(s) z, z standard normal, Q a random
 * rotation and s_i² spread geometrically from 1 down to 1/kappa, so the
 * feature covariance has condition number kappa and its eigenvectors are not
 * the coordinate axes (a diagonal preconditioner cannot undo it). The exact
 * condition number of the training Hessian and the least-squares minimum are
 * computed and returned.
 */
export function illConditionedRegression(options: IllConditionedOptions = {}): RegressionDataset {
  const o = requireOptions(options, ['dimension', 'samples', 'kappa', 'noise', 'seed'], '', 'the illConditionedRegression options') as IllConditionedOptions;
  const d = o.dimension ?? 20;
  const N = o.samples ?? 400;
  const kappa = o.kappa ?? 1e4;
  const noise = o.noise ?? 0.1;
  const seed = o.seed ?? 0;
  if (!Number.isInteger(d) || d < 1) throw new NatgradError('dimension', `must be a positive integer, got ${d}`);
  if (!Number.isInteger(N) || N < d + 1) throw new NatgradError('samples', `must be an integer > dimension, got ${N}`);
  if (!(kappa >= 1)) throw new NatgradError('kappa', `must be >= 1, got ${kappa}`);
  const rng = new Rng(seed);
  const Q = randomOrthogonal(d, rng);
  const s = Float64Array.from({ length: d }, (_, i) => Math.pow(kappa, -i / (2 * Math.max(d - 1, 1))));
  const w = Float64Array.from({ length: d }, () => rng.normal());
  const draw = (n: number) => {
    const xs: Vec[] = [];
    const ys: number[] = [];
    for (let r = 0; r < n; r++) {
      const z = Float64Array.from(s, (si) => si * rng.normal());
      const x = new Float64Array(d);
      for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) x[i] += Q.get(i, k) * z[k];
      let y = 0.5 + noise * rng.normal();
      for (let i = 0; i < d; i++) y += w[i] * x[i];
      xs.push(x);
      ys.push(y);
    }
    return { xs, ys };
  };
  const train = draw(N);
  const test = draw(Math.max(1, Math.round(N / 4)));
  // Normal equations in x̃ = [x; 1]: H = (1/N) Σ x̃ x̃ᵀ, r = (1/N) Σ y x̃.
  const H = new Matrix(d + 1, d + 1);
  const rhs = new Float64Array(d + 1);
  train.xs.forEach((x, n) => {
    const xt = Float64Array.of(...x, 1);
    for (let i = 0; i <= d; i++) {
      rhs[i] += (train.ys[n] * xt[i]) / N;
      for (let j = 0; j <= d; j++) H.data[i * (d + 1) + j] += (xt[i] * xt[j]) / N;
    }
  });
  const { values } = eigSymmetric(H);
  const eig = Array.from(values);
  const conditionNumber = Math.max(...eig) / Math.min(...eig);
  const beta = solveSpd(H, rhs);
  let sse = 0;
  train.xs.forEach((x, n) => {
    let f = beta[d];
    for (let i = 0; i < d; i++) f += beta[i] * x[i];
    sse += (train.ys[n] - f) ** 2;
  });
  return {
    name: 'ill-conditioned linear regression',
    trainInputs: train.xs,
    trainTargets: train.ys,
    testInputs: test.xs,
    testTargets: test.ys,
    conditionNumber,
    minimumHalfMse: sse / (2 * N),
  };
}

export interface BlobsOptions {
  /** Training rows [150]; the test split has as many. */
  samples?: number;
  /** Standard deviation of each class around its centre [0.5]. */
  spread?: number;
  seed?: number;
}

/**
 * Three Gaussian classes in the plane, centred on the unit circle at 90°,
 * 210° and 330° with standard deviation `spread` (0.5: the classes overlap),
 * labels in turn 0, 1, 2; training and test rows drawn from the same seeded
 * generator, test rows after the training rows.
 */
export function threeBlobs(o: BlobsOptions = {}): Dataset {
  const N = o.samples ?? 150;
  const spread = o.spread ?? 0.5;
  if (!Number.isInteger(N) || N < 3) throw new NatgradError('samples', `must be an integer >= 3, got ${N}`);
  requirePositive(spread, 'spread');
  const rng = new Rng(o.seed ?? 0);
  const centres = [90, 210, 330].map((deg) => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)]);
  const draw = (n: number) => {
    const inputs: Vec[] = [];
    const labels: number[] = [];
    for (let r = 0; r < n; r++) {
      const c = r % 3;
      inputs.push(Float64Array.of(centres[c][0] + spread * rng.normal(), centres[c][1] + spread * rng.normal()));
      labels.push(c);
    }
    return { inputs, labels };
  };
  const train = draw(N);
  const test = draw(N);
  return {
    name: 'three-blobs',
    trainInputs: train.inputs,
    trainLabels: train.labels,
    testInputs: test.inputs,
    testLabels: test.labels,
    classes: 3,
    featureMean: new Float64Array(2),
    featureStd: Float64Array.of(1, 1),
  };
}
