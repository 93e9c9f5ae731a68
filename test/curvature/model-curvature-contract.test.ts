/**
 * The Sequential curvatures' smaller contracts: the quadratic forms against
 * the dense matrix, the operators' refusal of a wrong vector, the raw and the
 * symmetrized Hessian, the Hessian diagonal, per-example gradients summing to
 * the gradient, layer blocks that skip parameterless layers, an empty factor,
 * the Fisher's factor without targets, and the size limits.
 */
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { MAX_RESULT_ENTRIES } from '../../src/core/validate.js';
import {
  MODEL_CURVATURES,
  curvatureDiagonal,
  curvatureFactor,
  curvatureForms,
  curvatureLayerBlocks,
  curvatureMatrix,
  curvatureOperator,
  factorDiagonal,
  factorGram,
  hessianMatrix,
  perExampleGradients,
  requireCurvatureSize,
} from '../../src/curvature/model-curvature.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { maxAbs } from '../../src/linalg/ops.js';
import { Sequential } from '../../src/models/sequential.js';
import { LAYER_MODELS, randomProblem, randomVec } from '../models/sequential-fixtures.js';
import { thrownError, thrownLine } from '../natgrad-error.js';

const p = randomProblem(1801, LAYER_MODELS['linear on vectors, tanh, categorical'], 3);
const batch = { x: p.x, targets: p.targets };
const P = p.model.paramCount;

describe('quadratic forms and operators', () => {
  test.each(['fisher', 'ggn'] as const)('%s: curvatureForms are vᵢᵀ C vⱼ of the dense matrix', (kind) => {
    const rng = new Rng(1802);
    const vs = [randomVec(rng, P), randomVec(rng, P)];
    const C = curvatureMatrix(p.model, p.theta, batch, kind);
    const forms = curvatureForms(p.model, p.theta, batch, kind, vs);
    let scale = 0;
    const want = vs.map((a) =>
      vs.map((b) => {
        let s = 0;
        for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) s += a[i] * C.get(i, j) * b[j];
        scale = Math.max(scale, Math.abs(s));
        return s;
      }),
    );
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) expect(Math.abs(forms[i][j] - want[i][j])).toBeLessThanOrEqual(1e-12 * scale);
  });

  test('a vector of the wrong length is refused at `v`, by the forms and by every operator', () => {
    const bad = new Float64Array(P + 1);
    const reason = `v: must be a Float64Array of ${P} entries (one per parameter), got`;
    expect(thrownLine(() => curvatureForms(p.model, p.theta, batch, 'fisher', [bad]))).toMatch(new RegExp(`^${reason.replace(/[()]/g, '\\$&')}`));
    for (const kind of MODEL_CURVATURES) {
      const op = curvatureOperator(p.model, p.theta, batch, kind);
      expect(thrownLine(() => op.matvec(bad))).toMatch(new RegExp(`^${reason.replace(/[()]/g, '\\$&')}`));
      expect(thrownError(() => op.matvec([1, 2] as unknown as Float64Array)).path).toBe('v');
    }
  });
});

describe('the Hessian', () => {
  const raw = hessianMatrix(p.model, p.theta, batch, { symmetric: false });
  const H = hessianMatrix(p.model, p.theta, batch);

  test('the default averages H and Hᵀ (exactly symmetric); symmetric: false keeps the columns as computed', () => {
    let asym = 0;
    for (let i = 0; i < P; i++) {
      for (let j = 0; j < P; j++) {
        expect(H.get(i, j)).toBe(H.get(j, i));
        expect(H.get(i, j)).toBe(i === j ? raw.get(i, i) : 0.5 * (raw.get(i, j) + raw.get(j, i)));
        asym = Math.max(asym, Math.abs(raw.get(i, j) - raw.get(j, i)));
      }
    }
    // the raw columns differ from their transpose by round-off, so the two forms differ
    expect(asym).toBeGreaterThan(0);
  });

  test('the Hessian diagonal is the raw diagonal, one product per parameter', () => {
    const d = curvatureDiagonal(p.model, p.theta, batch, 'hessian');
    for (let i = 0; i < P; i++) expect(d[i]).toBe(raw.get(i, i));
  });
});

describe('factors, blocks and per-example gradients', () => {
  test('per-example gradients (scaled by c) sum to the loss gradient', () => {
    const G = perExampleGradients(p.model, p.theta, batch);
    expect(G.rows).toBe(3);
    const { gradient } = p.model.lossAndGradient(p.theta, p.x, p.targets);
    for (let i = 0; i < P; i++) {
      const s = G.get(0, i) + G.get(1, i) + G.get(2, i);
      expect(Math.abs(s - gradient[i])).toBeLessThanOrEqual(1e-14 * Math.max(maxAbs(G), 1));
    }
  });

  test('layer blocks skip parameterless layers and are the diagonal blocks of the matrix', () => {
    const q = randomProblem(1803, LAYER_MODELS['flatten of a sequence, relu, gaussian'], 3);
    const qb = { x: q.x, targets: q.targets };
    const blocks = curvatureLayerBlocks(q.model, q.theta, qb, 'ggn');
    const withParams = q.model.layers.map((l, i) => [l, i] as const).filter(([l]) => l.paramCount > 0);
    expect(blocks.map((b) => b.offset)).toEqual(withParams.map(([, i]) => q.model.offsets[i]));
    const C = curvatureMatrix(q.model, q.theta, qb, 'ggn');
    blocks.forEach(({ offset, block }) => {
      for (let i = 0; i < block.rows; i++)
        for (let j = 0; j < block.rows; j++) expect(Math.abs(block.get(i, j) - C.get(offset + i, offset + j))).toBeLessThanOrEqual(1e-14 * maxAbs(C));
    });
  });

  test('an empty factor gives a zero matrix and diagonal', () => {
    const U = new Matrix(0, 3);
    expect(Array.from(factorGram({ U, weight: 1 }).data)).toEqual(new Array(9).fill(0));
    expect(Array.from(factorDiagonal({ U, weight: 1 }))).toEqual([0, 0, 0]);
  });

  test('the Fisher factor needs no targets; the GGN and empirical Fisher check them', () => {
    const f = curvatureFactor(p.model, p.theta, { x: p.x, targets: [] }, 'fisher');
    expect(f.U.cols).toBe(P);
    expect(thrownError(() => curvatureFactor(p.model, p.theta, { x: p.x, targets: [] }, 'ggn')).path).toMatch(/targets/);
    expect(thrownError(() => curvatureFactor(p.model, p.theta, batch, 'hessian' as 'ggn')).path).toBe('kind');
  });
});

describe('size limits', () => {
  test('a P x P matrix and a per-output factor above the limit are refused, below `spec` by default', () => {
    const wide = new Sequential({ input: [100], layers: [{ type: 'linear', out: 90 }], likelihood: 'gaussian' });
    expect(thrownLine(() => requireCurvatureSize(wide, 1))).toBe(
      `spec.model: the 9090 x 9090 curvature matrix of this model would have 82628100 entries, more than the limit of 2^26 = ${MAX_RESULT_ENTRIES}`,
    );
    const tall = new Sequential({ input: [10], layers: [{ type: 'linear', out: 100 }], likelihood: 'gaussian' });
    expect(() => requireCurvatureSize(tall, 610, 'run')).not.toThrow();
    expect(thrownLine(() => requireCurvatureSize(tall, 611, 'run'))).toBe(
      `run.inputs: the per-output gradient factor (611 inputs x 100 outputs x 1100 parameters) would have 67210000 entries, more than the limit of 2^26 = ${MAX_RESULT_ENTRIES}`,
    );
  });
});
