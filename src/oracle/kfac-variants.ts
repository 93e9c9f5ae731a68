/**
 * Wrong variants of the `kfac` kind: A and G swapped (as factors or in the
 * Kronecker order), the other Fisher type, the bias column dropped or first,
 * column-major flattening, and every damping confusion of the three schemes.
 */
import { type KfacFactors, type KfacFisherKind, kfacUpdate, piFactor } from '../curvature/kfac.js';
import { Matrix } from '../linalg/matrix.js';
import { addScaledIdentity } from '../linalg/ops.js';
import type { FieldKeys } from './compare.js';
import type { OracleResult } from './compute.js';
import { lossVariants } from './model-variants.js';
import type { ParsedSpec } from './spec.js';
import { type NumericField, matrixOf, shapeText, tensorOf, tensorOfMatrix } from './tensor.js';
import { type Recomputer, type Variant, columnMajorReshape, lastFirst, pickColumns, pickSymmetric, range } from './variant-kit.js';

/** vec_row(update) = (A ⊗ G + damping)^-1 vec_row(gradient): the Kronecker factors in the wrong order. */
function swappedKroneckerUpdate(f: KfacFactors, lambda: number, scheme: Extract<ParsedSpec, { kind: 'kfac'; problem: unknown }>['scheme']): NumericField {
  const out = f.gradient.rows;
  const k = f.gradient.cols;
  const Y = new Matrix(k, out, f.gradient.data.slice());
  const u = kfacUpdate({ A: f.G, G: f.A, gradient: Y }, lambda, scheme).update;
  return { shape: [out, k], data: u.data.slice() };
}

/** Variants of the kfac fields `loss` and `layers[l].A|G|gradient|update`. */
export function kfacVariants(
  keys: FieldKeys,
  e: NumericField,
  spec: Extract<ParsedSpec, { kind: 'kfac'; problem: unknown }>,
  result: OracleResult,
  rc: Recomputer,
): Variant[] {
  if (result.kind !== 'kfac') return [];
  if (keys[0] === 'loss') return lossVariants(e, spec.problem);
  if (keys[0] !== 'layers' || typeof keys[1] !== 'number' || keys.length !== 3) return [];
  const l = keys[1];
  const layer = result.layers[l];
  if (!layer) return [];
  const A = tensorOf(layer.A) as NumericField;
  const G = tensorOf(layer.G) as NumericField;
  const grad = tensorOf(layer.gradient) as NumericField;
  const f: KfacFactors = { A: matrixOf(A), G: matrixOf(G), gradient: matrixOf(grad) };
  const hasBias = spec.problem.spec.bias === undefined || spec.problem.spec.bias[l] !== false;
  const k = A.shape[0];
  const out = G.shape[0];
  const lambda = spec.damping;
  const c = Math.sqrt(lambda);
  const otherKind: KfacFisherKind = spec.fisher === 'fisher' ? 'empirical-fisher' : 'fisher';
  const empirical =
    spec.fisher === 'fisher'
      ? 'the empirical Fisher (y the targets) where the Fisher (y drawn from the model) was asked [empirical]'
      : 'the Fisher (y drawn from the model) where the empirical Fisher (y the targets) was asked [empirical]';
  const otherFactors = () => rc.kfac(spec.problem, otherKind)[l];
  const field = keys[2];
  const variants: Variant[] = [];
  const biasMissing = `the bias column missing: ${out} x ${k - 1} (out x in) instead of ${out} x ${k} (out x (in+1)) [bias]`;
  const biasFirst = 'the bias placed in the first column instead of the last [bias]';
  if (field === 'A') {
    variants.push({ sentence: `A and G swapped (this is G, ${shapeText(G.shape)}) [swapped]`, value: () => G });
    if (hasBias) {
      variants.push({
        sentence: `the bias row and column missing: ${k - 1} x ${k - 1} (in x in) instead of ${k} x ${k} ((in+1) x (in+1)) [bias]`,
        value: () => pickSymmetric(A, range(k - 1)),
      });
      variants.push({ sentence: 'the bias coordinate placed first (ā = [1; a] instead of [a; 1]) [bias]', value: () => pickSymmetric(A, lastFirst(k)) });
    }
    if (lambda > 0) variants.push(...includedDamping('A', f.A, c, piFactor(f.A, f.G) * c, 'π sqrt(λ) I', lambda));
  } else if (field === 'G') {
    variants.push({ sentence: `A and G swapped (this is A, ${shapeText(A.shape)}) [swapped]`, value: () => A });
    variants.push({ sentence: empirical, value: () => tensorOfMatrix(otherFactors().G) });
    if (lambda > 0) variants.push(...includedDamping('G', f.G, c, c / piFactor(f.A, f.G), 'sqrt(λ)/π I', lambda));
  } else if (field === 'gradient' || field === 'update') {
    if (field === 'update') {
      variants.push({
        sentence: 'the Kronecker factors swapped: (A ⊗ G)^-1 applied to the row-major gradient instead of (G ⊗ A)^-1 [swapped]',
        value: () => swappedKroneckerUpdate(f, lambda, spec.scheme),
      });
      if (out === k) {
        // square layers (out = in + 1) let A and G trade sides: (A + ..)^-1 gradient (G + ..)^-1
        variants.push({
          sentence: 'A and G swapped: (A + ..)^-1 gradient (G + ..)^-1 [swapped]',
          value: () => tensorOfMatrix(kfacUpdate({ A: f.G, G: f.A, gradient: f.gradient }, lambda, spec.scheme).update),
        });
      }
      variants.push({
        sentence: empirical,
        value: () => {
          const o = otherFactors();
          return tensorOfMatrix(kfacUpdate({ A: o.A, G: o.G, gradient: f.gradient }, lambda, spec.scheme).update);
        },
      });
    }
    if (hasBias) {
      if (field === 'update') {
        variants.push({
          sentence: biasMissing,
          value: () => {
            const idx = range(k - 1);
            const Aw = matrixOf(pickSymmetric(A, idx));
            const gw = matrixOf(pickColumns(grad, idx));
            return tensorOfMatrix(kfacUpdate({ A: Aw, G: f.G, gradient: gw }, lambda, spec.scheme).update);
          },
        });
      }
      variants.push({ sentence: biasMissing, value: () => pickColumns(e, range(k - 1)) });
      variants.push({ sentence: biasFirst, value: () => pickColumns(e, lastFirst(k)) });
    }
    variants.push({
      sentence: `column-major instead of row-major flattening (vec_col read back row by row into ${out} x ${k}) [column-major]`,
      value: () => columnMajorReshape(e),
    });
    if (field === 'update') {
      variants.push(...kfacDampingVariants(f, lambda, spec.scheme));
      const N = spec.problem.inputs.length;
      if (N > 1) {
        // G from the pre-activation gradients of the mean loss (each divided by N): G/N², with the damping unchanged
        const G = new Matrix(
          f.G.rows,
          f.G.cols,
          f.G.data.map((x) => x / (N * N)),
        );
        variants.push({
          sentence:
            `G built from the gradients of the mean loss, so G/N² (N = ${N}), with the damping unchanged: the update carries N² = ${N * N} ` +
            `[batch-size] and its damping is scaled by N² [damping] (kfac-pytorch's convention)`,
          value: () => tensorOfMatrix(kfacUpdate({ A: f.A, G, gradient: f.gradient }, lambda, spec.scheme).update),
        });
      }
    }
  }
  return variants;
}

