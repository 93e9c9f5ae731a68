/**
 * Wrong variants of the `shampoo`, `reparameterize` and family `fisher`
 * kinds: L and R swapped, the exponent -1/2, epsilon left out; the Jacobian
 * transposed or inverted; the inverse Fisher.
 */
import { shampooStatistics } from '../curvature/shampoo.js';
import { Matrix } from '../linalg/matrix.js';
import { symmetricPower } from '../linalg/matrix-function.js';
import { matmul, matmulNT, matmulTN } from '../linalg/ops.js';
import { pseudoInverse, solveMatrix } from '../linalg/solve.js';
import type { FieldKeys } from './compare.js';
import { type OracleResult, familyFisher } from './compute.js';
import type { ParsedSpec } from './spec.js';
import { type NumericField, matrixOf, tensorOfMatrix } from './tensor.js';
import { type Variant, isSquare } from './variant-kit.js';

/** Variants of L, R and update: L and R swapped, the exponent -1/2, epsilon left out. */
export function shampooVariants(keys: FieldKeys, spec: Extract<ParsedSpec, { kind: 'shampoo' }>, result: OracleResult): Variant[] {
  if (result.kind !== 'shampoo') return [];
  const field = keys[0];
  const L = () => Matrix.from(result.L);
  const R = () => Matrix.from(result.R);
  const GT = spec.gradients[spec.gradients.length - 1];
  const stats = (eps: number) => shampooStatistics(spec.gradients, eps, spec.path);
  const halfPower = () => {
    const s = stats(spec.epsilon);
    return { L: symmetricPower(s.left, -0.5, {}, 'L'), R: symmetricPower(s.right, -0.5, {}, 'R') };
  };
  const noEps = () => {
    const s = stats(0);
    return { L: symmetricPower(s.left, -0.25, {}, 'L'), R: symmetricPower(s.right, -0.25, {}, 'R') };
  };
  const exponent = 'the exponent -1/2 instead of -1/4 (-1/k instead of -1/(2k) for an order-k tensor) [exponent]';
  const epsilon = 'epsilon left out of the statistics [damping]';
  const out: Variant[] = [];
  if (field === 'L' || field === 'R') {
    const other = field === 'L' ? R : L;
    out.push({ sentence: 'L and R swapped [swapped]', value: () => tensorOfMatrix(other()) });
    out.push({ sentence: exponent, value: () => tensorOfMatrix(halfPower()[field]) });
    out.push({ sentence: epsilon, value: () => tensorOfMatrix(noEps()[field]) });
  } else if (field === 'update') {
    out.push({ sentence: 'L and R swapped: R G L [swapped]', value: () => tensorOfMatrix(matmul(matmul(R(), GT), L())) });
    out.push({
      sentence: exponent,
      value: () => {
        const p = halfPower();
        return tensorOfMatrix(matmul(matmul(p.L, GT), p.R));
      },
    });
    out.push({
      sentence: epsilon,
      value: () => {
        const p = noEps();
        return tensorOfMatrix(matmul(matmul(p.L, GT), p.R));
      },
    });
  }
  return out;
}

/** Variants of the Jacobian (transposed, inverted) and of the transformed Fisher (J F Jᵀ, J⁻ᵀ F J⁻¹, untransformed). */
export async function reparameterizeVariants(keys: FieldKeys, spec: Extract<ParsedSpec, { kind: 'reparameterize' }>, result: OracleResult): Promise<Variant[]> {
  if (result.kind !== 'reparameterize') return [];
  const J = Matrix.from(result.jacobian);
  const inverse = () => solveMatrix(J, Matrix.identity(J.rows));
  if (keys[0] === 'jacobian') {
    return [
      {
        sentence: `the inverse Jacobian, d ${spec.to}/d ${spec.from} instead of d ${spec.from}/d ${spec.to} [inverse]`,
        value: () => tensorOfMatrix(inverse()),
      },
    ];
  }
  if (keys[0] !== 'fisher') return [];
  const Ffrom = async () => (await familyFisher(spec.family, spec.from, spec.params, spec.fixed, spec.path)).matrix;
  return [
    { sentence: 'J F Jᵀ instead of Jᵀ F J: the Jacobian transposed [transpose]', value: async () => tensorOfMatrix(matmulNT(matmul(J, await Ffrom()), J)) },
    {
      sentence: `the inverse Jacobian used: J⁻ᵀ F J⁻¹ (d ${spec.to}/d ${spec.from} where d ${spec.from}/d ${spec.to} was needed) [inverse]`,
      value: async () => {
        const Ji = inverse();
        return tensorOfMatrix(matmulTN(Ji, matmul(await Ffrom(), Ji)));
      },
    },
    { sentence: `the Fisher in "${spec.from}" left untransformed [untransformed]`, value: async () => tensorOfMatrix(await Ffrom()) },
  ];
}

/** Variants of a family's Fisher: its inverse. */
export function familyFisherVariants(e: NumericField): Variant[] {
  if (!isSquare(e)) return [];
  return [
    { sentence: 'the inverse Fisher (the Cramér-Rao covariance) instead of the Fisher [inverse]', value: () => tensorOfMatrix(pseudoInverse(matrixOf(e))) },
  ];
}
