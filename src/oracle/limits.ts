/**
 * The oracle's size limits, checked from a spec's shapes (array lengths,
 * layer widths, the number of examples) before anything is computed or
 * allocated, so an oversized spec is refused at once instead of running out
 * of memory or time.
 *
 * Three bounds, and the message says which one fired:
 * * the contract's: a result has at most 2^26 entries;
 * * memory: no array the computation holds (the result's matrices, the
 *   stacked per-example scores of an exact Fisher, the back-propagated rows of
 *   K-FAC) exceeds 2^24 entries (128 MiB of float64), and a result prints at
 *   most 2^24 numbers (its JSON text, up to about 25 characters per number,
 *   must fit in one string);
 * * time: the estimated multiply-adds stay below 2^35 (about half a minute on
 *   one core of the development machine, which runs dense JavaScript kernels
 *   at about 2e9 multiply-adds per second).
 * The estimates are leading terms of the algorithms in curvature/ and
 * families/, not measurements: a spec just below a bound may take somewhat
 * longer than stated, never orders of magnitude longer.
 */
import { NatgradError } from '../core/errors.js';

/** The contract's limit on the entries of one result. */
export const RESULT_ENTRY_LIMIT = 2 ** 26;
/** The largest array held at once, and the most numbers printed in one answer. */
export const HELD_ENTRY_LIMIT = 2 ** 24;
/** The most estimated multiply-adds spent on one answer. */
export const OPERATION_LIMIT = 2 ** 35;

/**
 * Multiply-adds per n³ of a symmetric eigendecomposition in linalg/ with its
 * eigenvectors (measured: n = 512 in 2.0 s and n = 1024 in 22 s, against
 * 2.1e9 multiply-adds per second for a matrix product).
 */
export const EIGEN_COST = 40;
/**
 * Multiply-add equivalents per Fisher entry for building a vector family's
 * definitions at a new dimension (expressions and their compiled forms;
 * measured: a categorical with K = 1000 in 5 s, K = 2000 in 15 s).
 */
export const FAMILY_BUILD_COST = 2 ** 13;

/** One quantity of an estimate with what it is, for the message. */
export interface Sized {
  size: number;
  what: string;
}

export interface WorkEstimate {
  /** the numbers of the result */
  result: Sized;
  /** the largest array held during the computation */
  largest: Sized;
  /** the estimated multiply-adds, with the leading term */
  operations: Sized;
}

/** 67108864 as `2^26 = 67108864`, other numbers in a short exact or scientific form. */
function count(x: number): string {
  if (!Number.isFinite(x)) return 'more than 1e308';
  if (x < 1e7 && Number.isInteger(x)) return String(x);
  return x.toExponential(2).replace('e+', 'e');
}

const power = (k: number): string => `2^${k} = ${2 ** k}`;

/**
 * Throws a NatgradError at `path` naming the first bound the estimate
 * exceeds. `oneResult: false` for the sum over an array spec, which the
 * contract's per-result limit does not concern.
 */
export function assertWithinLimits(est: WorkEstimate, path: string, oneResult = true): void {
  if (oneResult && est.result.size > RESULT_ENTRY_LIMIT) {
    throw new NatgradError(
      path,
      `the result would have ${count(est.result.size)} entries (${est.result.what}); the contract allows at most ${power(26)} entries in one result`,
    );
  }
  if (est.result.size > HELD_ENTRY_LIMIT) {
    throw new NatgradError(
      path,
      `the result would have ${count(est.result.size)} entries (${est.result.what}); natgrad's oracle prints at most ${power(24)} numbers in one ` +
        `answer (memory bound; the contract's limit is 2^26)`,
    );
  }
  if (est.largest.size > HELD_ENTRY_LIMIT) {
    throw new NatgradError(
      path,
      `computing it holds ${est.largest.what}, ${count(est.largest.size)} entries; natgrad's oracle holds at most ${power(24)} entries in one array ` +
        `(memory bound)`,
    );
  }
  if (est.operations.size > OPERATION_LIMIT) {
    throw new NatgradError(
      path,
      `computing it takes about ${count(est.operations.size)} multiply-adds (${est.operations.what}); natgrad's oracle does at most 2^35 = ` +
        `${count(OPERATION_LIMIT)} for one answer, about half a minute (time bound)`,
    );
  }
}

/** The sum of several estimates (an array spec answered as one document): sizes add, the largest array is the largest of all. */
export function totalEstimate(parts: readonly WorkEstimate[]): WorkEstimate {
  const sum = (pick: (e: WorkEstimate) => Sized, what: string): Sized => ({ size: parts.reduce((s, e) => s + pick(e).size, 0), what });
  const largest = parts.reduce<Sized>((a, e) => (e.largest.size > a.size ? e.largest : a), { size: 0, what: 'nothing' });
  return {
    result: sum((e) => e.result, `the ${parts.length} results of the array together`),
    largest,
    operations: sum((e) => e.operations, `the ${parts.length} specs of the array together`),
  };
}