/**
 * A factor reported with a damping included that belongs outside it: the
 * factored share sqrt(λ) I, the pi-factored share (`piTerm`, of size `pi`),
 * and the whole λI.
 */
function includedDamping(name: 'A' | 'G', M: Matrix, sqrtLambda: number, pi: number, piTerm: string, lambda: number): Variant[] {
  const included = (term: string, damping: string, shift: number): Variant => ({
    sentence: `${name} + ${term}: the ${damping} included in ${name}, which is reported without damping [damping]`,
    value: () => tensorOfMatrix(addScaledIdentity(M, shift)),
  });
  return [included('sqrt(λ) I', 'factored damping', sqrtLambda), included(piTerm, 'pi-factored damping', pi), included('λI', 'damping', lambda)];
}

function kfacDampingVariants(f: KfacFactors, lambda: number, scheme: Extract<ParsedSpec, { kind: 'kfac'; problem: unknown }>['scheme']): Variant[] {
  if (!(lambda > 0)) return [];
  const upd = (l: number, s: typeof scheme) => () => tensorOfMatrix(kfacUpdate(f, l, s).update);
  const out: Variant[] = [];
  for (const other of ['exact', 'factored', 'pi-factored'] as const) {
    if (other !== scheme) out.push({ sentence: `the ${other} damping scheme where ${scheme} was asked [damping]`, value: upd(lambda, other) });
  }
  if (scheme === 'exact') {
    out.push({ sentence: 'damping applied twice: (G ⊗ A + 2λI)^-1 [damping]', value: upd(2 * lambda, 'exact') });
    out.push({ sentence: 'sqrt(λ) in place of λ in the exact scheme [damping]', value: upd(Math.sqrt(lambda), 'exact') });
  } else {
    out.push({ sentence: `damping applied twice: 2 sqrt(λ) added to each factor (${scheme}) [damping]`, value: upd(4 * lambda, scheme) });
    out.push({ sentence: `λ in place of sqrt(λ) added to each factor (${scheme}) [damping]`, value: upd(lambda * lambda, scheme) });
  }
  out.push({ sentence: 'the damping left out [damping]', value: upd(0, scheme) });
  return out;
}
