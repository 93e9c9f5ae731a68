/**
 * EKFAC's smaller contracts on a Sequential model: the operators' products
 * against their dense forms, the Monte Carlo scalings as the mean of the
 * empirical scalings at the drawn labels, the result's damped update against
 * a dense solve, and the refusals by path and message.
 */
import { describe, expect, test } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import {
  ekfacBases,
  ekfacBlock,
  ekfacBlocks,
  ekfacInverseOperator,
  ekfacLayers,
  ekfacOperator,
  ekfacResult,
  ekfacScalings,
} from '../../src/curvature/ekfac.js';
import { kfacFactors } from '../../src/curvature/kfac.js';
import { sampleLabelSets } from '../../src/curvature/monte-carlo-fisher.js';
import { Matrix } from '../../src/linalg/matrix.js';
import { matvec, maxAbs } from '../../src/linalg/ops.js';
import { solve } from '../../src/linalg/solve.js';
import type { MlpSpec } from '../../src/models/mlp.js';
import { randomProblem as mlpRandomProblem } from '../models/fixtures.js';
import { LAYER_MODELS, randomProblem, randomVec } from '../models/sequential-fixtures.js';
import { thrownError, thrownLine } from '../natgrad-error.js';
import { expectClose } from './expect-close.js';

const p = randomProblem(1901, LAYER_MODELS['linear on vectors, tanh, categorical'], 3);
const batch = { x: p.x, targets: p.targets };
const P = p.model.paramCount;

describe('EKFAC operators', () => {
  const { blocks } = ekfacBlocks(p.model, p.theta, batch);
  const v = randomVec(new Rng(1902), P);

  test('the curvature and its damped inverse apply their dense forms', () => {
    const op = ekfacOperator(P, blocks);
    expectClose(op.matvec(v), matvec(op.dense(), v), 1e-13);
    expectClose(op.rmatvec(v), op.matvec(v), 0);
    const inv = ekfacInverseOperator(P, blocks, { damping: 0.1 });
    expectClose(inv.matvec(v), matvec(inv.dense(), v), 1e-13);
    // the inverse undoes the damped curvature: (C + 0.1 I) C⁻¹ v = v (every parameter is in a block)
    const back = op.matvec(inv.matvec(v)).map((x, i) => x + 0.1 * inv.matvec(v)[i]);
    expectClose(back, v, 1e-12);
  });

  test('a vector of the wrong length is refused at `v`', () => {
    expect(thrownLine(() => ekfacOperator(P, blocks).matvec(new Float64Array(P - 1)))).toBe(`v: must be a Float64Array of ${P} entries (one per parameter)`);
    expect(thrownError(() => ekfacInverseOperator(P, blocks).matvec([1] as unknown as Float64Array)).path).toBe('v');
  });

  test('ekfacBlock keeps the layout, basis and scalings given', () => {
    const b = blocks[0];
    const again = ekfacBlock(b, { QG: b.QG, QA: b.QA }, b.scalings);
    expect(again).toEqual(b);
  });
});