/** `a x b` for the messages. */
export const shape = (rows: number, cols: number): string => `${count(rows)} x ${count(cols)}`;

// ---- the estimates of each kind ---------------------------------------------

export type FamilyKind = 'fisher' | 'natural-gradient' | 'reparameterize';

/** A family with P parameters: a P x P Fisher (and a P x P Jacobian to reparameterize), built per dimension. */
export function familyEstimate(kind: FamilyKind, P: number): WorkEstimate {
  const F = P * P;
  const matrix = `a ${shape(P, P)} Fisher matrix of ${count(P)} parameters`;
  const result: Sized = kind === 'reparameterize' ? { size: 2 * F + P, what: `${matrix} and a ${shape(P, P)} Jacobian` } : { size: F + P, what: matrix };
  const build = FAMILY_BUILD_COST * F;
  const operations: Sized =
    kind === 'natural-gradient'
      ? {
          size: build + EIGEN_COST * P ** 3,
          what: `building the family at this dimension, ${count(build)}, and the eigendecomposition of a ${shape(P, P)} matrix, ${count(EIGEN_COST * P ** 3)}`,
        }
      : kind === 'reparameterize'
        ? { size: build + 2 * P ** 3, what: `building the family at this dimension and two ${shape(P, P)} products` }
        : { size: build, what: `building the family's ${count(F)} Fisher entries at this dimension` };
  return { result, largest: { size: F, what: `a ${shape(P, P)} matrix` }, operations };
}

/** The shape of a model problem, known before its weights and data are read. */
export interface ModelShape {
  /** layer widths, input first */
  sizes: readonly number[];
  /** whether each layer has a bias */
  bias: readonly boolean[];
  /** the number of examples */
  N: number;
  /** columns of the output Fisher's square root per example: K for categorical, D for gaussian, 1 for bernoulli */
  R: number;
  /** the number of parameters */
  P: number;
}

export type DenseCurvature = 'fisher' | 'empirical-fisher' | 'ggn' | 'hessian';

/**
 * A dense curvature (P x P) of a model, and for `natural-gradient` its
 * eigendecomposition. The exact Fisher stacks N·R per-example score vectors
 * (R = one per column of the output Fisher's square root) into an N·R x P
 * matrix before forming its Gram matrix; the empirical Fisher stacks N; the
 * GGN forms each example's D x P output Jacobian; the Hessian takes P
 * Hessian-vector products over the N examples.
 */
export function denseModelEstimate(kind: 'fisher' | 'natural-gradient', curvature: DenseCurvature, s: ModelShape): WorkEstimate {
  const { P } = s;
  const D = s.sizes[s.sizes.length - 1];
  const F = P * P;
  const result: Sized = { size: kind === 'fisher' ? F + P + 1 : F + P, what: `a ${shape(P, P)} matrix of ${count(P)} parameters` };
  let largest: Sized = { size: F, what: `a ${shape(P, P)} matrix` };
  let ops: Sized;
  switch (curvature) {
    case 'fisher': {
      const rows = s.N * s.R;
      if (rows * P > F)
        largest = {
          size: rows * P,
          what: `the ${shape(rows, P)} matrix of per-example score vectors (N·R = ${count(s.N)}·${count(s.R)} rows of P = ${count(P)})`,
        };
      ops = { size: rows * F, what: `N·R·P² for the exact Fisher, N·R = ${count(rows)}, P = ${count(P)}` };
      break;
    }
    case 'empirical-fisher':
      if (s.N * P > F) largest = { size: s.N * P, what: `the ${shape(s.N, P)} matrix of per-example gradients` };
      ops = { size: s.N * F, what: `N·P² for the empirical Fisher, N = ${count(s.N)}, P = ${count(P)}` };
      break;
    case 'ggn':
      ops = { size: s.N * (D * F + D * D * P), what: `N·D·P² for the GGN, N = ${count(s.N)}, D = ${count(D)}, P = ${count(P)}` };
      break;
    case 'hessian':
      ops = { size: 4 * s.N * F, what: `P Hessian-vector products over N examples, 4·N·P², N = ${count(s.N)}, P = ${count(P)}` };
      break;
  }
  if (kind === 'natural-gradient') {
    const eig = EIGEN_COST * P ** 3;
    ops = { size: ops.size + eig, what: `${ops.what}, and the eigendecomposition of the ${shape(P, P)} matrix, about ${count(eig)}` };
  }
  return { result, largest, operations: ops };
}

/**
 * K-FAC of a model: per layer the factors A ((in+1)²) and G (out²), the
 * gradient and the update (out x (in+1)); the exact expectation
 * back-propagates N·R rows through every layer; every factor is
 * eigendecomposed for the update.
 */
