/**
 * Wrong variants of the dense model kinds (`fisher` for a model,
 * `natural-gradient`): the other Fisher type, permuted or bias-free parameter
 * layouts, the loss without its constant, and confused damping.
 */
import type { ModelCurvatureKind } from '../curvature/dense-curvature.js';
import { Matrix } from '../linalg/matrix.js';
import { addScaledIdentity } from '../linalg/ops.js';
import { dampedSolve } from '../linalg/solve.js';
import type { FieldKeys } from './compare.js';
import type { OracleResult } from './compute.js';
import type { ModelProblem } from './model-spec.js';
import { anyBias, applyLayout, augmentedRowsLayout, biasFirstLayout, columnMajorLayout, isIdentityLayout, withoutBiasLayout } from './param-layouts.js';
import type { ParsedSpec } from './spec.js';
import { type NumericField, matrixOf, tensorOfMatrix, tensorOfVector } from './tensor.js';
import { type Recomputer, type Variant, mapData } from './variant-kit.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

const otherFisher = (kind: ModelCurvatureKind): ModelCurvatureKind | null =>
  kind === 'fisher' || kind === 'ggn' ? 'empirical-fisher' : kind === 'empirical-fisher' ? 'fisher' : null;

function empiricalSentence(asked: string): string {
  return asked === 'empirical-fisher'
    ? 'the Fisher (expectation over y drawn from the model) where the empirical Fisher (the given targets) was asked [empirical]'
    : 'the empirical Fisher (gradients at the given targets) where the Fisher (expectation over y drawn from the model) was asked [empirical]';
}

/** Permutations and the bias-free restriction of a parameter-indexed vector or matrix. */
export function layoutVariants(e: NumericField, problem: ModelProblem, solveWithoutBias?: () => NumericField | null): Variant[] {
  const spec = problem.spec;
  const P = e.shape[0];
  const out: Variant[] = [];
  if (anyBias(spec)) {
    const nb = withoutBiasLayout(spec);
    const what = e.shape.length === 1 ? `length ${nb.order.length} instead of ${P}` : `${nb.order.length} x ${nb.order.length} instead of ${P} x ${P}`;
    const sentence = `the bias entries missing (${what}: the parameters of a model without biases) [bias]`;
    if (solveWithoutBias) out.push({ sentence, value: solveWithoutBias });
    out.push({ sentence, value: () => applyLayout(e, nb) });
    out.push({ sentence: 'the bias placed first (b before W in each layer) [bias]', value: () => applyLayout(e, biasFirstLayout(spec)) });
  }
  for (const layout of [columnMajorLayout(spec), augmentedRowsLayout(spec)]) {
    if (!isIdentityLayout(layout, P))
      out.push({ sentence: `a permutation of the parameters: ${layout.description} [column-major]`, value: () => applyLayout(e, layout) });
  }
  return out;
}

/** Variants of a model's curvature matrix: the other Fisher type, Hessian vs GGN, permuted or bias-free layouts. */
export function curvatureMatrixVariants(e: NumericField, spec: Extract<ParsedSpec, { subject: 'model' }>, rc: Recomputer): Variant[] {
  const out: Variant[] = [];
  const other = otherFisher(spec.curvature);
  if (other) out.push({ sentence: empiricalSentence(spec.curvature), value: () => tensorOfMatrix(rc.curvature(spec.problem, other)) });
  if (spec.curvature === 'hessian') {
    out.push({
      sentence: 'the generalized Gauss-Newton (the Fisher, for these likelihoods) where the Hessian was asked [ggn]',
      value: () => tensorOfMatrix(rc.curvature(spec.problem, 'ggn')),
    });
  } else if (spec.curvature !== 'empirical-fisher') {
    out.push({
      sentence: 'the Hessian of the loss where the Fisher / Gauss-Newton matrix was asked [hessian]',
      value: () => tensorOfMatrix(rc.curvature(spec.problem, 'hessian')),
    });
  }
  out.push(...layoutVariants(e, spec.problem));
  return out;
}