describe('EKFAC scalings', () => {
  const layouts = kfacFactors(p.model, p.theta, batch, { gradient: false }).blocks;
  const bases = ekfacBases(layouts);

  test('Monte Carlo scalings are the mean of the empirical scalings at the labels drawn, draw by draw', () => {
    const M = 3;
    const mc = ekfacScalings(p.model, p.theta, batch, layouts, bases, { fisher: 'monte-carlo', samples: M, rng: new Rng(1903) });
    const sets = sampleLabelSets(p.model, p.theta, p.x, M, new Rng(1903));
    const perDraw = sets.map((targets) => ekfacScalings(p.model, p.theta, { x: p.x, targets }, layouts, bases, { fisher: 'empirical-fisher' }));
    mc.forEach((S, k) => {
      const mean = S.data.map((_, q) => perDraw.reduce((a, d) => a + d[k].data[q], 0) / M);
      expectClose(S.data, mean, 1e-13);
    });
  });

  test('a Monte Carlo EKFAC without an rng, an unknown Fisher and zero samples are refused', () => {
    expect(thrownLine(() => ekfacScalings(p.model, p.theta, batch, layouts, bases, { fisher: 'monte-carlo' }))).toBe(
      'rng: a Monte Carlo EKFAC draws labels and needs a seeded rng',
    );
    expect(thrownError(() => ekfacScalings(p.model, p.theta, batch, layouts, bases, { fisher: 'exact' as 'fisher' })).path).toBe('fisher');
    expect(thrownError(() => ekfacScalings(p.model, p.theta, batch, layouts, bases, { samples: 0 })).path).toBe('samples');
  });

  test('bases: one per weight matrix, each of the block’s sizes', () => {
    expect(thrownLine(() => ekfacScalings(p.model, p.theta, batch, layouts, bases.slice(1)))).toBe('bases: must have one basis per weight matrix (2), got 1');
    expect(thrownLine(() => ekfacScalings(p.model, p.theta, batch, layouts.slice(1), bases))).toBe('bases: must have one basis per weight matrix (2), got 2');
    const swapped = [bases[1], bases[0]];
    expect(thrownLine(() => ekfacScalings(p.model, p.theta, batch, layouts, swapped))).toBe(
      `bases: a basis of L1.W must be 4 x 4 and 4 x 4, got ${swapped[0].QG.rows} x ${swapped[0].QG.rows} and ${swapped[0].QA.rows} x ${swapped[0].QA.rows}`,
    );
  });
});

describe('the EKFAC result', () => {
  test('update = (block + λ I)⁻¹ gradient for each block, and the loss', () => {
    const lambda = 0.05;
    const r = ekfacResult(p.model, p.theta, batch, { damping: lambda });
    expect(r.loss).toBeCloseTo(p.model.lossAndGradient(p.theta, p.x, p.targets).loss, 12);
    for (const b of r.blocks) {
      const n = b.out * b.cols;
      const A = new Matrix(n, n, Float64Array.from(b.matrix.data));
      for (let i = 0; i < n; i++) A.data[i * n + i] += lambda;
      expectClose(b.update.data, solve(A, b.gradient.data), 1e-10);
    }
    expect(thrownError(() => ekfacResult(p.model, p.theta, batch, { damping: -1 })).path).toBe('damping');
    expect(thrownError(() => ekfacBlocks(p.model, p.theta, batch, { approximation: 'mean' as 'expand' })).path).toBe('approximation');
  });
});

describe('the version-1 forms for an MLP', () => {
  const q = mlpRandomProblem(1904, { sizes: [2, 3, 2], activations: ['tanh', 'identity'], likelihood: 'categorical', N: 3 });

  test('ekfacScalings of an MLP equals the Sequential form; a Monte Carlo kind is refused', () => {
    const layers = ekfacLayers(q.spec, q.weights, q.inputs, q.targets, 'empirical-fisher');
    const s = ekfacScalings(q.spec, q.weights, q.inputs, q.targets, 'empirical-fisher', layers);
    s.forEach((S, k) => expectClose(S.data, layers[k].scalings.data, 1e-14));
    expect(thrownError(() => ekfacScalings(q.spec, q.weights, q.inputs, q.targets, 'monte-carlo' as 'fisher', layers)).path).toBe('fisher');
    expect(thrownError(() => ekfacLayers(q.spec, q.weights, q.inputs, q.targets, 'ggn' as 'fisher')).path).toBe('fisher');
  });

  test('the operators take the spec first: an array of layers there is refused', () => {
    const layers = ekfacLayers(q.spec, q.weights, q.inputs, q.targets, 'fisher');
    expect(thrownLine(() => ekfacOperator(layers as unknown as MlpSpec, layers))).toBe(
      "spec: must be the MLP's spec: the operator acts on parameter vectors (ekfacOperator(spec, layers)), got an array of layers",
    );
    expect(thrownLine(() => ekfacInverseOperator(layers as unknown as MlpSpec, layers))).toBe(
      "spec: must be the MLP's spec: the operator acts on parameter vectors (ekfacInverseOperator(spec, layers, options)), got an array of layers",
    );
    const v = randomVec(new Rng(1905), 17);
    expectClose(ekfacOperator(q.spec, layers).matvec(v), matvec(ekfacOperator(q.spec, layers).dense(), v), 1e-13);
    expect(maxAbs(ekfacOperator(q.spec, layers).dense())).toBeGreaterThan(0);
  });
});