export function kfacEstimate(fisher: 'fisher' | 'empirical-fisher', s: ModelShape): WorkEstimate {
  const L = s.sizes.length - 1;
  const rows = fisher === 'fisher' ? s.N * s.R : s.N;
  let resultSize = 1;
  let largest: Sized = { size: 0, what: 'nothing' };
  const consider = (size: number, what: () => string): void => {
    if (size > largest.size) largest = { size, what: what() };
  };
  let ops = 0;
  let eig = 0;
  for (let l = 0; l < L; l++) {
    const inp = s.sizes[l] + (s.bias[l] ? 1 : 0);
    const out = s.sizes[l + 1];
    resultSize += inp * inp + out * out + 2 * out * inp;
    consider(out * out, () => `G of layer ${l + 1}, ${shape(out, out)}`);
    consider(inp * inp, () => `A of layer ${l + 1}, ${shape(inp, inp)}`);
    consider(rows * out, () => `the ${shape(rows, out)} back-propagated rows of layer ${l + 1} (N·R = ${count(s.N)}·${count(fisher === 'fisher' ? s.R : 1)})`);
    consider(s.N * inp, () => `the ${shape(s.N, inp)} inputs of layer ${l + 1}`);
    ops += rows * (out * out + out * s.sizes[l]) + s.N * inp * (inp + s.sizes[l + 1]) + out * inp * (out + inp);
    eig += EIGEN_COST * (out ** 3 + inp ** 3);
  }
  const D = s.sizes[L];
  if (fisher === 'fisher') consider(s.N * s.R * D, () => `the output Fisher square roots, ${count(s.N)} of ${shape(D, s.R)}`);
  return {
    result: { size: resultSize, what: `the K-FAC factors, gradients and updates of ${L} layer${L === 1 ? '' : 's'}` },
    largest,
    operations: {
      size: ops + eig,
      what: `the factors over ${count(rows)} back-propagated rows, ${count(ops)}, and the eigendecompositions of every A and G, ${count(eig)}`,
    },
  };
}

/** Per-example gradients: N gradients of P entries, one backward pass each. */
export function perExampleEstimate(s: ModelShape): WorkEstimate {
  const NP = s.N * s.P;
  return {
    result: { size: NP, what: `${count(s.N)} gradients of ${count(s.P)} parameters (${shape(s.N, s.P)})` },
    largest: { size: NP, what: `the ${shape(s.N, s.P)} per-example gradients` },
    operations: { size: 4 * NP, what: `N backward passes over P parameters, 4·N·P, N = ${count(s.N)}, P = ${count(s.P)}` },
  };
}

/**
 * EKFAC: K-FAC's factors and their eigenbases, the corrected eigenvalues
 * (N·R rotated outer products per layer) and each layer's dense block
 * (out·k)², formed as (U_G ⊗ U_A) diag (U_G ⊗ U_A)ᵀ.
 */
export function ekfacEstimate(fisher: 'fisher' | 'empirical-fisher', s: ModelShape): WorkEstimate {
  const k = kfacEstimate(fisher, s);
  const L = s.sizes.length - 1;
  const rows = fisher === 'fisher' ? s.N * s.R : s.N;
  let blocks = 0;
  let biggest = 0;
  let ops = k.operations.size;
  for (let l = 0; l < L; l++) {
    const inp = s.sizes[l] + (s.bias[l] ? 1 : 0);
    const n = s.sizes[l + 1] * inp;
    blocks += n * n + 2 * n;
    biggest = Math.max(biggest, n * n);
    ops += 2 * n * n * n + rows * n;
  }
  return {
    result: { size: blocks + 1, what: `the EKFAC blocks, gradients and updates of ${L} layer${L === 1 ? '' : 's'}` },
    largest: biggest > k.largest.size ? { size: biggest, what: 'the largest EKFAC block' } : k.largest,
    operations: { size: ops, what: `K-FAC's factors, the corrected eigenvalues and the dense blocks, ${count(ops)}` },
  };
}

/** Shampoo on T gradients of m x n: the statistics (m x m, n x n), their inverse fourth roots and the update. */
export function shampooEstimate(T: number, m: number, n: number): WorkEstimate {
  const stats = T * (m * m * n + m * n * n);
  const eig = EIGEN_COST * (m ** 3 + n ** 3);
  const big = Math.max(m, n);
  return {
    result: { size: m * m + n * n + m * n, what: `L (${shape(m, m)}), R (${shape(n, n)}) and the update (${shape(m, n)})` },
    largest: { size: big * big, what: `a ${shape(big, big)} statistic` },
    operations: {
      size: stats + eig + m * n * (m + n),
      what: `the statistics of ${count(T)} gradients, ${count(stats)}, and their eigendecompositions, ${count(eig)}`,
    },
  };
}