/** Variants of the mean loss: the gaussian constant (D/2) log 2π left out. */
export function lossVariants(e: NumericField, problem: ModelProblem): Variant[] {
  if (problem.spec.likelihood !== 'gaussian') return [];
  const D = problem.spec.sizes[problem.spec.sizes.length - 1];
  return [
    {
      sentence: `the constant (D/2) log 2π = ${D * HALF_LOG_2PI} left out of the gaussian loss [constant]`,
      value: () => mapData(e, (x) => x - D * HALF_LOG_2PI),
    },
  ];
}

/** Damped solves with the damping confused, for a natural-gradient direction. */
function dampingSolveVariants(F: () => Matrix, g: Float64Array, lambda: number): Variant[] {
  if (!(lambda > 0)) return [];
  const solveWith = (l: number) => () => tensorOfVector(dampedSolve(F(), l, g).x);
  return [
    { sentence: 'damping applied twice: (F + 2λI)^-1 g [damping]', value: solveWith(2 * lambda) },
    { sentence: 'the damping left out: F^-1 g instead of (F + λI)^-1 g [damping]', value: solveWith(0) },
    { sentence: 'sqrt(λ) in place of λ: (F + sqrt(λ) I)^-1 g [damping]', value: solveWith(Math.sqrt(lambda)) },
    { sentence: 'λ² in place of λ: (F + λ² I)^-1 g [damping]', value: solveWith(lambda * lambda) },
  ];
}

/** Variants of the natural-gradient fields `matrix` and `direction` (family or model). */
export function naturalGradientVariants(
  keys: FieldKeys,
  e: NumericField,
  spec: Extract<ParsedSpec, { kind: 'natural-gradient'; subject: 'family' | 'model' }>,
  result: OracleResult,
  rc: Recomputer,
): Variant[] {
  if (result.kind !== 'natural-gradient') return [];
  const field = keys[0];
  const F = () => Matrix.from(result.matrix);
  const g = spec.subject === 'family' ? spec.gradient : (spec.gradient ?? rc.lossGradient(spec.problem));
  const lambda = spec.damping;
  const addDamping: Variant[] =
    lambda > 0 ? [{ sentence: 'F + λI where F without the damping was asked [damping]', value: () => tensorOfMatrix(addScaledIdentity(F(), lambda)) }] : [];
  if (spec.subject === 'family') {
    if (field === 'matrix') return addDamping;
    if (field === 'direction') return dampingSolveVariants(F, g, lambda);
    return [];
  }
  const problem = spec.problem;
  const N = problem.inputs.length;
  if (field === 'matrix') return [...curvatureMatrixVariants(e, spec, rc), ...addDamping];
  if (field === 'loss') return lossVariants(e, problem);
  if (field === 'gradient') return layoutVariants(e, problem);
  if (field !== 'direction') return [];
  const out: Variant[] = [];
  if (lambda > 0 && N > 1) {
    out.push({
      sentence: `F scaled by ${N} = N [batch-size]: (N F + λI)^-1 g, a summed Fisher`,
      value: () => tensorOfVector(dampedSolve(matScale(F(), N), lambda, g).x),
    });
    out.push({
      sentence: `F scaled by 1/${N} = 1/N [batch-size]: (F/N + λI)^-1 g`,
      value: () => tensorOfVector(dampedSolve(matScale(F(), 1 / N), lambda, g).x),
    });
    out.push({
      sentence: `F and g summed over the N = ${N} examples [batch-size]: (N F + λI)^-1 N g = (F + (λ/N) I)^-1 g`,
      value: () => tensorOfVector(dampedSolve(F(), lambda / N, g).x),
    });
  }
  const other = otherFisher(spec.curvature);
  if (other) out.push({ sentence: empiricalSentence(spec.curvature), value: () => tensorOfVector(dampedSolve(rc.curvature(problem, other), lambda, g).x) });
  const withoutBias = () => {
    const nb = withoutBiasLayout(problem.spec);
    const subF = applyLayout(tensorOfMatrix(F()), nb);
    const subG = applyLayout(tensorOfVector(g), nb);
    return tensorOfVector(dampedSolve(matrixOf(subF), lambda, subG.data).x);
  };
  out.push(...layoutVariants(e, problem, withoutBias));
  out.push(...dampingSolveVariants(F, g, lambda));
  return out;
}

const matScale = (M: Matrix, c: number): Matrix =>
  new Matrix(
    M.rows,
    M.cols,
    M.data.map((x) => c * x),
  );
